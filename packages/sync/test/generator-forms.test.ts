/**
 * The `yield*` forms of the blocking calls, from generator tasks
 * (`createTask(function* …)`): the same fairness, cancellation and abort
 * guarantees as the `await` forms, with async and generator tasks in one line.
 */
import { getEventListeners } from "node:events";
import { isCancelledError, RuntimeError } from "@aio/core";
import { createTask, gather, sleep, wait } from "@aio/futures";
import {
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  QueueShutDown,
  Semaphore,
  type Waitable,
} from "@aio/sync";
import { describe, expect, it } from "vitest";
import { aio } from "./helpers.js";

/** An AbortController and the number of "abort" listeners on its signal. */
function countedAbort(): { ctl: AbortController; live: () => number } {
  const ctl = new AbortController();
  return { ctl, live: () => getEventListeners(ctl.signal, "abort").length };
}

describe("Lock: yield* lock.acquire()", () => {
  it("hands the lock over in FIFO order, generator and async tasks in one line", async () => {
    const log: string[] = [];
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const gen = (name: string) =>
        createTask(function* () {
          expect(yield* lock.acquire()).toBe(true);
          log.push(name);
          yield;
          lock.release();
        });
      const asy = (name: string) =>
        createTask(async () => {
          await lock.acquire();
          log.push(name);
          await sleep(0);
          lock.release();
        });
      const tasks = [gen("g1"), asy("a1"), gen("g2"), asy("a2"), gen("g3")];
      await sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:5]>");
      lock.release();
      await gather(...tasks);
      expect(String(lock)).toBe("<Lock [unlocked]>");
    });
    expect(log).toEqual(["g1", "a1", "g2", "a2", "g3"]);
  });

  it("a free lock is taken at once: no loop iteration passes", async () => {
    await aio(async () => {
      const lock = new Lock();
      const order: string[] = [];
      const t = createTask(function* () {
        yield* lock.acquire();
        order.push("acquired");
        lock.release();
        yield* lock.acquire();
        order.push("again");
        lock.release();
      });
      createTask(async () => {
        order.push("other task");
      });
      await t;
      await sleep(0);
      expect(order).toEqual(["acquired", "again", "other task"]);
    });
  });

  it("cancelled while waiting: CancelledError at the yield*, no waiter left, the next task gets the lock", async () => {
    const log: string[] = [];
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const victim = createTask(function* () {
        try {
          yield* lock.acquire();
          log.push("victim got the lock (wrong)");
        } catch (err) {
          log.push(`victim: ${(err as Error).name}`);
          throw err;
        }
      });
      const next = createTask(function* () {
        yield* lock.acquire();
        log.push("next got the lock");
        lock.release();
      });
      await sleep(0);
      victim.cancel();
      await wait([victim]);
      expect(String(lock)).toBe("<Lock [locked, waiters:1]>");
      lock.release();
      await next;
      expect(String(lock)).toBe("<Lock [unlocked]>");
    });
    expect(log).toEqual(["victim: CancelledError", "next got the lock"]);
  });

  it("woken, then cancelled before it runs: the wake-up passes to the next waiter (CPython test_cancel_release_race)", async () => {
    const log: string[] = [];
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const mk = (name: string) =>
        createTask(function* () {
          yield* lock.acquire();
          log.push(name);
          lock.release();
        });
      const b = mk("b");
      const c = mk("c");
      await sleep(0);
      lock.release(); // wakes b…
      b.cancel(); // …which is cancelled before it can run
      await wait([b, c]);
      expect(b.cancelled()).toBe(true);
      expect(String(lock)).toBe("<Lock [unlocked]>");
    });
    expect(log).toEqual(["c"]);
  });

  it("an abort while waiting throws signal.reason at the yield*, removes its listener and leaves no waiter", async () => {
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const { ctl, live } = countedAbort();
      const t = createTask(function* () {
        yield* lock.acquire({ signal: ctl.signal });
      });
      await sleep(0);
      expect(live()).toBe(1);
      ctl.abort(new Error("gave up"));
      await expect(t).rejects.toThrow("gave up");
      expect(live()).toBe(0);
      expect(String(lock)).toBe("<Lock [locked]>");
      lock.release();
    });
  });

  it("the listener also goes when the wait succeeds", async () => {
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const { ctl, live } = countedAbort();
      const t = createTask(function* () {
        yield* lock.acquire({ signal: ctl.signal });
        lock.release();
      });
      await sleep(0);
      lock.release();
      await t;
      expect(live()).toBe(0);
    });
  });

  it("an already-aborted signal throws its reason at the yield* without queueing", async () => {
    await aio(async () => {
      const lock = new Lock();
      const t = createTask(function* () {
        yield* lock.acquire({ signal: AbortSignal.abort(new Error("too late")) });
      });
      await expect(t).rejects.toThrow("too late");
      expect(String(lock)).toBe("<Lock [unlocked]>");
    });
  });

  it("bad options are a TypeError at the call", async () => {
    await aio(async () => {
      const lock = new Lock();
      const t = createTask(function* () {
        yield* lock.acquire({ signal: "nope" as unknown as AbortSignal });
      });
      await expect(t).rejects.toThrow(
        new TypeError('Lock.acquire() options.signal must be an AbortSignal, received "nope"'),
      );
    });
  });

  it("is lazy, like a coroutine: a wait that is never run queues nothing", async () => {
    await aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const t = createTask(function* () {
        lock.acquire(); // dropped, never run
        yield;
      });
      await t;
      expect(String(lock)).toBe("<Lock [locked]>");
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  it("await in an async helper a generator task called: the promise form, refused when it has to wait", async () => {
    await aio(async () => {
      const lock = new Lock();
      const helper = async (): Promise<string> => {
        await lock.acquire();
        return "held";
      };
      const first = createTask(function* () {
        return yield helper(); // free: taken without waiting
      });
      expect(await first).toBe("held");
      const second = createTask(function* () {
        return yield helper(); // held: a wait the generator task cannot make with then()
      });
      await expect(second).rejects.toThrow(RuntimeError);
      await expect(second).rejects.toThrow(/inside generator task/);
      expect(String(lock)).toBe("<Lock [locked]>");
      lock.release();
    });
  });

  it("a wait run with yield* cannot be awaited as well", async () => {
    await aio(async () => {
      const lock = new Lock();
      let op: Waitable<true> | null = null;
      const t = createTask(function* () {
        op = lock.acquire();
        yield* op;
      });
      await t;
      await expect(op!).rejects.toThrow(
        "this wait was already started with yield*: it cannot be awaited too",
      );
      lock.release();
    });
  });

  it("using _ = yield* lock.hold() releases at the end of the block", async () => {
    await aio(async () => {
      const lock = new Lock();
      const t = createTask(function* () {
        {
          using _ = yield* lock.hold();
          expect(lock.locked()).toBe(true);
          yield* sleep(1);
        }
        expect(lock.locked()).toBe(false);
      });
      await t;
    });
  });
});

