// Scenarios of two of @aio's features beyond the floor (see size-floor.mjs):
//
// P_HOOKS: the instrument hooks of issue 7 (`addInstrument`,
// `removeInstrument`, and the hooks the loop and tasks call, in @aio's order
// and with its arguments).
// P_VTIME: the virtual-time loop (`@aio/loop/testing`: `VirtualTimeLoop`,
// `runVirtual`); the model exports both from model.js.

/** @aio's testing entry on the @aio side, the model's own exports on the other. */
async function testing(api, side) {
  return side === "aio" ? await import("@aio/loop/testing") : api;
}

/**
 * An instrument that logs every hook it hears, with stable descriptions of
 * the arguments: default task names (`Task-N`, from a counter the whole
 * process shares) renumbered in order of appearance, loops numbered, a handle
 * told apart as a timer, a callSoon handle, or one of the loop's own items
 * (a task's first step, a done callback).
 */
function recorder(api, log) {
  const names = new Map();
  const loops = new Map();
  const open = [];
  const name = (t) => {
    const n = t.getName();
    if (!/^Task-\d+$/.test(n)) return n;
    if (!names.has(n)) names.set(n, `task#${names.size + 1}`);
    return names.get(n);
  };
  const loop = (l) => {
    if (!loops.has(l)) loops.set(l, `loop#${loops.size + 1}`);
    return loops.get(l);
  };
  const handle = (h) =>
    h instanceof api.TimerHandle ? "timer" : h.constructor === api.Handle ? "soon" : "internal";
  const awaiting = (f) =>
    f === null ? "nothing" : f instanceof api.Task ? `task ${name(f)}` : "a future";
  const outcome = (t) => (t.cancelled() ? "cancelled" : t.exception() ? "failed" : "finished");
  return {
    loopStarted: (l) => log.push(`loopStarted ${loop(l)} running=${l.isRunning()}`),
    loopStopped: (l) => log.push(`loopStopped ${loop(l)} running=${l.isRunning()}`),
    loopClosing: (l) => log.push(`loopClosing ${loop(l)} closed=${l.isClosed()}`),
    callbackStart(l, h) {
      open.push(h);
      log.push(`callbackStart ${loop(l)} ${handle(h)}`);
    },
    callbackEnd(l, h, ms) {
      const same = open.pop() === h;
      log.push(`callbackEnd ${loop(l)} ${handle(h)} same=${same} ms=${typeof ms}${ms >= 0}`);
    },
    taskCreated: (t) => log.push(`taskCreated ${name(t)} done=${t.done()}`),
    taskStep: (t) => log.push(`taskStep ${name(t)}`),
    taskStepEnd: (t, f) => log.push(`taskStepEnd ${name(t)} awaiting ${awaiting(f)}`),
    taskDone: (t) => log.push(`taskDone ${name(t)} ${outcome(t)}`),
  };
}

/**
 * Runs `main` with a recorder registered, under `runVirtual()` (so that
 * which timers are due together does not depend on the machine's speed), or
 * under `run()` when `side` is null; returns the log.
 */
async function recorded(api, side, main) {
  const log = [];
  const remove = api.addInstrument(recorder(api, log));
  try {
    await (side === null ? api.run : (await testing(api, side)).runVirtual)(() => main(log));
  } finally {
    remove();
  }
  return log;
}

