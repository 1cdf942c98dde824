/**
 * Differential cases for the promise forms of Semaphore, BoundedSemaphore,
 * Event, Condition and Barrier: each scenario was run on CPython's asyncio
 * and its event log is the expected value here, so these assert asyncio's
 * order of wake-ups, results, errors and repr states.
 * CPython 3.11.7 ran them with the parts DESIGN.md pins to later
 * versions taken from current CPython: Semaphore's wake-up loop (gh-90155's
 * final form), Condition.wait() passing a notification on when it fails
 * (3.13), and Queue.shutdown() (3.13). Logs use Python's spelling (`True`,
 * `None`) so they read the same on both sides; the helpers are in
 * differential-log.ts.
 *
 * The generator forms, and the cases in differential.test.ts, are not
 * repeated here; the queues are in differential-queues.test.ts.
 */
import { createTask, currentTask, sleep, type Task } from "@aio/futures";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Semaphore,
} from "@aio/sync";
import { describe, expect, it } from "vitest";
import { fmt, py, settle, show, tail, ticks } from "./differential-log.js";
import { aio } from "./helpers.js";

describe("Semaphore, BoundedSemaphore", () => {
  it("Semaphore.release() before anyone waits: the first acquire() takes the permit without waiting, the others queue", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(0);
      sem.release();
      log.push(tail(sem));
      const w = (n: number) => async () => {
        await sem.acquire();
        log.push(`${n} acq ${tail(sem)}`);
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await ticks(log, 2, () => tail(sem));
      sem.release();
      sem.release();
      log.push(tail(sem));
      await ticks(log, 2, () => tail(sem));
      await settle(ts);
      expect(log).toEqual([
        "unlocked, value:1]>",
        "0 acq locked]>",
        "tick0 locked, waiters:2]>",
        "tick1 locked, waiters:2]>",
        "locked, waiters:2]>",
        "1 acq locked, waiters:1]>",
        "2 acq locked]>",
        "tick0 locked]>",
        "tick1 locked]>",
      ]);
    }));

  it("Semaphore: several release() calls wake as many waiters in FIFO order; a newcomer queues behind them", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(0);
      const w = (n: number) => async () => {
        try {
          await sem.acquire();
        } catch (e) {
          log.push(`${n} ${show(e)}`);
          throw e;
        }
        log.push(`${n} acq`);
      };
      const ts = [0, 1, 2, 3].map((i) => createTask(w(i)));
      await sleep(0);
      sem.release();
      sem.release();
      ts.push(createTask(w(4)));
      const p = () => `${tail(sem)} locked=${sem.locked() ? "True" : "False"}`;
      log.push(p());
      await ticks(log, 2, p);
      sem.release();
      sem.release();
      sem.release();
      log.push(p());
      await ticks(log, 2, p);
      await settle(ts);
      expect(log).toEqual([
        "locked, waiters:4]> locked=True",
        "0 acq",
        "1 acq",
        "tick0 locked, waiters:3]> locked=True",
        "tick1 locked, waiters:3]> locked=True",
        "locked, waiters:3]> locked=True",
        "2 acq",
        "3 acq",
        "4 acq",
        "tick0 locked]> locked=True",
        "tick1 locked]> locked=True",
      ]);
    }));

  it("Semaphore: a woken waiter cancelled after the next one was woken gives its permit back (nobody left to wake)", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(0);
      const w = (n: number) => async () => {
        try {
          await sem.acquire();
        } catch (e) {
          log.push(`${n} ${show(e)} ${tail(sem)}`);
          throw e;
        }
        log.push(`${n} acq ${tail(sem)}`);
      };
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      sem.release();
      sem.release();
      ts[0]!.cancel("c0");
      log.push(tail(sem));
      await ticks(log, 2, () => tail(sem));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "locked, waiters:2]>",
        "0 CancelledError('c0') locked, waiters:1]>",
        "1 acq unlocked, value:1]>",
        "tick0 unlocked, value:1]>",
        "tick1 unlocked, value:1]>",
        "results CancelledError('c0'), None",
      ]);
    }));

  it("Semaphore.locked() stays true while a woken waiter has not run, even with a spare permit", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(1);
      await sem.acquire();
      const p = () => `${tail(sem)} locked=${sem.locked() ? "True" : "False"}`;
      const w = (n: number) => async () => {
        await sem.acquire();
        log.push(`${n} acq ${p()}`);
      };
      const ts = [createTask(w(0))];
      await sleep(0);
      sem.release();
      sem.release();
      log.push(p());
      ts.push(createTask(w(1)));
      log.push(p());
      await ticks(log, 3, p);
      await settle(ts);
      expect(log).toEqual([
        "locked, waiters:1]> locked=True",
        "locked, waiters:1]> locked=True",
        "0 acq unlocked, value:1]> locked=False",
        "1 acq locked]> locked=True",
        "tick0 locked]> locked=True",
        "tick1 locked]> locked=True",
        "tick2 locked]> locked=True",
      ]);
    }));

  it("Semaphore: a woken waiter hands a spare permit on when it runs; a waiter cancelled before its turn takes nothing", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new Semaphore(1);
      await sem.acquire();
      const w = (n: number) => async () => {
        try {
          await sem.acquire();
        } catch (e) {
          log.push(`${n} ${show(e)} ${tail(sem)}`);
          throw e;
        }
        log.push(`${n} acq ${tail(sem)}`);
      };
      const ts = [createTask(w(0))];
      await sleep(0);
      sem.release();
      sem.release();
      ts.push(createTask(w(1)), createTask(w(2)));
      await sleep(0);
      log.push(tail(sem));
      ts[2]!.cancel();
      await ticks(log, 2, () => tail(sem));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "0 acq unlocked, value:1]>",
        "1 acq locked]>",
        "locked, waiters:1]>",
        "2 CancelledError() locked]>",
        "tick0 locked]>",
        "tick1 locked]>",
        "results None, None, CancelledError()",
      ]);
    }));

  it("BoundedSemaphore: over-release throws ValueError, judged by the value (a second release() while a woken waiter has not run is allowed)", () =>
    aio(async () => {
      const log: string[] = [];
      const sem = new BoundedSemaphore(1);
      try {
        sem.release();
      } catch (e) {
        log.push(show(e));
      }
      await sem.acquire();
      const t = createTask(async () => {
        await sem.acquire();
        log.push(`w acq ${tail(sem)}`);
      });
      await sleep(0);
      sem.release();
      try {
        sem.release();
        log.push(`second release ok ${tail(sem)}`);
      } catch (e) {
        log.push(show(e));
      }
      await t;
      try {
        sem.release();
      } catch (e) {
        log.push(`third: ${show(e)} ${tail(sem)}`);
      }
      expect(log).toEqual([
        "ValueError: BoundedSemaphore released too many times",
        "second release ok locked, waiters:1]>",
        "w acq unlocked, value:1]>",
        "third: ValueError: BoundedSemaphore released too many times unlocked, value:1]>",
      ]);
    }));
});

