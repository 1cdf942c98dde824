#!/usr/bin/env node
// The tasks benchmark (issue 3, "Performance"): @aio/futures tasks against
// plain async functions + Promise.all (the native limit), Effection 4 and
// Python's asyncio — on its own loop and on uvloop (issue 17) — side by side in
// one run; plus the AsyncLocalStorage cost and the engine's floor for a
// pending task's memory.
//
//   node bench/tasks.bench.mjs            full run, prints a markdown report
//   node bench/tasks.bench.mjs --quick    a tenth of the work (smoke run)
//   node bench/tasks.bench.mjs --record   also writes this Node major's section of bench/results/tasks.md
//
// Every measurement runs in its own child process (same `node`, this file with
// `--case <name>`, `--expose-gc`). That matters here: on Node 20 the first
// `AsyncLocalStorage.run()` switches on promise hooks for the whole process,
// so a native peer measured after an @aio task would pay @aio's price.
// Needs the built packages (`pnpm build`). Never asserts.

import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  best,
  commit,
  fmtBytes,
  fmtRate,
  fmtX,
  n,
  rate,
  rateTable,
  recordSection,
  runCases,
  runPython,
  yes,
} from "./lib/harness.mjs";

const _here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;

const SPAWN_N = 100_000 / SCALE;
const PINGPONG_N = 200_000 / SCALE;
const AWAIT_DONE_N = 1_000_000 / SCALE;
const PENDING_N = 100_000 / SCALE;
// Effection 4 is two orders of magnitude slower: fewer operations, same rate.
const EFFECTION_SPAWN_N = 10_000 / SCALE;
const EFFECTION_PINGPONG_N = 50_000 / SCALE;
const EFFECTION_PENDING_N = 10_000 / SCALE;
const _REPS = 5;

// ----- measurement helpers (child side) ------------------------------------

function deferred() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Heap growth per item: `make(n)` creates n pending things and returns `release()` (async). */
async function heapPerItem(n, make) {
  const gc = globalThis.gc;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const release = await make(n);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  await release();
  return { n, bytesPerItem: (after - before) / n };
}

/** (d) for @aio: `blockedOn(fut)` is the task function, blocked on one shared Future. */
async function pendingAio(blockedOn) {
  const { run } = await import("@aio/loop");
  const { getRunningLoop } = await import("@aio/core");
  const { createTask, gather, sleep } = await import("@aio/futures");
  return run(async () => {
    const fut = getRunningLoop().createFuture();
    const blocked = blockedOn(fut);
    return heapPerItem(PENDING_N, async (n) => {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = createTask(blocked);
      await sleep(0);
      await sleep(0);
      return async () => {
        fut.setResult(undefined);
        await gather(...tasks);
      };
    });
  });
}

