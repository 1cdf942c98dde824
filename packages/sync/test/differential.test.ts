/**
 * Differential cases: each scenario was run on CPython's asyncio (3.13's
 * locks.py and queues.py) and its event log is the expected value here, so
 * these assert asyncio's order of wake-ups, results and errors — including
 * the `yield*` forms, which must behave as the `await` forms do.
 */
import { CancelledError, isCancelledError } from "@aio/core";
import { createTask, currentTask, gather, sleep, type Task } from "@aio/futures";
import {
  Barrier,
  BrokenBarrierError,
  Condition,
  Lock,
  Queue,
  Semaphore,
  type Waitable,
} from "@aio/sync";
import { describe, expect, it } from "vitest";
import { settle, show, tail, ticks } from "./differential-log.js";
import { aio } from "./helpers.js";

describe("Lock", () => {
  it("Lock.release() right after a waiter's cancellation wakes nobody; the cancelled task wakes the next", () =>
    aio(async () => {
      const log: string[] = [];
      const lock = new Lock();
      await lock.acquire();
      const w = (n: number) => async () => {
        try {
          await lock.acquire();
        } catch (e) {
          log.push(`${n} ${show(e)} locked=${lock.locked()}`);
          throw e;
        }
        log.push(`${n} acq`);
        lock.release();
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      ts[0]!.cancel("bye");
      lock.release();
      log.push(tail(lock));
      await ticks(log, 4, () => tail(lock));
      expect(await settle(ts)).toEqual(["CancelledError('bye')", undefined, undefined]);
      expect(log).toEqual([
        "unlocked, waiters:3]>",
        "0 CancelledError('bye') locked=false",
        "tick0 unlocked, waiters:2]>",
        "1 acq",
        "tick1 unlocked, waiters:1]>",
        "2 acq",
        "tick2 unlocked]>",
        "tick3 unlocked]>",
      ]);
    }));
});

describe("Semaphore", () => {
  it("Semaphore: a woken waiter cancelled gives its permit to the next waiter, ahead of newcomers", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(0);
      const w = (n: number) => async () => {
        try {
          await sem.acquire();
        } catch (e) {
          log.push(`${n} cancelled`);
          throw e;
        }
        log.push(`${n} acq`);
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      sem.release();
      sem.release();
      sem.release();
      ts[1]!.cancel();
      ts.push(createTask(w(3)), createTask(w(4)));
      log.push(tail(sem));
      await ticks(log, 3, () => tail(sem));
      sem.release();
      await ticks(log, 2, () => tail(sem));
      sem.release();
      expect(await settle(ts)).toEqual([
        undefined,
        "CancelledError()",
        undefined,
        undefined,
        undefined,
      ]);
      expect(log).toEqual([
        "locked, waiters:3]>",
        "0 acq",
        "1 cancelled",
        "2 acq",
        "3 acq",
        "tick0 locked, waiters:1]>",
        "tick1 locked, waiters:1]>",
        "tick2 locked, waiters:1]>",
        "4 acq",
        "tick0 locked]>",
        "tick1 locked]>",
      ]);
      expect(tail(sem)).toBe("unlocked, value:1]>");
    }));
});

