#!/usr/bin/env node
// Experiment (issue 17, target (a)): what each building block of a started
// task allocates, measured one by one (bytes allocated per operation, with a
// young generation large enough that no GC runs while measuring; each
// operation warmed up first so optimized code is measured). Companion of
// task-garbage.mjs, which measures the whole task and its allocation sites.
//
//   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 bench/experiments/alloc-parts.mjs   (after `pnpm build`)
//
// Not a suite; prints markdown; never asserts.

import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { PerformanceObserver } from "node:perf_hooks";

const M = 20_000;
let gcs = 0;
new PerformanceObserver((l) => {
  gcs += l.getEntries().length;
}).observe({ entryTypes: ["gc"] });

const keep = new Array(M);
/** Bytes allocated per call of `op(i)` (its results kept in `keep`, as a pending task keeps them). */
async function per(op) {
  for (let r = 0; r < 3; r++) for (let i = 0; i < M; i++) keep[i] = op(i);
  keep.fill(undefined);
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 5));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < M; i++) keep[i] = op(i);
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 5));
  const g = gcs;
  keep.fill(undefined);
  return g === 0 ? `${((after - before) / M).toFixed(0)}` : `n/a (${g} GCs)`;
}

const als = new AsyncLocalStorage();
const other = new AsyncLocalStorage();
const thenable = {
  then(res) {
    res(1);
  },
};
const noop = () => {};
let capturedResolve;
let capturedReject;
function capture(res, rej) {
  capturedResolve = res;
  capturedReject = rej;
}
class Waiter {
  constructor(future, onFulfilled, onRejected, resolve, reject, task) {
    this.future = future;
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    this.resolve = resolve;
    this.reject = reject;
    this.task = task;
  }
}
class TaskStart extends AsyncResource {
  gen = null;
  constructor(fn) {
    super("aio.Task", { requireManualDestroy: true });
    this.fn = fn;
  }
}
const enter = (v) => {
  als.enterWith(v);
  return v;
};

const starts = Array.from({ length: M }, () => new TaskStart(noop));

const { run } = await import("@aio/loop");
const { getRunningLoop } = await import("@aio/core");
const { Task } = await import("@aio/futures");

const rows = [];
const add = async (label, op) => rows.push([label, await per(op)]);

await add("`{}` (an empty object, for scale)", () => ({}));
await add("`new Promise(capture)` (promise + its resolve/reject functions)", () => {
  const p = new Promise(capture);
  return [p, capturedResolve, capturedReject];
});
await add("`Promise.resolve()` (a bare promise)", () => Promise.resolve());
await add("Waiter (6 fields, future.ts)", (i) => new Waiter(null, null, null, noop, noop, i));
await add("`new TaskStart(fn)` (an AsyncResource, task.ts)", () => new TaskStart(noop));
await add("`als.run(v, fn)` from an empty frame", (i) => als.run(i, noop));
await add("`als.enterWith(v)` inside `resource.runInAsyncScope` (the task start)", (i) => {
  return starts[i].runInAsyncScope(enter, null, i);
});
const startsInTask = als.run({ task: "creator" }, () =>
  Array.from({ length: M }, () => new TaskStart(noop)),
);
await add("the same, the TaskStart made inside a task (its frame holds the creator task)", (i) =>
  startsInTask[i].runInAsyncScope(enter, null, i),
);
await add("`als.run(v, fn)` with one other store in the frame", (i) =>
  other.run(1, () => als.run(i, noop)),
);
await add(
  "`async () => { await thenable }` called (async fn + await of a non-native thenable)",
  () =>
    (async () => {
      await thenable;
    })(),
);
await add("`async () => { await p }` called (native resolved promise)", () =>
  (async () => {
    await keep;
  })(),
);
await add("`p.then(f, g)` (reaction + derived promise)", () => Promise.resolve().then(noop, noop));

// @aio objects, inside a running loop.
await run(async () => {
  const loop = getRunningLoop();
  await add("`loop.createFuture()`", () => loop.createFuture());
  await add("`loop.callSoon(fn, a, b)` (Handle + args array)", (i) => loop.callSoon(noop, i, i));
  await add("`loop.callSoon(fn)` (Handle)", () => loop.callSoon(noop));
  const body = async () => {};
  await add(
    "`new Task(fn)`: construct + schedule (runs after the measurement)",
    () => new Task(body),
  );
  await add("`loop.createTask(fn)` (what `createTask` calls)", () => loop.createTask(body));
  await add("`fut.then(f, g)` on a pending Future outside a task (#register)", () => {
    const f = loop.createFuture();
    f.then(noop, noop);
    return f;
  });
});

console.log(
  `Node ${process.version}: bytes allocated per operation (${M.toLocaleString("en")} each, no GC while measuring)`,
);
console.log("");
console.log("| operation | bytes |");
console.log("|---|---:|");
for (const [label, b] of rows) console.log(`| ${label} | ${b} |`);
