// CPython Lib/test/test_asyncio/test_locks.py, ported case by case (test names kept).
import { CancelledError, getRunningLoop, RuntimeError, TimeoutError, ValueError } from "@aio/core";
import { createTask, gather, sleep, taskGroup, timeout } from "@aio/futures";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Semaphore,
} from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "../helpers.js";

const STR_RGX_REPR =
  /^<(?<class>.*?) \[(?<extras>(set|unset|locked|unlocked|filling|draining|resetting|broken)(, value:\d)?(, waiters:\d+)?(, waiters:\d+\/\d+)?)\]>$/;

describe("LockTests", () => {
  test("test_repr", () =>
    aio(async () => {
      const lock = new Lock();
      expect(String(lock)).toBe("<Lock [unlocked]>");
      expect(String(lock)).toMatch(STR_RGX_REPR);
      await lock.acquire();
      expect(String(lock)).toBe("<Lock [locked]>");
      expect(String(lock)).toMatch(STR_RGX_REPR);
      lock.release();
    }));

  test("test_lock", () =>
    aio(async () => {
      const lock = new Lock();
      expect(await lock.acquire()).toBe(true);
      expect(lock.locked()).toBe(true);
      lock.release();
      expect(lock.locked()).toBe(false);
    }));

  test("test_acquire", () =>
    aio(async () => {
      const lock = new Lock();
      const result: number[] = [];
      expect(await lock.acquire()).toBe(true);
      const c = (n: number) => async () => {
        if (await lock.acquire()) {
          result.push(n);
        }
        return true;
      };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      await sleep(0);
      expect(result).toEqual([]);
      lock.release();
      await sleep(0);
      expect(result).toEqual([1]);
      await sleep(0);
      expect(result).toEqual([1]);
      const t3 = createTask(c(3));
      lock.release();
      await sleep(0);
      expect(result).toEqual([1, 2]);
      lock.release();
      await sleep(0);
      expect(result).toEqual([1, 2, 3]);
      expect(await gather(t1, t2, t3)).toEqual([true, true, true]);
      lock.release();
    }));

  test("test_acquire_cancel", () =>
    aio(async () => {
      const lock = new Lock();
      expect(await lock.acquire()).toBe(true);
      const task = createTask(() => lock.acquire());
      getRunningLoop().callSoon(() => task.cancel());
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(String(lock)).toBe("<Lock [locked]>"); // no waiter left
      lock.release();
    }));

  test("test_cancel_race", () =>
    aio(async () => {
      // A holds the lock, B and C wait; B is cancelled while A releases.
      // C must get the lock (B's cancelled waiter must not swallow the wake-up).
      const lock = new Lock();
      const lockit = (blocker: PromiseLike<unknown> | null) => async () => {
        await lock.acquire();
        try {
          if (blocker !== null) await blocker;
        } finally {
          lock.release();
        }
      };
      const fa = getRunningLoop().createFuture<void>();
      const ta = createTask(lockit(fa));
      await sleep(0);
      expect(lock.locked()).toBe(true);
      const tb = createTask(lockit(null));
      await sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:1]>");
      const tc = createTask(lockit(null));
      await sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:2]>");
      fa.setResult(undefined);
      tb.cancel();
      await sleep(0);
      expect(lock.locked()).toBe(false);
      expect(ta.done()).toBe(true);
      expect(tb.cancelled()).toBe(true);
      await tc;
    }));

  test("test_cancel_release_race (bpo-32734)", () =>
    aio(async () => {
      // Acquire 4 locks, cancel second, release first: only one lock is taken.
      const lock = new Lock();
      let lockCount = 0;
      let callCount = 0;
      const lockit = async () => {
        callCount++;
        await lock.acquire();
        lockCount++;
      };
      await lock.acquire();
      const t1 = createTask(lockit);
      const t2 = createTask(lockit);
      const t3 = createTask(lockit);
      await sleep(0);
      getRunningLoop().callSoon(() => {
        t1.cancel();
        lock.release();
      });
      await expect(t1).rejects.toBeInstanceOf(CancelledError);
      expect(lockCount).toBe(1);
      expect(callCount).toBe(3);
      expect(t1.cancelled() && t2.done()).toBe(true);
      t3.cancel();
      await sleep(0);
      expect(t3.cancelled()).toBe(true);
      lock.release();
    }));

  test("test_finished_waiter_cancelled", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      expect(lock.locked()).toBe(true);
      const tb = createTask(() => lock.acquire());
      await sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:1]>");
      // A second waiter, wake up the first and cancel it: the second must wake.
      const tc = createTask(() => lock.acquire());
      tb.cancel();
      lock.release();
      await sleep(0);
      expect(lock.locked()).toBe(true);
      expect(tb.cancelled()).toBe(true);
      await tc;
      lock.release();
    }));

  test("test_release_not_acquired", () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(RuntimeError);
    expect(() => lock.release()).toThrow("Lock is not acquired.");
  });

  test("test_release_no_waiters", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      expect(lock.locked()).toBe(true);
      lock.release();
      expect(lock.locked()).toBe(false);
    }));

  test("test_context_manager", () =>
    aio(async () => {
      const lock = new Lock();
      {
        await using _ = await lock.hold();
        expect(lock.locked()).toBe(true);
      }
      expect(lock.locked()).toBe(false);
    }));
});

