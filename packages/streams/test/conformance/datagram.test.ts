/**
 * Port of the datagram-endpoint cases of CPython's
 * `Lib/test/test_asyncio/test_events.py` (EventLoopTestsMixin) and
 * `test_base_events.py` (BaseEventLoopWithSelectorTests) to
 * `createDatagramEndpoint()`, on real loopback sockets.
 *
 * Not ported (see docs/porting/streams.md): `sock=` (`_sock`,
 * `_sock_sockopts`, `_wrong_sock`), AF_UNIX datagram sockets (`_sock_unix`,
 * `_existing_sock_unix` — Node's dgram has none), `reuse_port`
 * (`_nosoreuseport`), and the cases that only mock the socket module
 * (`_no_addrinfo`, `_socket_err`, `_setblk_err`, `_ip_addr`).
 * `_cant_bind` binds a real address already in use instead of a mock.
 */
import { isIP } from "node:net";
import { getRunningLoop, ValueError } from "@aio/core";
import { run } from "@aio/loop";
import { createDatagramEndpoint, type DatagramTransport } from "@aio/streams";
import { describe, expect, it } from "vitest";
import { MyDatagramProto, runUntil } from "../datagram-helpers.js";

async function testCreateDatagramEndpoint(localAddr: [string, number], family: 4 | 6) {
  return run(async () => {
    const loop = getRunningLoop();
    class TestMyDatagramProto extends MyDatagramProto {
      override datagramReceived(data: Uint8Array, addr: [string, number]): void {
        super.datagramReceived(data, addr);
        this.transport!.sendto(Buffer.concat([Buffer.from("resp:"), data]), addr);
      }
    }
    const [sTransport, server] = await createDatagramEndpoint(() => new TestMyDatagramProto(), {
      localAddr,
      family,
    });
    const [host, port] = sTransport.getExtraInfo("sockname") as [string, number];
    expect(server).toBeInstanceOf(TestMyDatagramProto);
    expect(server.state).toBe("INITIALIZED");
    expect(server.transport).toBe(sTransport);

    const [transport, client] = await createDatagramEndpoint(
      () => new MyDatagramProto(true, loop),
      { remoteAddr: [host, port] },
    );
    expect(client.state).toBe("INITIALIZED");
    expect(client.transport).toBe(transport);

    transport.sendto(Buffer.from("xxx"));
    await runUntil(() => server.nbytes > 0);
    expect(server.nbytes).toBe(3);
    await runUntil(() => client.nbytes > 0);
    // received
    expect(client.nbytes).toBe(8);
    // extra info is available: the client's own address, of the server's family
    // (Deno 2 reports the wildcard address it bound, Node the loopback one.)
    const [clientHost, clientPort] = transport.getExtraInfo("sockname") as [string, number];
    expect(isIP(clientHost)).toBe(family);
    expect(clientPort).toBeGreaterThan(0);
    expect(transport.getExtraInfo("peername")).toEqual([host, port]);

    // close connection
    transport.close();
    await client.done;
    expect(client.state).toBe("CLOSED");
    sTransport.close();
    expect([...server.failures, ...client.failures]).toEqual([]);
    return host;
  });
}

describe("EventLoopTestsMixin (test_events.py)", () => {
  it("test_create_datagram_endpoint", async () => {
    expect(await testCreateDatagramEndpoint(["127.0.0.1", 0], 4)).toBe("127.0.0.1");
  });

  it("test_create_datagram_endpoint_ipv6", async () => {
    expect(await testCreateDatagramEndpoint(["::1", 0], 6)).toBe("::1");
  });
});

