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
//   floor + asyncio   the same with what asyncio's protocol needs on top
//                     of it (`semantic()` below): a Future with a loop, a
//                     state and a list of done callbacks, scheduled as ready
//                     items of a loop whose iterations swap batches, skip
//                     cancelled items, check for due timers and read the clock
//                     every few iterations to yield to the host; a step that
//                     checks the task is not done, delivers a pending
//                     cancellation, makes the task the current one (saved and
//                     restored) and checks the yielded future's loop
//   @aio              `createTask(function* …)` ping-pong in `run()`, as in the
//                     tasks suite's `pingpong-aio-gen`
//   native            two async functions handing promises back and forth
//                     (the tasks suite's `pingpong-promise`)

import { AsyncResource } from "node:async_hooks";
import { bestCpuInterleaved, numberOption } from "./interleave.mjs";
import { aioPingPong, nativePingPong } from "./pingpong.mjs";

const N = numberOption("--n", 200_000);
const REPS = numberOption("--reps", 7);
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

// ---- floor + asyncio: the parts asyncio's protocol adds ---------------------

const rt = { task: null, loop: null };
const PENDING = 0;
const FINISHED = 1;

class SemLoop {
  ready = [];
  batch = [];
  timers = [];
  iterations = 0;
  /** Runs iterations until idle; yields to the host every 4 ms (the loop's budget). */
  async runUntilIdle() {
    for (;;) {
      const deadline = performance.now() + 4;
      rt.loop = this;
      for (;;) {
        if (this.timers.length !== 0) this.timers.sort();
        if (this.ready.length === 0) {
          rt.loop = null;
          return;
        }
        const batch = this.ready;
        this.ready = this.batch;
        this.batch = batch;
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i];
          if (item.cancelled) continue;
          item.run();
        }
        while (batch.length !== 0) batch.pop(); // keeps the backing store (`length = 0` drops it)
        if (++this.iterations % 4 === 0 && performance.now() >= deadline) break;
      }
      rt.loop = null;
      await new Promise((r) => setImmediate(r));
    }
  }
}

class SemFuture {
  state = PENDING;
  result = undefined;
  cbs = null;
  constructor(loop) {
    this.loop = loop;
  }
  setResult(v) {
    if (this.state !== PENDING) throw new Error("invalid state");
    this.state = FINISHED;
    this.result = v;
    const cbs = this.cbs;
    this.cbs = null;
    if (cbs === null) return;
    if (Array.isArray(cbs)) for (const cb of cbs) this.loop.ready.push(cb);
    else this.loop.ready.push(cbs);
  }
  addWaker(task) {
    const cbs = this.cbs;
    if (cbs === null) this.cbs = task;
    else if (Array.isArray(cbs)) cbs.push(task);
    else this.cbs = [cbs, task];
  }
  [Symbol.iterator]() {
    return new SemIter(this);
  }
}

class SemIter {
  constructor(fut) {
    this.fut = fut;
  }
  next() {
    const fut = this.fut;
    if (fut.state === PENDING) return { done: false, value: fut };
    return { done: true, value: fut.result };
  }
}

class SemTask {
  cancelled = false; // a ready item's flag
  mustCancel = false;
  state = PENDING;
  waitingOn = null;
  constructor(gen, loop) {
    this.gen = gen;
    this.loop = loop;
    this.scope = new AsyncResource("task");
    loop.ready.push(this);
  }
  run() {
    if (this.state !== PENDING) return;
    const fut = this.waitingOn;
    this.waitingOn = null;
    if (this.mustCancel) throw new Error("not in this model");
    const prev = rt.task;
    rt.task = this;
    try {
      this.scope.runInAsyncScope(SemTask.resume, null, this, fut === null ? undefined : fut.result);
    } finally {
      rt.task = prev;
    }
  }
  static resume(task, v) {
    let r;
    try {
      r = task.gen.next(v);
    } catch (err) {
      task.state = FINISHED;
      throw err;
    }
    if (r.done) {
      task.state = FINISHED;
      return;
    }
    const fut = r.value;
    if (!(fut instanceof SemFuture) || fut.loop !== task.loop) throw new Error("bad yield");
    task.waitingOn = fut;
    fut.addWaker(task);
  }
}

function semantic() {
  const loop = new SemLoop();
  const box = { req: new SemFuture(loop), reply: null };
  new SemTask(
    (function* () {
      for (let i = 0; i < N; i++) {
        const reply = new SemFuture(loop);
        box.reply = reply;
        box.req.setResult(i);
        yield* reply;
      }
    })(),
    loop,
  );
  new SemTask(
    (function* () {
      for (let i = 0; i < N; i++) {
        const v = yield* box.req;
        box.req = new SemFuture(loop);
        box.reply.setResult(v);
      }
    })(),
    loop,
  );
  return loop.runUntilIdle();
}

const variants = [
  ["floor", () => floor(false)],
  ["floor + context (`runInAsyncScope` per step)", () => floor(true)],
  ["floor + context + asyncio's parts (loop, Future, step)", semantic],
  ["@aio generator tasks", aio],
  ["native promises", native],
];
const best = await bestCpuInterleaved(variants, REPS);
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
