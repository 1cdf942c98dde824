#!/usr/bin/env node
// The streams benchmark (issue 6, "Performance"): @aio/streams against raw
// `net.Socket` (the native limit) and Python's asyncio streams — on asyncio's
// own loop and on uvloop (issue 17) — side by side in one run.
//
//   node bench/streams.bench.mjs            full run, prints a markdown report
//   node bench/streams.bench.mjs --quick    a tenth of the work (smoke run)
//   node bench/streams.bench.mjs --record   also writes this Node major's section of bench/results/streams.md
//
// (a) echo: 256 MiB in 64 KiB writes through a local echo server (client and
//     server in one process, as Python's side does) — MiB/s;
// (b) 100,000 request/response round trips of 100 bytes on one connection;
// (c) 1,000 connections opened and closed one after the other.
// Every case runs in its own child process (same `node`, `--case <name>`),
// best of REPS runs after a warm-up; two interleaved rounds (Python too), best kept. Needs the built packages (`pnpm build`).
// Everything listens on 127.0.0.1 with an ephemeral port. Never asserts.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lastJson, reportAndExit, runPython as runPythonScript } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;

const ECHO_BYTES = Math.floor((256 << 20) / SCALE / (64 << 10)) * (64 << 10);
const CHUNK = 64 << 10;
const RTT_N = 100_000 / SCALE;
const MSG = 100;
const CONN_N = 1000 / SCALE;
const REPS = 5;
// Another build of @aio/streams to measure (a path to its dist/index.js), for
// before/after comparisons (bench/experiments/streams-ab.mjs).
const STREAMS = process.env.AIO_BENCH_STREAMS || "@aio/streams";

/**
 * Runs `once(warm)` (async, returns elapsed wall ms) once as a warm-up, then
 * REPS times after a `gc()`; returns the best wall ms and the best CPU ms of
 * this process (user + system: client and server together). The machine is
 * shared, so ratios are judged on CPU time — other work only adds wall time.
 */
async function best(once) {
  await once(true);
  let ms = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPS; i++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const wall = await once(false);
    const c = process.cpuUsage(c0);
    ms = Math.min(ms, wall);
    cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000);
  }
  return { ms, cpuMs };
}

// ----- @aio/streams ------------------------------------------------------------

async function aio(fn) {
  const { run } = await import("@aio/loop");
  return run(fn);
}

async function aioEchoServer() {
  const { startServer } = await import(STREAMS);
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
  return { server, port: server.sockets[0].getsockname()[1] };
}

async function closeAio(server) {
  server.close();
  server.closeClients();
  await server.waitClosed();
}