describe("EventTests", () => {
  test("test_repr", () =>
    aio(async () => {
      const ev = new Event();
      expect(String(ev)).toBe("<Event [unset]>");
      ev.set();
      expect(String(ev)).toBe("<Event [set]>");
      ev.clear();
      const t = createTask(() => ev.wait());
      await sleep(0);
      expect(String(ev)).toBe("<Event [unset, waiters:1]>");
      expect(String(ev)).toMatch(STR_RGX_REPR);
      ev.set();
      await t;
    }));

  test("test_wait", () =>
    aio(async () => {
      const ev = new Event();
      expect(ev.isSet()).toBe(false);
      const result: number[] = [];
      const c = (n: number) => async () => {
        if (await ev.wait()) result.push(n);
      };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      await sleep(0);
      expect(result).toEqual([]);
      const t3 = createTask(c(3));
      ev.set();
      await sleep(0);
      expect(result).toEqual([3, 1, 2]);
      expect(t1.done() && t2.done() && t3.done()).toBe(true);
    }));

  test("test_wait_on_set", () =>
    aio(async () => {
      const ev = new Event();
      ev.set();
      expect(await ev.wait()).toBe(true);
    }));

  test("test_wait_cancel", () =>
    aio(async () => {
      const ev = new Event();
      const wait = createTask(() => ev.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      await expect(wait).rejects.toBeInstanceOf(CancelledError);
      expect(String(ev)).toBe("<Event [unset]>");
    }));

  test("test_clear", () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);
    ev.set();
    expect(ev.isSet()).toBe(true);
    ev.clear();
    expect(ev.isSet()).toBe(false);
  });

  test("test_clear_with_waiters", () =>
    aio(async () => {
      const ev = new Event();
      const result: number[] = [];
      const t = createTask(async () => {
        if (await ev.wait()) result.push(1);
        return true;
      });
      await sleep(0);
      expect(result).toEqual([]);
      ev.set();
      ev.clear();
      expect(ev.isSet()).toBe(false);
      ev.set();
      ev.set();
      expect(String(ev)).toBe("<Event [set, waiters:1]>");
      await sleep(0);
      expect(result).toEqual([1]);
      expect(String(ev)).toBe("<Event [set]>");
      expect(t.done()).toBe(true);
      expect(t.result()).toBe(true);
    }));
});