describe("Event", () => {
  it("Event: set() then clear() still wakes every waiter, in order; a later waiter waits for the next set()", () =>
    aio(async () => {
      const log: string[] = [];
      const ev = new Event();
      const w = (n: number) => async () => {
        const r = await ev.wait();
        log.push(`${n} woke ${r ? "True" : "False"} is_set=${ev.isSet() ? "True" : "False"}`);
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      ev.set();
      ev.clear();
      ts.push(createTask(w(3)));
      log.push(tail(ev));
      await ticks(log, 2, () => tail(ev));
      ev.set();
      log.push(tail(ev));
      await ticks(log, 2, () => tail(ev));
      await settle(ts);
      expect(log).toEqual([
        "unset, waiters:3]>",
        "0 woke True is_set=False",
        "1 woke True is_set=False",
        "2 woke True is_set=False",
        "tick0 unset, waiters:1]>",
        "tick1 unset, waiters:1]>",
        "set, waiters:1]>",
        "3 woke True is_set=True",
        "tick0 set]>",
        "tick1 set]>",
      ]);
    }));

  it("Event.wait() on a set event returns without a loop iteration", () =>
    aio(async () => {
      const log: string[] = [];
      const ev = new Event();
      ev.set();
      const ts = [
        createTask(async () => {
          log.push("a start");
          for (let i = 0; i < 3; i++) {
            await ev.wait();
            log.push(`a waited ${i}`);
          }
        }),
        createTask(async () => {
          log.push("b ran");
        }),
      ];
      await settle(ts);
      expect(log).toEqual(["a start", "a waited 0", "a waited 1", "a waited 2", "b ran"]);
    }));

  it("Event: a waiter cancelled right after set() fails with CancelledError, the others wake", () =>
    aio(async () => {
      const log: string[] = [];
      const ev = new Event();
      const w = (n: number) => async () => {
        try {
          await ev.wait();
        } catch (e) {
          log.push(`${n} ${show(e)} ${tail(ev)}`);
          throw e;
        }
        log.push(`${n} woke ${tail(ev)}`);
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      ev.set();
      ts[1]!.cancel("late");
      log.push(`cancel after set -> ${ts[1]!.cancelling()}`);
      log.push(tail(ev));
      await ticks(log, 1, () => tail(ev));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "cancel after set -> 1",
        "set, waiters:3]>",
        "0 woke set, waiters:2]>",
        "1 CancelledError('late') set, waiters:1]>",
        "2 woke set]>",
        "tick0 set]>",
        "results None, CancelledError('late'), None",
      ]);
    }));
});