describe("Condition", () => {
  it("Condition.wait(): notified tasks re-acquire the lock behind tasks already waiting for it", () =>
    aio(async () => {
      const log: string[] = [];
      const lock = new Lock();
      const cond = new Condition(lock);
      const w = (n: number) => async () => {
        await cond.acquire();
        try {
          await cond.wait();
          log.push(`${n} woke`);
          await sleep(0);
          log.push(`${n} out`);
        } finally {
          cond.release();
        }
      };
      const plain = async () => {
        await cond.acquire();
        try {
          log.push("plain in");
          await sleep(0);
          log.push("plain out");
        } finally {
          cond.release();
        }
      };
      const ts: Task<void>[] = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      await cond.acquire();
      ts.push(createTask(plain));
      await sleep(0);
      cond.notifyAll();
      ts.push(createTask(plain));
      await sleep(0);
      log.push(tail(lock));
      cond.release();
      await ticks(log, 8);
      await gather(...ts);
      expect(log).toEqual([
        "locked, waiters:4]>",
        "plain in",
        "plain out",
        "0 woke",
        "0 out",
        "1 woke",
        "1 out",
        "plain in",
        "plain out",
      ]);
    }));

  it("Condition.notify() skips a waiter cancelled in the same iteration", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => async () => {
        await cond.acquire();
        try {
          try {
            await cond.wait();
          } catch (e) {
            log.push(`${n} ${show(e)} locked=${cond.locked()}`);
            throw e;
          }
          log.push(`${n} woke`);
        } finally {
          cond.release();
        }
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      await cond.acquire();
      ts[0]!.cancel("m");
      cond.notify(1);
      log.push(tail(cond));
      cond.release();
      await ticks(log, 4, () => tail(cond));
      await cond.acquire();
      cond.notifyAll();
      cond.release();
      expect(await settle(ts)).toEqual(["CancelledError('m')", undefined, undefined]);
      expect(log).toEqual([
        "locked, waiters:3]>",
        "0 CancelledError('m') locked=true",
        "1 woke",
        "tick0 unlocked, waiters:1]>",
        "2 woke",
        "tick1 unlocked]>",
        "tick2 unlocked]>",
        "tick3 unlocked]>",
      ]);
    }));

  it("Condition.waitFor() with an aborted signal rejects even when the predicate holds", () =>
    aio(async () => {
      const cond = new Condition();
      await cond.acquire();
      const reason = new Error("stop");
      let calls = 0;
      await expect(cond.waitFor(() => ++calls, { signal: AbortSignal.abort(reason) })).rejects.toBe(
        reason,
      );
      expect(calls).toBe(0);
      expect(cond.locked()).toBe(true);
      cond.release();
    }));

  it("Condition.waitFor() in a generator task: a true predicate returns at once, a pending cancellation lands at the next wait", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const t = createTask(function* () {
        currentTask()!.cancel("self");
        yield* cond.acquire();
        try {
          log.push(`returned ${yield* cond.waitFor(() => 7)}`);
          yield* sleep(0);
          log.push("after sleep");
        } catch (e) {
          log.push(show(e));
          throw e;
        } finally {
          cond.release();
        }
      });
      const other = createTask(async () => {
        log.push("other ran");
      });
      await expect(t).rejects.toBeInstanceOf(CancelledError);
      await other;
      expect(log).toEqual(["returned 7", "other ran", "CancelledError('self')"]);
      expect(cond.locked()).toBe(false);
    }));
});

describe("Barrier", () => {
  it("Barrier.abort() while draining: released parties that have not run yet see BrokenBarrierError too", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(2);
      const w = (n: number) => async () => {
        try {
          log.push(`${n} idx=${await b.wait()}`);
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          log.push(`${n} ${show(e)}`);
        }
      };
      const ts = [createTask(w(0))];
      await sleep(0);
      ts.push(createTask(w(1)), createTask(w(2)));
      await sleep(0);
      log.push(tail(b));
      await b.abort();
      await ticks(log, 2, () => tail(b));
      await gather(...ts);
      expect(log).toEqual([
        "1 idx=1",
        "draining, waiters:0/2]>",
        "0 BrokenBarrierError: Abort or reset of barrier",
        "2 BrokenBarrierError: Barrier aborted",
        "tick0 broken]>",
        "tick1 broken]>",
      ]);
    }));

  it("Barrier.wait(): a party cancelled after the release still leaves the barrier filling", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(3);
      const w = (n: number) => async () => {
        try {
          log.push(`${n} idx=${await b.wait()}`);
        } catch (e) {
          log.push(`${n} ${show(e)}`);
          throw e;
        }
      };
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      ts.push(createTask(w(2)));
      await sleep(0);
      log.push(tail(b));
      ts[0]!.cancel();
      await ticks(log, 2, () => tail(b));
      expect(await settle(ts)).toEqual(["CancelledError()", undefined, undefined]);
      expect(log).toEqual([
        "2 idx=2",
        "draining, waiters:0/3]>",
        "0 CancelledError()",
        "1 idx=1",
        "tick0 filling, waiters:0/3]>",
        "tick1 filling, waiters:0/3]>",
      ]);
    }));

  it("Barrier in a generator task: calls that need not wait finish at once, as in asyncio", () =>
    aio(async () => {
      const log: string[] = [];
      const one = new Barrier(1);
      const g = createTask(function* () {
        for (let i = 0; i < 3; i++) log.push(`idx=${yield* one.wait()}`);
        log.push(tail(one));
      });
      const other = createTask(async () => {
        log.push("other ran");
      });
      await gather(g, other);
      expect(log).toEqual(["idx=0", "idx=0", "idx=0", "filling, waiters:0/1]>", "other ran"]);
    }));

  it("Barrier in a generator task: a pending cancellation does not undo a pass, an abort() or a reset()", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(2);
      const first = createTask(() => b.wait());
      await sleep(0);
      const withPendingCancel = (label: string, call: () => Waitable<unknown>) =>
        createTask(function* () {
          currentTask()!.cancel("self");
          try {
            log.push(`${label} returned ${yield* call()}`);
            yield* sleep(0);
          } catch (e) {
            log.push(`${label} ${show(e)}`);
            throw e;
          }
        });
      const last = withPendingCancel("last", () => b.wait());
      expect(await settle([last, first])).toEqual(["CancelledError('self')", 0]);
      const aborting = withPendingCancel("abort", () => b.abort());
      await expect(aborting).rejects.toBeInstanceOf(CancelledError);
      log.push(tail(b));
      const resetting = withPendingCancel("reset", () => b.reset());
      await expect(resetting).rejects.toBeInstanceOf(CancelledError);
      log.push(tail(b));
      expect(log).toEqual([
        "last returned 1",
        "last CancelledError('self')",
        "abort returned undefined",
        "abort CancelledError('self')",
        "broken]>",
        "reset returned undefined",
        "reset CancelledError('self')",
        "filling, waiters:0/2]>",
      ]);
    }));
});