describe("ConditionTests", () => {
  test("test_wait", () =>
    aio(async () => {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) => async () => {
        await cond.acquire();
        if (await cond.wait()) result.push(n);
        return true;
      };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      const t3 = createTask(c(3));
      await sleep(0);
      expect(result).toEqual([]);
      expect(cond.locked()).toBe(false);
      expect(await cond.acquire()).toBe(true);
      cond.notify();
      await sleep(0);
      expect(result).toEqual([]);
      expect(cond.locked()).toBe(true);
      cond.release();
      await sleep(0);
      expect(result).toEqual([1]);
      expect(cond.locked()).toBe(true);
      cond.notify(2);
      await sleep(0);
      expect(result).toEqual([1]);
      expect(cond.locked()).toBe(true);
      cond.release();
      await sleep(0);
      expect(result).toEqual([1, 2]);
      expect(cond.locked()).toBe(true);
      cond.release();
      await sleep(0);
      expect(result).toEqual([1, 2, 3]);
      expect(cond.locked()).toBe(true);
      expect(t1.done() && t2.done() && t3.done()).toBe(true);
      expect([t1.result(), t2.result(), t3.result()]).toEqual([true, true, true]);
      cond.release();
    }));

  test("test_wait_cancel", () =>
    aio(async () => {
      const cond = new Condition();
      await cond.acquire();
      const wait = createTask(() => cond.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      await expect(wait).rejects.toBeInstanceOf(CancelledError);
      expect(String(cond)).toBe("<Condition [locked]>");
      cond.release();
    }));

  test("test_wait_cancel_contested", () =>
    aio(async () => {
      const cond = new Condition();
      await cond.acquire();
      expect(cond.locked()).toBe(true);
      const waitTask = createTask(() => cond.wait());
      await sleep(0);
      expect(cond.locked()).toBe(false);
      // Notify, but contest the lock before cancelling.
      await cond.acquire();
      expect(cond.locked()).toBe(true);
      cond.notify();
      getRunningLoop().callSoon(() => waitTask.cancel());
      getRunningLoop().callSoon(() => cond.release());
      await waitTask.catch(() => undefined);
      // Whatever ended the wait, the waiter re-acquired the lock.
      expect(cond.locked()).toBe(true);
      cond.release();
    }));

  test("test_wait_cancel_after_notify (bpo-32841)", () =>
    aio(async () => {
      let waited = false;
      const cond = new Condition();
      const waiter = createTask(async () => {
        await using _ = await cond.hold();
        waited = true;
        await cond.wait();
      });
      await sleep(1); // start waiting
      await cond.acquire();
      cond.notify();
      await sleep(0); // get to acquire()
      waiter.cancel();
      await sleep(0); // activate cancellation
      cond.release();
      await sleep(0); // cancellation should occur
      expect(waiter.cancelled()).toBe(true);
      expect(waited).toBe(true);
      expect(cond.locked()).toBe(false);
    }));

  test("test_wait_unacquired", () =>
    aio(async () => {
      const cond = new Condition();
      await expect(cond.wait()).rejects.toThrow(
        new RuntimeError("cannot wait on un-acquired lock"),
      );
    }));

  test("test_wait_for", () =>
    aio(async () => {
      const cond = new Condition();
      let presult = false;
      const predicate = () => presult;
      const result: number[] = [];
      const t = createTask(async () => {
        await cond.acquire();
        if (await cond.waitFor(predicate)) {
          result.push(1);
          cond.release();
        }
        return true;
      });
      await sleep(0);
      expect(result).toEqual([]);
      await cond.acquire();
      cond.notify();
      cond.release();
      await sleep(0);
      expect(result).toEqual([]);
      presult = true;
      await cond.acquire();
      cond.notify();
      cond.release();
      await sleep(0);
      expect(result).toEqual([1]);
      expect(t.done()).toBe(true);
      expect(t.result()).toBe(true);
    }));

  test("test_wait_for_unacquired", () =>
    aio(async () => {
      const cond = new Condition();
      // predicate can return true immediately
      expect(await cond.waitFor(() => [1, 2, 3])).toEqual([1, 2, 3]);
      await expect(cond.waitFor(() => false)).rejects.toThrow(RuntimeError);
    }));

  test("test_notify", () =>
    aio(async () => {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) => async () => {
        await cond.acquire();
        if (await cond.wait()) {
          result.push(n);
          cond.release();
        }
        return true;
      };
      const tasks = [createTask(c(1)), createTask(c(2)), createTask(c(3))];
      await sleep(0);
      expect(result).toEqual([]);
      await cond.acquire();
      cond.notify(1);
      cond.release();
      await sleep(0);
      expect(result).toEqual([1]);
      await cond.acquire();
      cond.notify(1);
      cond.notify(2048);
      cond.release();
      await sleep(0);
      expect(result).toEqual([1, 2, 3]);
      expect(await gather(...tasks)).toEqual([true, true, true]);
    }));

  test("test_notify_all", () =>
    aio(async () => {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) => async () => {
        await cond.acquire();
        if (await cond.wait()) {
          result.push(n);
          cond.release();
        }
        return true;
      };
      const tasks = [createTask(c(1)), createTask(c(2))];
      await sleep(0);
      expect(result).toEqual([]);
      await cond.acquire();
      cond.notifyAll();
      cond.release();
      await sleep(0);
      expect(result).toEqual([1, 2]);
      await gather(...tasks);
    }));

  test("test_notify_unacquired", () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow(new RuntimeError("cannot notify on un-acquired lock"));
  });

  test("test_notify_all_unacquired", () => {
    const cond = new Condition();
    expect(() => cond.notifyAll()).toThrow(new RuntimeError("cannot notify on un-acquired lock"));
  });

  test("test_repr", () =>
    aio(async () => {
      const cond = new Condition();
      expect(String(cond)).toBe("<Condition [unlocked]>");
      await cond.acquire();
      expect(String(cond)).toBe("<Condition [locked]>");
      const t1 = createTask(async () => {
        await cond.acquire();
        await cond.wait();
        cond.release();
      });
      cond.release();
      await sleep(0);
      expect(String(cond)).toBe("<Condition [unlocked, waiters:1]>");
      expect(String(cond)).toMatch(STR_RGX_REPR);
      await cond.acquire();
      cond.notifyAll();
      cond.release();
      await t1;
    }));

  test("test_explicit_lock", () =>
    aio(async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      expect(cond.locked()).toBe(false);
      await lock.acquire();
      expect(cond.locked()).toBe(true);
      cond.release();
      expect(lock.locked()).toBe(false);
      // Two conditions sharing one lock.
      const other = new Condition(lock);
      await other.acquire();
      expect(cond.locked()).toBe(true);
      other.release();
    }));

  test("test_cancelled_error_wakeup", () =>
    aio(async () => {
      // A CancelledError received while waiting for the wake-up is re-raised unmodified.
      let raised: unknown = null;
      const cond = new Condition();
      const task = createTask(async () => {
        await using _ = await cond.hold();
        try {
          await cond.waitFor(() => false);
        } catch (e) {
          raised = e;
          throw e;
        }
      });
      await sleep(0);
      task.cancel("foo");
      const err = await task.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("foo");
      expect(raised).toBeInstanceOf(CancelledError);
      expect((raised as Error).message).toBe("foo");
      expect(cond.locked()).toBe(false);
    }));

  test("test_cancelled_error_re_aquire", () =>
    aio(async () => {
      // A CancelledError received while re-acquiring the lock is re-raised unmodified.
      let wake = false;
      let raised: unknown = null;
      const cond = new Condition();
      const task = createTask(async () => {
        await using _ = await cond.hold();
        try {
          await cond.waitFor(() => wake);
        } catch (e) {
          raised = e;
          throw e;
        }
      });
      await sleep(0);
      await cond.acquire();
      wake = true;
      cond.notify();
      await sleep(0);
      // The task now tries to re-acquire the lock: cancel it there.
      task.cancel("foo");
      cond.release();
      const err = await task.then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as Error).message).toBe("foo");
      expect((raised as Error).message).toBe("foo");
      expect(cond.locked()).toBe(false);
    }));

  test("test_cancelled_wakeup", () =>
    aio(async () => {
      // A task cancelled at the "same" time as it is notified does not lose the wake-up.
      const condition = new Condition();
      let state = 0;
      const consumer = async () => {
        await using _ = await condition.hold();
        for (;;) {
          await condition.waitFor(() => state !== 0);
          if (state < 0) return;
          state -= 1;
        }
      };
      const c = [createTask(consumer), createTask(consumer)];
      await sleep(0);
      {
        await using _ = await condition.hold();
        state += 1;
        condition.notify(1);
        c[0]!.cancel();
        await timeout(10, () => condition.waitFor(() => state === 0)).catch(() => undefined);
        expect(state).toBe(0);
        state = -1;
        condition.notifyAll();
      }
      await c[1];
      await c[0]!.catch(() => undefined);
    }));

  test("test_timeout_in_block", () =>
    aio(async () => {
      const condition = new Condition();
      {
        await using _ = await condition.hold();
        await expect(timeout(10, () => condition.wait())).rejects.toBeInstanceOf(TimeoutError);
        expect(condition.locked()).toBe(true);
      }
      expect(condition.locked()).toBe(false);
    }));
});

