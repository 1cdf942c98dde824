import { type ExceptionContext, getRunningLoop, RuntimeError, ValueError } from "@aio/core";
import { run } from "@aio/loop";
import {
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
} from "@aio/streams";
import { describe, expect, test } from "vitest";
import { runUntil } from "./datagram-helpers.js";

const str = (x: Uint8Array) => Buffer.from(x).toString();

/** A protocol that records every callback as a string. */
function recorder(events: string[]): DatagramProtocol {
  return {
    connectionMade: () => events.push("made"),
    datagramReceived: (data, addr) => events.push(`got ${str(data)} from ${addr[0]}`),
    errorReceived: (e) => events.push(`error ${(e as { code?: string }).code}`),
    connectionLost: (e) => events.push(`lost ${e}`),
  };
}

/** An echo endpoint on 127.0.0.1 (or ::1). */
async function echoEndpoint(host = "127.0.0.1"): Promise<[DatagramTransport, number]> {
  let t: DatagramTransport | null = null;
  const [transport] = await createDatagramEndpoint(
    () => ({
      connectionMade: (tr: DatagramTransport) => {
        t = tr;
      },
      datagramReceived: (data: Uint8Array, addr: [string, number]) => t!.sendto(data, addr),
    }),
    { localAddr: [host, 0] },
  );
  return [transport, (transport.getExtraInfo("sockname") as [string, number])[1]];
}

