/**
 * asyncio's `open_connection` client, against a local echo server started in
 * the same program: `startServer` runs each connection in its own task;
 * `openConnection` returns a `[reader, writer]` pair. `write()` never blocks;
 * `await writer.drain()` applies backpressure.
 */
import { run } from "@aio/loop";
import { openConnection, type StreamReader, type StreamWriter, startServer } from "@aio/streams";

async function handleEcho(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const data = await reader.read(100);
  const addr = writer.getExtraInfo("peername") as [string, number];
  console.log(`server: received ${JSON.stringify(String(data))} from ${addr[0]}`);
  writer.write(data);
  await writer.drain();
  console.log("server: close the connection");
  writer.close();
  await writer.waitClosed();
}

async function tcpEchoClient(port: number, message: string): Promise<void> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  console.log(`client: send ${JSON.stringify(message)}`);
  writer.write(message);
  await writer.drain();
  const data = await reader.read(100);
  console.log(`client: received ${JSON.stringify(String(data))}`);
  writer.close();
  await writer.waitClosed();
}

await run(async () => {
  await using server = await startServer(handleEcho, "127.0.0.1", 0);
  const [host, port] = server.sockets[0]!.getsockname() as [string, number];
  console.log(`server: serving on ${host} (ephemeral port)`);
  await tcpEchoClient(port, "Hello World!");
});