describe("Queue", () => {
  it("Queue.shutdown(true): a woken getter finds the queue drained; join() waits for the items already taken", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>();
      const g = (n: number) => async () => {
        try {
          log.push(`${n} got ${await q.get()}`);
        } catch (e) {
          log.push(`${n} ${show(e)}`);
        }
      };
      const ts = [0, 1].map((i) => createTask(g(i)));
      await sleep(0);
      q.putNowait("x");
      q.putNowait("y");
      const joined = createTask(async () => {
        await q.join();
        log.push("join done");
      });
      await sleep(0);
      log.push(String(q));
      q.putNowait("z");
      q.shutdown(true);
      log.push(String(q));
      await ticks(log, 1, () => String(q));
      await gather(...ts);
      log.push(`join pending=${!joined.done()}`);
      q.taskDone();
      q.taskDone();
      await joined;
      expect(() => q.taskDone()).toThrow("taskDone() called too many times");
      expect(log).toEqual([
        "0 got x",
        "1 got y",
        "<Queue maxsize=0 tasks=2>",
        "<Queue maxsize=0 tasks=2 shutdown>",
        "tick0 <Queue maxsize=0 tasks=2 shutdown>",
        "join pending=true",
        "join done",
      ]);
    }));

  it("Queue.shutdown(): a putter woken for a slot, and one still waiting, both get QueueShutDown", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string | number>(1);
      q.putNowait("a");
      const p = (n: number) => async () => {
        try {
          await q.put(n);
          log.push(`put ${n}`);
        } catch (e) {
          log.push(`${n} ${show(e)}`);
        }
      };
      const ts = [0, 1].map((i) => createTask(p(i)));
      await sleep(0);
      log.push(`got ${q.getNowait()}`);
      q.shutdown();
      await gather(...ts);
      expect(log).toEqual(["got a", "0 QueueShutDown", "1 QueueShutDown"]);
      expect(String(q)).toBe("<Queue maxsize=1 tasks=1 shutdown>");
    }));

  it("Queue.shutdown(): a woken getter cancelled leaves its item to a getter the shutdown woke", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>();
      const g = (n: number) => async () => {
        try {
          log.push(`${n} got ${await q.get()}`);
        } catch (e) {
          log.push(`${n} ${show(e)}`);
          if (isCancelledError(e)) throw e;
        }
      };
      const ts = [0, 1, 2].map((i) => createTask(g(i)));
      await sleep(0);
      q.putNowait("x");
      q.shutdown();
      ts[0]!.cancel();
      await settle(ts);
      expect(log).toEqual(["0 CancelledError()", "1 got x", "2 QueueShutDown"]);
      expect(String(q)).toBe("<Queue maxsize=0 tasks=1 shutdown>");
    }));

  it("Queue: a pending cancellation fails only the calls that have to wait", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<number>(1);
      const attempt = async (label: string, call: () => PromiseLike<unknown>) => {
        const t = createTask(async () => {
          currentTask()!.cancel("self");
          try {
            log.push(`${label} returned ${await call()}`);
            await sleep(0);
          } catch (e) {
            log.push(`${label} ${show(e)}`);
            throw e;
          }
        });
        await expect(t).rejects.toBeInstanceOf(CancelledError);
        log.push(String(q));
      };
      await attempt("get-empty", () => q.get());
      await attempt("put-free", () => q.put(1));
      await attempt("put-full", () => q.put(2));
      await attempt("get-item", () => q.get());
      await attempt("join", () => q.join());
      expect(log).toEqual([
        "get-empty CancelledError('self')",
        "<Queue maxsize=1>",
        "put-free returned undefined",
        "put-free CancelledError('self')",
        "<Queue maxsize=1 _queue=[1] tasks=1>",
        "put-full CancelledError('self')",
        "<Queue maxsize=1 _queue=[1] tasks=1>",
        "get-item returned 1",
        "get-item CancelledError('self')",
        "<Queue maxsize=1 tasks=1>",
        "join CancelledError('self')",
        "<Queue maxsize=1 tasks=1>",
      ]);
    }));
});
