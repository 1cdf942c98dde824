#!/usr/bin/env node
// Experiment (issue 17 (f), and the debug suite's "debug off within the noise
// of a build without hooks"): the shipped build against the same build with
// every instrument hook removed, A/B in alternating fresh processes. Not a
// suite: `run.mjs` does not run it.
//
//   node bench/experiments/hooks-ab.mjs [--rounds R]   (after `pnpm build`)
//
// The hookless build is made here, in a temporary directory: copies of the
// built `@aio/core`, `@aio/loop` and `@aio/futures` in which every
// `instruments.length !== 0` test (the only thing a loop or task pays for
// instruments while none is registered) is replaced by `false`, which the
// engine folds away. The shipped build is copied the same way, so both load
// from equal paths. Each round runs both builds once, in fresh processes,
// in alternating order; each process times three workloads (best of 5 CPU
// times after a warm-up): 100,000 `async` tasks spawned and gathered,
// 1,000,000 `callSoon` callbacks of one shared function, and 200,000
// generator-task Future ping-pong hand-offs. Prints medians over the rounds
// and the hookless ÷ shipped ratio of CPU time per workload.

import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf("--rounds") + 1] || 7);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACKAGES = ["core", "loop", "futures"];
const HOOK_TEST = /\b[\w$]+\.instruments\.length !== 0/g;

function makeTree(dir, stripHooks) {
  let stripped = 0;
  for (const pkg of PACKAGES) {
    const dest = join(dir, "node_modules", "@aio", pkg);
    mkdirSync(dest, { recursive: true });
    cpSync(join(root, "packages", pkg, "package.json"), join(dest, "package.json"));
    cpSync(join(root, "packages", pkg, "dist"), join(dest, "dist"), { recursive: true });
    if (!stripHooks) continue;
    const nodeDir = join(dest, "dist", "node");
    for (const file of readdirSync(nodeDir)) {
      if (!file.endsWith(".js")) continue;
      const path = join(nodeDir, file);
      const src = readFileSync(path, "utf8");
      const out = src.replace(HOOK_TEST, () => {
        stripped++;
        return "false";
      });
      if (out !== src) writeFileSync(path, out);
    }
  }
  writeFileSync(join(dir, "workload.mjs"), WORKLOAD);
  return stripped;
}

const WORKLOAD = `
import { getRunningLoop } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";

async function best(fn) {
  await fn();
  let min = Infinity;
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    min = Math.min(min, (c.user + c.system) / 1000);
  }
  return min;
}

const child = async () => {
  await sleep(0);
  return 1;
};
const spawn = () =>
  run(async () => {
    const tasks = new Array(100_000);
    for (let i = 0; i < tasks.length; i++) tasks[i] = createTask(child);
    await gather(...tasks);
  });

const fanOut = () =>
  run(async () => {
    const loop = getRunningLoop();
    let left = 1_000_000;
    const done = loop.createFuture();
    const cb = () => {
      if (--left === 0) done.setResult(undefined);
    };
    for (let i = 0; i < 1_000_000; i++) loop.callSoon(cb);
    await done;
  });

const pingPong = () =>
  run(function* () {
    const loop = getRunningLoop();
    const box = { req: loop.createFuture(), reply: null };
    const ping = createTask(function* () {
      for (let i = 0; i < 200_000; i++) {
        const reply = loop.createFuture();
        box.reply = reply;
        box.req.setResult(i);
        yield* reply;
      }
    });
    const pong = createTask(function* () {
      for (let i = 0; i < 200_000; i++) {
        const v = yield* box.req;
        box.req = loop.createFuture();
        box.reply.setResult(v);
      }
    });
    yield* gather(ping, pong);
  });

console.log(JSON.stringify({ spawn: await best(spawn), fanOut: await best(fanOut), pingPong: await best(pingPong) }));
`;

const base = mkdtempSync(join(tmpdir(), "aio-hooks-ab-"));
try {
  const shipped = join(base, "shipped");
  const hookless = join(base, "hookless");
  makeTree(shipped, false);
  const stripped = makeTree(hookless, true);
  const runOnce = (dir) =>
    JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", join(dir, "workload.mjs")], {
        cwd: dir,
        encoding: "utf8",
      }),
    );
  const results = { shipped: [], hookless: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ["shipped", "hookless"] : ["hookless", "shipped"];
    for (const name of order) results[name].push(runOnce(name === "shipped" ? shipped : hookless));
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  console.log(
    `Node ${process.version}, ${ROUNDS} rounds, ${stripped} hook tests removed in the hookless build`,
  );
  console.log("");
  console.log(
    "| workload | shipped (median CPU) | hookless (median CPU) | shipped ÷ hookless | per-round ratios |",
  );
  console.log("|---|---:|---:|---:|---|");
  for (const [key, label] of [
    ["spawn", "100,000 `async` tasks spawned + gathered"],
    ["fanOut", "1,000,000 `callSoon`, one shared callback"],
    ["pingPong", "200,000 generator-task ping-pong hand-offs"],
  ]) {
    const a = results.shipped.map((x) => x[key]);
    const b = results.hookless.map((x) => x[key]);
    const ratios = a.map((v, i) => (v / b[i]).toFixed(2)).join(", ");
    console.log(
      `| ${label} | ${median(a).toFixed(1)} ms | ${median(b).toFixed(1)} ms | ${(median(a) / median(b)).toFixed(3)} | ${ratios} |`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
