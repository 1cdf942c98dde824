// Scenarios that the size-floor model must run exactly as @aio does (whose
// orderings are checked against CPython's asyncio in the suites). Each takes
// an API object ({ run, sleep, createTask, currentTask, getRunningLoop,
// CancelledError, RuntimeError }) and resolves to an event log.

export const scenarios = {
  async "callbacks FIFO, timers by deadline, sleep(0) is one iteration"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      // Deadlines already past, so the order does not depend on the clock:
      // deadline order, FIFO for equal deadlines, after the ready callbacks.
      const now = loop.time();
      loop.callAt(now, () => log.push("timer b"));
      loop.callAt(now - 1, () => log.push("timer a"));
      loop.callAt(now, () => log.push("timer c"));
      loop.callSoon(() => log.push("soon a"));
      loop.callSoon(() => log.push("soon b"));
      const t = api.createTask(async () => {
        for (let i = 0; i < 3; i++) {
          log.push(`t ${i}`);
          await api.sleep(0);
        }
      });
      for (let i = 0; i < 3; i++) {
        log.push(`main ${i}`);
        await api.sleep(0);
      }
      await t;
      await api.sleep(5);
    });
    return log;
  },

  async "cancel lands at the await; cancelling, uncancel, signal"(api) {
    const log = [];
    await api.run(async () => {
      const t = api.createTask(async () => {
        try {
          await api.sleep(1000);
        } catch (e) {
          log.push(`caught ${e.name} ${e.message}`);
          log.push(`cancelling ${api.currentTask().cancelling()}`);
          api.currentTask().uncancel();
          log.push(`after uncancel ${api.currentTask().cancelling()}`);
        }
        await api.sleep(0);
        return "survived";
      });
      await api.sleep(0);
      const signal = t.signal;
      log.push(`cancel ${t.cancel("stop")}`);
      log.push(`aborted ${signal.aborted} ${signal.reason?.name}`);
      log.push(`result ${await t}`);
      const u = api.createTask(async () => {
        await api.sleep(1000);
      });
      await api.sleep(0);
      u.cancel();
      try {
        await u;
      } catch (e) {
        log.push(`awaited ${e.name} cancelled=${u.cancelled()}`);
      }
    });
    return log;
  },

  async "cancelled before its first step, the function never runs"(api) {
    const log = [];
    await api.run(async () => {
      const t = api.createTask(async () => log.push("ran"));
      t.cancel();
      await api.sleep(0);
      log.push(`cancelled ${t.cancelled()}`);
    });
    return log;
  },

  async "a cancellation during a foreign await lands at the next @aio await"(api) {
    const log = [];
    await api.run(async () => {
      const t = api.createTask(async () => {
        await new Promise((r) => setTimeout(r, 5));
        log.push("after foreign");
        try {
          await api.sleep(0);
          log.push("not cancelled");
        } catch (e) {
          log.push(`caught ${e.name}`);
          throw e;
        }
      });
      await api.sleep(1);
      t.cancel();
      try {
        await t;
      } catch (e) {
        log.push(`main sees ${e.name}`);
      }
    });
    return log;
  },

  async "a task resumed by a foreign promise awaits while another task's step is in flight"(api) {
    const log = [];
    await api.run(async () => {
      const main = api.currentTask();
      // A foreign await: main's step is let go at the next host turn.
      await new Promise((r) => setTimeout(r, 5));
      const fut = new api.Future();
      const t = api.createTask(async () => {
        await api.sleep(1);
        log.push(`t is current ${api.currentTask() === t}`);
      });
      api.getRunningLoop().callSoon(() => fut.setResult("set"));
      // The await is main's, not that of t's step in flight.
      log.push(await fut, `main is current ${api.currentTask() === main}`);
      await t;
      log.push(`t done ${t.done()}, main is current ${api.currentTask() === main}`);
    });
    return log;
  },

  async "run() cancels leftover tasks and runs their finally before it resolves"(api) {
    const log = [];
    const result = await api.run(async () => {
      api.createTask(async () => {
        try {
          await api.sleep(10_000);
        } finally {
          log.push("leftover finally");
        }
      });
      await api.sleep(0);
      return "main done";
    });
    log.push(result);
    return log;
  },

  async "generator tasks ping-pong with yield*"(api) {
    const log = [];
    await api.run(function* () {
      const loop = api.getRunningLoop();
      let ball = loop.createFuture();
      const player = (name) =>
        function* () {
          for (let i = 0; i < 3; i++) {
            const mine = ball;
            const got = yield* mine;
            log.push(`${name} got ${got}`);
            ball = loop.createFuture();
            ball.setResult(got + 1);
            yield* api.sleep(0);
          }
        };
      const a = api.createTask(player("a"));
      const b = api.createTask(player("b"));
      ball.setResult(0);
      yield* a;
      yield* b;
    });
    return log;
  },

  async "nested run() and getRunningLoop() outside a loop"(api) {
    const log = [];
    try {
      api.getRunningLoop();
    } catch (e) {
      log.push(`${e.name}: ${e.message}`);
    }
    await api.run(async () => {
      try {
        await api.run(async () => {});
      } catch (e) {
        log.push(`${e.name}: ${e.message}`);
      }
    });
    return log;
  },

  async "a task exception never retrieved is reported when the loop closes"(api) {
    const log = [];
    await api.run(async () => {
      api.getRunningLoop().setExceptionHandler((_loop, ctx) => {
        log.push(`${ctx.message}: ${ctx.exception?.message}`);
      });
      api.createTask(async () => {
        throw new Error("boom");
      });
      await api.sleep(0);
      await api.sleep(0);
    });
    return log;
  },

  async "an eager task runs to its first await inside createTask"(api) {
    const log = [];
    await api.run(async () => {
      const t = api.createTask(
        async () => {
          log.push("eager start");
          await api.sleep(0);
          log.push("eager resumed");
          return 1;
        },
        { eagerStart: true },
      );
      log.push("after createTask");
      await api.sleep(0);
      log.push(`main resumed, done ${t.done()}`);
      await t;
    });
    return log;
  },

  async "cancelling a task cancels the task it awaits; requests are counted"(api) {
    const log = [];
    await api.run(async () => {
      const inner = api.createTask(async () => {
        try {
          await api.sleep(10_000);
        } catch (e) {
          log.push(`inner caught ${e.name} ${e.message}`);
          throw e;
        }
      });
      const outer = api.createTask(async () => {
        try {
          await inner;
        } catch (e) {
          log.push(`outer caught ${e.name} ${e.message}`);
          return "outer swallowed it";
        }
      });
      await api.sleep(0);
      await api.sleep(0);
      outer.cancel("first");
      outer.cancel("second");
      log.push(`outer cancelling ${outer.cancelling()}`);
      log.push(`outer result ${await outer}`);
      log.push(`inner cancelled ${inner.cancelled()} outer cancelled ${outer.cancelled()}`);
    });
    return log;
  },

  async "Future states: result(), exception(), callbacks"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      const f = loop.createFuture();
      for (const m of ["result", "exception"]) {
        try {
          f[m]();
        } catch (e) {
          log.push(`${m}: ${e.name}`);
        }
      }
      const cb = (fut) => log.push(`callback sees ${fut.result()}`);
      f.addDoneCallback(cb);
      f.addDoneCallback(cb);
      f.addDoneCallback(() => log.push("other callback"));
      log.push(`removed ${f.removeDoneCallback(cb)}`);
      f.addDoneCallback(cb);
      f.setResult(7);
      try {
        f.setResult(8);
      } catch (e) {
        log.push(`second setResult: ${e.name}`);
      }
      log.push(`cancel a done future: ${f.cancel()}`);
      await api.sleep(0);
      const c = loop.createFuture();
      c.cancel("why");
      try {
        c.result();
      } catch (e) {
        log.push(`cancelled result: ${e.name} ${e.message}`);
      }
    });
    return log;
  },

  async "awaiting a done Future does not give up the loop"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      const done = loop.createFuture();
      done.setResult("value");
      loop.callSoon(() => log.push("callback"));
      log.push(`awaited ${await done}`);
      const failed = loop.createFuture();
      failed.setException(new Error("failed"));
      try {
        await failed;
      } catch (e) {
        log.push(`awaited error ${e.message}`);
      }
      await api.sleep(0);
      log.push("after sleep");
    });
    return log;
  },

  async "a failing callback goes to the exception handler; the loop goes on"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      loop.setExceptionHandler((_loop, ctx) =>
        log.push(`${ctx.message}: ${ctx.exception.message}`),
      );
      loop.callSoon(() => {
        throw new Error("cb failed");
      });
      loop.callSoon(() => log.push("next callback"));
      await api.sleep(0);
      await api.sleep(0);
    });
    return log;
  },
};