const cases = {
  // (a) spawn + gather ---------------------------------------------------------
  async "spawn-aio"() {
    const { run } = await import("@aio/loop");
    const { createTask, gather, sleep } = await import("@aio/futures");
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
      }),
    );
    return { n: SPAWN_N, ms, cpuMs };
  },
  async "spawn-aio-gen"() {
    const { run } = await import("@aio/loop");
    const { createTask, gather, sleep } = await import("@aio/futures");
    function* child() {
      yield* sleep(0);
      return 1;
    }
    const { ms, cpuMs } = await best(() =>
      run(function* () {
        const t0 = performance.now();
        const tasks = new Array(SPAWN_N);
        for (let i = 0; i < SPAWN_N; i++) tasks[i] = createTask(child);
        yield* gather(...tasks);
        return performance.now() - t0;
      }),
    );
    return { n: SPAWN_N, ms, cpuMs };
  },
  async "spawn-native-immediate"() {
    const child = async () => {
      await new Promise((r) => setImmediate(r));
      return 1;
    };
    const { ms, cpuMs } = await best(async () => {
      const t0 = performance.now();
      const all = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) all[i] = child();
      await Promise.all(all);
      return performance.now() - t0;
    });
    return { n: SPAWN_N, ms, cpuMs };
  },
  async "spawn-native-resolved"() {
    const child = async () => {
      await null;
      return 1;
    };
    const { ms, cpuMs } = await best(async () => {
      const t0 = performance.now();
      const all = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) all[i] = child();
      await Promise.all(all);
      return performance.now() - t0;
    });
    return { n: SPAWN_N, ms, cpuMs };
  },
  // For scale, not a peer: the least a loop-driven task can cost. Each
  // "task" is a small object started from a ready queue inside
  // `AsyncLocalStorage.run()` (what attributes its awaits), and it yields by
  // awaiting a thenable that parks it in the queue for the next pass — no
  // Future, no cancellation, no step tracking, no gather.
  async "spawn-floor-model"() {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage();
    let ready = [];
    let queued = false;
    const drain = () => {
      queued = false;
      const batch = ready;
      ready = [];
      for (let i = 0; i < batch.length; i += 2) batch[i](batch[i + 1]);
    };
    const callSoon = (fn, arg) => {
      ready.push(fn, arg);
      if (!queued) {
        queued = true;
        setImmediate(drain);
      }
    };
    const wake = (waiter) => waiter.resolve();
    const yieldOnce = {
      then(resolve) {
        callSoon(wake, { resolve });
      },
    };
    const start = (task) => {
      task.done = als.run(task, task.fn);
    };
    const child = async () => {
      await yieldOnce;
      return 1;
    };
    const { ms, cpuMs } = await best(async () => {
      const t0 = performance.now();
      const tasks = new Array(SPAWN_N);
      for (let i = 0; i < SPAWN_N; i++) {
        const task = { fn: child, done: null };
        callSoon(start, task);
        tasks[i] = task;
      }
      await new Promise((r) => setImmediate(r));
      await Promise.all(tasks.map((t) => t.done));
      return performance.now() - t0;
    });
    return { n: SPAWN_N, ms, cpuMs };
  },
  async "spawn-effection"() {
    const { run, spawn, sleep } = await import("effection");
    const N = EFFECTION_SPAWN_N;
    const { ms, cpuMs } = await best(() =>
      run(function* () {
        const t0 = performance.now();
        const tasks = [];
        for (let i = 0; i < N; i++) {
          tasks.push(
            yield* spawn(function* () {
              yield* sleep(0);
              return 1;
            }),
          );
        }
        for (const t of tasks) yield* t;
        return performance.now() - t0;
      }),
    );
    return { n: N, ms, cpuMs };
  },

  // (b) ping-pong ----------------------------------------------------------------
  async "pingpong-aio"() {
    const { run } = await import("@aio/loop");
    const { getRunningLoop } = await import("@aio/core");
    const { createTask, gather } = await import("@aio/futures");
    const { ms, cpuMs } = await best(() =>
      run(async () => {
        const loop = getRunningLoop();
        const box = { req: loop.createFuture(), reply: null };
        const t0 = performance.now();
        const ping = createTask(async () => {
          for (let i = 0; i < PINGPONG_N; i++) {
            const reply = loop.createFuture();
            box.reply = reply;
            box.req.setResult(i);
            await reply;
          }
        });
        const pong = createTask(async () => {
          for (let i = 0; i < PINGPONG_N; i++) {
            const v = await box.req;
            box.req = loop.createFuture();
            box.reply.setResult(v);
          }
        });
        await gather(ping, pong);
        return performance.now() - t0;
      }),
    );
    return { n: PINGPONG_N, ms, cpuMs };
  },
  async "pingpong-aio-gen"() {
    const { run } = await import("@aio/loop");
    const { getRunningLoop } = await import("@aio/core");
    const { createTask, gather } = await import("@aio/futures");
    const { ms, cpuMs } = await best(() =>
      run(function* () {
        const loop = getRunningLoop();
        const box = { req: loop.createFuture(), reply: null };
        const t0 = performance.now();
        const ping = createTask(function* () {
          for (let i = 0; i < PINGPONG_N; i++) {
            const reply = loop.createFuture();
            box.reply = reply;
            box.req.setResult(i);
            yield* reply;
          }
        });
        const pong = createTask(function* () {
          for (let i = 0; i < PINGPONG_N; i++) {
            const v = yield* box.req;
            box.req = loop.createFuture();
            box.reply.setResult(v);
          }
        });
        yield* gather(ping, pong);
        return performance.now() - t0;
      }),
    );
    return { n: PINGPONG_N, ms, cpuMs };
  },
  async "pingpong-promise"() {
    const { ms, cpuMs } = await best(async () => {
      const box = { req: deferred(), reply: null };
      const t0 = performance.now();
      const ping = (async () => {
        for (let i = 0; i < PINGPONG_N; i++) {
          const reply = deferred();
          box.reply = reply;
          box.req.resolve(i);
          await reply.promise;
        }
      })();
      const pong = (async () => {
        for (let i = 0; i < PINGPONG_N; i++) {
          const v = await box.req.promise;
          box.req = deferred();
          box.reply.resolve(v);
        }
      })();
      await Promise.all([ping, pong]);
      return performance.now() - t0;
    });
    return { n: PINGPONG_N, ms, cpuMs };
  },
  async "pingpong-effection"() {
    const { run, spawn, withResolvers } = await import("effection");
    const N = EFFECTION_PINGPONG_N;
    const { ms, cpuMs } = await best(() =>
      run(function* () {
        const box = { req: withResolvers(), reply: null };
        const t0 = performance.now();
        const ping = yield* spawn(function* () {
          for (let i = 0; i < N; i++) {
            const reply = withResolvers();
            box.reply = reply;
            box.req.resolve(i);
            yield* reply.operation;
          }
        });
        const pong = yield* spawn(function* () {
          for (let i = 0; i < N; i++) {
            const v = yield* box.req.operation;
            box.req = withResolvers();
            box.reply.resolve(v);
          }
        });
        yield* ping;
        yield* pong;
        return performance.now() - t0;
      }),
    );
    return { n: N, ms, cpuMs };
  },

  // (c) awaiting something already done ---------------------------------------------
  async "await-done-aio"() {
    const { run } = await import("@aio/loop");
    const { getRunningLoop } = await import("@aio/core");
    let total = 0;
    const { ms, cpuMs } = await best(() =>
      run(async () => {
        const fut = getRunningLoop().createFuture();
        fut.setResult(1);
        const t0 = performance.now();
        for (let i = 0; i < AWAIT_DONE_N; i++) total += await fut;
        return performance.now() - t0;
      }),
    );
    return { n: AWAIT_DONE_N, ms, cpuMs, check: total };
  },
  async "await-done-aio-gen"() {
    const { run } = await import("@aio/loop");
    const { getRunningLoop } = await import("@aio/core");
    let total = 0;
    const { ms, cpuMs } = await best(() =>
      run(function* () {
        const fut = getRunningLoop().createFuture();
        fut.setResult(1);
        const t0 = performance.now();
        for (let i = 0; i < AWAIT_DONE_N; i++) total += yield* fut;
        return performance.now() - t0;
      }),
    );
    return { n: AWAIT_DONE_N, ms, cpuMs, check: total };
  },
  async "await-done-promise"() {
    let total = 0;
    const { ms, cpuMs } = await best(async () => {
      const p = Promise.resolve(1);
      const t0 = performance.now();
      for (let i = 0; i < AWAIT_DONE_N; i++) total += await p;
      return performance.now() - t0;
    });
    return { n: AWAIT_DONE_N, ms, cpuMs, check: total };
  },

  // (d) heap per pending task ------------------------------------------------------
  "pending-aio"() {
    return pendingAio(
      (fut) =>
        async function blocked() {
          await fut;
        },
    );
  },
  "pending-aio-gen"() {
    return pendingAio(
      (fut) =>
        function* blocked() {
          yield* fut;
        },
    );
  },
  async "pending-native"() {
    const { promise, resolve } = deferred();
    const blocked = async () => {
      await promise;
    };
    return heapPerItem(PENDING_N, async (n) => {
      const all = new Array(n);
      for (let i = 0; i < n; i++) all[i] = blocked();
      await new Promise((r) => setImmediate(r));
      return async () => {
        resolve();
        await Promise.all(all);
      };
    });
  },
  // The engine floor for (d) (issue 17): the least a pending async-function
  // task can hold — the suspended async function (its promise and
  // continuation) blocked on a thenable that keeps its resolve function, started
  // inside `AsyncLocalStorage.run()` with a store of its own (the frame that
  // attributes its awaits), and its slot in the caller's array.
  async "pending-floor"() {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage();
    let waiters = [];
    const gate = {
      then(resolve) {
        waiters.push(resolve);
      },
    };
    const blocked = async () => {
      await gate;
    };
    return heapPerItem(PENDING_N, async (n) => {
      const all = new Array(n);
      for (let i = 0; i < n; i++) all[i] = als.run({}, blocked);
      await new Promise((r) => setImmediate(r));
      return async () => {
        for (const w of waiters) w();
        waiters = [];
        await Promise.all(all);
      };
    });
  },
  async "pending-effection"() {
    const { run, spawn, withResolvers } = await import("effection");
    let result;
    await run(function* () {
      const gate = withResolvers();
      const N = EFFECTION_PENDING_N;
      globalThis.gc();
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      const tasks = [];
      for (let i = 0; i < N; i++) {
        tasks.push(
          yield* spawn(function* () {
            yield* gate.operation;
          }),
        );
      }
      yield* spawn(function* () {});
      globalThis.gc();
      globalThis.gc();
      result = { n: N, bytesPerItem: (process.memoryUsage().heapUsed - before) / N };
      gate.resolve();
      for (const t of tasks) yield* t;
    });
    return result;
  },
};

