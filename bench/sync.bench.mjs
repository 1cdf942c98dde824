// @aio/sync against the peers a user would pick instead, and Python's asyncio.
// Workloads (issue 4): (a) 100 tasks contending for one lock, 200k acquisitions;
// (b) 200k trivial jobs gated by a semaphore of 10; (c) producer/consumer through a
// bounded queue (maxsize 100), 1M items, 1 and 4 consumers; plus the heap a queue of
// 1M numbers takes compared with a plain array.
// Run after `pnpm build`: `node bench/sync.bench.mjs [--quick]`. Benchmarks never assert.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Lock, Queue, Semaphore } from "@aio/sync";
import { AsyncMutex } from "@esfx/async-mutex";
import { AsyncQueue } from "@esfx/async-queue";
import { Mutex } from "async-mutex";
import pLimit from "p-limit";
import PQueue from "p-queue";

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.argv.includes("--quick");
const SCALE = QUICK ? 0.1 : 1;
const LOCK_TASKS = 100;
const LOCK_OPS = Math.round(200_000 * SCALE);
const SEM_JOBS = Math.round(200_000 * SCALE);
const SEM_LIMIT = 10;
const QUEUE_ITEMS = Math.round(1_000_000 * SCALE);
const QUEUE_MAX = 100;
const ROUNDS = 3; // best of ROUNDS, after one warm-up round

