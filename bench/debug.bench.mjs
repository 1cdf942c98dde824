#!/usr/bin/env node
// The debug benchmark (issue 7, "Performance"): what the debug hooks cost.
// The task-spawn and callSoon workloads, each run
//   - with no instrument registered (debug off: the hooks cost one branch),
//   - with one instrument registered that does nothing (the hooks called),
//   - with @aio/debug's instruments on (`enableDebug()`),
//   - with the loop's own debug mode (`run(main, { debug: true })`) for scale,
// and Python's asyncio with debug off and on for the same workloads.
// Targets: debug off within 5% of a build without hooks; debug on within 3×
// of debug off. "Debug off" is what every user runs: the hooks are compiled
// in and cost one `instruments.length !== 0` branch per callback and step (a
// build without them is not something this script can make; the results file
// discusses it). The no-op instrument row shows what live hooks cost.
//
//   node bench/debug.bench.mjs            full run, prints a markdown report
//   node bench/debug.bench.mjs --quick    a tenth of the work (smoke run)
//   node bench/debug.bench.mjs --record   also writes this Node major's section of bench/results/debug.md
//
// Every measurement runs in its own child process (this file with --case).
// Needs the built packages (`pnpm build`). Never asserts.

import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  best,
  fmtMs,
  fmtRate,
  fmtX,
  n,
  rate,
  recordSection,
  runCases,
  runPython,
} from "./lib/harness.mjs";

const _here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;

const SPAWN_N = 100_000 / SCALE;
const CALLSOON_N = 1_000_000 / SCALE;
/** Independent callSoon chains: each callback schedules the next of its chain. */
const CHAINS = 100;
const _REPS = 5;

// ----- measurement (child side) ----------------------------------------------

/** Sets up the mode; returns the options for `run()`. */
async function setMode(mode) {
  if (mode === "noop") {
    const { addInstrument } = await import("@aio/core");
    addInstrument({});
  } else if (mode === "debug") {
    const { enableDebug } = await import("@aio/debug");
    // Reports would go to the console; the work is the same, the output is not the point.
    enableDebug({ onReport: () => {} });
  }
  return mode === "loopdebug" ? { debug: true } : {};
}

async function spawnCase(mode) {
  const { run } = await import("@aio/loop");
  const { createTask, gather, sleep } = await import("@aio/futures");
  const opts = await setMode(mode);
  const child = async () => {
    await sleep(0);
    return 1;
  };
  const { ms, cpuMs } = await best(() =>
    run(async () => {
      const t0 = performance.now();
      const tasks = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) tasks[i] = createTask(child);
      await gather(...tasks);
      return performance.now() - t0;
    }, opts),
  );
  return { n: SPAWN_N, ms, cpuMs };
}

async function callSoonCase(mode) {
  const { run } = await import("@aio/loop");
  const { getRunningLoop } = await import("@aio/core");
  const opts = await setMode(mode);
  const { ms, cpuMs } = await best(() =>
    run(async () => {
      const loop = getRunningLoop();
      const done = loop.createFuture();
      let left = CALLSOON_N;
      const step = () => {
        if (--left === 0) done.setResult(undefined);
        else if (left >= CHAINS - 1) loop.callSoon(step);
      };
      const t0 = performance.now();
      for (let i = 0; i < CHAINS; i++) loop.callSoon(step);
      await done;
      return performance.now() - t0;
    }, opts),
  );
  return { n: CALLSOON_N, ms, cpuMs };
}

const MODES = ["off", "noop", "debug", "loopdebug"];
const cases = {};
for (const mode of MODES) {
  cases[`spawn-${mode}`] = () => spawnCase(mode);
  cases[`callsoon-${mode}`] = () => callSoonCase(mode);
}

// ----- Python asyncio, debug off and on (same workloads) --------------------