describe("Condition", () => {
  /** `async with cond:` around `body`. */
  async function withCond(cond: Condition, body: () => unknown): Promise<void> {
    await cond.acquire();
    try {
      await body();
    } finally {
      cond.release();
    }
  }

  it("Condition.notify(n) with n above the number of waiters wakes them all; notify(0) wakes nobody", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => () =>
        withCond(cond, async () => {
          const r = await cond.wait();
          log.push(`${n} woke ${py(r)}`);
        });
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      await withCond(cond, async () => {
        cond.notify(5);
        log.push(tail(cond));
        ts.push(createTask(w(2)));
        await sleep(0);
        log.push(tail(cond));
      });
      await ticks(log, 3, () => tail(cond));
      await withCond(cond, () => {
        cond.notify(0);
        log.push(`notify(0) ${tail(cond)}`);
        cond.notify();
      });
      await settle(ts);
      expect(log).toEqual([
        "locked, waiters:2]>",
        "locked]>",
        "0 woke True",
        "tick0 unlocked]>",
        "1 woke True",
        "tick1 unlocked]>",
        "tick2 unlocked, waiters:1]>",
        "notify(0) locked, waiters:1]>",
        "2 woke True",
      ]);
    }));

  it("Condition: a waiter cancelled right after notify() passes the notification on (asyncio 3.13)", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => () =>
        withCond(cond, async () => {
          try {
            await cond.wait();
          } catch (e) {
            log.push(`${n} ${show(e)} locked=${py(cond.locked())}`);
            throw e;
          }
          log.push(`${n} woke`);
        });
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      await withCond(cond, () => {
        cond.notify(1);
        ts[0]!.cancel("after-notify");
        log.push(tail(cond));
      });
      await ticks(log, 4, () => tail(cond));
      await withCond(cond, () => cond.notifyAll());
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "locked, waiters:3]>",
        "0 CancelledError('after-notify') locked=True",
        "tick0 unlocked, waiters:2]>",
        "1 woke",
        "tick1 unlocked, waiters:1]>",
        "tick2 unlocked, waiters:1]>",
        "tick3 unlocked, waiters:1]>",
        "2 woke",
        "results CancelledError('after-notify'), None, None",
      ]);
    }));

  it("Condition.wait() cancelled: the CancelledError surfaces only once the lock is re-acquired, with the latest cancellation's message", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => () =>
        withCond(cond, async () => {
          try {
            await cond.wait();
          } catch (e) {
            log.push(
              `${n} ${show(e)} locked=${py(cond.locked())} cancelling=${currentTask()!.cancelling()}`,
            );
            throw e;
          }
          log.push(`${n} woke`);
        });
      const ts = [createTask(w(0))];
      await sleep(0);
      await cond.acquire();
      ts[0]!.cancel("first");
      const p = () => `${tail(cond)} done=${py(ts[0]!.done())}`;
      await ticks(log, 2, p);
      ts[0]!.cancel("second");
      await ticks(log, 2, p);
      cond.release();
      log.push(tail(cond));
      await ticks(log, 2, p);
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "tick0 locked]> done=False",
        "tick1 locked]> done=False",
        "tick0 locked]> done=False",
        "tick1 locked]> done=False",
        "unlocked]>",
        "0 CancelledError('second') locked=True cancelling=2",
        "tick0 unlocked]> done=True",
        "tick1 unlocked]> done=True",
        "results CancelledError('second')",
      ]);
    }));

  it("Condition: a notified waiter cancelled while it re-acquires the lock passes the notification on", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => () =>
        withCond(cond, async () => {
          try {
            await cond.wait();
          } catch (e) {
            log.push(`${n} ${show(e)} locked=${py(cond.locked())}`);
            throw e;
          }
          log.push(`${n} woke`);
        });
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      await cond.acquire();
      cond.notify(1);
      await ticks(log, 2, () => tail(cond));
      ts[0]!.cancel("reacq");
      await ticks(log, 2, () => tail(cond));
      cond.release();
      await ticks(log, 4, () => tail(cond));
      await withCond(cond, () => cond.notifyAll());
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "tick0 locked, waiters:1]>",
        "tick1 locked, waiters:1]>",
        "tick0 locked, waiters:1]>",
        "tick1 locked, waiters:1]>",
        "0 CancelledError('reacq') locked=True",
        "tick0 unlocked, waiters:1]>",
        "1 woke",
        "tick1 unlocked]>",
        "tick2 unlocked]>",
        "tick3 unlocked]>",
        "results CancelledError('reacq'), None",
      ]);
    }));

  it("Condition.notifyAll() wakes only the tasks already waiting, in FIFO order", () =>
    aio(async () => {
      const log: string[] = [];
      const cond = new Condition();
      const w = (n: number) => () =>
        withCond(cond, async () => {
          await cond.wait();
          log.push(`${n} woke`);
        });
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      await withCond(cond, async () => {
        cond.notifyAll();
        ts.push(createTask(w(3)));
        await sleep(0);
        cond.notifyAll();
        ts.push(createTask(w(4)));
        await sleep(0);
        log.push(tail(cond));
      });
      await ticks(log, 6, () => tail(cond));
      await withCond(cond, () => cond.notifyAll());
      await settle(ts);
      expect(log).toEqual([
        "locked]>",
        "0 woke",
        "tick0 unlocked]>",
        "1 woke",
        "tick1 unlocked]>",
        "2 woke",
        "tick2 unlocked]>",
        "tick3 unlocked, waiters:1]>",
        "tick4 unlocked, waiters:2]>",
        "tick5 unlocked, waiters:2]>",
        "3 woke",
        "4 woke",
      ]);
    }));
});

