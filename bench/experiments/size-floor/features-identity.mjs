// Scenarios of two of @aio's features beyond the floor (see size-floor.mjs):
//
//   P_REPR   the reprs: how Future, Task, Handle, TimerHandle, the loop,
//            Timeout, Lock and Queue describe themselves (`String(x)`,
//            Node's `util.inspect`, `Object.prototype.toString`), in each
//            state @aio's tests check;
//   P_BRAND  two copies in one program: the runtime state shared on
//            globalThis, errors recognised across copies by their brand,
//            futures of one copy awaited, gathered and run by the other.
//
// For P_BRAND each side loads a second, separate copy of itself: the model
// bundled again, @aio's four packages bundled into one file (their own
// classes and module state; only globalThis is shared).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { build } from "esbuild";

/** `String(x)`, whether `util.inspect` says the same, and `Object.prototype.toString`'s tag. */
const repr = (x) => [String(x), inspect(x) === String(x), Object.prototype.toString.call(x)];
/** A repr with what depends on the run masked: a default task name, a loop time. */
const masked = (x) =>
  String(x)
    .replace(/Task-\d+/g, "Task-N")
    .replace(/when=\d+\.\d{3}/g, "when=T");
const errorName = (e) => (e instanceof Error ? e.name : String(e));

const copies = {};
/** A second copy of `side`'s packages, loaded once. */
function secondCopy(side) {
  copies[side] ??= side === "model" ? modelCopy() : aioCopy();
  return copies[side];
}