describe("SemaphoreTests", () => {
  test("test_initial_value_zero", () => {
    const sem = new Semaphore(0);
    expect(sem.locked()).toBe(true);
  });

  test("test_repr", () =>
    aio(async () => {
      const sem = new Semaphore();
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      expect(String(sem)).toMatch(STR_RGX_REPR);
      await sem.acquire();
      expect(String(sem)).toBe("<Semaphore [locked]>");
      const t = createTask(() => sem.acquire());
      await sleep(0);
      expect(String(sem)).toBe("<Semaphore [locked, waiters:1]>");
      expect(String(sem)).toMatch(STR_RGX_REPR);
      sem.release();
      await t;
      sem.release();
    }));

  test("test_semaphore", () =>
    aio(async () => {
      const sem = new Semaphore();
      expect(await sem.acquire()).toBe(true);
      expect(sem.locked()).toBe(true);
      sem.release();
      expect(sem.locked()).toBe(false);
    }));

  test("test_semaphore_value", () => {
    expect(() => new Semaphore(-1)).toThrow(ValueError);
    expect(() => new Semaphore(-1)).toThrow("Semaphore value must be an integer >= 0, received -1");
  });

  test("test_acquire", () =>
    aio(async () => {
      const sem = new Semaphore(3);
      const result: number[] = [];
      expect(await sem.acquire()).toBe(true);
      expect(await sem.acquire()).toBe(true);
      expect(sem.locked()).toBe(false);
      const c = (n: number) => async () => {
        await sem.acquire();
        result.push(n);
        return true;
      };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      const t3 = createTask(c(3));
      await sleep(0);
      expect(result).toEqual([1]);
      expect(sem.locked()).toBe(true);
      expect(String(sem)).toBe("<Semaphore [locked, waiters:2]>");
      const t4 = createTask(c(4));
      sem.release();
      sem.release();
      await sleep(0);
      expect(result).toEqual([1, 2, 3]);
      expect(sem.locked()).toBe(true);
      expect(t1.done() && t2.done() && t3.done()).toBe(true);
      expect(t4.done()).toBe(false);
      t4.cancel();
      await t4.catch(() => undefined);
    }));

  test("test_acquire_cancel", () =>
    aio(async () => {
      const sem = new Semaphore();
      await sem.acquire();
      const acquire = createTask(() => sem.acquire());
      getRunningLoop().callSoon(() => acquire.cancel());
      await expect(acquire).rejects.toBeInstanceOf(CancelledError);
      expect(String(sem)).toBe("<Semaphore [locked]>");
      sem.release();
    }));

  test("test_acquire_cancel_before_awoken (gh-90155)", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const ts = [1, 2, 3, 4].map(() => createTask(() => sem.acquire()));
      const [t1, t2, t3, t4] = ts as [
        (typeof ts)[0],
        (typeof ts)[0],
        (typeof ts)[0],
        (typeof ts)[0],
      ];
      await sleep(0);
      t1.cancel();
      t2.cancel();
      sem.release();
      await sleep(0);
      await sleep(0);
      expect([t3.done(), t4.done()]).toEqual([true, false]);
      t4.cancel();
      await sleep(0);
      expect(t1.cancelled() && t2.cancelled() && t4.cancelled()).toBe(true);
      expect(String(sem)).toBe("<Semaphore [locked]>");
    }));

  test("test_acquire_hang", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const t1 = createTask(() => sem.acquire());
      const t2 = createTask(() => sem.acquire());
      await sleep(0);
      t1.cancel();
      sem.release();
      await sleep(0);
      await sleep(0);
      expect(sem.locked()).toBe(true);
      expect(t2.done()).toBe(true);
      expect(t1.cancelled()).toBe(true);
    }));

  test("test_acquire_no_hang (gh-90155)", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      let entered2 = false;
      let t2: ReturnType<typeof createTask<void>> | null = null;
      const t1 = createTask(async () => {
        {
          await using _ = await sem.hold();
          await sleep(0);
        }
        // t2 has just been handed the permit; cancel it before it runs.
        t2!.cancel();
      });
      t2 = createTask(async () => {
        await using _ = await sem.hold();
        entered2 = true;
      });
      const [r1, r2] = await gather(t1, t2, { returnExceptions: true });
      expect(r1).toBeUndefined();
      expect(r2).toBeInstanceOf(CancelledError);
      expect(entered2).toBe(false);
      // The permit handed to the cancelled task was given back: no hang.
      await timeout(1000, () => sem.acquire());
      sem.release();
    }));

  test("test_release_not_acquired", () => {
    const sem = new BoundedSemaphore();
    expect(() => sem.release()).toThrow(ValueError);
    expect(() => sem.release()).toThrow("BoundedSemaphore released too many times");
  });

  test("test_release_no_waiters", () =>
    aio(async () => {
      const sem = new Semaphore();
      await sem.acquire();
      expect(sem.locked()).toBe(true);
      sem.release();
      expect(sem.locked()).toBe(false);
    }));

  test("test_acquire_fifo_order", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      const result: string[] = [];
      const coro = (tag: string) => async () => {
        await sem.acquire();
        result.push(`${tag}_1`);
        await sleep(10);
        sem.release();
        await sem.acquire();
        result.push(`${tag}_2`);
        await sleep(10);
        sem.release();
      };
      await taskGroup(async (tg) => {
        tg.createTask(coro("c1"));
        tg.createTask(coro("c2"));
        tg.createTask(coro("c3"));
      });
      expect(result).toEqual(["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
    }));

  test("test_acquire_fifo_order_2", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      const result: number[] = [];
      const t1 = createTask(async () => {
        await sem.acquire();
        result.push(1);
        return true;
      });
      const t2 = createTask(async () => {
        await sem.acquire();
        result.push(2);
        sem.release();
        await sem.acquire();
        result.push(4);
        return true;
      });
      const t3 = createTask(async () => {
        await sem.acquire();
        result.push(3);
        return true;
      });
      await sleep(0);
      sem.release();
      sem.release();
      await gather(t1, t2, t3);
      expect(result).toEqual([1, 2, 3, 4]);
    }));

  test("test_acquire_fifo_order_3", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const result: number[] = [];
      const c = (n: number) => async () => {
        await sem.acquire();
        result.push(n);
        return true;
      };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      const t3 = createTask(c(3));
      await sleep(0);
      t1.cancel();
      await sleep(0);
      sem.release();
      sem.release();
      await gather(t1, t2, t3, { returnExceptions: true });
      expect(result).toEqual([2, 3]);
    }));

  test("test_acquire_fifo_order_4", () =>
    aio(async () => {
      // A successful acquire() wakes up several tasks that had to wait because of FIFO.
      const sem = new Semaphore(0);
      const result: number[] = [];
      let t4: PromiseLike<unknown> | null = null;
      const t1 = createTask(async () => {
        await sem.acquire();
        t4 = createTask(async () => {
          result.push(4);
        });
        result.push(1);
      });
      const t2 = createTask(async () => {
        sem.release();
        sem.release();
        sem.release();
        expect(String(sem)).toBe("<Semaphore [locked, waiters:1]>"); // value handed to t1
        await sem.acquire();
        result.push(2);
      });
      const t3 = createTask(async () => {
        await sem.acquire();
        expect(sem.locked()).toBe(true);
        result.push(3);
      });
      await sleep(0);
      await gather(t1, t2, t3);
      await t4;
      expect(result).toEqual([1, 2, 3, 4]);
    }));

  test("test_context_manager", () =>
    aio(async () => {
      const sem = new Semaphore(2);
      {
        await using _ = await sem.hold();
        expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      }
      expect(String(sem)).toBe("<Semaphore [unlocked, value:2]>");
    }));
});

