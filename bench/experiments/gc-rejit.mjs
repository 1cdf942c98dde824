#!/usr/bin/env node

// Experiment (issue 17, target (e)): what a forced full GC between runs costs
// @aio's Future ping-pong, against native promise ping-pong. Not a suite:
// `run.mjs` does not run it.
//
//   node --expose-gc bench/experiments/gc-rejit.mjs [--n N] [--reps R]
//
// The suites' harness (`bench/lib/harness.mjs` `best()`) calls `gc()` before
// every timed run, so each run starts on an empty heap. For code written in
// JavaScript that has a price native promises do not pay: once every instance
// of a class has died, the full GC also collects the hidden classes (maps) of
// its instances, and with them the optimized code that was specialised on
// them; the next run builds the maps again and re-optimizes every hot method
// (`node --trace-deopt`: "embedded weak objects cleared", then "dependent
// field type constness changed" as the new maps' fields generalize).
//
// Variants, each in `run()` per timed run as the tasks suite does (the task
// functions are closures made per run, as there), interleaved:
//   aio gc        @aio generator tasks, `gc()` before each run (the suite's method)
//   aio steady    the same without the forced GC
//   native gc     native promise ping-pong, `gc()` before each run
//   native steady the same without the forced GC
// Least CPU time of R runs kept.

import { numberOption } from "./interleave.mjs";
import { aioPingPong, nativePingPong } from "./pingpong.mjs";

const N = numberOption("--n", 200_000);
const REPS = numberOption("--reps", 7);
const aio = () => aioPingPong(N);
const native = () => nativePingPong(N);

if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc");
  process.exit(2);
}
const variants = [
  ["@aio generator tasks, gc() before each run", aio, true],
  ["@aio generator tasks, steady (no forced GC)", aio, false],
  ["native promises, gc() before each run", native, true],
  ["native promises, steady (no forced GC)", native, false],
];
const best = variants.map(() => Number.POSITIVE_INFINITY);
await aio();
await native();
for (let rep = 0; rep < REPS; rep++) {
  for (let v = 0; v < variants.length; v++) {
    const [, fn, forced] = variants[v];
    if (forced) globalThis.gc();
    else await fn(); // the steady variant runs right after a run of its own kind
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    best[v] = Math.min(best[v], (c.user + c.system) / 1000);
  }
}
console.log(
  `Node ${process.version}, ${N.toLocaleString("en")} hand-offs each way, best of ${REPS}`,
);
console.log("");
console.log("| variant | CPU time | hand-offs per CPU second | @aio ÷ native (same method) |");
console.log("|---|---:|---:|---:|");
for (let v = 0; v < variants.length; v++) {
  const rate = N / (best[v] / 1000);
  const vs = v < 2 ? `${(best[v + 2] / best[v]).toFixed(2)}×` : "";
  console.log(
    `| ${variants[v][0]} | ${best[v].toFixed(1)} ms | ${(rate / 1e6).toFixed(2)}M/s | ${vs} |`,
  );
}
