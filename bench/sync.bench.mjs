// @aio/sync against the peers a user would pick instead, and Python's asyncio.
// Workloads (issue 4): (a) 100 tasks contending for one lock, 200k acquisitions;
// (b) 200k trivial jobs gated by a semaphore of 10; (c) producer/consumer through a
// bounded queue (maxsize 100), 1M items, 1 and 4 consumers; plus the heap a queue of
// 1M numbers takes compared with a plain array; issue 17 adds (d) a Lock held across
// one sleep(0) and (e) Semaphore(10) over 100k tasks that each sleep(0), against
// Python's asyncio and asyncio on uvloop.
// Run after `pnpm build`: `node bench/sync.bench.mjs [--quick] [--record]`
// (`--record` writes this Node major's section of bench/results/sync.md).
// Every case runs in its own child process: on Node 20 the first
// AsyncLocalStorage.run() turns promise hooks on for the whole process, so a
// peer measured after an @aio case would pay our price. Rates are per CPU
// second of the measuring process (best of ROUNDS after a warm-up), because
// the machines this runs on are often busy; wall time is shown alongside.
// Benchmarks never assert.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
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
import { lastJson, reportAndExit, runPython } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.argv.includes("--quick");
const SCALE = QUICK ? 0.1 : 1;
const LOCK_TASKS = 100;
const LOCK_OPS = Math.round(200_000 * SCALE);
const SEM_JOBS = Math.round(200_000 * SCALE);
const SEM_LIMIT = 10;
const QUEUE_ITEMS = Math.round(1_000_000 * SCALE);
const QUEUE_MAX = 100;
const LOCK_SLEEP_OPS = Math.round(100_000 * SCALE);
const SEM_SLEEP_JOBS = Math.round(100_000 * SCALE);
const ROUNDS = 3; // best of ROUNDS, after one warm-up round

async function measure(fn) {
  await fn(); // warm-up
  let bestCpu = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
    bestWall = Math.min(bestWall, wall);
  }
  return { cpuMs: bestCpu, ms: bestWall };
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

/**
 * The floor of asyncio's hand-off, for scale: a mutex whose wake-ups go
 * through a loop's ready queue (as `fut.set_result()` schedules the woken
 * task with `call_soon`), drained by one microtask per batch — one waiter
 * object, one promise and two promise jobs per hand-off, and nothing else: no
 * Task, no cancellation, no await attribution. Not a usable lock; it shows
 * how much of "within 2x of a native mutex" the loop-mediated wake-up alone
 * takes.
 */