const PYTHON = `
import asyncio, json, sys, time
QUICK = "--quick" in sys.argv
# A tenth of Node's work: asyncio's debug mode is an order of magnitude slower,
# and rates are per CPU second, so they compare all the same.
SPAWN_N = 10_000 // (10 if QUICK else 1)
CALLSOON_N = 100_000 // (10 if QUICK else 1)
CHAINS = 100
REPS = 3

def best(fn, debug):
    asyncio.run(fn(), debug=debug)
    best_cpu = best_wall = float("inf")
    for _ in range(REPS):
        c0 = time.process_time(); w0 = time.perf_counter()
        asyncio.run(fn(), debug=debug)
        cpu = (time.process_time() - c0) * 1000; wall = (time.perf_counter() - w0) * 1000
        if cpu < best_cpu: best_cpu, best_wall = cpu, wall
    return best_cpu, best_wall

async def spawn():
    async def child():
        await asyncio.sleep(0)
        return 1
    await asyncio.gather(*[asyncio.create_task(child()) for _ in range(SPAWN_N)])

async def callsoon():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    left = [CALLSOON_N]
    def step():
        left[0] -= 1
        if left[0] == 0: done.set_result(None)
        elif left[0] >= CHAINS - 1: loop.call_soon(step)
    for _ in range(CHAINS): loop.call_soon(step)
    await done

import logging
logging.getLogger("asyncio").setLevel(logging.CRITICAL)
out = {"python": sys.version.split()[0]}
for name, fn, n in (("spawn", spawn, SPAWN_N), ("callsoon", callsoon, CALLSOON_N)):
    for debug in (False, True):
        cpu, wall = best(fn, debug)
        out[f"{name}-{'debug' if debug else 'off'}"] = {"n": n, "cpuMs": cpu, "ms": wall}
print(json.dumps(out))
`;

// ----- parent side: run every case in a child, print the report ------------

/** Rows with their slowdown against the first (the "off" baseline). */
function table(rows) {
  const base = rate(rows[0].result);
  const lines = [
    "| mode | ops | CPU time | wall time | rate (per CPU second) | slowdown vs debug off |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    const r = row.result;
    const note = r?.error ? ` (failed: ${r.error})` : "";
    lines.push(
      `| ${row.label}${note} | ${r?.n ? n(r.n) : "n/a"} | ${fmtMs(r?.cpuMs)} | ${fmtMs(r?.ms)} | ${fmtRate(rate(r))} | ${row === rows[0] ? "—" : fmtX(base / rate(r))} |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const res = await runCases(import.meta.url, "debug", cases, argv);
  if (res === null) return;
  process.stderr.write("debug: python3 asyncio…\n");
  const py = runPython(["-c", PYTHON], QUICK, 600_000);
  const pyName = py.error ? "Python asyncio" : `Python ${py.python} asyncio`;
  const pyRes = (key) => (py.error ? { error: py.error } : py[key]);

  const out = [];
  out.push(
    `### Node ${process.version} — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}${QUICK ? " (quick run: a tenth of the work)" : ""}`,
  );
  const verdicts = [];
  for (const [key, title] of [
    ["spawn", `spawn ${n(SPAWN_N)} tasks that each \`await sleep(0)\` once, then gather them`],
    [
      "callsoon",
      `${n(CALLSOON_N)} \`callSoon\` callbacks (${CHAINS} chains, each callback schedules the next)`,
    ],
  ]) {
    out.push("", `#### ${title}`, "");
    out.push(
      table([
        { label: "debug off (no instrument)", result: res[`${key}-off`] },
        { label: "hooks live (one no-op instrument)", result: res[`${key}-noop`] },
        { label: "debug on (`enableDebug()`)", result: res[`${key}-debug`] },
        {
          label: "loop debug mode only (`run(main, { debug: true })`)",
          result: res[`${key}-loopdebug`],
        },
      ]),
    );
    out.push(
      "",
      `${pyName}, same workload (a tenth of the operations; rates compare per CPU second):`,
      "",
    );
    out.push(
      table([
        { label: `${pyName} \`debug=False\``, result: pyRes(`${key}-off`) },
        { label: `${pyName} \`debug=True\``, result: pyRes(`${key}-debug`) },
      ]),
    );
    const off = rate(res[`${key}-off`]);
    const noop = rate(res[`${key}-noop`]);
    const on = rate(res[`${key}-debug`]);
    verdicts.push(
      `- ${key}: debug on is ${fmtX(off / on)} slower than debug off (target ≤ 3×: ${off / on <= 3 ? "met" : "missed"}); live hooks with a no-op instrument cost ${fmtX(off / noop)}.`,
    );
  }
  out.push("", "#### Targets", "", ...verdicts);
  const markdown = out.join("\n");
  console.log(markdown);
  if (argv.includes("--record")) recordSection("debug", "Debug benchmark (issue 7)", markdown);
}

await main();
