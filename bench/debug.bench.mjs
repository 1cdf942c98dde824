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

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;

const SPAWN_N = 100_000 / SCALE;
const CALLSOON_N = 1_000_000 / SCALE;
/** Independent callSoon chains: each callback schedules the next of its chain. */
const CHAINS = 100;
const REPS = 5;

// ----- measurement (child side) ----------------------------------------------

/** One warm-up, then REPS runs after gc(); keeps the run with the least CPU time. */
async function best(once) {
  await once();
  let bestCpu = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPS; i++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const wall = await once();
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (cpu < bestCpu) {
      bestCpu = cpu;
      bestWall = wall;
    }
  }
  return { ms: bestWall, cpuMs: bestCpu };
}

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

function runPython() {
  const args = ["-c", PYTHON];
  if (QUICK) args.push("--quick");
  const r = spawnSync("python3", args, { cwd: here, encoding: "utf8", timeout: 600_000 });
  if (r.error || r.status !== 0) {
    return { error: (r.error?.message || r.stderr || `exit ${r.status}`).trim().split("\n").pop() };
  }
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    return { error: "python3 printed no JSON" };
  }
}

// ----- parent side: run every case in a child, print the report ------------

function runCase(name) {
  const args = ["--expose-gc", fileURLToPath(import.meta.url), "--case", name];
  if (QUICK) args.push("--quick");
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: "utf8", timeout: 300_000 });
  const line = r.stdout?.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return {
      error: (r.stderr || r.error?.message || `exit ${r.status}`)
        .trim()
        .split("\n")
        .slice(0, 3)
        .join(" "),
    };
  }
}

const rate = (r) => (r && !r.error ? r.n / ((r.cpuMs ?? r.ms) / 1000) : Number.NaN);

function fmtRate(ops) {
  if (!Number.isFinite(ops)) return "n/a";
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)}k/s`;
  return `${ops.toFixed(0)}/s`;
}
const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 100 ? 1 : 0)} ms` : "n/a");
const fmtX = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : "n/a");
const n = (x) => x.toLocaleString("en");

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

function recordSection(markdown) {
  const file = join(here, "results", "debug.md");
  const major = process.versions.node.split(".")[0];
  const start = `<!-- node${major}:start -->`;
  const end = `<!-- node${major}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Debug benchmark (issue 7)\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

async function main() {
  const caseIndex = argv.indexOf("--case");
  if (caseIndex !== -1) {
    const name = argv[caseIndex + 1];
    const fn = cases[name];
    if (!fn) throw new Error(`unknown case ${name}`);
    console.log(JSON.stringify(await fn()));
    return;
  }
  const res = {};
  for (const name of Object.keys(cases)) {
    process.stderr.write(`debug: ${name}…\n`);
    res[name] = runCase(name);
  }
  process.stderr.write("debug: python3 asyncio…\n");
  const py = runPython();
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
  if (argv.includes("--record")) recordSection(markdown);
}

await main();
