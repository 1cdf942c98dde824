/**
 * asyncio's UDP echo server and client (`loop.create_datagram_endpoint`):
 * UDP has no byte stream, so both ends are protocol objects whose callbacks
 * run on the event loop — `connectionMade`, `datagramReceived(data, addr)`,
 * `connectionLost`. The client is connected (`remoteAddr`), so `sendto()`
 * needs no address.
 */
import { type FutureLike, getRunningLoop } from "@aio/core";
import { run } from "@aio/loop";
import {
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
} from "@aio/streams";

class EchoServerProtocol implements DatagramProtocol {
  transport: DatagramTransport | null = null;

  connectionMade(transport: DatagramTransport): void {
    this.transport = transport;
  }

  datagramReceived(data: Uint8Array, addr: [string, number]): void {
    console.log(`server: received ${JSON.stringify(String(data))} from ${addr[0]}`);
    console.log(`server: send ${JSON.stringify(String(data))}`);
    this.transport!.sendto(data, addr);
  }
}

class EchoClientProtocol implements DatagramProtocol {
  transport: DatagramTransport | null = null;

  constructor(
    private readonly message: string,
    private readonly onConLost: FutureLike<void>,
  ) {}

  connectionMade(transport: DatagramTransport): void {
    console.log(`client: send ${JSON.stringify(this.message)}`);
    transport.sendto(this.message);
    this.transport = transport;
  }

  datagramReceived(data: Uint8Array): void {
    console.log(`client: received ${JSON.stringify(String(data))}`);
    console.log("client: close the socket");
    this.transport!.close();
  }

  errorReceived(exc: Error): void {
    console.log(`client: error received: ${exc.message}`);
  }

  connectionLost(): void {
    console.log("client: connection closed");
    this.onConLost.setResult(undefined);
  }
}

await run(async () => {
  const [server] = await createDatagramEndpoint(() => new EchoServerProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  const [host, port] = server.getExtraInfo("sockname") as [string, number];
  console.log(`server: serving on ${host} (ephemeral port)`);

  const onConLost = getRunningLoop().createFuture<void>();
  await createDatagramEndpoint(() => new EchoClientProtocol("Hello World!", onConLost), {
    remoteAddr: ["127.0.0.1", port],
  });
  await onConLost; // the client closes itself after the echo
  server.close();
});
