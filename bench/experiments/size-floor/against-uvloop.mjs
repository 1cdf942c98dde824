#!/usr/bin/env node
// Experiment (issue 13 against issue 17): would a design at the size budget
// still meet issue 17's targets against asyncio on uvloop? Issue 17's (a)
// spawn, (c) Lock with `sleep(0)` in the lock and (e) generator spawn, with
// the suites' N, on the least size-floor model, the model with P_FAST and
// @aio, interleaved in one process (as `speed.mjs`), and on asyncio + uvloop
// and plain asyncio through `bench/python/tasks.py` and `sync.py` (only these
// workloads, with the scripts' own N and best-of). Ratios per CPU second, as
// `bench/issue17.mjs`; gzipped sizes from `size-floor.mjs`'s own tables.
// Prints markdown; with --rounds N, medians and the range over the rounds.
// @aio's Lock row runs at about half its rate in the sync suite (a fresh
// process per case): for @aio, `bench/issue17.mjs` has the figure that counts.
//
//   node bench/experiments/size-floor/against-uvloop.mjs [--reps R] [--rounds N]   (after `pnpm build`)

import { spawnSync } from "node:child_process";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { benchDir, commit, fmtX, runPython } from "../../lib/harness.mjs";
import { bestCpuInterleaved, numberOption } from "../interleave.mjs";
import { loadModel } from "./load-model.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const REPS = numberOption("--reps", 5);
const ROUNDS = numberOption("--rounds", 1);
const SPAWN_N = 100_000; // tasks.bench.mjs / tasks.py SPAWN_N
const LOCK_TASKS = 100; // sync.bench.mjs / sync.py LOCK_TASKS
const LOCK_SLEEP_OPS = 100_000; // sync.bench.mjs / sync.py LOCK_SLEEP_OPS
if (!globalThis.gc) setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? runInNewContext("gc");

// ---- the implementations ---------------------------------------------------------

const esm = (src) => import(`data:text/javascript,${encodeURIComponent(src)}`);

// ---- the workloads: the shapes of tasks.bench.mjs and sync.bench.mjs's cases ------

// (a) "spawn-aio", (e) "spawn-aio-gen", (c) the Lock held across `sleep(0)`.
// Compiled once per implementation (`load`), so that no call site sees two.
function workloads(api, SPAWN_N, LOCK_TASKS, LOCK_SLEEP_OPS) {
  const { run, createTask, gather, sleep, Lock } = api;
  const child = async () => {
    await sleep(0);
    return 1;
  };
  const genChild = function* () {
    yield* sleep(0);
    return 1;
  };
  const spawn = () =>
    run(async () => {
      const tasks = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) tasks[i] = createTask(child);
      await gather(...tasks);
    });
  const spawnGen = () =>
    run(function* () {
      const tasks = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) tasks[i] = createTask(genChild);
      yield* gather(...tasks);
    });
  const lockSleep = () =>
    run(async () => {
      const lock = new Lock();
      const perTask = LOCK_SLEEP_OPS / LOCK_TASKS;
      let n = 0;
      const worker = async () => {
        for (let i = 0; i < perTask; i++) {
          await lock.acquire();
          try {
            await sleep(0);
            n++;
          } finally {
            lock.release();
          }
        }
      };
      await gather(...Array.from({ length: LOCK_TASKS }, () => createTask(worker)));
      if (n !== LOCK_SLEEP_OPS) throw new Error("lost acquisitions");
    });
  return { spawn, spawnGen, lockSleep };
}
async function load(name, api) {
  const mod = await esm(`export default ${workloads}\n// ${name}`); // one module per implementation
  return [name, mod.default(api, SPAWN_N, LOCK_TASKS, LOCK_SLEEP_OPS)];
}
const impls = [
  await load("@aio", {
    ...(await import("@aio/loop")),
    ...(await import("@aio/futures")),
    ...(await import("@aio/sync")),
  }),
  await load("least model", await loadModel(false, { seven: true })),
  await load("model + P_FAST", await loadModel(true, { seven: true })),
  await load("model + features", await loadModel(true, { seven: true, features: true })),
];

// Each row as issue 17 measures it: label, goal (÷ asyncio + uvloop), workload and
// ops per run, the Python figure, and gc(): tasks.bench.mjs's best() runs one
// before each timed run, sync.bench.mjs's measure() does not (and @aio's Lock
// row is twice as slow with it).
const ROWS = [
  ["(a) spawn, async", 2, "spawn", SPAWN_N, "spawn", true],
  ["(c) Lock, `sleep(0)` in the lock", 2, "lockSleep", LOCK_SLEEP_OPS, "lockSleep", false],
  ["(e) spawn, generators", 3, "spawnGen", SPAWN_N, "spawn", true],
];

// ---- Python: the scripts' own functions, N and best-of, without their other workloads ----

const py = (file) => JSON.stringify(join(benchDir, "python", file));
// tasks.py guards main(), so it is imported; sync.py runs everything at import,
// so its source is run up to the final print (its workload definitions).
const PY_SOURCE = `import sys, json
sys.path.insert(0, ${py("")})
import tasks
src = open(${py("sync.py")}).read()
exec(compile(src[: src.index("\\nprint(json.dumps(")], ${py("sync.py")}, "exec"))
spawn = tasks.rate(tasks.SPAWN_N, *tasks.best(tasks.spawn, tasks.SPAWN_N))
lock = best(lambda: lock_sleep_bench(), LOCK_SLEEP_OPS)
assert tasks.SPAWN_N == ${SPAWN_N} and LOCK_SLEEP_OPS == ${LOCK_SLEEP_OPS} and LOCK_TASKS == ${LOCK_TASKS}
print(json.dumps({"python": sys.version.split()[0], "uvloop": UVLOOP,
  "spawn": spawn["n"] / spawn["cpuMs"] * 1000, "lockSleep": lock["ops"] / lock["cpu_ms"] * 1000}))`;