async function measure(fn) {
  await fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

// ----- hand-written native versions: the floor of what promises allow -----

class NativeMutex {
  locked = false;
  waiters = new Fifo();
  acquire() {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** A FIFO with O(1) shift (Array#shift is O(n) on long arrays). */
class Fifo {
  items = [];
  head = 0;
  push(x) {
    this.items.push(x);
  }
  shift() {
    if (this.head === this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

function nativeLimit(n) {
  let active = 0;
  const queue = new Fifo();
  const next = () => {
    active--;
    const job = queue.shift();
    if (job) job();
  };
  return (fn) =>
    new Promise((resolve, reject) => {
      const start = () => {
        active++;
        Promise.resolve(fn()).then(resolve, reject).finally(next);
      };
      if (active < n) start();
      else queue.push(start);
    });
}

class NativeChannel {
  items = [];
  head = 0;
  getters = new Fifo();
  putters = new Fifo();
  constructor(max) {
    this.max = max;
  }
  put(x) {
    const g = this.getters.shift();
    if (g) {
      g(x);
      return Promise.resolve();
    }
    if (this.items.length - this.head < this.max) {
      this.items.push(x);
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.putters.push(() => {
        this.items.push(x);
        resolve();
      }),
    );
  }
  get() {
    if (this.items.length - this.head > 0) {
      const x = this.items[this.head++];
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      const p = this.putters.shift();
      if (p) p();
      return Promise.resolve(x);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }
}

// ----- (a) lock -----

const per = LOCK_OPS / LOCK_TASKS;

const lockCases = {
  "@aio/sync Lock (tasks in run())": () =>
    run(async () => {
      const lock = new Lock();
      let n = 0;
      const worker = async () => {
        for (let i = 0; i < per; i++) {
          await lock.acquire();
          n++;
          lock.release();
        }
      };
      // Hold the lock until every worker queues on it: from then on each
      // acquisition is a hand-off to the next waiter (FIFO), never a fast path.
      await lock.acquire();
      const workers = Array.from({ length: LOCK_TASKS }, () => createTask(worker));
      await sleep(0);
      lock.release();
      await gather(...workers);
      if (n !== LOCK_OPS) throw new Error("lost acquisitions");
    }),
  "async-mutex Mutex": async () => {
    const m = new Mutex();
    const worker = async () => {
      for (let i = 0; i < per; i++) {
        const release = await m.acquire();
        release();
      }
    };
    const first = await m.acquire();
    const workers = Array.from({ length: LOCK_TASKS }, worker);
    first();
    await Promise.all(workers);
  },
  "@esfx/async-mutex AsyncMutex": async () => {
    const m = new AsyncMutex();
    const worker = async () => {
      for (let i = 0; i < per; i++) {
        await m.lock();
        m.unlock();
      }
    };
    await m.lock();
    const workers = Array.from({ length: LOCK_TASKS }, worker);
    m.unlock();
    await Promise.all(workers);
  },
  "hand-written native mutex": async () => {
    const m = new NativeMutex();
    const worker = async () => {
      for (let i = 0; i < per; i++) {
        await m.acquire();
        m.release();
      }
    };
    await m.acquire();
    const workers = Array.from({ length: LOCK_TASKS }, worker);
    m.release();
    await Promise.all(workers);
  },
};

// ----- (b) semaphore -----

const job = async () => {};
const semCases = {
  "@aio/sync Semaphore.run (one task)": () =>
    run(async () => {
      const sem = new Semaphore(SEM_LIMIT);
      const ps = new Array(SEM_JOBS);
      for (let i = 0; i < SEM_JOBS; i++) ps[i] = sem.run(job);
      await Promise.all(ps);
    }),
  "@aio/sync Semaphore (a task per job)": () =>
    run(async () => {
      const sem = new Semaphore(SEM_LIMIT);
      const one = async () => {
        await sem.acquire();
        try {
          await job();
        } finally {
          sem.release();
        }
      };
      const ts = new Array(SEM_JOBS);
      for (let i = 0; i < SEM_JOBS; i++) ts[i] = createTask(one);
      await gather(...ts);
    }),
  "p-limit(10)": async () => {
    const limit = pLimit(SEM_LIMIT);
    const ps = new Array(SEM_JOBS);
    for (let i = 0; i < SEM_JOBS; i++) ps[i] = limit(job);
    await Promise.all(ps);
  },
  "p-queue (concurrency 10)": async () => {
    const q = new PQueue({ concurrency: SEM_LIMIT });
    const ps = new Array(SEM_JOBS);
    for (let i = 0; i < SEM_JOBS; i++) ps[i] = q.add(job);
    await Promise.all(ps);
  },
  "hand-written native semaphore": async () => {
    const limit = nativeLimit(SEM_LIMIT);
    const ps = new Array(SEM_JOBS);
    for (let i = 0; i < SEM_JOBS; i++) ps[i] = limit(job);
    await Promise.all(ps);
  },
};

// ----- (c) queue -----

function queueCases(consumers) {
  const share = QUEUE_ITEMS / consumers;
  return {
    "@aio/sync Queue(100) (tasks in run())": () =>
      run(async () => {
        const q = new Queue(QUEUE_MAX);
        let sum = 0;
        const consumer = async () => {
          for (let i = 0; i < share; i++) {
            const v = await q.get();
            sum += v;
          }
        };
        const cs = Array.from({ length: consumers }, () => createTask(consumer));
        for (let i = 0; i < QUEUE_ITEMS; i++) await q.put(i);
        await gather(...cs);
        if (sum !== (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2) throw new Error("lost items");
      }),
    "@esfx/async-queue (unbounded)": async () => {
      const q = new AsyncQueue();
      const consumer = async () => {
        for (let i = 0; i < share; i++) await q.get();
      };
      const cs = Array.from({ length: consumers }, consumer);
      for (let i = 0; i < QUEUE_ITEMS; i++) {
        q.put(i);
        if (i % QUEUE_MAX === 0) await null; // let consumers run, as a bounded queue would
      }
      await Promise.all(cs);
    },
    "hand-written promise queue(100)": async () => {
      const q = new NativeChannel(QUEUE_MAX);
      const consumer = async () => {
        for (let i = 0; i < share; i++) await q.get();
      };
      const cs = Array.from({ length: consumers }, consumer);
      for (let i = 0; i < QUEUE_ITEMS; i++) await q.put(i);
      await Promise.all(cs);
    },
  };
}

// ----- memory: a Queue of 1M numbers vs a plain array -----

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
function heapOf(make) {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = make();
  gc();
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (keep === null) console.log(""); // keep it alive until measured
  return used;
}

// ----- Python -----

function python() {
  const r = spawnSync("python3", [join(here, "python", "sync.py"), QUICK ? "--quick" : ""], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    return null;
  }
}

// ----- report -----

function fmt(opsPerSec) {
  return opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(2)}M` : `${(opsPerSec / 1e3).toFixed(0)}k`;
}

async function table(title, unit, ops, cases, pyOpsPerSec) {
  const rows = [];
  for (const [name, fn] of Object.entries(cases)) {
    const ms = await measure(fn);
    rows.push([name, (ops / ms) * 1000]);
  }
  if (pyOpsPerSec) rows.push(["Python asyncio", pyOpsPerSec]);
  const ours = rows[0][1];
  console.log(`\n### ${title}\n`);
  console.log(`| implementation | ${unit}/s | @aio/sync is × faster |`);
  console.log("|---|---:|---:|");
  for (const [name, v] of rows) console.log(`| ${name} | ${fmt(v)} | ${(ours / v).toFixed(2)}× |`);
}

console.log(
  `# @aio/sync benchmark — Node ${process.version}, ${QUICK ? "quick (10%)" : "full"} run`,
);
const py = python();
if (py === null) console.log("\n(Python 3 not available: its rows are missing)");
await table(
  `(a) Lock: ${LOCK_TASKS} tasks, ${LOCK_OPS} acquisitions`,
  "acquisitions",
  LOCK_OPS,
  lockCases,
  py?.lock,
);
await table(
  `(b) Semaphore(${SEM_LIMIT}): ${SEM_JOBS} trivial jobs`,
  "jobs",
  SEM_JOBS,
  semCases,
  py?.semaphore,
);
await table(
  `(c) Queue(${QUEUE_MAX}): ${QUEUE_ITEMS} items, 1 consumer`,
  "items",
  QUEUE_ITEMS,
  queueCases(1),
  py?.queue1,
);
await table(
  `(c) Queue(${QUEUE_MAX}): ${QUEUE_ITEMS} items, 4 consumers`,
  "items",
  QUEUE_ITEMS,
  queueCases(4),
  py?.queue4,
);

const N = 1_000_000;
const arrayBytes = heapOf(() => {
  const a = [];
  for (let i = 0; i < N; i++) a.push(i);
  return a;
});
const queueBytes = heapOf(() => {
  const q = new Queue();
  for (let i = 0; i < N; i++) q.putNowait(i);
  return q;
});
console.log("\n### Memory: 1M numbers held\n");
console.log("| container | heap | ratio to array |");
console.log("|---|---:|---:|");
console.log(`| plain array | ${(arrayBytes / 1048576).toFixed(1)} MiB | 1.00× |`);
console.log(
  `| @aio/sync Queue | ${(queueBytes / 1048576).toFixed(1)} MiB | ${(queueBytes / arrayBytes).toFixed(2)}× |`,
);
