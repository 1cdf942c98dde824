// Scenarios of three of @aio's features beyond the floor (see size-floor.mjs):
//
//   P_MSG     @aio's messages: bad input and bad states give the same error
//             class and message as @aio's (packages/core/src/validate.ts,
//             describeValue, and the throw sites of loop, futures and sync)
//   P_SIGINT  run()'s SIGINT (packages/loop/src/runner.ts), in a child process
//   P_TIMERS  the lazy cleanup of cancelled timers (packages/loop/src/event-loop.ts)
//
// Each logs what a user sees; the logs must be the same under @aio and the model.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { bundleModel } from "./load-model.mjs";

/** A loop that is not running: @aio's `newEventLoop()`, the model's `new EventLoop()`. */
const newLoop = (api, side) => (side === "aio" ? api.newEventLoop() : new api.EventLoop());

/** Runs `fn` and logs `label: ok` or `label: <name>: <message>` (a Promise is awaited). */
async function attempt(log, label, fn) {
  try {
    const r = fn();
    if (r instanceof Promise) await r;
    log.push(`${label}: ok`);
  } catch (e) {
    log.push(`${label}: ${e?.name}: ${e?.message}`);
  }
}

/**
 * The messages that quote a task's or future's repr: the reprs are another
 * feature's (P_REPR), so they are shown as `<…>` here.
 */
const noReprs = (log) => log.map((line) => line.replace(/<[^<>]*(<[^<>]*>[^<>]*)*>/g, "<…>"));

const fn = () => {};
const f = function named() {};

// ---- P_MSG ----------------------------------------------------------------------