describe("BaseEventLoopWithSelectorTests (test_base_events.py)", () => {
  it("test_create_datagram_endpoint_addr_error", async () => {
    await run(async () => {
      await expect(
        createDatagramEndpoint(() => new MyDatagramProto(), { localAddr: "localhost" as never }),
      ).rejects.toThrow(TypeError);
      await expect(
        createDatagramEndpoint(() => new MyDatagramProto(), {
          localAddr: ["localhost", 1, 2, 3] as never,
        }),
      ).rejects.toThrow(TypeError);
    });
  });

  it("test_create_datagram_endpoint_connect_err", async () => {
    // asyncio's OSError from connect() to port 0 is a RangeError here, before any socket exists.
    await run(async () => {
      await expect(
        createDatagramEndpoint(() => ({}), { remoteAddr: ["127.0.0.1", 0] }),
      ).rejects.toThrow(RangeError);
    });
  });

  it("test_create_datagram_endpoint_allow_broadcast", async () => {
    await run(async () => {
      const protocol = new MyDatagramProto(true);
      const [transport] = await createDatagramEndpoint(() => protocol, {
        remoteAddr: ["127.0.0.1", 9],
        allowBroadcast: true,
      });
      // Not connected (asyncio does not call sock_connect with allow_broadcast).
      expect(transport.getExtraInfo("peername")).toBeUndefined();
      transport.close();
      await protocol.done;
      expect(protocol.state).toBe("CLOSED");
    });
  });

  it("test_create_datagram_endpoint_no_matching_family", async () => {
    await run(async () => {
      await expect(
        createDatagramEndpoint(() => ({}), {
          remoteAddr: ["127.0.0.1", 1],
          localAddr: ["::1", 0],
        }),
      ).rejects.toThrow(ValueError);
    });
  });

  it("test_create_datagram_endpoint_noaddr_nofamily", async () => {
    await run(async () => {
      await expect(createDatagramEndpoint(() => ({}))).rejects.toThrow(ValueError);
    });
  });

  it("test_create_datagram_endpoint_cant_bind", async () => {
    await run(async () => {
      const [first] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
      const port = (first.getExtraInfo("sockname") as [string, number])[1];
      await expect(
        createDatagramEndpoint(() => new MyDatagramProto(), {
          localAddr: ["127.0.0.1", port],
          family: 4,
        }),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
      first.close();
    });
  });

  // Linux: a send to 127.255.255.255 without SO_BROADCAST fails with EACCES.
  it.runIf(process.platform === "linux")("test_create_datagram_endpoint_sockopts", async () => {
    // Socket options are not applied unless asked for. Node cannot read
    // SO_BROADCAST back, so its effect is observed: a send to the loopback
    // broadcast address fails with EACCES without it.
    const out = await run(async () => {
      const seen: string[][] = [];
      for (const allowBroadcast of [false, true]) {
        const events: string[] = [];
        const [transport] = await createDatagramEndpoint(
          () => ({
            errorReceived: (e: Error) => events.push(`error ${(e as { code?: string }).code}`),
            connectionLost: () => events.push("lost"),
          }),
          { localAddr: ["127.0.0.1", 0], allowBroadcast },
        );
        transport.sendto("x", ["127.255.255.255", 9]);
        transport.close(); // waits for the send, so its error (if any) comes first
        await runUntil(() => events.includes("lost"));
        seen.push(events);
      }
      return seen;
    });
    expect(out).toEqual([["error EACCES", "lost"], ["lost"]]);
  });

  it("test_create_datagram_endpoint_sockopts (reuseAddress: SO_REUSEADDR only when asked)", async () => {
    await run(async () => {
      const transports: DatagramTransport[] = [];
      const [a] = await createDatagramEndpoint(() => ({}), {
        localAddr: ["127.0.0.1", 0],
        reuseAddress: true,
      });
      transports.push(a);
      const port = (a.getExtraInfo("sockname") as [string, number])[1];
      const [b] = await createDatagramEndpoint(() => ({}), {
        localAddr: ["127.0.0.1", port],
        reuseAddress: true,
      });
      transports.push(b);
      expect(b.getExtraInfo("sockname")).toEqual(["127.0.0.1", port]);
      for (const t of transports) t.close();
    });
  });
});
