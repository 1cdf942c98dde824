#!/usr/bin/env node
// The Node benchmarks under Deno 2 and Bun 1 (issue 13): the same cases of
// the loop and tasks suites (`--case NAME`, one child process each), run by
// this Node, by Deno and by Bun, one after the other per case, and their CPU
// times side by side. A ratio is that runtime's CPU time ÷ this Node's; a
// row more than 2× worse is marked, and explained in bench/results/runtimes.md.
//
//   node bench/runtimes.bench.mjs [--quick]     (after `pnpm build`)
//
// Deno and Bun come from their npm packages (`.ci/run` installs them under
// .cache/deno and .cache/bun), or from the PATH. A runtime that is missing is
// reported as such. The memory cases are left out (they need `gc()`, which
// Bun does not expose). Never asserts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMs } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const QUICK = process.argv.includes("--quick");

/** The cases compared: every timing case of loop and tasks that involves @aio, and their native peers. */
const CASES = {
  "loop.bench.mjs": [
    ["fanout-aio", "callSoon fan-out, 1M callbacks"],
    ["fanout-setImmediate", "native: setImmediate fan-out"],
    ["chain-aio", "callSoon chain, 200k hops"],
    ["timers-aio", "callLater, 100k timers"],
    ["futures-aio", "Futures resolved and awaited, 1M"],
  ],
  "tasks.bench.mjs": [
    ["spawn-aio", "spawn + sleep(0) + gather, 100k async tasks"],
    ["spawn-aio-gen", "the same, generator tasks"],
    ["spawn-native-immediate", "native: async fn + setImmediate + Promise.all"],
    ["pingpong-aio", "Future ping-pong, async tasks"],
    ["pingpong-aio-gen", "Future ping-pong, generator tasks"],
    ["pingpong-promise", "native: promise ping-pong"],
    ["await-done-aio", "await a done Future, 1M"],
    ["await-done-aio-gen", "yield* a done Future, 1M"],
  ],
};

/** Finds a runtime: the npm package's binary under .cache, else the PATH. */
function find(name) {
  const cached = join(root, ".cache", name, "node_modules", ".bin", name);
  if (existsSync(cached)) return cached;
  const r = spawnSync(name, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? name : null;
}

function version(cmd) {
  return spawnSync(cmd, ["--version"], { encoding: "utf8" }).stdout?.trim().split("\n")[0] ?? "?";
}

const runtimes = [
  { name: `Node ${process.version}`, cmd: process.execPath, args: ["--expose-gc"] },
];
const deno = find("deno");
const bun = find("bun");
if (deno)
  runtimes.push({ name: version(deno), cmd: deno, args: ["run", "-A", "--v8-flags=--expose-gc"] });
// This repository's tsconfig.json maps @aio/* to the sources (for the type
// check); Bun honours those paths at run time, which would load the sources
// beside the built packages. An empty tsconfig makes Bun resolve as an app would.
const noPaths = join(root, ".cache", "bench-tsconfig.json");
if (bun) {
  mkdirSync(dirname(noPaths), { recursive: true });
  writeFileSync(noPaths, "{}\n");
  runtimes.push({
    name: `Bun ${version(bun)}`,
    cmd: bun,
    args: [`--tsconfig-override=${noPaths}`],
  });
}

/** One case in a fresh child of `runtime`: its JSON line, or { error }. */
function runCase(runtime, file, name) {
  const args = [...runtime.args, join(here, file), "--case", name];
  if (QUICK) args.push("--quick");
  const r = spawnSync(runtime.cmd, args, { cwd: here, encoding: "utf8", timeout: 300_000 });
  const line = r.stdout?.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n")[0];
    return { error: why.slice(0, 120) };
  }
}

/** CPU time, or wall time for a case that reports only that (the timers case). */
const cpu = (r) => r.cpuMs ?? r.ms;

const rows = [];
for (const [file, cases] of Object.entries(CASES)) {
  for (const [name, label] of cases) {
    const results = runtimes.map((rt) => {
      process.stderr.write(`runtimes: ${name} on ${rt.name}…\n`);
      return runCase(rt, file, name);
    });
    rows.push({ name, label, results });
  }
}

const out = [];
out.push("## @aio under Deno and Bun");
out.push("");
out.push(
  `CPU time of each case in its own child process (best of the case's own repetitions; the timers case reports wall time), ${runtimes.map((r) => r.name).join(", ")}; ratio = that runtime ÷ Node (above 1×: slower). ⚠ marks a row more than 2× worse than Node.`,
);
if (!deno)
  out.push("", "Deno was not found (npm package `deno`, or on the PATH): its column is missing.");
if (!bun)
  out.push("", "Bun was not found (npm package `bun`, or on the PATH): its column is missing.");
out.push("");
const head = ["case", ...runtimes.map((r) => r.name)];
for (const r of runtimes.slice(1)) head.push(`${r.name.split(" ")[0]} ÷ Node`);
out.push(`| ${head.join(" | ")} |`);
out.push(`|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
for (const { name, label, results } of rows) {
  const cells = [`${label} (\`${name}\`)`];
  for (const r of results) cells.push(r.error ? `failed: ${r.error}` : fmtMs(cpu(r)));
  const base = results[0];
  for (const r of results.slice(1)) {
    if (r.error || base.error) cells.push("n/a");
    else {
      const x = cpu(r) / cpu(base);
      cells.push(`${x.toFixed(2)}×${x > 2 ? " ⚠" : ""}`);
    }
  }
  out.push(`| ${cells.join(" | ")} |`);
}
console.log(out.join("\n"));