export const scenarios = {
  async "P_MSG: the loop's methods, bad input and a closed loop"(api, side) {
    const log = [];
    const loop = newLoop(api, side);
    const bad = [5, null, undefined, "abc", NaN, -1, {}, [], new Map(), 10n, Symbol("s"), f, true];
    for (const v of bad) {
      await attempt(log, `callSoon(${String(v)})`, () => loop.callSoon(v));
      await attempt(log, `callLater(${String(v)}, fn)`, () => loop.callLater(v, fn).cancel());
      await attempt(log, `callLater(1, ${String(v)})`, () => loop.callLater(1, v).cancel());
      await attempt(log, `callAt(${String(v)}, fn)`, () => loop.callAt(v, fn).cancel());
      await attempt(log, `callAt(1, ${String(v)})`, () => loop.callAt(1, v).cancel());
      await attempt(log, `setExceptionHandler(${String(v)})`, () => loop.setExceptionHandler(v));
      await attempt(log, `setTaskFactory(${String(v)})`, () => loop.setTaskFactory(v));
      // (null: the default executor, which @aio loads from @aio/executors; not a message)
      if (v != null) {
        await attempt(log, `runInExecutor(${String(v)}, fn)`, () => loop.runInExecutor(v, fn));
      }
      await attempt(log, `setDefaultExecutor(${String(v)})`, () => loop.setDefaultExecutor(v));
      await attempt(log, `addSignalHandler(${String(v)}, fn)`, () => loop.addSignalHandler(v, fn));
      await attempt(log, `removeSignalHandler(${String(v)})`, () => loop.removeSignalHandler(v));
      await attempt(log, `trackAsyncgen(${String(v)})`, () => loop.trackAsyncgen(v));
      await attempt(log, `slowCallbackDuration = ${String(v)}`, () => {
        loop.slowCallbackDuration = v;
      });
      await attempt(log, `createTask(${String(v)})`, () => loop.createTask(v));
      await attempt(log, `runUntilComplete(${String(v)})`, () => loop.runUntilComplete(v));
    }
    log.push(`slowCallbackDuration ${loop.slowCallbackDuration}`);
    await attempt(log, "addSignalHandler('SIGKILL', fn)", () =>
      loop.addSignalHandler("SIGKILL", fn),
    );
    await attempt(log, "addSignalHandler(19, fn)", () => loop.addSignalHandler(19, fn));
    await attempt(log, "addSignalHandler(1.5, fn)", () => loop.addSignalHandler(1.5, fn));
    await attempt(log, "addSignalHandler(999, fn)", () => loop.addSignalHandler(999, fn));
    await attempt(log, "addSignalHandler('SIGUSR2', 5)", () => loop.addSignalHandler("SIGUSR2", 5));
    await attempt(log, "removeSignalHandler('SIGUSR2')", () => loop.removeSignalHandler("SIGUSR2"));
    const inline = { submit: async (g) => g(), shutdown: async () => {} };
    await attempt(log, "runInExecutor(inline, 5)", () => loop.runInExecutor(inline, 5));
    await attempt(log, "runInExecutor(undefined, 5)", () => loop.runInExecutor(undefined, 5));
    await attempt(log, "setDefaultExecutor({ submit })", () =>
      loop.setDefaultExecutor({ submit() {} }),
    );
    for (const t of ["1", -1, NaN, {}]) {
      await attempt(log, `shutdownDefaultExecutor(${String(t)})`, () =>
        loop.shutdownDefaultExecutor(t),
      );
    }
    await attempt(log, "shutdownDefaultExecutor(null)", () => loop.shutdownDefaultExecutor(null));
    await attempt(log, "runInExecutor(null, fn) after shutdown", () =>
      loop.runInExecutor(null, fn),
    );
    const other = newLoop(api, side);
    await attempt(log, "runUntilComplete(another loop's future)", () =>
      loop.runUntilComplete(other.createFuture()),
    );
    other.close();
    loop.close();
    log.push(`closed ${loop.isClosed()}`);
    await attempt(log, "closed: callSoon(fn)", () => loop.callSoon(fn));
    await attempt(log, "closed: callSoon(5)", () => loop.callSoon(5));
    await attempt(log, "closed: callLater(1, 5)", () => loop.callLater(1, 5));
    await attempt(log, "closed: callLater(NaN, fn)", () => loop.callLater(NaN, fn));
    await attempt(log, "closed: callAt(1, 5)", () => loop.callAt(1, 5));
    await attempt(log, "closed: createTask(fn)", () => loop.createTask(fn));
    await attempt(log, "closed: createTask(5)", () => loop.createTask(5));
    await attempt(log, "closed: runForever()", () => loop.runForever());
    await attempt(log, "closed: runUntilComplete(5)", () => loop.runUntilComplete(5));
    await attempt(log, "closed: addSignalHandler(5, 5)", () => loop.addSignalHandler(5, 5));
    await attempt(log, "closed: runInExecutor(5, 5)", () => loop.runInExecutor(5, 5));
    await attempt(log, "closed: close()", () => loop.close());
    return log;
  },

  async "P_MSG: the functions and classes outside a loop"(api) {
    const log = [];
    await attempt(log, "getRunningLoop()", () => api.getRunningLoop());
    await attempt(log, "sleep(1)", () => api.sleep(1));
    await attempt(log, "sleep('1')", () => api.sleep("1"));
    await attempt(log, "createTask(fn)", () => api.createTask(async () => {}));
    await attempt(log, "createTask(5)", () => api.createTask(5));
    await attempt(log, "new Task(5)", () => new api.Task(5));
    await attempt(log, "new Task(fn)", () => new api.Task(fn));
    await attempt(log, "new Future()", () => new api.Future());
    await attempt(log, "gather()", () => api.gather());
    await attempt(log, "gather(fn)", () => api.gather(async () => {}));
    await attempt(log, "gather(5)", () => api.gather(5));
    await attempt(log, "timeout(1, fn)", () => api.timeout(1, async () => {}));
    await attempt(log, "timeout('1', fn)", () => api.timeout("1", async () => {}));
    await attempt(log, "run(5)", () => api.run(5));
    await attempt(log, "run(fn, 5)", () => api.run(fn, 5));
    await attempt(log, "run(fn, [])", () => api.run(fn, []));
    await attempt(log, "run(fn, null)", () => api.run(fn, null));
    await attempt(log, "run(fn, { loopFactory: 5 })", () => api.run(fn, { loopFactory: 5 }));
    for (const v of ["1", 1.5, NaN, null, {}, Infinity, -Infinity, -1, 0, 3]) {
      await attempt(log, `new Queue(${String(v)})`, () => new api.Queue(v));
    }
    const lock = new api.Lock();
    await attempt(log, "free lock.acquire()", () => lock.acquire());
    await attempt(log, "held lock.acquire()", () => lock.acquire());
    log.push(`locked ${lock.locked()}`);
    await attempt(log, "lock.release()", () => lock.release());
    await attempt(log, "lock.release() again", () => lock.release());
    const q = new api.Queue(1);
    await attempt(log, "empty queue.get()", () => q.get());
    await attempt(log, "queue.put(1)", () => q.put(1));
    await attempt(log, "full queue.put(2)", () => q.put(2));
    await attempt(log, "queue.join()", () => q.join());
    await attempt(log, "queue.putNowait(2)", () => q.putNowait(2));
    log.push(`qsize ${q.qsize()}`);
    return log;
  },

  async "P_MSG: Future, Task, sleep, createTask in a loop"(api, side) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      const fut = loop.createFuture();
      await attempt(log, "pending result()", () => fut.result());
      await attempt(log, "pending exception()", () => fut.exception());
      await attempt(log, "addDoneCallback(5)", () => fut.addDoneCallback(5));
      await attempt(log, "addDoneCallback(null)", () => fut.addDoneCallback(null));
      await attempt(log, "setException(CancelledError)", () =>
        fut.setException(new api.CancelledError("x")),
      );
      log.push(`done ${fut.done()}`);
      fut.setResult(1);
      await attempt(log, "finished setResult(2)", () => fut.setResult(2));
      await attempt(log, "finished setException(e)", () => fut.setException(new Error("e")));
      await attempt(log, "finished setException(CancelledError)", () =>
        fut.setException(new api.CancelledError()),
      );
      const c = loop.createFuture();
      c.cancel("why");
      await attempt(log, "cancelled result()", () => c.result());
      await attempt(log, "cancelled setResult(1)", () => c.setResult(1));
      await attempt(log, "cancelled exception()", () => c.exception());
      const t = api.createTask(async () => 1);
      await attempt(log, "task.setResult(1)", () => t.setResult(1));
      await attempt(log, "task.setException(e)", () => t.setException(new Error()));
      await attempt(log, "task.result() before done", () => t.result());
      await t;
      for (const v of [5, null, "abc", f, {}]) {
        await attempt(log, `createTask(${String(v)})`, () => api.createTask(v));
        await attempt(log, `sleep(${String(v)})`, () => api.sleep(v));
        await attempt(log, `gather(${String(v)})`, () => api.gather(v));
      }
      await attempt(log, "sleep(NaN)", () => api.sleep(NaN));
      await attempt(log, "sleep()", () => api.sleep());
      await attempt(log, "sleep(undefined, 'v')", async () =>
        log.push(await api.sleep(undefined, "v")),
      );
      await attempt(log, "sleep(-5)", () => api.sleep(-5));
      await attempt(log, "sleep(Infinity)", () => {
        api.sleep(Number.POSITIVE_INFINITY).cancel();
      });
      await attempt(log, "run() inside", () => api.run(5));
      await attempt(log, "runUntilComplete(fn) on the running loop", () =>
        loop.runUntilComplete(fn),
      );
      const other = newLoop(api, side);
      await attempt(log, "another loop's runForever()", () => other.runForever());
      const foreign = other.createFuture();
      await attempt(log, "gather(own, foreign)", () => api.gather(loop.createFuture(), foreign));
      await attempt(log, "await foreign future", async () => {
        await foreign;
      });
      const self = api.createTask(async () => {
        await self;
      });
      await attempt(log, "task awaits itself", async () => {
        await self;
      });
      other.close();
      if (side === "model" && !api.Task.prototype._resumeGenerator) return;
      const gen = (body) =>
        api.createTask(function* () {
          try {
            yield* body();
          } catch (e) {
            log.push(`generator caught ${e.name}: ${e.message}`);
          }
        });
      await gen(function* () {
        yield 5;
      });
      await gen(function* () {
        yield "str";
      });
      const selfGen = api.createTask(function* () {
        try {
          yield selfGen;
        } catch (e) {
          log.push(`generator caught ${e.name}: ${e.message}`);
        }
      });
      await selfGen;
      const other2 = newLoop(api, side);
      const foreign2 = other2.createFuture();
      await gen(function* () {
        yield foreign2;
      });
      other2.close();
    });
    return noReprs(log);
  },

  async "P_MSG: gather, timeout, Lock and Queue in a loop"(api) {
    const log = [];
    const loop = { t: null };
    await api.run(async () => {
      loop.t = api.getRunningLoop();
      for (const v of ["1", NaN, undefined, {}, -1]) {
        await attempt(log, `timeout(${String(v)}, fn)`, () => api.timeout(v, async () => "in"));
      }
      await attempt(log, "timeout(1, 5)", () => api.timeout(1, 5));
      await attempt(log, "timeout(null, null)", () => api.timeout(null, null));
      await attempt(log, "timeout(5, sleep 1000)", () => api.timeout(5, () => api.sleep(1000)));
      await attempt(log, "timeout(0, sleep 1000)", () => api.timeout(0, () => api.sleep(1000)));
      await attempt(log, "timeout(null) rescheduled", () =>
        api.timeout(null, (t) => {
          t.reschedule(loop.t.time() + 2);
          return api.sleep(1000);
        }),
      );
      let handle;
      await attempt(log, "timeout(1000) reschedule bad", () =>
        api.timeout(1000, async (t) => {
          handle = t;
          for (const v of ["x", NaN, undefined, {}]) {
            await attempt(log, `reschedule(${String(v)})`, () => t.reschedule(v));
          }
          t.reschedule(null);
          log.push(`when ${t.when()}`);
        }),
      );
      await attempt(log, "finished reschedule(1)", () => handle.reschedule(1));
      await attempt(log, "finished reschedule('x')", () => handle.reschedule("x"));
      const lock = new api.Lock();
      await attempt(log, "release unlocked", () => lock.release());
      const q = new api.Queue(1);
      await attempt(log, "getNowait empty", () => q.getNowait());
      q.putNowait(1);
      await attempt(log, "putNowait full", () => q.putNowait(2));
      await attempt(log, "taskDone", () => q.taskDone());
      await attempt(log, "taskDone again", () => q.taskDone());
      q.shutdown();
      await attempt(log, "putNowait shut down", () => q.putNowait(3));
      await attempt(log, "put shut down", () => q.put(3));
      log.push(`get ${await q.get()}`);
      await attempt(log, "get shut down", () => q.get());
      await attempt(log, "getNowait shut down", () => q.getNowait());
      const e = new api.QueueEmpty();
      log.push(
        `${String(e)} | ${String(new api.QueueFull("custom"))} | ${String(new api.QueueShutDown())}`,
      );
    });
    return log.map((line) => line.replace(/loop time [\d.e+-]+ ms/, "loop time N ms"));
  },

  // ---- P_SIGINT -------------------------------------------------------------------

  async "P_SIGINT: run() and Ctrl-C, in a child process"(_api, side) {
    const log = [];
    const dir = mkdtempSync(join(tmpdir(), "aio-sigint-"));
    try {
      let imports;
      if (side === "aio") {
        const url = (p) => JSON.stringify(import.meta.resolve(p));
        imports = `import { run, isKeyboardInterrupt } from ${url("@aio/loop")};
          import { sleep, currentTask, createTask } from ${url("@aio/futures")};
          import { getRunningLoop } from ${url("@aio/core")};`;
      } else {
        writeFileSync(join(dir, "model.mjs"), await modelBundle());
        imports = `import { run, sleep, currentTask, createTask, getRunningLoop, KeyboardInterrupt } from "./model.mjs";
          const isKeyboardInterrupt = (e) => e instanceof KeyboardInterrupt;`;
      }
      for (const [name, body] of Object.entries(SIGINT_CASES)) {
        const file = join(dir, `${name}.mjs`);
        writeFileSync(file, `${imports}\n${CHILD_PRELUDE}\n${body}`);
        log.push(`-- ${name}`, ...(await runChild(file)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return log;
  },

  // ---- P_TIMERS -------------------------------------------------------------------

  async "P_TIMERS: cancelled timers are dropped once over 100 and over half the heap"(api) {
    // Nothing public tells how many timers the loop holds; what a program can
    // see is whether a cancelled timer's handle is still held: a WeakRef
    // after a full garbage collection (through public APIs only).
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    const hostTurn = () => new Promise((r) => setTimeout(r, 0));
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      const live = [];
      const cancelled = [];
      /** Schedules `n` timers after the live ones and cancels them, keeping only WeakRefs. */
      const cancelSome = (n, times = 1) => {
        for (let i = 0; i < n; i++) {
          const h = loop.callLater(60_000 + i, fn);
          for (let k = 0; k < times; k++) h.cancel();
          cancelled.push(new WeakRef(h));
        }
      };
      const held = async (label) => {
        await api.sleep(0); // a new iteration: where the loop may rebuild its heap
        await api.sleep(0);
        await hostTurn();
        gc();
        await hostTurn();
        gc();
        log.push(
          `${label}: ${cancelled.filter((r) => r.deref() !== undefined).length} of ${cancelled.length} cancelled still held`,
        );
      };
      for (let i = 0; i < 50; i++) live.push(loop.callLater(30_000 + i, fn));
      cancelSome(100);
      await held("50 live, 100 cancelled (not over 100)");
      cancelSome(1);
      await held("50 live, 101 cancelled");
      for (let i = 0; i < 400; i++) live.push(loop.callLater(30_000 + i, fn));
      cancelSome(300);
      await held("450 live, 300 cancelled (not over half)");
      cancelSome(151);
      await held("450 live, 451 cancelled");
      // Cancelled after it ran: not counted; cancelled twice: counted once.
      const ran = [];
      for (let i = 0; i < 200; i++) ran.push(loop.callLater(0, fn));
      await api.sleep(1);
      for (const h of ran) h.cancel();
      cancelSome(60, 2);
      await held("450 live, 60 cancelled twice, 200 cancelled after they ran");
      cancelSome(101, 2);
      await held("450 live, 161 cancelled twice");
      // Cancelled at the top of the heap: dropped one by one, and uncounted.
      for (const h of live.splice(0, 200)) {
        h.cancel();
        cancelled.push(new WeakRef(h));
      }
      await held("250 live, the 200 earliest cancelled too");
      cancelSome(100);
      await held("250 live, 261 cancelled");
      log.push(`order kept: ${await order(loop, api)}`);
      for (const h of live) h.cancel();
    });
    return log;
  },
};

/** The asyncio test: 1000 timers, 900 cancelled, the rest fire in deadline order. */
async function order(loop, api) {
  const fired = [];
  const t0 = loop.time();
  const handles = Array.from({ length: 1000 }, (_, i) =>
    loop.callAt(t0 + 20 - i / 50, () => fired.push(i)),
  );
  for (const [i, h] of handles.entries()) if (i % 10 !== 0) h.cancel();
  await api.sleep(40);
  const expected = Array.from({ length: 100 }, (_, k) => 990 - 10 * k);
  return JSON.stringify(fired) === JSON.stringify(expected);
}

// ---- the SIGINT child processes ----------------------------------------------------

/** The model bundle with every part and feature on (as size-floor.mjs's third check). */
const modelBundle = () => bundleModel({ fast: true, features: true });

/** Lines to the parent; "ready" tells it to send the next SIGINT. */
const CHILD_PRELUDE = `
const say = (line) => process.stdout.write(line + "\\n");
const describe = (e) => \`\${e?.name}: \${e?.message} (KeyboardInterrupt \${isKeyboardInterrupt(e)}, cause \${e?.cause?.name})\`;
process.on("exit", (code) => say(\`exit \${code}, SIGINT listeners \${process.listenerCount("SIGINT")}\`));
`;

const SIGINT_CASES = {
  "main cancelled, run() fails with KeyboardInterrupt": `
    try {
      await run(async () => {
        say(\`listeners in main \${process.listenerCount("SIGINT")}\`);
        try {
          say("ready");
          await sleep(10_000);
        } catch (e) {
          say(\`main sees \${e.name}, cancelling \${currentTask().cancelling()}\`);
          throw e;
        }
      });
    } catch (e) {
      say(\`run() fails: \${describe(e)}\`);
      process.exitCode = 130;
    }
    say(\`after run, listeners \${process.listenerCount("SIGINT")}\`);`,

  "main catches the cancellation and returns": `
    const r = await run(async () => {
      try {
        say("ready");
        await sleep(10_000);
      } catch (e) {
        say(\`main sees \${e.name}\`);
        currentTask().uncancel();
      }
      await sleep(1);
      return "survived";
    });
    say(\`run() returns \${r}\`);`,

  "main swallows the cancellation but stays cancelling": `
    try {
      await run(async () => {
        try {
          say("ready");
          await sleep(10_000);
        } catch (e) {
          say(\`main sees \${e.name}\`);
        }
        await sleep(1);
        return "swallowed";
      }).then((r) => say(\`run() returns \${r}\`));
    } catch (e) {
      say(\`run() fails: \${describe(e)}\`);
    }`,

  "main uncancels, then fails with CancelledError anyway": `
    try {
      await run(async () => {
        try {
          say("ready");
          await sleep(10_000);
        } catch (e) {
          say(\`main sees \${e.name}, uncancel \${currentTask().uncancel()}\`);
          throw e;
        }
      });
    } catch (e) {
      say(\`run() fails: \${describe(e)}\`);
    }`,

  "a second Ctrl-C ends the process": `
    await run(async () => {
      try {
        say("ready");
        await sleep(10_000);
      } catch (e) {
        say(\`main sees \${e.name}, goes on\`);
      }
      say("ready");
      await sleep(10_000);
      say("not reached");
    });`,

  "the loop's own SIGINT handler takes the signal": `
    const r = await run(async () => {
      const loop = getRunningLoop();
      const got = loop.createFuture();
      const keepAlive = loop.callLater(10_000, () => {}); // a signal listener keeps no process alive
      loop.addSignalHandler("SIGINT", () => {
        say(\`loop handler, main cancelling \${currentTask()?.cancelling() ?? "-"}\`);
        got.setResult();
      });
      say("ready");
      await got;
      keepAlive.cancel();
      say(\`main cancelling \${currentTask().cancelling()}\`);
      loop.removeSignalHandler("SIGINT");
      say(\`handler removed, listeners \${process.listenerCount("SIGINT")}\`);
      try {
        say("ready");
        await sleep(10_000);
      } catch (e) {
        say(\`main sees \${e.name}\`);
        throw e;
      }
    }).catch((e) => describe(e));
    say(\`run() ends: \${r}\`);`,

  "another SIGINT listener: run() leaves the signal alone": `
    process.on("SIGINT", () => say("own listener"));
    const r = await run(async () => {
      say("ready");
      await sleep(300);
      return "slept through";
    });
    say(\`run() returns \${r}\`);
    process.exit(0);`,

  "SIGINT while run() cancels a leftover task": `
    await run(async () => {
      createTask(async () => {
        try {
          await sleep(10_000);
        } catch (e) {
          say(\`leftover sees \${e.name}, listeners \${process.listenerCount("SIGINT")}\`);
          say("ready");
          await sleep(2_000);
          say("not reached");
        }
      });
      await sleep(1);
      return "done";
    });
    say("not reached either");`,
};

/** Runs a child, sends SIGINT at each "ready", and logs its lines and how it ended. */
function runChild(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
    const lines = [];
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      let i = buffer.indexOf("\n");
      while (i >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        lines.push(line);
        // Give the child a moment to be asleep in the loop, then interrupt it.
        if (line === "ready") setTimeout(() => child.kill("SIGINT"), 50);
        i = buffer.indexOf("\n");
      }
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (buffer) lines.push(buffer);
      lines.push(`ended: code ${code}, signal ${signal}`);
      if (stderr.trim()) lines.push(`stderr: ${stderr.trim().split("\n")[0]}`);
      resolve(lines);
    });
  });
}