class ReadyQueueModel {
  ready = [];
  queued = false;
  callSoon(fn, arg) {
    this.ready.push(fn, arg);
    if (!this.queued) {
      this.queued = true;
      RESOLVED.then(this.drain);
    }
  }
  drain = () => {
    this.queued = false;
    const ready = this.ready;
    this.ready = [];
    for (let i = 0; i < ready.length; i += 2) ready[i](ready[i + 1]);
  };
}
const RESOLVED = Promise.resolve();
const wakeWaiter = (w) => w.resolve();
class LoopHandOffMutex {
  locked = false;
  waiters = new Fifo();
  loop = new ReadyQueueModel();
  acquire() {
    if (!this.locked && this.waiters.items.length === this.waiters.head) {
      this.locked = true;
      return RESOLVED;
    }
    const w = { resolve: null };
    const p = new Promise((r) => {
      w.resolve = r;
    });
    this.waiters.push(w);
    return p;
  }
  release() {
    // Ownership passes to the woken waiter (no barging), as in asyncio.
    const w = this.waiters.shift();
    if (w) this.loop.callSoon(wakeWaiter, w);
    else this.locked = false;
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

/** (a) for the hand-written mutexes: held until every worker queues, then handed off. */
async function contend(m) {
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
}

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
  "@aio/sync Lock (generator tasks, yield*)": () =>
    run(function* () {
      const lock = new Lock();
      let n = 0;
      const worker = function* () {
        for (let i = 0; i < per; i++) {
          yield* lock.acquire();
          n++;
          lock.release();
        }
      };
      yield* lock.acquire();
      const workers = Array.from({ length: LOCK_TASKS }, () => createTask(worker));
      yield* sleep(0);
      lock.release();
      yield* gather(...workers);
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
  "hand-written native mutex": () => contend(new NativeMutex()),
  "floor of a loop-mediated hand-off (model, not a lock)": () => contend(new LoopHandOffMutex()),
};

// ----- (b) semaphore -----

const job = async () => {};
// The trivial job in a generator task: a generator that returns at once.
const genJob = function* () {};
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
      for (const t of ts) await t; // (gather(...ts) would overflow the stack with 200k arguments)
    }),
  "@aio/sync Semaphore (a generator task per job)": () =>
    run(function* () {
      const sem = new Semaphore(SEM_LIMIT);
      const one = function* () {
        yield* sem.acquire();
        try {
          yield* genJob();
        } finally {
          sem.release();
        }
      };
      const ts = new Array(SEM_JOBS);
      for (let i = 0; i < SEM_JOBS; i++) ts[i] = createTask(one);
      for (const t of ts) yield* t;
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

// ----- (d) lock held across sleep(0), (e) semaphore over tasks that sleep(0) -----

const lockSleepCases = {
  "@aio/sync Lock, `sleep(0)` while held (tasks in run())": () =>
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
    }),
};

const semSleepCases = {
  "@aio/sync Semaphore(10), a task per job, each `sleep(0)`": () =>
    run(async () => {
      const sem = new Semaphore(SEM_LIMIT);
      const one = async () => {
        await sem.acquire();
        try {
          await sleep(0);
        } finally {
          sem.release();
        }
      };
      const ts = new Array(SEM_SLEEP_JOBS);
      for (let i = 0; i < SEM_SLEEP_JOBS; i++) ts[i] = createTask(one);
      for (const t of ts) await t;
    }),
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
    "@aio/sync Queue(100) (generator tasks, yield*)": () =>
      run(function* () {
        const q = new Queue(QUEUE_MAX);
        let sum = 0;
        const consumer = function* () {
          for (let i = 0; i < share; i++) {
            const v = yield* q.get();
            sum += v;
          }
        };
        const cs = Array.from({ length: consumers }, () => createTask(consumer));
        for (let i = 0; i < QUEUE_ITEMS; i++) yield* q.put(i);
        yield* gather(...cs);
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
        // No bound to wait on: let the consumers drain every QUEUE_MAX items, as a bounded queue would.
        if (q.size >= QUEUE_MAX) await new Promise((r) => setImmediate(r));
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

function heapOf(make) {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = make();
  gc();
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (keep === null) console.log(""); // keeps it alive until measured
  return used;
}

const N_MEM = 1_000_000;
const memoryCases = {
  "plain array": () =>
    heapOf(() => {
      const a = [];
      for (let i = 0; i < N_MEM; i++) a.push(i);
      return a;
    }),
  "@aio/sync Queue": () =>
    heapOf(() => {
      const q = new Queue();
      for (let i = 0; i < N_MEM; i++) q.putNowait(i);
      return q;
    }),
};

// ----- the cases, each run in a child process -----

const groups = [
  {
    key: "lock",
    title: `(a) Lock: ${LOCK_TASKS} tasks contending, ${LOCK_OPS.toLocaleString("en")} acquisitions`,
    unit: "acquisitions",
    ops: LOCK_OPS,
    cases: lockCases,
    py: "lock",
  },
  {
    key: "sem",
    title: `(b) Semaphore(${SEM_LIMIT}): ${SEM_JOBS.toLocaleString("en")} trivial jobs`,
    unit: "jobs",
    ops: SEM_JOBS,
    cases: semCases,
    py: "semaphore",
  },
  {
    key: "queue1",
    title: `(c) Queue(${QUEUE_MAX}): ${QUEUE_ITEMS.toLocaleString("en")} items, 1 consumer`,
    unit: "items",
    ops: QUEUE_ITEMS,
    cases: queueCases(1),
    py: "queue1",
  },
  {
    key: "queue4",
    title: `(c) Queue(${QUEUE_MAX}): ${QUEUE_ITEMS.toLocaleString("en")} items, 4 consumers`,
    unit: "items",
    ops: QUEUE_ITEMS,
    cases: queueCases(4),
    py: "queue4",
  },
  {
    key: "lockSleep",
    title: `(d) Lock held across one \`sleep(0)\`: ${LOCK_TASKS} tasks, ${LOCK_SLEEP_OPS.toLocaleString("en")} acquisitions`,
    unit: "acquisitions",
    ops: LOCK_SLEEP_OPS,
    cases: lockSleepCases,
    py: "lockSleep",
  },
  {
    key: "semSleep",
    title: `(e) Semaphore(${SEM_LIMIT}): ${SEM_SLEEP_JOBS.toLocaleString("en")} tasks, each job one \`sleep(0)\``,
    unit: "jobs",
    ops: SEM_SLEEP_JOBS,
    cases: semSleepCases,
    py: "semSleep",
  },
];

function runChild(args) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), ...args, ...(QUICK ? ["--quick"] : [])],
    {
      encoding: "utf8",
      timeout: 900_000,
      maxBuffer: 1 << 24,
    },
  );
  return lastJson(r, args.join(" "));
}

