#!/usr/bin/env node
// Before/after for a change in @aio/streams, side by side in one run: the
// streams suite's cases `echo-aio` and `rtt-aio` with two builds (the
// "before" build is any copy of a built dist, e.g. `packages/streams/dist-before`
// made by building the old sources and copying `dist`), interleaved with raw
// `net` (`echo-net`: Node's default 'data' path) and, for round trips,
// Python's asyncio streams on uvloop. Rates are per CPU second; best of
// ROUNDS × the suite's best of 5.
//
//   node bench/experiments/streams-ab.mjs <before/dist/index.js> [--quick] [--rounds N]

import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { lastJson, runPython } from "../lib/harness.mjs";

const argv = process.argv.slice(2);
const before = argv.find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
if (!before) {
  console.error(
    "usage: node bench/experiments/streams-ab.mjs <before/dist/index.js> [--quick] [--rounds N]",
  );
  process.exit(2);
}
const QUICK = argv.includes("--quick");
const ri = argv.indexOf("--rounds");
const ROUNDS = ri === -1 ? 3 : Number(argv[ri + 1]);
const suite = fileURLToPath(new URL("../streams.bench.mjs", import.meta.url));

function runCase(name, streams) {
  const env = { ...process.env };
  if (streams) env.AIO_BENCH_STREAMS = resolve(streams);
  const args = ["--expose-gc", suite, "--case", name, ...(QUICK ? ["--quick"] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env, timeout: 600_000 });
  return lastJson(r, name);
}

const rows = [
  ["echo: @aio/streams before", "echo-aio", before],
  ["echo: @aio/streams after", "echo-aio", null],
  ["echo: raw `net.Socket`, default 'data' path", "echo-net", null],
  ["round trips: @aio/streams before", "rtt-aio", before],
  ["round trips: @aio/streams after", "rtt-aio", null],
];
const best = new Map();
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, name, streams] of rows) {
    process.stderr.write(`${label} (round ${round + 1})…\n`);
    const r = runCase(name, streams);
    const prev = best.get(label);
    if (!prev || prev.error || (!r.error && r.cpuMs < prev.cpuMs)) best.set(label, r);
  }
}
process.stderr.write("asyncio + uvloop…\n");
const uv = runPython("streams.py", QUICK, 600_000, { uvloop: true });

const rate = (r) =>
  r.error ? Number.NaN : r.bytes ? r.bytes / 2 ** 20 / (r.cpuMs / 1000) : r.n / (r.cpuMs / 1000);
console.log(
  `Node ${process.version}${QUICK ? " (quick)" : ""}, best of ${ROUNDS} rounds × 5, CPU time`,
);
console.log("");
console.log("| case | CPU time | rate per CPU second |");
console.log("|---|---:|---:|");
for (const [label] of rows) {
  const r = best.get(label);
  const unit = label.startsWith("echo") ? "MiB/s" : "round trips/s";
  console.log(
    `| ${label}${r.error ? ` (failed: ${r.error})` : ""} | ${r.cpuMs?.toFixed(0)} ms | ${rate(r).toFixed(0)} ${unit} |`,
  );
}
if (!uv.error) {
  const r = uv.rtt_streams;
  console.log(
    `| round trips: Python asyncio + uvloop ${uv.uvloop} streams | ${r.cpuMs.toFixed(0)} ms | ${rate(r).toFixed(0)} round trips/s |`,
  );
} else console.log(`| round trips: asyncio + uvloop | — | ${uv.error} |`);
const g = (l) => rate(best.get(l));
console.log("");
console.log(
  `- echo after ÷ before: ${(g("echo: @aio/streams after") / g("echo: @aio/streams before")).toFixed(2)}×; after ÷ raw net: ${(g("echo: @aio/streams after") / g("echo: raw `net.Socket`, default 'data' path")).toFixed(2)}× (target ≥ 1.2×); before ÷ raw net: ${(g("echo: @aio/streams before") / g("echo: raw `net.Socket`, default 'data' path")).toFixed(2)}×`,
);
const uvr = uv.error ? Number.NaN : rate(uv.rtt_streams);
console.log(
  `- round trips after ÷ before: ${(g("round trips: @aio/streams after") / g("round trips: @aio/streams before")).toFixed(2)}×; after ÷ uvloop: ${(g("round trips: @aio/streams after") / uvr).toFixed(2)}× (target ≥ 1.1×)`,
);