const cases = {
  async "echo-aio"() {
    return aio(async () => {
      const { openConnection } = await import(STREAMS);
      const { createTask } = await import("@aio/futures");
      const { server, port } = await aioEchoServer();
      const payload = Buffer.alloc(CHUNK, 120);
      const { ms, cpuMs } = await best(async (warm) => {
        const total = warm ? ECHO_BYTES / 8 : ECHO_BYTES;
        const [reader, writer] = await openConnection("127.0.0.1", port);
        const t0 = performance.now();
        const sending = createTask(async () => {
          for (let sent = 0; sent < total; sent += CHUNK) {
            writer.write(payload);
            await writer.drain();
          }
        });
        let received = 0;
        while (received < total) received += (await reader.read(CHUNK)).length;
        await sending;
        const dt = performance.now() - t0;
        writer.close();
        await writer.waitClosed();
        return dt;
      });
      await closeAio(server);
      return { bytes: ECHO_BYTES, ms, cpuMs };
    });
  },

  async "rtt-aio"() {
    return aio(async () => {
      const { openConnection, startServer } = await import(STREAMS);
      const server = await startServer(
        async (reader, writer) => {
          for (;;) {
            const msg = await reader.read(CHUNK);
            if (msg.length === 0) break;
            writer.write(msg);
          }
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const port = server.sockets[0].getsockname()[1];
      const msg = Buffer.alloc(MSG, 121);
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const { ms, cpuMs } = await best(async (warm) => {
        const n = warm ? RTT_N / 10 : RTT_N;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          writer.write(msg);
          await reader.readexactly(MSG);
        }
        return performance.now() - t0;
      });
      writer.close();
      await writer.waitClosed();
      await closeAio(server);
      return { n: RTT_N, ms, cpuMs };
    });
  },

  async "conn-aio"() {
    return aio(async () => {
      const { openConnection, startServer } = await import(STREAMS);
      const server = await startServer((_r, w) => w.close(), "127.0.0.1", 0);
      const port = server.sockets[0].getsockname()[1];
      const { ms, cpuMs } = await best(async (warm) => {
        const n = warm ? CONN_N / 10 : CONN_N;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          const [reader, writer] = await openConnection("127.0.0.1", port);
          await reader.read();
          writer.close();
          await writer.waitClosed();
        }
        return performance.now() - t0;
      });
      await closeAio(server);
      return { n: CONN_N, ms, cpuMs };
    });
  },

  // ----- raw net.Socket ----------------------------------------------------------

  async "echo-net"() {
    return rawEcho(undefined);
  },

  async "echo-net-hwm"() {
    return rawEcho(256 << 10);
  },

  async "rtt-net"() {
    const server = net.createServer({ noDelay: true }, (s) => {
      s.on("data", (d) => s.write(d));
      s.on("end", () => s.end());
      s.on("error", () => {});
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const port = server.address().port;
    const msg = Buffer.alloc(MSG, 121);
    const c = net.connect({ port, host: "127.0.0.1", noDelay: true });
    await new Promise((r) => c.once("connect", r));
    let onData = null;
    let pending = 0;
    c.on("data", (d) => {
      pending += d.length;
      if (pending >= MSG) {
        pending -= MSG;
        onData();
      }
    });
    const { ms, cpuMs } = await best(
      (warm) =>
        new Promise((resolve) => {
          const n = warm ? RTT_N / 10 : RTT_N;
          let i = 0;
          const t0 = performance.now();
          onData = () => {
            if (++i === n) resolve(performance.now() - t0);
            else c.write(msg);
          };
          c.write(msg);
        }),
    );
    c.end();
    server.close();
    return { n: RTT_N, ms, cpuMs };
  },

  async "conn-net"() {
    const server = net.createServer((s) => {
      s.on("error", () => {});
      s.end();
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const port = server.address().port;
    const one = () =>
      new Promise((resolve) => {
        const c = net.connect({ port, host: "127.0.0.1" });
        c.on("data", () => {});
        c.on("end", () => c.end());
        c.on("close", resolve);
      });
    const { ms, cpuMs } = await best(async (warm) => {
      const n = warm ? CONN_N / 10 : CONN_N;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await one();
      return performance.now() - t0;
    });
    server.close();
    return { n: CONN_N, ms, cpuMs };
  },
};

/** Raw `net` echo; `hwm`: the sockets' write high-water mark (undefined: Node's default). */
async function rawEcho(hwm) {
  const opts = hwm === undefined ? {} : { highWaterMark: hwm };
  const server = net.createServer({ noDelay: true, ...opts }, (s) => {
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
  const { ms, cpuMs } = await best(
    (warm) =>
      new Promise((resolve) => {
        const total = warm ? ECHO_BYTES / 8 : ECHO_BYTES;
        const c = net.connect(
          {
            port,
            host: "127.0.0.1",
            noDelay: true,
            ...(hwm === undefined ? {} : { writableHighWaterMark: hwm }),
          },
          () => {
            const t0 = performance.now();
            let sent = 0;
            let received = 0;
            const pump = () => {
              while (sent < total) {
                sent += CHUNK;
                if (!c.write(payload)) {
                  c.once("drain", pump);
                  return;
                }
              }
            };
            c.on("data", (d) => {
              received += d.length;
              if (received >= total) {
                const dt = performance.now() - t0;
                c.end();
                c.once("close", () => resolve(dt));
              }
            });
            pump();
          },
        );
      }),
  );
  server.close();
  return { bytes: ECHO_BYTES, ms, cpuMs };
}

// ----- child side ----------------------------------------------------------------

const caseArg = argv.indexOf("--case");
if (caseArg !== -1) {
  const name = argv[caseArg + 1];
  reportAndExit(await cases[name]());
  await new Promise(() => {}); // the child ends in reportAndExit
}

// ----- parent side -----------------------------------------------------------------

function runCase(name) {
  const args = ["--expose-gc", fileURLToPath(import.meta.url), "--case", name];
  if (QUICK) args.push("--quick");
  const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: here, timeout: 600_000 });
  return lastJson(r, name);
}

/** Python's side, on asyncio's own loop or (`uvloop`) on uvloop's. */
function runPython(uvloop = false) {
  return runPythonScript("streams.py", QUICK, 600_000, { uvloop });
}

/** Keeps the best (least CPU) of two Python results, key by key. */
function bestOf(prev, p) {
  if (prev === null || prev.error) return p;
  if (!p.error) {
    for (const [key, value] of Object.entries(p)) {
      if (value !== null && typeof value === "object" && value.cpuMs < prev[key].cpuMs)
        prev[key] = value;
    }
  }
  return prev;
}

const fmtRate = (x) =>
  x >= 1e6
    ? `${(x / 1e6).toFixed(2)}M/s`
    : x >= 1e3
      ? `${(x / 1e3).toFixed(1)}k/s`
      : `${x.toFixed(0)}/s`;
const mib = (bytes, ms) => bytes / (1 << 20) / (ms / 1000);

// Two rounds, cases interleaved, best of both: other work on the machine only
// adds time. Python runs once per round too, so every implementation gets the
// same number of samples (2 rounds × best of REPS).
const results = {};
let py = null;
let uv = null;
for (let round = 0; round < (QUICK ? 1 : 2); round++) {
  for (const name of Object.keys(cases)) {
    const r = runCase(name);
    const prev = results[name];
    if (prev === undefined || prev.error || (!r.error && r.cpuMs < prev.cpuMs)) results[name] = r;
  }
  py = bestOf(py, runPython());
  uv = bestOf(uv, runPython(true));
}

const lines = [];
lines.push(
  `### Node ${process.version} — ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${new Date().toISOString().slice(0, 10)}${QUICK ? " (quick)" : ""}`,
);
lines.push("");
const pyName = py.error ? "Python asyncio" : `Python ${py.python} asyncio`;
const uvName = uv.error
  ? "Python asyncio + uvloop"
  : `Python ${uv.python} asyncio + uvloop ${uv.uvloop}`;

function table(title, unit, rows) {
  lines.push(
    `#### ${title}`,
    "",
    `| implementation | CPU time | wall time | ${unit} per CPU second | @aio ÷ this |`,
    "|---|---:|---:|---:|---:|",
  );
  const base = rows[0].value;
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${r.label} | — | — | ${r.error} | — |`);
      continue;
    }
    const ratio = r === rows[0] ? "—" : `${(base / r.value).toFixed(2)}×`;
    lines.push(
      `| ${r.label} | ${r.cpuMs.toFixed(0)} ms | ${r.ms.toFixed(0)} ms | ${r.text} | ${ratio} |`,
    );
  }
  lines.push("");
}

const echoRow = (label, r) =>
  r.error
    ? { label, error: r.error }
    : {
        label,
        ms: r.ms,
        cpuMs: r.cpuMs,
        value: mib(r.bytes, r.cpuMs),
        text: `${mib(r.bytes, r.cpuMs).toFixed(0)} MiB/s`,
      };
const rateRow = (label, r) =>
  r.error
    ? { label, error: r.error }
    : {
        label,
        ms: r.ms,
        cpuMs: r.cpuMs,
        value: r.n / (r.cpuMs / 1000),
        text: fmtRate(r.n / (r.cpuMs / 1000)),
      };
const pyRow = (label, key, kind) => (py.error ? { label, error: py.error } : kind(label, py[key]));
const uvRow = (label, key, kind) => (uv.error ? { label, error: uv.error } : kind(label, uv[key]));

table(
  `(a) echo ${ECHO_BYTES >> 20} MiB in 64 KiB writes through a local echo server`,
  "throughput",
  [
    echoRow(
      "@aio/streams `openConnection` + `startServer` (`read`/`write`/`drain`)",
      results["echo-aio"],
    ),
    echoRow(
      "raw `net.Socket` (write/`'drain'` + `'data'`), Node's default 16 KiB write high-water mark",
      results["echo-net"],
    ),
    echoRow("raw `net.Socket`, 256 KiB high-water mark (as @aio/streams)", results["echo-net-hwm"]),
    pyRow(`${pyName} streams (\`open_connection\` + \`start_server\`)`, "echo_streams", echoRow),
    pyRow(`${pyName} low-level \`Protocol\``, "echo_protocol", echoRow),
    uvRow(`${uvName} streams (\`open_connection\` + \`start_server\`)`, "echo_streams", echoRow),
    uvRow(`${uvName} low-level \`Protocol\``, "echo_protocol", echoRow),
  ],
);
table(
  `(b) ${RTT_N.toLocaleString("en")} round trips of ${MSG} bytes on one connection`,
  "round trips/s",
  [
    rateRow("@aio/streams `write` + `readexactly`", results["rtt-aio"]),
    rateRow("raw `net.Socket`", results["rtt-net"]),
    pyRow(`${pyName} streams \`write\` + \`readexactly\``, "rtt_streams", rateRow),
    uvRow(`${uvName} streams \`write\` + \`readexactly\``, "rtt_streams", rateRow),
  ],
);
table(
  `(c) ${CONN_N.toLocaleString("en")} connections opened and closed, one after the other`,
  "connections/s",
  [
    rateRow("@aio/streams `openConnection` … `waitClosed()`", results["conn-aio"]),
    rateRow("raw `net.connect` … `'close'`", results["conn-net"]),
    pyRow(`${pyName} streams \`open_connection\` … \`wait_closed()\``, "conn_streams", rateRow),
    uvRow(`${uvName} streams \`open_connection\` … \`wait_closed()\``, "conn_streams", rateRow),
  ],
);
{
  // Issue 17, target (d): ratios of rates from this run.
  const echo = (r) => (r && !r.error ? mib(r.bytes, r.cpuMs) : Number.NaN);
  const rtt = (r) => (r && !r.error ? r.n / (r.cpuMs / 1000) : Number.NaN);
  const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "n/a");
  const met = (v, min) => (Number.isFinite(v) ? (v >= min ? "met" : "missed") : "n/a");
  const echoVsNet = echo(results["echo-aio"]) / echo(results["echo-net"]);
  const rttVsUv = uv.error ? Number.NaN : rtt(results["rtt-aio"]) / rtt(uv.rtt_streams);
  lines.push(
    "#### Issue 17, target (d) (Node 24)",
    "",
    "| target | measured | status |",
    "|---|---:|---|",
    `| echo ≥ 1.2× raw \`net.Socket\` (default \`'data'\` path) | ${x(echoVsNet)} | ${met(echoVsNet, 1.2)} |`,
    `| round trips ≥ 1.1× asyncio + uvloop streams | ${uv.error ? "n/a (uvloop not available)" : x(rttVsUv)} | ${met(rttVsUv, 1.1)} |`,
    "",
  );
}
const markdown = lines.join("\n");
console.log(markdown);
if (argv.includes("--record")) {
  const file = join(here, "results", "streams.md");
  const major = process.versions.node.split(".")[0];
  const start = `<!-- node${major}:start -->`;
  const end = `<!-- node${major}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Streams benchmark (issue 6)\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}
