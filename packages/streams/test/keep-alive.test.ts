import { readFileSync } from "node:fs";
import { getRunningLoop } from "@aio/core";
import { run } from "@aio/loop";
import { openConnection, type StreamWriter, startServer } from "@aio/streams";
import { describe, expect, test } from "vitest";
import { portOf, shutdown } from "./helpers.js";

/**
 * The kernel's view of one IPv4 loopback TCP socket (Linux `/proc/net/tcp`):
 * whether a keepalive timer is armed on it (`tr` = 2), which happens exactly
 * when SO_KEEPALIVE is set on an established, idle socket.
 */
function keepaliveTimerArmed(localPort: number, remotePort: number): boolean | undefined {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    if (f[1]!.endsWith(`:${hex(localPort)}`) && f[2]!.endsWith(`:${hex(remotePort)}`)) {
      return f[5]!.split(":")[0] === "02";
    }
  }
  return undefined;
}

describe("startServer({ keepAlive })", () => {
  test.runIf(process.platform === "linux")(
    "startServer({ keepAlive: true }) sets SO_KEEPALIVE on accepted sockets; without it none is set",
    async () => {
      const out = await run(async () => {
        const seen: (boolean | undefined)[] = [];
        for (const keepAlive of [true, false, undefined]) {
          const accepted = getRunningLoop().createFuture<StreamWriter>();
          const server = await startServer(
            async (reader, writer) => {
              accepted.setResult(writer);
              await reader.read();
              writer.close();
            },
            "127.0.0.1",
            0,
            keepAlive === undefined ? {} : { keepAlive },
          );
          const [, writer] = await openConnection("127.0.0.1", portOf(server));
          const serverSide = await accepted;
          const [, local] = serverSide.getExtraInfo("sockname") as [string, number];
          const [, remote] = serverSide.getExtraInfo("peername") as [string, number];
          seen.push(keepaliveTimerArmed(local, remote));
          writer.close();
          await writer.waitClosed();
          await shutdown(server);
        }
        return seen;
      });
      expect(out).toEqual([true, false, false]);
    },
  );
});