export const scenarios = {
  async "hooks: addInstrument registers once, its remover and removeInstrument unregister"(api) {
    const log = [];
    // (A default name, `Task-N`, counts every task of the process: not logged.)
    const named = (t) => (/^Task-\d+$/.test(t.getName()) ? "Task-N" : t.getName());
    const hooks = { taskCreated: (t) => log.push(`created ${named(t)}`) };
    const remove = api.addInstrument(hooks);
    log.push(`same remover ${typeof api.addInstrument(hooks)}`);
    await api.run(async () => {
      await api.createTask(async () => {}, { name: "once" });
    });
    remove();
    log.push(`removed again ${api.removeInstrument(hooks)}`);
    await api.run(async () => {
      await api.createTask(async () => {}, { name: "unheard" });
    });
    log.push(`re-added ${typeof api.addInstrument(hooks)}`);
    log.push(`removed ${api.removeInstrument(hooks)}`);
    for (const bad of [null, 5, "x", undefined, function probe() {}, "y".repeat(50)]) {
      try {
        api.addInstrument(bad);
      } catch (e) {
        log.push(`${e.name}: ${e.message}`);
      }
    }
    // An instrument without hooks is skipped; two instruments are called in
    // the order they were added.
    const empty = {};
    const a = { taskStep: () => log.push("a step") };
    const b = { taskStep: () => log.push("b step") };
    for (const i of [empty, a, b]) api.addInstrument(i);
    try {
      await api.run(async () => {});
    } finally {
      for (const i of [empty, a, b]) api.removeInstrument(i);
    }
    return log;
  },

  async "hooks: callbacks, timers, async tasks, awaits and run()'s shutdown, in order"(api, side) {
    return recorded(api, side, async (log) => {
      const loop = api.getRunningLoop();
      loop.callSoon(() => log.push("soon ran"));
      loop.callLater(1, () => log.push("timer ran"));
      const worker = api.createTask(
        async () => {
          log.push("worker runs");
          await api.sleep(0);
          log.push("worker after sleep(0)");
          await api.sleep(20);
          log.push("worker after sleep(20)");
          return 42;
        },
        { name: "worker" },
      );
      // A task whose function is not async (its result is there at once).
      const sync = api.createTask(() => 7, { name: "sync" });
      const anon = api.createTask(async () => {
        log.push("anonymous runs");
      });
      log.push(`main awaits worker: ${await worker}`);
      log.push(`main awaits done task: ${await sync}`);
      await anon;
      log.push("main ends");
    });
  },

  async "hooks: cancellation — before the first step, at an await, caught, a failing task"(
    api,
    side,
  ) {
    return recorded(api, side, async (log) => {
      const early = api.createTask(async () => log.push("early never runs"), { name: "early" });
      early.cancel();
      const victim = api.createTask(
        async () => {
          await api.sleep(1000);
        },
        { name: "victim" },
      );
      const stubborn = api.createTask(
        async () => {
          try {
            await api.sleep(1000);
          } catch (e) {
            log.push(`stubborn caught ${e.name}`);
          }
          await api.sleep(0);
          return "survived";
        },
        { name: "stubborn" },
      );
      const failing = api.createTask(
        async () => {
          await api.sleep(0);
          throw new Error("boom");
        },
        { name: "failing" },
      );
      const throwing = api.createTask(
        () => {
          throw new Error("at once");
        },
        { name: "throwing" },
      );
      await api.sleep(1);
      victim.cancel("stop");
      stubborn.cancel();
      for (const t of [early, victim, stubborn, failing, throwing]) {
        try {
          log.push(`${t.getName()} gave ${await t}`);
        } catch (e) {
          log.push(`${t.getName()} threw ${e.name}`);
        }
      }
      // A task left pending when main returns: run() cancels it.
      api.createTask(() => api.sleep(5000), { name: "leftover" });
      await api.sleep(0);
    });
  },

  async "hooks: a generator task, an eager task, a task awaiting a task"(api, side) {
    return recorded(api, side, async (log) => {
      const gen = api.createTask(
        function* () {
          log.push("gen starts");
          yield* api.sleep(1);
          log.push("gen after sleep(1)");
          yield* api.sleep(0);
          const inner = api.createTask(async () => "inner result", { name: "inner" });
          log.push(`gen got ${yield* inner}`);
          return "gen result";
        },
        { name: "gen" },
      );
      const eager = api.createTask(
        async () => {
          log.push("eager runs inside createTask");
          await api.sleep(50);
          return "eager result";
        },
        { name: "eager", eagerStart: true },
      );
      log.push(`eager created, done=${eager.done()}`);
      const waiter = api.createTask(async () => `waiter got ${await gen}`, { name: "waiter" });
      log.push(await waiter);
      log.push(await eager);
    });
  },

  async "hooks: the seven names — gather, timeout, Lock, Queue"(api, side) {
    return recorded(api, side, async (log) => {
      const lock = new api.Lock();
      const queue = new api.Queue();
      const t = api.createTask(
        async () => {
          await lock.acquire();
          lock.release();
          await queue.put(1);
        },
        { name: "t" },
      );
      log.push(`gathered ${await api.timeout(100, () => api.gather(t, api.sleep(1, "slept")))}`);
      await lock.acquire();
      const blocked = api.createTask(
        async () => {
          await lock.acquire();
          lock.release();
          return queue.getNowait();
        },
        { name: "blocked" },
      );
      const getter = api.createTask(() => queue.get(), { name: "getter" });
      await api.sleep(0);
      lock.release();
      await queue.put(2);
      log.push(`blocked got ${await blocked}, getter got ${await getter}`);
      try {
        await api.timeout(1, () => api.sleep(1000));
      } catch (e) {
        log.push(`timeout: ${e.name}`);
      }
    });
  },

  async "hooks: a step that awaits a foreign promise across a host turn (under run())"(api) {
    return recorded(api, null, async (log) => {
      const t = api.createTask(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          log.push("after the host timer");
          await api.sleep(0);
          return "foreign";
        },
        { name: "foreign" },
      );
      log.push(await t);
    });
  },

  async "hooks: a loop driven by hand — runForever, stop, runUntilComplete, close"(api, side) {
    const log = [];
    const remove = api.addInstrument(recorder(api, log));
    const { VirtualTimeLoop } = await testing(api, side);
    const loop = new VirtualTimeLoop();
    try {
      loop.callSoon(() => log.push("first"));
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      log.push(`result ${await loop.runUntilComplete(async () => "main")}`);
      // Only the future the task waits on starts a step; nothing is heard of a
      // foreign await.
      await loop.runUntilComplete(async () => {
        await Promise.resolve();
        await api.sleep(10);
        return loop.time();
      });
    } finally {
      loop.close();
      remove();
    }
    return log;
  },

  // ---- P_VTIME ----------------------------------------------------------------

  async "virtual time: the clock starts at 0, jumps to the next timer, timers in deadline order"(
    api,
    side,
  ) {
    const { VirtualTimeLoop } = await testing(api, side);
    const Base = side === "aio" ? api.BaseEventLoop : api.EventLoop;
    const log = [];
    const loop = new VirtualTimeLoop();
    try {
      log.push(`a loop ${loop instanceof Base}, time ${loop.time()}`);
      for (const d of [3000, 10, 500, 10, 86_400_000, 1, 0, -5]) {
        loop.callLater(d, () => log.push(`${d}@${loop.time()}`));
      }
      loop.callAt(250, () => log.push(`at 250@${loop.time()}`));
      loop.callLater(Infinity, () => log.push("never"));
      const never = loop.callLater(42, () => log.push("cancelled timer ran"));
      never.cancel();
      loop.callLater(86_400_001, () => loop.stop());
      await loop.runForever();
      log.push(`stopped at ${loop.time()}`);
      // The clock does not move while callbacks are ready.
      let n = 0;
      const spin = () => {
        log.push(`spin@${loop.time()}`);
        if (++n < 3) loop.callSoon(spin);
      };
      loop.callLater(5, () => {
        log.push(`timer@${loop.time()}`);
        loop.stop();
      });
      loop.callSoon(spin);
      await loop.runForever();
    } finally {
      loop.close();
    }
    return log;
  },

  async "virtual time: advance() moves the clock; due timers run at the next iteration"(api, side) {
    const { VirtualTimeLoop } = await testing(api, side);
    const log = [];
    const loop = new VirtualTimeLoop();
    try {
      loop.advance(0);
      loop.advance(7);
      log.push(`advanced to ${loop.time()}`);
      loop.callLater(100, () => log.push(`t100@${loop.time()}`));
      loop.callLater(300, () => log.push(`t300@${loop.time()}`));
      loop.callSoon(() => {
        loop.advance(250);
        log.push(`advanced@${loop.time()}`);
        loop.callSoon(() => log.push(`soon@${loop.time()}`));
      });
      loop.callLater(300, () => loop.stop());
      await loop.runForever();
      for (const bad of [-1, Number.NaN, "5", null, undefined]) {
        try {
          loop.advance(bad);
        } catch (e) {
          log.push(`${e.name}: ${e.message}`);
        }
      }
      log.push(`still ${loop.time()}`);
      log.push(
        `sleep(1 h) ends at ${await loop.runUntilComplete(async () => {
          await api.sleep(3_600_000);
          return loop.time();
        })}`,
      );
    } finally {
      loop.close();
    }
    return log;
  },

  async "virtual time: runVirtual() — sleeps of hours, tasks in deadline order, timeouts"(
    api,
    side,
  ) {
    const { runVirtual, VirtualTimeLoop } = await testing(api, side);
    const log = [];
    const result = await runVirtual(async () => {
      const loop = api.getRunningLoop();
      log.push(`virtual ${loop instanceof VirtualTimeLoop}, start ${loop.time()}`);
      await api.sleep(3 * 3_600_000);
      log.push(`after 3 h: ${loop.time()}`);
      const sleeper = (name, ms) => async () => {
        await api.sleep(ms);
        log.push(`${name}@${loop.time()}`);
        return name;
      };
      const names = await api.gather(
        api.createTask(sleeper("c", 300)),
        api.createTask(sleeper("a", 100)),
        api.createTask(sleeper("b", 200)),
        api.createTask(sleeper("zero", 0)),
      );
      log.push(`gathered ${names} at ${loop.time()}`);
      try {
        await api.timeout(30_000, () => api.sleep(60_000));
      } catch (e) {
        log.push(`timeout: ${e.name} at ${loop.time()}`);
      }
      log.push(
        `in time: ${await api.timeout(60_000, () => api.sleep(59_999, "ok"))} at ${loop.time()}`,
      );
      const started = loop.time();
      const lock = new api.Lock();
      const queue = new api.Queue();
      const consumer = api.createTask(async () => {
        for (;;) {
          const item = await queue.get();
          await lock.acquire();
          try {
            await api.sleep(1000);
            log.push(`consumed ${item} at +${loop.time() - started}`);
          } finally {
            lock.release();
          }
        }
      });
      for (const item of ["x", "y"]) {
        await api.sleep(250);
        await queue.put(item);
      }
      await api.sleep(5000);
      consumer.cancel();
      // Cancelled sleeps and a finished timeout leave no timer the clock
      // would jump to while the loop waits for the host (the model's tasks
      // are not checked here for what follows a foreign await).
      const napper = api.createTask(() => api.sleep(1000));
      await api.sleep(100);
      napper.cancel();
      await api.timeout(500, () => api.sleep(10));
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`after a host timer: +${loop.time() - started}`);
      return loop.time();
    });
    log.push(`runVirtual resolved ${result}`);
    try {
      await runVirtual(async () => {
        await api.sleep(1000);
        throw new api.RuntimeError(`failed at ${api.getRunningLoop().time()}`);
      });
    } catch (e) {
      log.push(`runVirtual rejected: ${e.name} ${e.message}`);
    }
    return log;
  },

  async "virtual time: a program of tasks, sleeps and timers gives the same log every time"(
    api,
    side,
  ) {
    const { runVirtual } = await testing(api, side);
    const program = async () => {
      const loop = api.getRunningLoop();
      const out = [];
      let seed = 12345;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const workers = Array.from({ length: 8 }, (_, w) =>
        api.createTask(async () => {
          for (let i = 0; i < 5; i++) {
            const d = Math.floor(rand() * 50);
            if (d % 3 === 0) await api.sleep(0);
            else await api.sleep(d);
            out.push(`w${w}.${i}@${loop.time()}`);
          }
        }),
      );
      for (let i = 0; i < 4; i++) {
        loop.callLater(Math.floor(rand() * 100), () => out.push(`timer${i}@${loop.time()}`));
      }
      await api.gather(...workers);
      await api.sleep(100);
      out.push(`end@${loop.time()}`);
      return out;
    };
    const first = await runVirtual(program);
    const second = await runVirtual(program);
    return [first, JSON.stringify(second) === JSON.stringify(first)];
  },
};