function python() {
  const r = spawnSync("python3", [join(here, "python", "sync.py"), ...(QUICK ? ["--quick"] : [])], {
    encoding: "utf8",
    timeout: 900_000,
  });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    return null;
  }
}

const fmtRate = (v) =>
  !Number.isFinite(v)
    ? "n/a"
    : v >= 1e6
      ? `${(v / 1e6).toFixed(2)}M/s`
      : `${(v / 1e3).toFixed(0)}k/s`;
const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : "n/a");

async function main() {
  const caseIndex = process.argv.indexOf("--case");
  if (caseIndex !== -1) {
    const [groupKey, name] = process.argv[caseIndex + 1].split("::");
    if (groupKey === "memory") {
      reportAndExit({ bytes: memoryCases[name]() });
      return;
    }
    const group = groups.find((g) => g.key === groupKey);
    reportAndExit(await measure(group.cases[name]));
    return;
  }

  const out = [];
  out.push(
    `### Node ${process.version} — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg()[0].toFixed(1)} at the start, ${new Date().toISOString().slice(0, 10)}${QUICK ? " (quick run: a tenth of the work)" : ""}`,
  );
  process.stderr.write("sync: python3 asyncio…\n");
  const py = python();
  if (py === null) out.push("", "(Python 3 not available: its rows are missing)");
  process.stderr.write("sync: python3 asyncio + uvloop…\n");
  const uv = runPython("sync.py", QUICK, 900_000, { uvloop: true });
  if (uv.error) out.push("", `(asyncio + uvloop: ${uv.error})`);
  for (const g of groups) {
    const rows = [];
    for (const name of Object.keys(g.cases)) {
      process.stderr.write(`sync: ${g.key} ${name}…\n`);
      const r = runChild(["--case", `${g.key}::${name}`]);
      rows.push({
        name,
        cpuMs: r.cpuMs,
        ms: r.ms,
        rate: r.error ? Number.NaN : (g.ops / r.cpuMs) * 1000,
        error: r.error,
      });
    }
    if (py?.[g.py])
      rows.push({
        name: "Python asyncio",
        cpuMs: py[g.py].cpu_ms,
        ms: py[g.py].ms,
        rate: (g.ops / py[g.py].cpu_ms) * 1000,
      });
    if (uv[g.py])
      rows.push({
        name: `Python asyncio + uvloop ${uv.uvloop}`,
        cpuMs: uv[g.py].cpu_ms,
        ms: uv[g.py].ms,
        rate: (g.ops / uv[g.py].cpu_ms) * 1000,
      });
    const ours = rows[0];
    // The `yield*` forms in generator tasks get a ratio column of their own.
    const gen = rows.find((r) => r.name.includes("generator task"));
    const ratio = (mine, r) => (r === mine ? "—" : `${(mine.rate / r.rate).toFixed(2)}×`);
    out.push("", `#### ${g.title}`, "");
    out.push(
      `| implementation | CPU time | wall time | ${g.unit} per CPU second | @aio/sync ÷ this |${gen ? " @aio/sync `yield*` ÷ this |" : ""}`,
    );
    out.push(`|---|---:|---:|---:|---:|${gen ? "---:|" : ""}`);
    for (const r of rows) {
      out.push(
        `| ${r.name}${r.error ? ` (failed: ${r.error})` : ""} | ${fmtMs(r.cpuMs)} | ${fmtMs(r.ms)} | ${fmtRate(r.rate)} | ${ratio(ours, r)} |${gen ? ` ${ratio(gen, r)} |` : ""}`,
      );
    }
  }
  const mem = {};
  for (const name of Object.keys(memoryCases))
    mem[name] = runChild(["--case", `memory::${name}`]).bytes;
  const base = mem["plain array"];
  out.push("", `#### Memory: ${N_MEM.toLocaleString("en")} numbers held`, "");
  out.push("| container | heap used | ÷ plain array |", "|---|---:|---:|");
  for (const [name, bytes] of Object.entries(mem)) {
    out.push(`| ${name} | ${(bytes / 2 ** 20).toFixed(1)} MiB | ${(bytes / base).toFixed(2)}× |`);
  }
  const markdown = out.join("\n");
  console.log(markdown);
  if (process.argv.includes("--record")) recordSection(markdown);
}

function recordSection(markdown) {
  const file = join(here, "results", "sync.md");
  const major = process.versions.node.split(".")[0];
  const start = `<!-- node${major}:start -->`;
  const end = `<!-- node${major}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Sync benchmark (issue 4)\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

await main();