describe("Semaphore, Event: yield* forms", () => {
  it("Semaphore: woken then cancelled does not lose the permit (gh-90155)", async () => {
    const got: string[] = [];
    await aio(async () => {
      const sem = new Semaphore(1);
      await sem.acquire();
      const mk = (name: string) =>
        createTask(function* () {
          yield* sem.acquire();
          got.push(name);
          yield* sleep(1);
          sem.release();
        });
      const a = mk("a");
      const b = mk("b");
      const c = mk("c");
      await sleep(0);
      sem.release(); // wakes a…
      a.cancel(); // …cancelled before it runs: its permit must reach b
      await wait([a, b, c]);
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
    });
    expect(got).toEqual(["b", "c"]);
  });

  it("Semaphore: at most `value` holders, hold() with using", async () => {
    await aio(async () => {
      const sem = new Semaphore(2);
      let inside = 0;
      let most = 0;
      const worker = () =>
        createTask(function* () {
          using _ = yield* sem.hold();
          inside++;
          most = Math.max(most, inside);
          yield* sleep(2);
          inside--;
        });
      await gather(...Array.from({ length: 7 }, worker));
      expect(most).toBe(2);
      expect(String(sem)).toBe("<Semaphore [unlocked, value:2]>");
    });
  });

  it("Event: set() wakes every generator waiter; a cancelled one leaves nothing", async () => {
    await aio(async () => {
      const ev = new Event();
      const waiters = [0, 1, 2].map(() =>
        createTask(function* () {
          return yield* ev.wait();
        }),
      );
      await sleep(0);
      waiters[1]!.cancel();
      await wait([waiters[1]!]);
      expect(String(ev)).toBe("<Event [unset, waiters:2]>");
      ev.set();
      expect(await waiters[0]).toBe(true);
      expect(await waiters[2]).toBe(true);
      expect(String(ev)).toBe("<Event [set]>");
    });
  });
});

