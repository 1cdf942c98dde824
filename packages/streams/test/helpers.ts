import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
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

/**
 * Makes a self-signed certificate for this run with `openssl` (EC P-256, one
 * day): `san` is its subjectAltName, e.g. `"DNS:localhost,IP:127.0.0.1"`.
 */
export function selfSigned(dir: string, name: string, san: string): { key: string; cert: string } {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=${san}`,
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
}

/** The port a TCP server listens on. */
export function portOf(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}
