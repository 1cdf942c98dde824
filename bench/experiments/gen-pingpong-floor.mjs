#!/usr/bin/env node
// Experiment (issue 17, target (e)): the floor of Future ping-pong between two
// generator tasks, against native promise ping-pong. Not a suite: `run.mjs`
// does not run it.
//
//   node --expose-gc bench/experiments/gen-pingpong-floor.mjs [--n N] [--reps R]
//
// Variants, interleaved round robin in this one process, least CPU time kept:
//   floor             two generators driven by the smallest scheduler that
//                     keeps asyncio's protocol: a future is an object with a
//                     value and one waker, `yield*` on it is an iterator object,
//                     a woken task goes to a ready array that is drained in
//                     order (no host turns, no cancellation, no context)
//   floor + context   the same, each step entered through the task's own
//                     `AsyncResource.runInAsyncScope()` (what gives a generator
//                     task its creator's AsyncLocalStorage stores)
//   @aio              `createTask(function* …)` ping-pong in `run()`, as in the
//                     tasks suite's `pingpong-aio-gen`
//   native            two async functions handing promises back and forth
//                     (the tasks suite's `pingpong-promise`)

import { AsyncResource } from "node:async_hooks";
import { aioPingPong, nativePingPong } from "./pingpong.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i === -1 ? dflt : Number(argv[i + 1]);
};
const N = opt("--n", 200_000);
const REPS = opt("--reps", 7);
const aio = () => aioPingPong(N);
const native = () => nativePingPong(N);

let ready = [];

class FloorFuture {
  done = false;
  value = undefined;
  waker = null;
  set(v) {
    this.done = true;
    this.value = v;
    if (this.waker !== null) {
      ready.push(this.waker);
      this.waker = null;
    }
  }
  [Symbol.iterator]() {
    return new FloorIter(this);
  }
}

class FloorIter {
  constructor(fut) {
    this.fut = fut;
  }
  next() {
    const fut = this.fut;
    return fut.done ? { done: true, value: fut.value } : { done: false, value: fut };
  }
}

class FloorTask {
  constructor(gen, scope) {
    this.gen = gen;
    this.scope = scope;
    this.waitingOn = null;
  }
  step() {
    const fut = this.waitingOn;
    this.waitingOn = null;
    const v = fut === null ? undefined : fut.value;
    const r =
      this.scope === null
        ? this.gen.next(v)
        : this.scope.runInAsyncScope(this.gen.next, this.gen, v);
    if (r.done) return;
    this.waitingOn = r.value;
    r.value.waker = this;
  }
}

function floor(withContext) {
  const box = { req: new FloorFuture(), reply: null };
  const task = (gen) => new FloorTask(gen, withContext ? new AsyncResource("task") : null);
  const ping = task(
    (function* () {
      for (let i = 0; i < N; i++) {
        const reply = new FloorFuture();
        box.reply = reply;
        box.req.set(i);
        yield* reply;
      }
    })(),
  );
  const pong = task(
    (function* () {
      for (let i = 0; i < N; i++) {
        const v = yield* box.req;
        box.req = new FloorFuture();
        box.reply.set(v);
      }
    })(),
  );
  ready.push(ping, pong);
  while (ready.length !== 0) {
    const batch = ready;
    ready = [];
    for (const t of batch) t.step();
  }
}

const variants = [
  ["floor", () => floor(false)],
  ["floor + context (`runInAsyncScope` per step)", () => floor(true)],
  ["@aio generator tasks", aio],
  ["native promises", native],
];
const best = new Map(variants.map(([name]) => [name, Number.POSITIVE_INFINITY]));
for (const [, fn] of variants) await fn(); // warm-up
for (let rep = 0; rep < REPS; rep++) {
  for (const [name, fn] of variants) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    best.set(name, Math.min(best.get(name), (c.user + c.system) / 1000));
  }
}
const nativeRate = N / best.get("native promises");
console.log(
  `Node ${process.version}, ${N.toLocaleString("en")} hand-offs each way, best of ${REPS}`,
);
console.log("");
console.log("| variant | CPU time | hand-offs per CPU second | ÷ native |");
console.log("|---|---:|---:|---:|");
for (const [name] of variants) {
  const ms = best.get(name);
  const r = N / ms;
  console.log(
    `| ${name} | ${ms.toFixed(1)} ms | ${(r / 1000).toFixed(2)}M/s | ${(r / nativeRate).toFixed(2)}× |`,
  );
}