describe("Queue: yield* forms", () => {
  it("producer and consumers through a bounded queue: every item once, in order per consumer", async () => {
    const seen: number[][] = [[], [], []];
    await aio(async () => {
      const q = new Queue<number>(2);
      const producer = createTask(function* () {
        for (let i = 0; i < 30; i++) yield* q.put(i);
        yield* q.join();
        q.shutdown();
      });
      const consumers = seen.map((mine) =>
        createTask(function* () {
          for (;;) {
            let item: number;
            try {
              item = yield* q.get();
            } catch (err) {
              if (err instanceof QueueShutDown) return;
              throw err;
            }
            mine.push(item);
            yield* sleep(item % 3);
            q.taskDone();
          }
        }),
      );
      await gather(producer, ...consumers);
    });
    const all = seen.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const mine of seen) expect(mine).toEqual([...mine].sort((a, b) => a - b));
  });

  it("a getter woken then cancelled loses no item: the next getter receives it", async () => {
    const got: string[] = [];
    await aio(async () => {
      const q = new Queue<string>();
      const mk = (name: string) =>
        createTask(function* () {
          got.push(`${name} ${yield* q.get()}`);
        });
      const first = mk("first");
      const second = mk("second");
      await sleep(0);
      q.putNowait("item"); // wakes first…
      first.cancel(); // …which is cancelled before it runs
      await wait([first, second]);
      expect(first.cancelled()).toBe(true);
      expect(String(q)).toBe("<Queue maxsize=0 tasks=1>");
    });
    expect(got).toEqual(["second item"]);
  });

  it("a woken getter whose item was taken waits again at the head; an abort meanwhile ends it with signal.reason", async () => {
    for (const mode of ["generator", "async"] as const) {
      await aio(async () => {
        const q = new Queue<string>();
        const ctl = new AbortController();
        const t =
          mode === "generator"
            ? createTask(function* () {
                return yield* q.get({ signal: ctl.signal });
              })
            : createTask(() => q.get({ signal: ctl.signal }));
        await sleep(0);
        q.putNowait("x"); // wakes the getter…
        expect(q.getNowait()).toBe("x"); // …whose item is taken before it runs
        ctl.abort(new Error("stop")); // its waiter is done, so this cannot cancel it
        await expect(t).rejects.toThrow("stop");
        expect(String(q)).toBe("<Queue maxsize=0 tasks=1>");
      });
    }
  });

  it("shutdown(): a waiting put throws QueueShutDown, a get drains, then throws", async () => {
    await aio(async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const putter = createTask(function* () {
        yield* q.put(2);
      });
      await sleep(0);
      q.shutdown();
      await expect(putter).rejects.toBeInstanceOf(QueueShutDown);
      const getter = createTask(function* () {
        const first = yield* q.get();
        try {
          yield* q.get();
        } catch (err) {
          return [first, (err as Error).name];
        }
        return [first, "no error"];
      });
      expect(await getter).toEqual([1, "QueueShutDown"]);
    });
  });

  it("join() outside a loop-bound wait names the queue", async () => {
    await aio(async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      const t = createTask(function* () {
        yield* q.join({ signal: AbortSignal.abort(new Error("no more")) });
      });
      await expect(t).rejects.toThrow("no more");
      q.getNowait();
      q.taskDone();
      const done = createTask(function* () {
        yield* q.join();
        return "joined";
      });
      expect(await done).toBe("joined");
    });
  });
});

describe("Condition, Barrier: yield* forms (a task of their own)", () => {
  it("Condition.waitFor / notify between generator tasks", async () => {
    await aio(async () => {
      const cond = new Condition();
      let value = 0;
      const waiter = createTask(function* () {
        using _ = yield* cond.hold();
        const v = yield* cond.waitFor(() => (value >= 3 ? value : 0));
        expect(cond.locked()).toBe(true);
        return v;
      });
      for (let i = 0; i < 3; i++) {
        await sleep(1);
        await cond.acquire();
        value++;
        cond.notifyAll();
        cond.release();
      }
      expect(await waiter).toBe(3);
      expect(cond.locked()).toBe(false);
    });
  });

  it("Condition.wait cancelled: the lock is held again when CancelledError reaches the generator", async () => {
    await aio(async () => {
      const cond = new Condition();
      const t = createTask(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } catch (err) {
          expect(isCancelledError(err)).toBe(true);
          expect(cond.locked()).toBe(true);
          cond.release();
          throw err;
        }
      });
      await sleep(1);
      expect(cond.locked()).toBe(false);
      t.cancel();
      await wait([t]);
      expect(t.cancelled()).toBe(true);
      expect(String(cond)).toBe("<Condition [unlocked]>");
    });
  });

  it("Barrier.wait gives arrival indexes to generator and async tasks alike", async () => {
    await aio(async () => {
      const barrier = new Barrier(3);
      const g1 = createTask(function* () {
        return yield* barrier.wait();
      });
      const a = createTask(() => barrier.wait());
      const g2 = createTask(function* () {
        return yield* barrier.wait();
      });
      expect((await gather(g1, a, g2)).sort()).toEqual([0, 1, 2]);
      const g3 = createTask(function* () {
        yield* barrier.abort();
        yield* barrier.reset();
        return barrier.broken;
      });
      expect(await g3).toBe(false);
    });
  });
});