describe("Barrier", () => {
  const bp = (b: Barrier): string => `${tail(b)} n_waiting=${b.nWaiting} broken=${py(b.broken)}`;

  it("Barrier(1).wait() returns index 0 without a loop iteration", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(1);
      const a = createTask(async () => {
        for (let i = 0; i < 3; i++) log.push(`a idx=${await b.wait()} ${bp(b)}`);
      });
      const other = createTask(async () => {
        log.push("other ran");
      });
      await settle([a, other]);
      expect(log).toEqual([
        "a idx=0 filling, waiters:0/1]> n_waiting=0 broken=False",
        "a idx=0 filling, waiters:0/1]> n_waiting=0 broken=False",
        "a idx=0 filling, waiters:0/1]> n_waiting=0 broken=False",
        "other ran",
      ]);
    }));

  it("Barrier: wait() after abort() fails with 'Barrier aborted'; after reset() the barrier fills again", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(2);
      const w = (n: number) => async () => {
        try {
          log.push(`${n} idx=${await b.wait()}`);
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          log.push(`${n} ${show(e)} ${bp(b)}`);
        }
      };
      const t = createTask(w(0));
      await sleep(0);
      await b.abort();
      log.push(bp(b));
      const t2 = createTask(w(1));
      await settle([t, t2]);
      await b.abort();
      log.push(bp(b));
      await b.reset();
      log.push(bp(b));
      await settle([2, 3].map((i) => createTask(w(i))));
      log.push(bp(b));
      expect(log).toEqual([
        "broken]> n_waiting=0 broken=True",
        "0 BrokenBarrierError: Abort or reset of barrier broken]> n_waiting=0 broken=True",
        "1 BrokenBarrierError: Barrier aborted broken]> n_waiting=0 broken=True",
        "broken]> n_waiting=0 broken=True",
        "filling, waiters:0/2]> n_waiting=0 broken=False",
        "3 idx=1",
        "2 idx=0",
        "filling, waiters:0/2]> n_waiting=0 broken=False",
      ]);
    }));

  it("Barrier.reset() while tasks wait: they fail with 'Abort or reset of barrier'; an arrival during the reset waits for the next round", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(3);
      const w = (n: number) => async () => {
        try {
          log.push(`${n} idx=${await b.wait()} ${bp(b)}`);
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          log.push(`${n} ${show(e)} ${bp(b)}`);
        }
      };
      const ts: Task<unknown>[] = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      log.push(bp(b));
      const rt = createTask(() => b.reset());
      ts.push(createTask(w(2)));
      await sleep(0);
      log.push(`after reset ${bp(b)}`);
      ts.push(createTask(w(3)));
      await ticks(log, 3, () => bp(b));
      ts.push(createTask(w(4)));
      await settle([...ts, rt]);
      log.push(bp(b));
      expect(log).toEqual([
        "filling, waiters:2/3]> n_waiting=2 broken=False",
        "after reset resetting, waiters:0/3]> n_waiting=0 broken=False",
        "0 BrokenBarrierError: Abort or reset of barrier resetting, waiters:0/3]> n_waiting=0 broken=False",
        "1 BrokenBarrierError: Abort or reset of barrier filling, waiters:0/3]> n_waiting=0 broken=False",
        "tick0 filling, waiters:1/3]> n_waiting=1 broken=False",
        "tick1 filling, waiters:2/3]> n_waiting=2 broken=False",
        "tick2 filling, waiters:2/3]> n_waiting=2 broken=False",
        "4 idx=2 draining, waiters:0/3]> n_waiting=0 broken=False",
        "3 idx=0 draining, waiters:0/3]> n_waiting=0 broken=False",
        "2 idx=1 filling, waiters:0/3]> n_waiting=0 broken=False",
        "filling, waiters:0/3]> n_waiting=0 broken=False",
      ]);
    }));

  it("Barrier: each round hands out indices 0..parties-1; arrivals while it drains (nWaiting 0) wait for the next round", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(3);
      const w = (n: number) => async () => {
        const i = await b.wait();
        log.push(`${n} idx=${i} ${bp(b)}`);
        return i;
      };
      const ts = [0, 1, 2].map((i) => createTask(w(i)));
      await sleep(0);
      log.push(bp(b));
      ts.push(createTask(w(3)), createTask(w(4)));
      await ticks(log, 4, () => bp(b));
      ts.push(createTask(w(5)));
      log.push(fmt(await settle(ts)));
      log.push(bp(b));
      expect(log).toEqual([
        "2 idx=2 draining, waiters:0/3]> n_waiting=0 broken=False",
        "draining, waiters:0/3]> n_waiting=0 broken=False",
        "0 idx=0 draining, waiters:0/3]> n_waiting=0 broken=False",
        "1 idx=1 filling, waiters:0/3]> n_waiting=0 broken=False",
        "tick0 filling, waiters:2/3]> n_waiting=2 broken=False",
        "tick1 filling, waiters:2/3]> n_waiting=2 broken=False",
        "tick2 filling, waiters:2/3]> n_waiting=2 broken=False",
        "tick3 filling, waiters:2/3]> n_waiting=2 broken=False",
        "5 idx=2 draining, waiters:0/3]> n_waiting=0 broken=False",
        "3 idx=0 draining, waiters:0/3]> n_waiting=0 broken=False",
        "4 idx=1 filling, waiters:0/3]> n_waiting=0 broken=False",
        "results 0, 1, 2, 0, 1, 2",
        "filling, waiters:0/3]> n_waiting=0 broken=False",
      ]);
    }));

  it("Barrier.reset() while draining: a released party that has not run yet fails too", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(2);
      const w = (n: number) => async () => {
        try {
          log.push(`${n} idx=${await b.wait()} ${bp(b)}`);
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          log.push(`${n} ${show(e)} ${bp(b)}`);
        }
      };
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      log.push(bp(b));
      await b.reset();
      log.push(`after reset ${bp(b)}`);
      ts.push(createTask(w(2)));
      await ticks(log, 3, () => bp(b));
      ts.push(createTask(w(3)));
      await settle(ts);
      log.push(bp(b));
      expect(log).toEqual([
        "1 idx=1 draining, waiters:0/2]> n_waiting=0 broken=False",
        "draining, waiters:0/2]> n_waiting=0 broken=False",
        "after reset resetting, waiters:0/2]> n_waiting=0 broken=False",
        "0 BrokenBarrierError: Abort or reset of barrier filling, waiters:0/2]> n_waiting=0 broken=False",
        "tick0 filling, waiters:1/2]> n_waiting=1 broken=False",
        "tick1 filling, waiters:1/2]> n_waiting=1 broken=False",
        "tick2 filling, waiters:1/2]> n_waiting=1 broken=False",
        "3 idx=1 draining, waiters:0/2]> n_waiting=0 broken=False",
        "2 idx=0 filling, waiters:0/2]> n_waiting=0 broken=False",
        "filling, waiters:0/2]> n_waiting=0 broken=False",
      ]);
    }));

  it("Barrier: a party cancelled while filling leaves, and the next arrival gets its index again (two index 1s, as in asyncio)", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(3);
      const w = (n: number) => async () => {
        let i: number;
        try {
          i = await b.wait();
        } catch (e) {
          log.push(`${n} ${show(e)} ${tail(b)}`);
          throw e;
        }
        log.push(`${n} idx=${i} ${tail(b)}`);
        return i;
      };
      const ts = [0, 1].map((i) => createTask(w(i)));
      await sleep(0);
      ts[0]!.cancel();
      await ticks(log, 1, () => tail(b));
      ts.push(createTask(w(2)), createTask(w(3)));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "0 CancelledError() filling, waiters:1/3]>",
        "tick0 filling, waiters:1/3]>",
        "3 idx=2 draining, waiters:0/3]>",
        "1 idx=1 draining, waiters:0/3]>",
        "2 idx=1 filling, waiters:0/3]>",
        "results CancelledError(), 1, 1, 2",
      ]);
    }));

  it("Barrier: a task cancelled while blocked behind a draining round leaves the next round's order intact", () =>
    aio(async () => {
      const log: string[] = [];
      const b = new Barrier(2);
      const w = (n: number) => async () => {
        let i: number;
        try {
          i = await b.wait();
        } catch (e) {
          log.push(`${n} ${show(e)} ${tail(b)}`);
          throw e;
        }
        log.push(`${n} idx=${i} ${tail(b)}`);
        return i;
      };
      const ts = [createTask(w(0))];
      await sleep(0);
      ts.push(createTask(w(1)));
      ts.push(...[2, 3, 4].map((i) => createTask(w(i))));
      await sleep(0);
      log.push(tail(b));
      ts[2]!.cancel();
      await ticks(log, 6, () => tail(b));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "1 idx=1 draining, waiters:0/2]>",
        "draining, waiters:0/2]>",
        "0 idx=0 filling, waiters:0/2]>",
        "2 CancelledError() filling, waiters:0/2]>",
        "tick0 filling, waiters:0/2]>",
        "4 idx=1 draining, waiters:0/2]>",
        "tick1 draining, waiters:0/2]>",
        "3 idx=0 filling, waiters:0/2]>",
        "tick2 filling, waiters:0/2]>",
        "tick3 filling, waiters:0/2]>",
        "tick4 filling, waiters:0/2]>",
        "tick5 filling, waiters:0/2]>",
        "results 0, 1, CancelledError(), 0, 1",
      ]);
    }));
});