// ---- sizes: size-floor.mjs's own tables ----------------------------------------

function sizes() {
  const r = spawnSync(process.execPath, [join(here, "size-floor.mjs")], { encoding: "utf8" });
  const out = r.stdout ?? "";
  const gz = (row) => Number(row?.split("|")[3]);
  const res = [];
  for (const section of out.split("\n### ").slice(1)) {
    const lines = section.split("\n");
    const i = lines.findIndex((l) => l.includes("+ P_FAST"));
    const all = lines.findIndex((l) => l.includes("(@aio's features, not floor) + P_SYNCX"));
    if (i > 0) {
      res.push({
        program: lines[0],
        least: gz(lines[i - 1]),
        fast: gz(lines[i]),
        features: gz(lines[all]),
      });
    }
  }
  return { res, ok: r.status === 0 };
}

// ---- the rounds ------------------------------------------------------------------

const PYTHONS = Object.entries({ "asyncio + uvloop": true, asyncio: false });
const rounds = [];
let versions = {};
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1} of ${ROUNDS}: JS…\n`);
  const m = {};
  for (const [label, , fn, ops, , withGc] of ROWS) {
    globalThis.gc = withGc ? gc : undefined; // bestCpuInterleaved calls globalThis.gc?.()
    const variants = impls.map(([name, w]) => [name, w[fn]]);
    const best = await bestCpuInterleaved(variants, REPS).catch((err) => {
      process.stderr.write(`  ${label}: ${err}\n`);
      return null;
    });
    for (const [name] of impls)
      m[`${label}|${name}`] = best ? ops / (best.get(name) / 1000) : Number.NaN;
  }
  for (const [name, uvloop] of PYTHONS) {
    process.stderr.write(`round ${round + 1}: ${name}…\n`);
    const r = runPython(["-c", PY_SOURCE], false, 900_000, { uvloop });
    if (r.error) process.stderr.write(`  ${name}: ${r.error}\n`);
    if (uvloop && !r.error) versions = r;
    for (const [label, , , , key] of ROWS) m[`${label}|${name}`] = r.error ? Number.NaN : r[key];
  }
  rounds.push(m);
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs, fmt) => {
  const s = xs.filter(Number.isFinite);
  return ROUNDS === 1 || s.length === 0 ? "" : ` (${fmt(Math.min(...s))}–${fmt(Math.max(...s))})`;
};
const fmtN = (x) =>
  !Number.isFinite(x) ? "n/a" : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`;

const { res: sz, ok: checked } = sizes();
const JS = impls.map(([n]) => n);
const PEERS = ["asyncio + uvloop", "asyncio", ...JS];
const load1 = os.loadavg().map((x) => x.toFixed(1));
const out = [
  `${ROUNDS} round(s), best of ${REPS} interleaved CPU times per JS implementation, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${commit()}, Node ${process.version}, Python ${versions.python ?? "?"}, uvloop ${versions.uvloop ?? "n/a"}; ${os.cpus().length} cores, load average at the end ${load1.join(" ")}.`,
  `Spawn: ${SPAWN_N.toLocaleString("en")} tasks that each \`sleep(0)\` once, gathered; Lock: ${LOCK_TASKS} tasks, ${LOCK_SLEEP_OPS.toLocaleString("en")} acquisitions, each held across one \`sleep(0)\`.`,
  "",
  `Operations per CPU second${ROUNDS > 1 ? ", median (range)" : ""}:`,
  "",
  `| workload | ${PEERS.join(" | ")} |`,
  `|---|${PEERS.map(() => "---:").join("|")}|`,
];
const cell = (xs, fmt) => fmt(median(xs)) + spread(xs, fmt);
const series = (label, p, by = () => 1) => rounds.map((m) => m[`${label}|${p}`] / by(m));
for (const [label] of ROWS) {
  out.push(`| ${label} | ${PEERS.map((p) => cell(series(label, p), fmtN)).join(" | ")} |`);
}
out.push("", "Each JS implementation ÷ asyncio + uvloop (in each round), against issue 17:", "");
out.push(`| workload | target | ${JS.join(" | ")} |`, `|---|---:|${JS.map(() => "---|").join("")}`);
for (const [label, goal] of ROWS) {
  const cells = JS.map((name) => {
    const xs = series(label, name, (m) => m[`${label}|asyncio + uvloop`]);
    const med = median(xs);
    const status = Number.isFinite(med) ? (med >= goal ? "met" : "**missed**") : "n/a";
    return `${cell(xs, fmtX)} ${status}`;
  });
  out.push(`| ${label} | ≥ ${goal}× | ${cells.join(" | ")} |`);
}
out.push("", "Gzipped bytes (`size-floor.mjs`: esbuild, browser, minified):", "");
out.push(
  "| program | budget | least model | model + P_FAST | model + features |",
  "|---|---:|---:|---:|---:|",
);
const fmtB = (b) => b.toLocaleString("en");
for (const { program, least, fast, features } of sz) {
  const budget = program === "run + sleep" ? 5000 : 9000;
  out.push(`| ${program} | ${fmtB(budget)} | ${fmtB(least)} | ${fmtB(fast)} | ${fmtB(features)} |`);
}
if (!checked) out.push("", "size-floor.mjs failed or a scenario differs from @aio: no floor.");
console.log(out.join("\n"));