describe("BarrierTests", () => {
  const N = 5;

  async function runTasks(n: number, fn: (i: number) => Promise<unknown>) {
    return gather(...Array.from({ length: n }, (_, i) => createTask(() => fn(i))));
  }

  test("test_barrier", () =>
    aio(async () => {
      const barrier = new Barrier(1);
      expect(String(barrier)).toBe("<Barrier [filling, waiters:0/1]>");
      expect(await barrier.wait()).toBe(0);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    }));

  test("test_repr", () =>
    aio(async () => {
      const barrier = new Barrier(N);
      expect(String(barrier)).toMatch(STR_RGX_REPR);
      expect(String(barrier)).toBe(`<Barrier [filling, waiters:0/${N}]>`);
      const waiters = Array.from({ length: N - 1 }, () => createTask(() => barrier.wait()));
      await sleep(0);
      expect(String(barrier)).toBe(`<Barrier [filling, waiters:${N - 1}/${N}]>`);
      await barrier.abort();
      expect(String(barrier)).toBe("<Barrier [broken]>");
      const results = await gather(...waiters, { returnExceptions: true });
      expect(results.every((r) => r instanceof BrokenBarrierError)).toBe(true);
    }));

  test("test_barrier_parties", () => {
    expect(() => new Barrier(0)).toThrow(ValueError);
    expect(() => new Barrier(0)).toThrow("Barrier parties must be an integer >= 1, received 0");
    expect(() => new Barrier(-10)).toThrow(ValueError);
    expect(new Barrier(5).parties).toBe(5);
  });

  test("test_filling_one_task_twice", () =>
    aio(async () => {
      const barrier = new Barrier(1);
      expect(await barrier.wait()).toBe(0);
      expect(await barrier.wait()).toBe(0);
      expect(barrier.nWaiting).toBe(0);
    }));

  test("test_filling_tasks_check_return_value", () =>
    aio(async () => {
      const barrier = new Barrier(N);
      const indices = await runTasks(N, () => barrier.wait());
      expect([...indices].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    }));

  test("test_filling_tasks_wait_twice", () =>
    aio(async () => {
      const barrier = new Barrier(N);
      const results: number[] = [];
      await runTasks(N, async () => {
        await barrier.wait();
        results.push(1);
        await barrier.wait();
        results.push(2);
      });
      expect(results).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    }));

  test("test_blocking_tasks_while_draining", () =>
    aio(async () => {
      const rewait = 2;
      const barrier = new Barrier(rewait);
      const results: number[] = [];
      await runTasks(rewait * 2, async () => {
        const i = await barrier.wait();
        results.push(i);
      });
      expect([...results].sort()).toEqual([0, 0, 1, 1]);
      expect(barrier.nWaiting).toBe(0);
    }));

  test("test_filling_tasks_cancel_one", () =>
    aio(async () => {
      const barrier = new Barrier(3);
      const results: boolean[] = [];
      const coro = async () => {
        await barrier.wait();
        results.push(true);
      };
      const t1 = createTask(coro);
      await sleep(0);
      expect(barrier.nWaiting).toBe(1);
      const t2 = createTask(coro);
      await sleep(0);
      expect(barrier.nWaiting).toBe(2);
      t1.cancel();
      await sleep(0);
      expect(barrier.nWaiting).toBe(1);
      await expect(t1).rejects.toBeInstanceOf(CancelledError);
      expect(t1.cancelled()).toBe(true);
      const t3 = createTask(coro);
      await sleep(0);
      expect(barrier.nWaiting).toBe(2);
      const t4 = createTask(coro);
      await gather(t2, t3, t4);
      expect(results).toEqual([true, true, true]);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    }));

  test("test_reset_barrier", () =>
    aio(async () => {
      const barrier = new Barrier(1);
      await barrier.reset();
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    }));

  test("test_reset_barrier_while_tasks_waiting", () =>
    aio(async () => {
      const barrier = new Barrier(N);
      const results: string[] = [];
      const waiters = Array.from({ length: N - 1 }, () =>
        createTask(async () => {
          try {
            await barrier.wait();
          } catch (e) {
            if (e instanceof BrokenBarrierError) results.push("broken");
          }
        }),
      );
      await sleep(0);
      await barrier.reset();
      await gather(...waiters);
      expect(results).toEqual(Array(N - 1).fill("broken"));
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
      expect(String(barrier)).toBe(`<Barrier [filling, waiters:0/${N}]>`);
    }));

  test("test_abort_barrier", () =>
    aio(async () => {
      const barrier = new Barrier(1);
      await barrier.abort();
      expect(barrier.broken).toBe(true);
      await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
      await expect(barrier.wait()).rejects.toThrow("Barrier aborted");
    }));

  test("test_abort_and_reset_barrier", () =>
    aio(async () => {
      const barrier = new Barrier(2);
      await barrier.abort();
      expect(barrier.broken).toBe(true);
      await barrier.reset();
      expect(barrier.broken).toBe(false);
      const got = await runTasks(2, () => barrier.wait());
      expect([...got].sort()).toEqual([0, 1]);
    }));
});