// The AsyncLocalStorage cost: the native workloads again, inside `AsyncLocalStorage.run()`.
for (const base of ["spawn-native-immediate", "pingpong-promise", "await-done-promise"]) {
  cases[`${base}+als`] = async () => {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage();
    return als.run({ task: "any" }, cases[base]);
  };
}

// ----- parent side ---------------------------------------------------------

async function main() {
  const res = await runCases(import.meta.url, "tasks", cases, argv);
  if (res === null) return;
  process.stderr.write("tasks: python3 asyncio…\n");
  const py = runPython("tasks.py", QUICK);
  const pyRow = (key, label) => ({ label, result: py.error ? { error: py.error } : py[key] });
  const pyName = py.error ? "Python asyncio" : `Python ${py.python} asyncio`;
  process.stderr.write("tasks: python3 asyncio + uvloop…\n");
  const uv = runPython("tasks.py", QUICK, 300_000, { uvloop: true });
  const uvName = uv.error ? "Python asyncio + uvloop" : `${pyName} + uvloop ${uv.uvloop}`;
  const uvRow = (key, label) => ({ label, result: uv.error ? { error: uv.error } : uv[key] });

  const out = [];
  out.push(
    `### Node ${process.version} — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${commit()}${QUICK ? " (quick run: a tenth of the work)" : ""}`,
  );
  out.push("");
  out.push(
    `#### (a) spawn ${n(SPAWN_N)} tasks that each \`await sleep(0)\` once, then gather them`,
  );
  out.push("");
  out.push(
    rateTable(
      { label: "@aio `createTask` + `sleep(0)` + `gather`", result: res["spawn-aio"] },
      [
        {
          label: "@aio generator tasks: `function*` + `yield* sleep(0)` + `yield* gather`",
          result: res["spawn-aio-gen"],
        },
        {
          label:
            "native limit: async fn awaiting `new Promise(r => setImmediate(r))` + `Promise.all`",
          result: res["spawn-native-immediate"],
        },
        {
          label: "async fn awaiting `null` (a microtask only) + `Promise.all`",
          result: res["spawn-native-resolved"],
        },
        {
          label:
            "floor model (not a peer): ready queue + `AsyncLocalStorage.run()` per task + a thenable yield, nothing else",
          result: res["spawn-floor-model"],
        },
        { label: "Effection 4 `spawn` + `sleep(0)`", result: res["spawn-effection"] },
        pyRow("spawn", `${pyName} \`create_task\` + \`sleep(0)\` + \`gather\``),
        uvRow("spawn", `${uvName} \`create_task\` + \`sleep(0)\` + \`gather\``),
      ],
      { ops: true },
    ),
  );
  out.push("");
  out.push(
    "`sleep(0)` yields one loop iteration, letting every other ready task run; the host's equivalent is a macrotask (`setImmediate`), so that is the native limit the target compares with. `await null` is shown for scale: it yields to nothing but the microtask queue.",
  );
  out.push("");
  out.push(`#### (b) two tasks ping-ponging through Futures (round trips)`);
  out.push("");
  out.push(
    rateTable(
      { label: "@aio `Future`s between two `createTask` tasks", result: res["pingpong-aio"] },
      [
        {
          label: "@aio `Future`s between two generator tasks (`yield* fut`)",
          result: res["pingpong-aio-gen"],
        },
        { label: "native promises between two async functions", result: res["pingpong-promise"] },
        {
          label: "Effection 4 `withResolvers` between two `spawn`s",
          result: res["pingpong-effection"],
        },
        pyRow("pingpong", `${pyName} futures between two tasks`),
        uvRow("pingpong", `${uvName} futures between two tasks`),
      ],
      { ops: true },
    ),
  );
  out.push("");
  out.push(`#### (c) ${n(AWAIT_DONE_N)} awaits of an already-done Future inside one task`);
  out.push("");
  out.push(
    rateTable(
      { label: "@aio: `await fut` (done `Future`) in a task", result: res["await-done-aio"] },
      [
        {
          label: "@aio: `yield* fut` (done `Future`) in a generator task",
          result: res["await-done-aio-gen"],
        },
        {
          label: "`await p` (resolved native promise) in an async function",
          result: res["await-done-promise"],
        },
        pyRow("awaitDone", `${pyName}: \`await fut\` (done) in a task`),
        uvRow("awaitDone", `${uvName}: \`await fut\` (done) in a task`),
      ],
      { ops: true },
    ),
  );
  out.push("");
  out.push("#### (d) memory per pending task (tasks blocked on one Future; heap after `gc()`)");
  out.push("");
  out.push("| implementation | tasks | bytes per pending task |");
  out.push("|---|---:|---:|");
  const memRows = [
    ["@aio `createTask`, blocked on `await fut`", res["pending-aio"]],
    ["@aio generator task, blocked on `yield* fut`", res["pending-aio-gen"]],
    ["native async function blocked on a pending promise", res["pending-native"]],
    [
      "engine floor: native async function blocked on a thenable, started in `AsyncLocalStorage.run()` (its frame)",
      res["pending-floor"],
    ],
    ["Effection 4 `spawn`, blocked on `withResolvers().operation`", res["pending-effection"]],
  ];
  for (const [label, r] of memRows) {
    const note = r?.error ? ` (failed: ${r.error})` : "";
    out.push(`| ${label}${note} | ${r?.n ? n(r.n) : "n/a"} | ${fmtBytes(r?.bytesPerItem)} |`);
  }
  out.push(
    `| ${pyName} task blocked on a future (tracemalloc) | ${py.pending ? n(py.pending.n) : "n/a"} | ${fmtBytes(py.pending?.bytesPerTask)} |`,
  );
  out.push(
    `| ${uvName} task blocked on a future (tracemalloc)${uv.error ? ` (failed: ${uv.error})` : ""} | ${uv.pending ? n(uv.pending.n) : "n/a"} | ${fmtBytes(uv.pending?.bytesPerTask)} |`,
  );
  const floor = res["pending-floor"]?.bytesPerItem;
  const aioPending = res["pending-aio"]?.bytesPerItem;
  out.push("");
  out.push(
    `Memory per pending async task: @aio ${fmtBytes(aioPending)}, engine floor ${fmtBytes(floor)} in the same run: @aio holds ${fmtX(aioPending / floor)} the floor (${fmtBytes(aioPending - floor)} above it).`,
  );
  out.push("");
  out.push(
    "#### AsyncLocalStorage cost (native workloads, without and inside `AsyncLocalStorage.run()`)",
  );
  out.push("");
  out.push("| workload | no ALS | inside `als.run()` | slowdown |");
  out.push("|---|---:|---:|---:|");
  for (const [label, base] of [
    ["(a) spawn + `setImmediate` + `Promise.all`", "spawn-native-immediate"],
    ["(b) promise ping-pong", "pingpong-promise"],
    ["(c) `await` a resolved promise", "await-done-promise"],
  ]) {
    const plain = rate(res[base]);
    const als = rate(res[`${base}+als`]);
    out.push(`| ${label} | ${fmtRate(plain)} | ${fmtRate(als)} | ${fmtX(plain / als)} |`);
  }
  out.push("");
  out.push(
    "Node 20 implements AsyncLocalStorage with async_hooks promise hooks, which every promise in the process pays for once any `run()` happened; Node 24 uses AsyncContextFrame, which is far cheaper. @aio tasks need it to attribute awaits to tasks.",
  );

  const ok = (x, pred) => (Number.isFinite(x) ? pred(x) : undefined);
  const targets = (suffix) => {
    const ra = rate(res[`spawn-aio${suffix}`]);
    const d = res[`pending-aio${suffix}`]?.bytesPerItem;
    return {
      aVsNative: rate(res["spawn-native-immediate"]) / ra,
      aVsPy: ra / rate(py.spawn),
      bVsPy: rate(res[`pingpong-aio${suffix}`]) / rate(py.pingpong),
      cVsNative: rate(res["await-done-promise"]) / rate(res[`await-done-aio${suffix}`]),
      d,
    };
  };
  const t = targets("");
  const g = targets("-gen");
  const cell = (x, pred, fmt = fmtX) => `${fmt(x)} ${yes(ok(x, pred))}`;
  out.push("");
  out.push("#### Targets (issue 3; they are set for Node 24)");
  out.push("");
  out.push("| target | `async` tasks | generator tasks |");
  out.push("|---|---:|---:|");
  const rows = [
    [
      "(a) spawn within 2× of the native limit (native rate ÷ @aio rate ≤ 2)",
      "aVsNative",
      (x) => x <= 2,
    ],
    ["(a) spawn ≥ 6× Python asyncio", "aVsPy", (x) => x >= 6],
    ["(b) ping-pong ≥ 5× Python asyncio", "bVsPy", (x) => x >= 5],
    [
      "(c) await a done Future within 2× of a resolved promise (promise rate ÷ @aio rate ≤ 2)",
      "cVsNative",
      (x) => x <= 2,
    ],
  ];
  for (const [label, key, pred] of rows) {
    out.push(`| ${label} | ${cell(t[key], pred)} | ${cell(g[key], pred)} |`);
  }
  out.push(
    `| (d) ≤ 1 KiB per pending task | ${cell(t.d, (x) => x <= 1024, fmtBytes)} | ${cell(g.d, (x) => x <= 1024, fmtBytes)} |`,
  );
  out.push("");
  out.push("#### Issue 17 (ahead of uvloop; Node 24)");
  out.push("");
  out.push("| target | measured |");
  out.push("|---|---:|");
  out.push(
    `| (a) spawn ≥ 0.75× native \`setImmediate\` + \`Promise.all\` (@aio rate ÷ native rate) | ${cell(1 / t.aVsNative, (x) => x >= 0.75)} |`,
  );
  for (const [label, key, pyKey] of [
    ["spawn", "spawn-aio", "spawn"],
    ["ping-pong", "pingpong-aio", "pingpong"],
    ["await a done Future", "await-done-aio", "awaitDone"],
  ]) {
    out.push(
      `| ${label}: @aio ÷ asyncio + uvloop | ${uv.error ? "n/a (uvloop not available)" : fmtX(rate(res[key]) / rate(uv[pyKey]))} |`,
    );
  }
  out.push(
    `| memory per pending async task: @aio ÷ engine floor | ${fmtX(aioPending / floor)} (${fmtBytes(aioPending)} vs ${fmtBytes(floor)}) |`,
  );
  const markdown = out.join("\n");
  console.log(markdown);
  if (argv.includes("--record")) recordSection("tasks", "Tasks benchmark (issue 3)", markdown);
}

await main();
