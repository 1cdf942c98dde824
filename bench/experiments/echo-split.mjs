#!/usr/bin/env node
// Experiment (issue 17, target (d)): where the CPU of the streams suite's
// echo goes, run by run: user and system time and minor page faults, for
// @aio/streams and for raw `net.Socket` ('data' on both sides). Not a suite:
// `run.mjs` does not run it.
//
//   node --expose-gc bench/experiments/echo-split.mjs [aio|net] [--runs R]
//
// One process per variant (both by default, one after the other); 256 MiB in
// 64 KiB writes through a local echo server in the same process, a warm-up
// run, then R runs (default 10), each after a gc(). Prints markdown; never
// asserts.

import { spawnSync } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const ri = argv.indexOf("--runs");
const RUNS = ri === -1 ? 10 : Number(argv[ri + 1]);
const CHUNK = 64 << 10;
const TOTAL = 256 << 20;
const variant = argv.find((a) => a === "aio" || a === "net");

/** Runs `once()` RUNS + 1 times; returns one row per run after the first. */
async function measure(once) {
  const rows = [];
  for (let i = 0; i <= RUNS; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 20));
    const faults = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    await once();
    const c = process.cpuUsage(c0);
    if (i > 0)
      rows.push({
        user: c.user / 1000,
        system: c.system / 1000,
        faults: process.resourceUsage().minorPageFault - faults,
      });
  }
  return rows;
}

async function aio() {
  const { run } = await import("@aio/loop");
  const { openConnection, startServer } = await import("@aio/streams");
  const { createTask } = await import("@aio/futures");
  return run(async () => {
    const server = await startServer(
      async (reader, writer) => {
        for (;;) {
          const chunk = await reader.read(CHUNK);
          if (chunk.length === 0) break;
          writer.write(chunk);
          await writer.drain();
        }
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const port = server.sockets[0].getsockname()[1];
    const payload = Buffer.alloc(CHUNK, 120);
    const rows = await measure(async () => {
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const sending = createTask(async () => {
        for (let sent = 0; sent < TOTAL; sent += CHUNK) {
          writer.write(payload);
          await writer.drain();
        }
      });
      let got = 0;
      while (got < TOTAL) got += (await reader.read(CHUNK)).length;
      await sending;
      writer.close();
      await writer.waitClosed();
    });
    server.close();
    server.closeClients();
    await server.waitClosed();
    return rows;
  });
}

async function raw() {
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on("data", (d) => {
      if (!s.write(d)) {
        s.pause();
        s.once("drain", () => s.resume());
      }
    });
    s.on("end", () => s.end());
    s.on("error", () => {});
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  const payload = Buffer.alloc(CHUNK, 120);
  const rows = await measure(
    () =>
      new Promise((resolve) => {
        const c = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => {
          let sent = 0;
          let received = 0;
          const pump = () => {
            while (sent < TOTAL) {
              sent += CHUNK;
              if (!c.write(payload)) {
                c.once("drain", pump);
                return;
              }
            }
          };
          c.on("data", (d) => {
            received += d.length;
            if (received >= TOTAL) {
              c.end();
              c.once("close", resolve);
            }
          });
          pump();
        });
      }),
  );
  server.close();
  return rows;
}

if (variant !== undefined) {
  const rows = variant === "aio" ? await aio() : await raw();
  // The child ends by SIGKILL once its line is out (see bench/lib/harness.mjs reportAndExit).
  process.stdout.write(`${JSON.stringify(rows)}\n`, () => process.kill(process.pid, "SIGKILL"));
} else {
  const self = fileURLToPath(import.meta.url);
  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `Node ${process.version}, ${RUNS} runs each after a warm-up; ranges, and medians in brackets\n`,
  );
  console.log("| client and server | user (ms) | system (ms) | total (ms) | minor page faults |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, label] of [
    ["aio", "@aio/streams (`onread` client, `'data'` server)"],
    ["net", "raw `net.Socket`, `'data'` on both sides"],
  ]) {
    const r = spawnSync(process.execPath, ["--expose-gc", self, name, "--runs", String(RUNS)], {
      encoding: "utf8",
      timeout: 600_000,
    });
    const line = r.stdout.trim().split("\n").pop();
    const rows = JSON.parse(line);
    const col = (f) => {
      const xs = rows.map(f);
      return `${range(xs)} (${median(xs).toFixed(0)})`;
    };
    console.log(
      `| ${label} | ${col((x) => x.user)} | ${col((x) => x.system)} | ${col((x) => x.user + x.system)} | ${col((x) => x.faults)} |`,
    );
  }
}