describe("createDatagramEndpoint", () => {
  test("createDatagramEndpoint() resolves after connectionMade; callbacks run on the loop, in order", async () => {
    const out = await run(async () => {
      const loop = getRunningLoop();
      const events: string[] = [];
      const onLoop: boolean[] = [];
      const [server, port] = await echoEndpoint();
      const [transport, protocol] = await createDatagramEndpoint(
        () => ({
          ...recorder(events),
          datagramReceived(data: Uint8Array, addr: [string, number]) {
            onLoop.push(getRunningLoop() === loop);
            events.push(`got ${str(data)} from ${addr[0]}:${addr[1] === port}`);
          },
        }),
        { remoteAddr: ["127.0.0.1", port] },
      );
      events.push("resolved");
      expect(typeof protocol.connectionLost).toBe("function");
      for (const word of ["one", "two", "three"]) transport.sendto(word);
      await runUntil(() => events.length === 5);
      transport.close();
      await runUntil(() => events.length === 6);
      server.close();
      return [events, onLoop];
    });
    expect(out).toEqual([
      [
        "made",
        "resolved",
        "got one from 127.0.0.1:true",
        "got two from 127.0.0.1:true",
        "got three from 127.0.0.1:true",
        "lost null",
      ],
      [true, true, true],
    ]);
  });

  test("an IPv6 endpoint echoes and reports sockname and peername", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const [server, port] = await echoEndpoint("::1");
      const [transport] = await createDatagramEndpoint(() => recorder(events), {
        remoteAddr: ["::1", port],
      });
      transport.sendto("six");
      await runUntil(() => events.length === 2);
      const info = [transport.getExtraInfo("peername"), transport.getExtraInfo("sockname")];
      const seen = [...events];
      transport.close();
      server.close();
      return [seen, info];
    });
    expect(out[0]).toEqual(["made", "got six from ::1"]);
    expect((out[1] as unknown[])[0]).toEqual(["::1", expect.any(Number)]);
    expect((out[1] as [unknown, [string, number]])[1][0]).toBe("::1");
  });

  test("DatagramTransport.close() sends what was queued first; connectionLost is called once", async () => {
    const out = await run(async () => {
      const received: string[] = [];
      let lost = 0;
      const [sink] = await createDatagramEndpoint(
        () => ({ datagramReceived: (d: Uint8Array) => received.push(str(d)) }),
        { localAddr: ["127.0.0.1", 0] },
      );
      const port = (sink.getExtraInfo("sockname") as [string, number])[1];
      const [transport] = await createDatagramEndpoint(() => ({ connectionLost: () => lost++ }), {
        remoteAddr: ["127.0.0.1", port],
      });
      for (let i = 0; i < 50; i++) transport.sendto(`#${i}`);
      transport.close();
      transport.close();
      transport.abort();
      expect(transport.isClosing()).toBe(true);
      await runUntil(() => received.length === 50 && lost > 0);
      for (let i = 0; i < 5; i++) await runUntil(() => true);
      sink.close();
      return [received.length, new Set(received).size, lost];
    });
    expect(out).toEqual([50, 50, 1]);
  });

  test("DatagramTransport.sendto() after close() or abort() throws RuntimeError", async () => {
    await run(async () => {
      for (const how of ["close", "abort"] as const) {
        const [transport] = await createDatagramEndpoint(() => ({}), {
          localAddr: ["127.0.0.1", 0],
        });
        transport[how]();
        expect(() => transport.sendto("x", ["127.0.0.1", 9])).toThrow(RuntimeError);
        expect(() => transport.sendto("x", ["127.0.0.1", 9])).toThrow(
          "sendto() on a closed DatagramTransport",
        );
      }
    });
  });

  test("a connected endpoint: sendto() to another address is a ValueError, to its own address works", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const [server, port] = await echoEndpoint();
      const [transport] = await createDatagramEndpoint(() => recorder(events), {
        remoteAddr: ["127.0.0.1", port],
      });
      let err: unknown;
      try {
        transport.sendto("x", ["127.0.0.1", port + 1 === 65536 ? 1 : port + 1]);
      } catch (e) {
        err = e;
      }
      transport.sendto("same", ["127.0.0.1", port]);
      await runUntil(() => events.length === 2);
      const seen = [...events];
      transport.close();
      server.close();
      return [
        err instanceof ValueError,
        (err as Error).message.startsWith(
          'sendto() addr must be undefined or the remote address ["127.0.0.1",',
        ),
        seen,
      ];
    });
    expect(out).toEqual([true, true, ["made", "got same from 127.0.0.1"]]);
  });

  test("an unconnected endpoint: sendto() needs an address of its own family", async () => {
    await run(async () => {
      const [transport] = await createDatagramEndpoint(() => ({}), {
        localAddr: ["127.0.0.1", 0],
      });
      expect(() => transport.sendto("x")).toThrow(
        new TypeError(
          "sendto() addr must be a [host, port] array on an endpoint without remoteAddr, received undefined",
        ),
      );
      expect(() => transport.sendto("x", ["::1", 9])).toThrow(
        new ValueError(
          'sendto() addr[0] (host) must be an IPv4 address or a host name on an IPv4 endpoint, received "::1"',
        ),
      );
      expect(() => transport.sendto("x", ["127.0.0.1", 0])).toThrow(
        new RangeError("sendto() addr[1] (port) must be an integer >= 1 and <= 65535, received 0"),
      );
      expect(() => transport.sendto(5 as never, ["127.0.0.1", 9])).toThrow(
        new TypeError("sendto() data must be a Uint8Array or a string, received 5"),
      );
      expect(() => transport.sendto("x", "127.0.0.1:9" as never)).toThrow(
        new TypeError('sendto() addr must be a [host, port] array, received "127.0.0.1:9"'),
      );
      transport.close();
    });
  });

  test("errorReceived gets ECONNREFUSED when a connected endpoint's peer is gone; the endpoint stays open", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      // A port that was just free: bind, read it, close.
      const [probe] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
      const port = (probe.getExtraInfo("sockname") as [string, number])[1];
      probe.close();
      const [transport] = await createDatagramEndpoint(() => recorder(events), {
        remoteAddr: ["127.0.0.1", port],
      });
      // The ICMP error of the first send fails a later socket call; bounded retries.
      for (let i = 0; i < 50 && !events.some((e) => e.startsWith("error")); i++) {
        transport.sendto("anyone?");
        await runUntil(() => true);
        await new Promise((r) => setTimeout(r, 5));
      }
      const closing = transport.isClosing();
      transport.close();
      await runUntil(() => events.at(-1) === "lost null");
      return [events[0], events.find((e) => e.startsWith("error")), closing, events.at(-1)];
    });
    expect(out).toEqual(["made", "error ECONNREFUSED", false, "lost null"]);
  });

  test("an exception in a protocol callback goes to the loop's exception handler; the endpoint keeps working", async () => {
    const out = await run(async () => {
      const handled: string[] = [];
      getRunningLoop().setExceptionHandler((_l, ctx: ExceptionContext) => {
        handled.push(String((ctx.exception as Error).message));
      });
      const got: string[] = [];
      const [server, port] = await echoEndpoint();
      const [transport] = await createDatagramEndpoint(
        () => ({
          datagramReceived: (d: Uint8Array) => {
            got.push(str(d));
            if (got.length === 1) throw new Error("boom in datagramReceived");
          },
        }),
        { remoteAddr: ["127.0.0.1", port] },
      );
      transport.sendto("a");
      await runUntil(() => got.length === 1);
      transport.sendto("b");
      await runUntil(() => got.length === 2);
      transport.close();
      server.close();
      return [got, handled];
    });
    expect(out).toEqual([["a", "b"], ["boom in datagramReceived"]]);
  });

  test("an endpoint made with only family is bound by its first send and then receives", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const [server, port] = await echoEndpoint();
      const [transport] = await createDatagramEndpoint(() => recorder(events), { family: 4 });
      const before = transport.getExtraInfo("sockname", "unbound");
      transport.sendto("first", ["127.0.0.1", port]);
      await runUntil(() => events.length === 2);
      const after = transport.getExtraInfo<[string, number]>("sockname");
      const seen = [...events];
      transport.close();
      server.close();
      return [before, typeof after?.[1], seen];
    });
    expect(out).toEqual(["unbound", "number", ["made", "got first from 127.0.0.1"]]);
  });

  test("DatagramTransport describes itself", async () => {
    await run(async () => {
      const [server, port] = await echoEndpoint();
      const [transport] = await createDatagramEndpoint(() => ({}), {
        remoteAddr: ["127.0.0.1", port],
      });
      expect(String(transport)).toMatch(
        new RegExp(`^<DatagramTransport 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${port}>$`),
      );
      expect(Object.prototype.toString.call(transport)).toBe("[object DatagramTransport]");
      expect(transport.getExtraInfo("nothing", "dflt")).toBe("dflt");
      transport.close();
      expect(String(transport)).toMatch(/ closed>$/);
      server.close();
    });
  });
});