export const hostScenarios = {
  async "signal handlers: validation, delivery on the loop, removal"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      for (const sig of ["SIGFOO", 9, "SIGSTOP"]) {
        try {
          loop.addSignalHandler(sig, () => {});
        } catch (e) {
          log.push(`${String(sig)}: ${e.name}`);
        }
      }
      const got = loop.createFuture();
      loop.addSignalHandler("SIGUSR2", (x) => got.setResult(x), "arg");
      process.kill(process.pid, "SIGUSR2");
      log.push(`handler got ${await got}`);
      log.push(
        `removed ${loop.removeSignalHandler("SIGUSR2")} ${loop.removeSignalHandler("SIGUSR2")}`,
      );
    });
    return log;
  },

  async "runInExecutor: result, error, cancellation reaches the job"(api) {
    const log = [];
    const jobs = [];
    const executor = {
      submit(fn, ...args) {
        const job = new Promise((resolve) => setTimeout(resolve, 1)).then(() => fn(...args));
        job.cancel = () => log.push("job cancelled");
        jobs.push(job);
        return job;
      },
      async shutdown() {},
    };
    await api.run(async () => {
      const loop = api.getRunningLoop();
      log.push(`result ${await loop.runInExecutor(executor, (a, b) => a + b, 2, 3)}`);
      try {
        await loop.runInExecutor(executor, () => {
          throw new Error("job failed");
        });
      } catch (e) {
        log.push(`error ${e.message}`);
      }
      const f = loop.runInExecutor(executor, () => 1);
      f.cancel();
      await api.sleep(0);
      log.push(`cancelled ${f.cancelled()}`);
      loop.setDefaultExecutor(executor);
      log.push(`default ${await loop.runInExecutor(null, () => "ok")}`);
    });
    await Promise.allSettled(jobs);
    return log;
  },

  async "run() closes tracked async generators"(api) {
    const log = [];
    await api.run(async () => {
      async function* numbers() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          log.push("generator finally");
        }
      }
      const gen = numbers();
      api.getRunningLoop().trackAsyncgen(gen);
      log.push(`first ${(await gen.next()).value}`);
    });
    log.push("run returned");
    return log;
  },
};
