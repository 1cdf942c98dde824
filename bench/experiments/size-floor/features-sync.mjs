// P_SYNCX's scenarios: what @aio's gather, timeout, Lock and Queue have
// beyond the floor, as @aio's tests pin it (packages/sync/test/lock.test.ts,
// queue.test.ts, generator-forms.test.ts, outside-loop.test.ts,
// errors.test.ts; packages/futures/test/timeout-report.test.ts,
// signal-aware-children.test.ts, bad-arguments.test.ts). Each must give the
// same log under the model (with P_SYNCX) as under @aio.

import { getEventListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";

const said = (e) => `${e.name}: ${e.message}`;
/** What a promise settles to, as a log line. */
const settle = (p) =>
  p.then(
    (v) => `ok ${String(v)}`,
    (e) => said(e),
  );
const listeners = (signal) => getEventListeners(signal, "abort").length;

export const scenarios = {
  async "syncx timeout: TimeoutError names the timeout, where it was set and what the task waited for"(
    api,
  ) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      let handle;
      const e = await api
        .timeout(20, (t) => {
          handle = t;
          return api.sleep(1000);
        })
        .catch((err) => err);
      log.push(said(e), `cause ${e.cause?.name}`, `expired ${handle.expired()}`);
      const site = e.stack.split("--- the timeout was set at:\n")[1] ?? "";
      log.push(`site ${site.split("\n")[0].match(/features-sync\.mjs:\d+:\d+/)?.[0]}`);
      try {
        handle.reschedule(null);
      } catch (err) {
        log.push(said(err));
      }

      const io = api.createTask(() => api.sleep(1000), { name: "slow-io" });
      const e2 = await api.timeout(10, () => io).catch((err) => err);
      const waited = e2.stack.split("--- when it expired, the task was waiting for: ")[1] ?? "";
      log.push(
        said(e2),
        `waited for a task ${waited.startsWith("<Task")}, named ${waited.includes("slow-io")}`,
      );
      io.cancel();
      await settle(Promise.resolve().then(async () => await io));

      // No deadline at first, then one: the message names the loop time (to the microsecond).
      let when;
      const e3 = await api
        .timeout(null, async (t) => {
          log.push(`when ${t.when()}`);
          when = loop.time() + 5;
          t.reschedule(when);
          await api.sleep(1000);
        })
        .catch((err) => err);
      log.push(
        e3.name,
        `message names the deadline ${e3.message === `deadline at loop time ${+when.toFixed(3)} ms expired`}`,
      );
      // A duration, then a new deadline: the message names the deadline.
      const e5 = await api
        .timeout(1000, async (t) => {
          when = loop.time() + 5;
          t.reschedule(when);
          await api.sleep(1000);
        })
        .catch((err) => err);
      log.push(
        `rescheduled: names the deadline ${e5.message === `deadline at loop time ${+when.toFixed(3)} ms expired`}`,
      );

      // A body failing with its own signal's abort timed out all the same (in
      // a task of its own: @aio's signal stays aborted after an uncancel()).
      await api.createTask(async () => {
        const e4 = await api
          .timeout(5, () => delay(60_000, "late", { signal: api.currentTask().signal }))
          .catch((err) => err);
        log.push(said(e4), `cancelling ${api.currentTask().cancelling()}`);
      });
      // Not timed out: the result, no report.
      log.push(`result ${await api.timeout(50, () => api.sleep(1, "fast"))}`);
    });
    return log;
  },

  async "syncx gather: own-signal aborts count as cancellations; a generator argument runs as a task"(
    api,
  ) {
    const log = [];
    await api.run(async () => {
      const hostTimer = () => delay(60_000, "late", { signal: api.currentTask().signal });
      const child = api.createTask(hostTimer);
      const g = api.gather(child, () => api.sleep(1000));
      await api.sleep(1);
      child.cancel();
      log.push(`failed ${await settle(Promise.resolve().then(async () => await g))}`);
      log.push(`gather.cancel() ${g.cancel()}`);

      const child2 = api.createTask(hostTimer);
      const g2 = api.gather(child2, () => api.sleep(5, "ok"), { returnExceptions: true });
      await api.sleep(1);
      child2.cancel("stop");
      log.push(`results ${(await g2).map((r) => (r instanceof Error ? said(r) : r)).join(" | ")}`);

      const g3 = api.gather(
        hostTimer,
        () => delay(60_000, 1, { signal: api.currentTask().signal }),
        {
          returnExceptions: true,
        },
      );
      await api.sleep(1);
      g3.cancel();
      log.push(`cancelled gather ${await settle(Promise.resolve().then(async () => await g3))}`);

      const gen = (function* () {
        yield* api.sleep(0);
        return "from a generator";
      })();
      log.push(`generator ${await api.gather(gen, async () => 2)}`);
    });
    return log;
  },

  async "syncx lock: acquire({ signal }) rejects with the reason, listeners go, an abort after the wake-up loses nothing"(
    api,
  ) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      const reason = new Error("stop");
      log.push(
        await settle(lock.acquire({ signal: AbortSignal.abort(reason) })),
        `locked ${lock.locked()}`,
      );
      log.push(
        await settle(lock.acquire({ signal: 5 }).then(() => lock.release())).then(
          (s) => s.split(":")[0],
        ),
      );
      await lock.acquire();
      const ctrl = new AbortController();
      const p = settle(lock.acquire({ signal: ctrl.signal }));
      await api.sleep(0);
      log.push(`listeners ${listeners(ctrl.signal)}`);
      ctrl.abort(new Error("gave up"));
      log.push(await p, `listeners ${listeners(ctrl.signal)}, locked ${lock.locked()}`);
      lock.release();
      const ctrl2 = new AbortController();
      await lock.acquire({ signal: ctrl2.signal });
      log.push(`after success: listeners ${listeners(ctrl2.signal)}`);
      lock.release();

      await lock.acquire();
      const ctrl3 = new AbortController();
      const a = api.createTask(() => lock.acquire({ signal: ctrl3.signal }));
      const b = api.createTask(async () => {
        await lock.acquire();
        return "b";
      });
      await api.sleep(0);
      lock.release(); // wakes a
      ctrl3.abort(); // too late
      log.push(`a ${await a}`);
      lock.release();
      log.push(`b ${await b}`);
      lock.release();
      log.push(`locked ${lock.locked()}`);
    });
    return log;
  },

  async "syncx lock: hold() and run()"(api) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      const fail = async () => {
        const hold = await lock.hold();
        try {
          log.push(`in: locked ${lock.locked()}, held ${hold.held()}`);
          throw new Error("inside");
        } finally {
          await hold[Symbol.asyncDispose]();
        }
      };
      log.push(await settle(fail()), `locked ${lock.locked()}`);
      const hold = await lock.hold();
      hold.release();
      hold.release(); // idempotent
      hold[Symbol.dispose]();
      log.push(`held ${hold.held()}, locked ${lock.locked()}`);

      // hold() waits its turn like acquire().
      await lock.acquire();
      const t = api.createTask(async () => {
        const h = await lock.hold();
        log.push("t holds");
        h.release();
      });
      await api.sleep(0);
      log.push("main releases");
      lock.release();
      await t;

      const section = (name) => async () => {
        log.push(`${name} in`);
        await api.sleep(1);
        log.push(`${name} out`);
        return name;
      };
      log.push(`results ${await Promise.all([lock.run(section("a")), lock.run(section("b"))])}`);
      log.push(
        await settle(
          lock.run(() => {
            throw new Error("boom");
          }),
        ),
        `locked ${lock.locked()}`,
      );
      log.push(await settle(lock.run(42)));

      await lock.acquire();
      const ctrl = new AbortController();
      const ran = [];
      const p = settle(lock.run(() => ran.push("aborted one"), { signal: ctrl.signal }));
      const q = lock.run(() => ran.push("next"));
      ctrl.abort(new Error("no longer needed"));
      log.push(await p, `listeners ${listeners(ctrl.signal)}`);
      lock.release();
      await q;
      log.push(`ran ${ran}, locked ${lock.locked()}`);
    });
    return log;
  },

  async "syncx: outside a loop, a wait that must wait names the fix; the rest works"(api) {
    const log = [];
    const lock = new api.Lock();
    log.push(`acquire ${await lock.acquire()}`);
    log.push(await settle(lock.acquire()), `locked ${lock.locked()}`);
    lock.release();
    log.push(`run ${await lock.run(() => "ran")}`);
    const q = new api.Queue(1);
    log.push(await settle(q.get()));
    q.putNowait(1);
    log.push(await settle(q.put(2)));
    log.push(await settle(q.join()));
    log.push(`get ${await q.get()}`);
    q.taskDone();
    log.push(await settle(q.join()));
    return log;
  },

  async "syncx queue: default messages, maxsize checks, get/put/join({ signal })"(api) {
    const log = [];
    log.push(said(new api.QueueEmpty()), said(new api.QueueFull()), said(new api.QueueShutDown()));
    try {
      new api.Queue().getNowait();
    } catch (e) {
      log.push(String(e));
    }
    for (const bad of [1.5, Number.NaN, "2"]) {
      try {
        new api.Queue(bad);
      } catch (e) {
        log.push(typeof bad === "number" ? said(e) : e.name);
      }
    }
    log.push(`unbounded ${new api.Queue(Infinity).full()} ${new api.Queue(-1).maxsize}`);
    await api.run(async () => {
      const q = new api.Queue(1);
      const ctrl = new AbortController();
      const g = settle(q.get({ signal: ctrl.signal }));
      await api.sleep(0);
      ctrl.abort(new Error("no get"));
      log.push(await g);
      q.putNowait(1);
      const ctrl2 = new AbortController();
      const p = settle(q.put(2, { signal: ctrl2.signal }));
      await api.sleep(0);
      ctrl2.abort(new Error("no put"));
      log.push(await p, `qsize ${q.qsize()}, item ${q.getNowait()}`);
      log.push(await settle(q.get({ signal: AbortSignal.abort(new Error("already")) })));
      const ctrl3 = new AbortController();
      const j = settle(q.join({ signal: ctrl3.signal }));
      await api.sleep(0);
      ctrl3.abort(new Error("no join"));
      log.push(await j);
      q.taskDone();
      log.push(await settle(q.join({ signal: new AbortController().signal })));
      log.push((await settle(q.put(3, { signal: "x" }))).split(":")[0], `qsize ${q.qsize()}`);
    });
    return log;
  },

  async "syncx lock: yield* lock.acquire() in generator tasks, in one line with async tasks"(api) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      await lock.acquire();
      const gen = (name) =>
        api.createTask(function* () {
          log.push(`${name} got ${yield* lock.acquire()}`);
          yield* api.sleep(0);
          lock.release();
        });
      const asy = (name) =>
        api.createTask(async () => {
          await lock.acquire();
          log.push(`${name} got`);
          await api.sleep(0);
          lock.release();
        });
      const tasks = [gen("g1"), asy("a1"), gen("g2"), asy("a2"), gen("g3")];
      await api.sleep(0);
      lock.release();
      await api.gather(...tasks);
      log.push(`locked ${lock.locked()}`);

      // A free lock is taken at once: no loop iteration passes.
      const t = api.createTask(function* () {
        yield* lock.acquire();
        log.push("acquired");
        lock.release();
        yield* lock.acquire();
        log.push("again");
        lock.release();
      });
      api.createTask(async () => log.push("other task"));
      await t;
      await api.sleep(0);

      // Cancelled while waiting, and woken then cancelled.
      await lock.acquire();
      const mk = (name) =>
        api.createTask(function* () {
          try {
            yield* lock.acquire();
          } catch (e) {
            log.push(`${name} ${e.name}`);
            throw e;
          }
          log.push(`${name} holds`);
          lock.release();
        });
      const v = mk("victim");
      const n = mk("next");
      await api.sleep(0);
      v.cancel();
      await api.sleep(0);
      lock.release();
      await n;
      await lock.acquire();
      const b = mk("b");
      const c = mk("c");
      await api.sleep(0);
      lock.release(); // wakes b…
      b.cancel(); // …cancelled before it runs
      await api.gather(b, c, { returnExceptions: true });
      log.push(`b cancelled ${b.cancelled()}, locked ${lock.locked()}`);

      // An abort at the yield*: signal.reason, no listener, no waiter.
      await lock.acquire();
      const ctrl = new AbortController();
      const w = api.createTask(function* () {
        try {
          yield* lock.acquire({ signal: ctrl.signal });
        } catch (e) {
          log.push(`aborted: ${said(e)}, listeners ${listeners(ctrl.signal)}`);
        }
        try {
          yield* lock.acquire({ signal: AbortSignal.abort(new Error("before")) });
        } catch (e) {
          log.push(`already aborted: ${said(e)}`);
        }
        try {
          yield* lock.acquire({ signal: 1 });
        } catch (e) {
          log.push(`bad options: ${e.name}`);
        }
      });
      await api.sleep(0);
      ctrl.abort(new Error("abandoned"));
      await w;
      lock.release();
      log.push(`locked ${lock.locked()}`);

      // Lazy: a wait that is never run queues nothing; using hold() with yield*.
      await api.createTask(function* () {
        lock.acquire();
        log.push(`never run: locked ${lock.locked()}`);
        const h = yield* lock.hold();
        log.push(`hold: held ${h.held()}, locked ${lock.locked()}`);
        h[Symbol.dispose]();
        // An async helper that awaits the wait gets the promise form.
        const helper = async () => lock.acquire();
        const r = yield* api.createTask(() => helper());
        log.push(`awaited in a helper ${r}, locked ${lock.locked()}`);
        lock.release();
      });
    });
    return log;
  },

  async "syncx queue: yield* get()/put()/join() in generator tasks"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue(2);
      const producer = api.createTask(function* () {
        for (let i = 0; i < 6; i++) {
          yield* q.put(i);
          log.push(`put ${i}`);
        }
        yield* q.join();
        log.push("joined");
      });
      const consumer = (name) =>
        api.createTask(function* () {
          for (let i = 0; i < 3; i++) {
            const item = yield* q.get();
            log.push(`${name} got ${item}`);
            yield* api.sleep(0);
            q.taskDone();
          }
        });
      await api.gather(producer, consumer("c1"), consumer("c2"));

      // A getter woken then cancelled loses no item.
      const getter = (name) =>
        api.createTask(function* () {
          try {
            log.push(`${name} got ${yield* q.get()}`);
          } catch (e) {
            log.push(`${name} ${e.name}`);
          }
        });
      const first = getter("first");
      const second = getter("second");
      await api.sleep(0);
      q.putNowait("item"); // wakes first…
      first.cancel(); // …cancelled before it runs
      await api.gather(first, second);

      // A woken getter whose item was taken waits again at the head; then an abort.
      const ctrl = new AbortController();
      const g = api.createTask(function* () {
        try {
          log.push(`got ${yield* q.get({ signal: ctrl.signal })}`);
        } catch (e) {
          log.push(`getter: ${said(e)}, listeners ${listeners(ctrl.signal)}`);
        }
      });
      await api.sleep(0);
      q.putNowait("x"); // wakes the getter…
      log.push(`taken ${q.getNowait()}`); // …whose item is taken before it runs
      await api.sleep(0);
      ctrl.abort(new Error("enough"));
      await g;

      // shutdown(): a waiting put throws, a get drains, then throws.
      const s = new api.Queue(1);
      s.putNowait(1);
      const putter = api.createTask(function* () {
        try {
          yield* s.put(2);
        } catch (e) {
          log.push(`put: ${said(e)}`);
        }
      });
      await api.sleep(0);
      s.shutdown();
      await putter;
      await api.createTask(function* () {
        log.push(`drained ${yield* s.get()}`);
        try {
          yield* s.get();
        } catch (e) {
          log.push(`get: ${said(e)}`);
        }
      });
    });
    return log;
  },
};