/** The model with every part, P_FAST and every feature, as size-floor.mjs checks it. */
async function modelCopy() {
  const flags = "P_CANCEL P_GEN P_SURFACE P_RUN P_REPORTS P_VALIDATE P_DEBUG P_FAST".split(" ");
  flags.push(..."P_HOOKS P_VTIME P_REPR P_BRAND P_MSG P_SIGINT P_TIMERS P_SYNCX".split(" "));
  const out = await build({
    stdin: {
      contents: `export * from "./model.js"; export * from "./seven.js";`,
      resolveDir: import.meta.dirname,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    define: Object.fromEntries(flags.map((p) => [p, "true"])),
    write: false,
    logLevel: "silent",
  });
  // Its own URL, so its own module even if this side's first copy was built the same way.
  const code = `${out.outputFiles[0].text}\n// the second copy\n`;
  return import(`data:text/javascript,${encodeURIComponent(code)}`);
}

async function aioCopy() {
  const require = createRequire(import.meta.url);
  const names = ["core", "loop", "futures", "sync"];
  const out = await build({
    stdin: {
      contents: names.map((p) => `export * from "@aio/${p}";`).join("\n"),
      resolveDir: import.meta.dirname,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    // The files Node loads for `@aio/*` (the dist layout's `node` condition).
    alias: Object.fromEntries(names.map((p) => [`@aio/${p}`, require.resolve(`@aio/${p}`)])),
    write: false,
    logLevel: "silent",
  });
  // A file, not a data: URL: @aio's modules read import.meta.url.
  const dir = mkdtempSync(join(tmpdir(), "aio-second-copy-"));
  try {
    const file = join(dir, "aio.mjs");
    writeFileSync(file, out.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const scenarios = {
  // ---- P_REPR ----------------------------------------------------------------------

  async "repr: Future in each state, and the values it shows"(api) {
    const log = [];
    await api.run(async () => {
      const f = new api.Future();
      log.push(repr(f));
      f.addDoneCallback(() => {});
      f.addDoneCallback(() => {});
      log.push(repr(f));
      f.setResult({ a: 1 });
      log.push(repr(f));
      const values = [1, "abc", "x".repeat(50), undefined, null, [1, 2], new Map(), true];
      values.push(1n, Symbol("s"), Object.create(null), new (class Point {})(), () => 1);
      for (const v of values) {
        const g = new api.Future();
        g.setResult(v);
        log.push(String(g));
      }
      for (const e of [new Error("boom"), new TypeError(""), new api.TimeoutError("t"), "str", 5]) {
        const g = new api.Future();
        g.setException(e);
        g.exception();
        log.push(String(g));
      }
      const c = new api.Future();
      c.cancel("why");
      log.push(repr(c));
      const s = api.sleep(10);
      log.push(String(s));
      s.cancel();
      log.push(String(s));
      const s0 = api.sleep(0, "v");
      log.push(String(s0));
      await s0;
      log.push(String(s0));
    });
    return log;
  },

  async "repr: Task pending, waiting, cancelling, done"(api) {
    const log = [];
    await api.run(async () => {
      log.push(masked(api.currentTask()));
      const t = api.createTask(
        async () => {
          await api.sleep(5);
          return "abc";
        },
        { name: "w" },
      );
      log.push(repr(t));
      await api.sleep(0);
      log.push(String(t));
      t.addDoneCallback(() => {});
      log.push(String(t));
      await t;
      log.push(repr(t));
      const c = api.createTask(() => api.sleep(50), { name: "c" });
      await api.sleep(0);
      c.cancel();
      log.push(String(c));
      await c.then(undefined, () => {});
      log.push(String(c));
      const e = api.createTask(
        async () => {
          throw new RangeError("bad");
        },
        { name: "e" },
      );
      await e.then(undefined, () => {});
      log.push(String(e));
      const early = api.createTask(async () => 1, { name: "early" });
      early.cancel("m");
      log.push(String(early));
      await early.then(undefined, () => {});
      log.push(String(early));
      const gen = api.createTask(
        function* () {
          yield* api.sleep(5);
          return 2;
        },
        { name: "gen" },
      );
      await api.sleep(0);
      log.push(String(gen));
      await gen;
      log.push(String(gen));
      const inner = api.createTask(() => api.sleep(5), { name: "inner" });
      const outer = api.createTask(
        async () => {
          await inner;
        },
        { name: "outer" },
      );
      await api.sleep(0);
      log.push(String(outer));
      inner.setName("renamed");
      log.push(String(outer));
      await outer;
      log.push(String(outer));
    });
    return log;
  },

  async "repr: Handle, TimerHandle, the loop, and the exception handler's handle"(api, side) {
    const log = [];
    const loop =
      side === "model" ? new api.EventLoop() : (await import("@aio/loop")).newEventLoop();
    log.push(repr(loop));
    await loop.runUntilComplete(async () => {
      log.push(repr(loop));
      const h = loop.callSoon(function tick() {});
      log.push(repr(h));
      h.cancel();
      log.push(repr(h));
      log.push(String(loop.callSoon(() => {})));
      log.push(String(loop.callSoon(async function later() {})));
      const t = loop.callAt(1500, function alarm() {});
      log.push(repr(t));
      t.cancel();
      log.push(repr(t));
      log.push(masked(loop.callLater(5, function ring() {})));
      loop.setExceptionHandler((_loop, ctx) => log.push([ctx.message, String(ctx.handle)]));
      const f = new api.Future();
      f.addDoneCallback(function boom() {
        throw new Error("x");
      });
      f.setResult(1);
      f.addDoneCallback(function late() {
        throw new Error("y");
      });
      loop.callSoon(function bad() {
        throw new Error("z");
      });
      await api.sleep(0);
      await api.sleep(0);
    });
    loop.setDebug(true);
    log.push(repr(loop));
    loop.close();
    log.push(repr(loop));
    return log;
  },

  async "repr: Timeout, GatheringFuture"(api) {
    const log = [];
    await api.run(async () => {
      await api.timeout(100, async (t) => {
        log.push(masked(t), inspect(t) === String(t), Object.prototype.toString.call(t));
      });
      const kept = await api.timeout(null, async (t) => {
        log.push(String(t));
        return t;
      });
      log.push(String(kept));
      try {
        await api.timeout(1, async (t) => {
          try {
            await api.sleep(50);
          } finally {
            log.push(String(t));
          }
        });
      } catch (e) {
        log.push(errorName(e));
      }
      const g = api.gather(api.sleep(1), api.sleep(2, "b"));
      log.push(repr(g));
      const waiter = api.createTask(() => g, { name: "waiter" });
      await api.sleep(0);
      log.push(String(g), String(waiter));
      await g;
      log.push(String(g));
      const failing = api.gather(
        api.createTask(async () => {
          throw new Error("no");
        }),
      );
      await failing.then(undefined, () => {});
      log.push(String(failing));
    });
    return log;
  },

  async "repr: Lock and Queue"(api) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      log.push(repr(lock));
      await lock.acquire();
      log.push(String(lock));
      const w1 = api.createTask(() => lock.acquire());
      const w2 = api.createTask(() => lock.acquire());
      await api.sleep(0);
      log.push(String(lock));
      w2.cancel();
      await w2.then(undefined, () => {});
      log.push(String(lock));
      lock.release();
      log.push(String(lock));
      await w1;
      log.push(String(lock));
      lock.release();

      const q = new api.Queue(2);
      log.push(repr(q));
      q.putNowait(1);
      q.putNowait("it's");
      log.push(String(q));
      const p = api.createTask(() => q.put({}));
      await api.sleep(0);
      log.push(String(q));
      q.getNowait();
      q.getNowait();
      log.push(String(q));
      await p;
      q.getNowait();
      const g = api.createTask(() => q.get());
      await api.sleep(0);
      log.push(String(q));
      q.putNowait([1, [2, [3, [4]]]]);
      log.push(String(q));
      await g;
      const big = new api.Queue();
      for (let i = 0; i < 23; i++) big.putNowait(i % 2 ? new Date(i * 1e9) : i);
      big.putNowait(null);
      log.push(String(big));
      q.taskDone();
      q.putNowait(5n);
      log.push(String(q));
      q.shutdown();
      log.push(String(q));
    });
    return log;
  },

  // ---- P_BRAND ---------------------------------------------------------------------

  async "brand: two copies share the running loop and the current task"(A, side) {
    const B = await secondCopy(side);
    const log = [A.Future !== B.Future, A.Task !== B.Task, A.CancelledError !== B.CancelledError];
    const outside = () => {
      try {
        return B.getRunningLoop();
      } catch (e) {
        return [e instanceof A.RuntimeError, e instanceof B.RuntimeError, e.message];
      }
    };
    log.push(outside(), B.currentTask());
    await A.run(async () => {
      const loop = A.getRunningLoop();
      log.push(B.getRunningLoop() === loop, B.currentTask() === A.currentTask());
      await new Promise((resolve) => setTimeout(resolve, 1)); // a foreign await
      log.push(B.getRunningLoop() === loop, B.currentTask() === A.currentTask());
      const tb = B.createTask(
        async () => {
          log.push(["in tb", A.currentTask() === tb, B.getRunningLoop() === loop]);
          await A.sleep(1);
          log.push(["tb after A.sleep", A.currentTask() === tb, B.currentTask() === tb]);
        },
        { name: "tb" },
      );
      log.push(A.allTasks().has(tb));
      await tb;
      try {
        await B.run(async () => {});
      } catch (e) {
        log.push(["B.run inside A", e instanceof A.RuntimeError, e.message]);
      }
    });
    log.push(outside());
    return log;
  },

  async "brand: a task of one copy awaits the other's futures, in order"(A, side) {
    const B = await secondCopy(side);
    const log = [];
    await A.run(async () => {
      const fa = new A.Future();
      const tb = B.createTask(
        async () => {
          log.push("tb waits");
          const v = await fa;
          log.push(`tb got ${v}`);
          for (let i = 0; i < 3; i++) {
            await A.sleep(0);
            log.push(`tb ${i}`);
          }
          return v * 2;
        },
        { name: "tb" },
      );
      const ta = A.createTask(
        async () => {
          for (let i = 0; i < 4; i++) {
            await B.sleep(0);
            log.push(`ta ${i}`);
          }
          return "a";
        },
        { name: "ta" },
      );
      await A.sleep(0);
      log.push(String(tb));
      fa.setResult(21);
      log.push(await tb, await ta, String(tb), String(ta));
      const sleeper = B.sleep(2, "slept");
      log.push(await sleeper);
    });
    return log;
  },

  async "brand: cancellation and timeouts across copies"(A, side) {
    const B = await secondCopy(side);
    const log = [];
    await A.run(async () => {
      const tb = B.createTask(
        async () => {
          try {
            await A.sleep(100);
          } catch (e) {
            log.push(["tb caught", e instanceof B.CancelledError, e instanceof A.CancelledError]);
            throw e;
          }
        },
        { name: "tb" },
      );
      await A.sleep(0);
      tb.cancel("stop");
      try {
        await tb;
      } catch (e) {
        log.push(["A caught", e instanceof A.CancelledError, e.name, e.message, tb.cancelled()]);
      }
      const fb = new B.Future();
      const ta = A.createTask(() => fb, { name: "ta" });
      await B.sleep(0);
      ta.cancel();
      await ta.then(undefined, (e) => log.push(["ta", e instanceof B.CancelledError]));
      log.push([fb.cancelled(), ta.cancelled()]);
      try {
        await B.timeout(1, () => A.sleep(50));
      } catch (e) {
        log.push(["B.timeout", e instanceof A.TimeoutError, e instanceof B.TimeoutError, e.name]);
      }
      const lock = new B.Lock();
      await lock.acquire();
      const w = A.createTask(() => lock.acquire(), { name: "w" });
      await A.sleep(0);
      w.cancel();
      await w.then(undefined, (e) => log.push(["lock waiter", e instanceof B.CancelledError]));
      lock.release();
      log.push(String(lock), await lock.acquire());
    });
    return log;
  },

  async "brand: errors are recognised across copies, subclasses by their prototype"(A, side) {
    const B = await secondCopy(side);
    const log = [];
    for (const name of ["CancelledError", "InvalidStateError", "TimeoutError", "RuntimeError"]) {
      const a = new A[name]("m");
      log.push([name, a instanceof B[name], new B[name]() instanceof A[name], a instanceof Error]);
      log.push([String(a), a.name, Object.keys(a), [...Object.entries(a)]]);
      const keys = [];
      for (const k in a) keys.push(k);
      log.push(keys);
    }
    const v = new B.ValueError("v");
    log.push([v instanceof A.ValueError, v instanceof RangeError, v instanceof A.CancelledError]);
    for (const name of ["QueueEmpty", "QueueFull", "QueueShutDown"]) {
      log.push([name, new A[name]() instanceof B[name], new B[name]() instanceof A[name]]);
    }
    try {
      new B.Queue().getNowait();
    } catch (e) {
      log.push([e instanceof A.QueueEmpty, e instanceof A.QueueFull, e.name]);
    }
    class Mine extends A.CancelledError {}
    log.push([
      new Mine() instanceof A.CancelledError,
      new Mine() instanceof B.CancelledError,
      new A.CancelledError() instanceof Mine,
      new B.CancelledError() instanceof Mine,
      new Mine() instanceof Mine,
    ]);
    log.push([null, undefined, "CancelledError", {}, 1].map((x) => x instanceof B.CancelledError));
    await A.run(async () => {
      const fa = new A.Future();
      log.push([fa instanceof A.Future, fa instanceof B.Future]);
      try {
        fa.result();
      } catch (e) {
        log.push(["result()", e instanceof B.InvalidStateError]);
      }
    });
    return log;
  },

  async "brand: gather and runUntilComplete take the other copy's futures as futures"(A, side) {
    const B = await secondCopy(side);
    const log = [];
    await A.run(async () => {
      const g = B.gather(
        A.createTask(async () => 1, { name: "a1" }),
        A.sleep(1, 2),
        B.createTask(async () => 3),
      );
      log.push(await g);
      // A future is its own child, not wrapped in a task: the gather's callback is on it at once.
      const fa = new A.Future();
      const one = B.gather(fa);
      log.push(String(fa));
      fa.setResult("a");
      log.push(await one);
      const failing = B.gather(
        A.createTask(async () => {
          throw new A.InvalidStateError("bad");
        }),
      );
      await failing.then(undefined, (e) =>
        log.push([errorName(e), e instanceof B.InvalidStateError]),
      );
      const twice = new A.Future();
      const both = B.gather(twice, twice);
      twice.setResult("t");
      log.push(await both);
    });
    const loop = side === "model" ? new B.EventLoop() : B.newEventLoop();
    const fa = side === "model" ? new A.Future(loop) : new A.Future({ loop });
    loop.callSoon(() => fa.setResult(9));
    log.push(await loop.runUntilComplete(fa));
    const fc = side === "model" ? new A.Future(loop) : new A.Future({ loop });
    loop.callSoon(() => fc.cancel("gone"));
    try {
      await loop.runUntilComplete(fc);
    } catch (e) {
      log.push([e instanceof B.CancelledError, e.message]);
    }
    loop.close();
    return log;
  },
};
