import { type Server, type StreamReader, type StreamWriter, startServer } from "@aio/streams";

/** An echo handler: copies everything back until EOF, then closes. */
export async function echo(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for (;;) {
    const chunk = await reader.read(65536);
    if (chunk.length === 0) break;
    writer.write(chunk);
    await writer.drain();
  }
  writer.close();
  await writer.waitClosed().catch(() => {});
}

/** Starts an echo server on 127.0.0.1 with an ephemeral port. */
export async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = await startServer(echo, "127.0.0.1", 0);
  const [, port] = server.sockets[0]!.getsockname() as [string, number];
  return { server, port };
}

/** Closes a server and its clients and waits. */
export async function shutdown(server: Server): Promise<void> {
  server.close();
  server.closeClients();
  await server.waitClosed();
}
