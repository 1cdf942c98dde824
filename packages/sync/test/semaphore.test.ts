import { AsyncLocalStorage } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { _setImmediate, CancelledError, getRunningLoop, ValueError } from "@aio/core";
import { createTask, currentTask, gather, sleep } from "@aio/futures";
import { BoundedSemaphore, Semaphore } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

describe("Semaphore", () => {
  test("Semaphore rejects bad values with named errors", () => {
    expect(() => new Semaphore(-1)).toThrow(ValueError);
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow("Semaphore value must be an integer >= 0, received -1");
    expect(() => new Semaphore(1.5)).toThrow(
      "Semaphore value must be an integer >= 0, received 1.5",
    );
    expect(() => new Semaphore(Number.NaN)).toThrow(
      "Semaphore value must be an integer >= 0, received NaN",
    );
    // @ts-expect-error wrong type
    expect(() => new Semaphore("3")).toThrow(
      new TypeError('Semaphore value must be an integer >= 0, received "3"'),
    );
    expect(() => new BoundedSemaphore(-2)).toThrow(
      "BoundedSemaphore value must be an integer >= 0, received -2",
    );
  });

  test("a task whose first step waits in acquire() lets the loop go on at once, as in asyncio (no host turn per wait)", () =>
    aio(async () => {
      const loop = getRunningLoop();
      const out: string[] = [];
      const sem = new Semaphore(0);
      _setImmediate(() => out.push("host turn"));
      const t = createTask(async () => {
        await sem.acquire();
        out.push("acquired");
      });
      loop.callSoon(() => out.push("callback"));
      loop.callSoon(() => sem.release());
      await t;
      // The host's turn has not come yet: the wait cost no macrotask.
      expect(out).toEqual(["callback", "acquired"]);
    }));

  test("Semaphore.acquire() wakes waiters in FIFO order", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const order: number[] = [];
      const tasks = [1, 2, 3, 4, 5].map((n) =>
        createTask(async () => {
          await sem.acquire();
          order.push(n);
        }),
      );
      await sleep(0);
      for (let i = 0; i < 5; i++) sem.release();
      await gather(...tasks);
      expect(order).toEqual([1, 2, 3, 4, 5]);
      expect(String(sem)).toBe("<Semaphore [locked]>");
    }));

  test("Semaphore.acquire() does not let a newcomer take a permit handed to a woken waiter", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const order: string[] = [];
      const waiter = createTask(async () => {
        await sem.acquire();
        order.push("waiter");
      });
      await sleep(0);
      sem.release();
      expect(sem.locked()).toBe(true); // the permit is promised to the waiter
      const newcomer = createTask(async () => {
        await sem.acquire();
        order.push("newcomer");
      });
      await sleep(0);
      expect(order).toEqual(["waiter"]);
      sem.release();
      await gather(waiter, newcomer);
      expect(order).toEqual(["waiter", "newcomer"]);
    }));

  test("Semaphore.acquire(): a cancelled waiter leaves nothing behind", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      await sem.acquire();
      const t = createTask(() => sem.acquire());
      await sleep(0);
      t.cancel();
      await expect(t).rejects.toBeInstanceOf(CancelledError);
      expect(String(sem)).toBe("<Semaphore [locked]>");
      sem.release();
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
    }));

  test("Semaphore.acquire(): cancellation after wake-up gives the permit back and wakes the next (gh-90155)", () =>
    aio(async () => {
      const sem = new Semaphore(0);
      const got: string[] = [];
      const a = createTask(async () => {
        await sem.acquire();
        got.push("a");
      });
      const b = createTask(async () => {
        await sem.acquire();
        got.push("b");
        sem.release();
      });
      await sleep(0);
      sem.release(); // a is handed the permit
      a.cancel(); // and cancelled before it runs
      await expect(a).rejects.toBeInstanceOf(CancelledError);
      await b;
      expect(got).toEqual(["b"]);
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
    }));

  test("Semaphore.acquire({ signal }) rejects at once, or on abort, without losing a permit", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      await expect(sem.acquire({ signal: AbortSignal.abort("early") })).rejects.toBe("early");
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      await sem.acquire();
      const ctrl = new AbortController();
      const p = sem.acquire({ signal: ctrl.signal });
      await sleep(0);
      ctrl.abort("late");
      await expect(p).rejects.toBe("late");
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(0);
      sem.release();
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      // A Promise-returning call rejects, never throws (the error policy).
      // @ts-expect-error not an AbortSignal
      await expect(sem.acquire({ signal: {} })).rejects.toThrow(
        new TypeError(
          "Semaphore.acquire() options.signal must be an AbortSignal, received an object",
        ),
      );
    }));

  test("Semaphore.run() keeps at most `value` jobs in flight, in FIFO order", () =>
    aio(async () => {
      const sem = new Semaphore(3);
      let inFlight = 0;
      let maxInFlight = 0;
      const started: number[] = [];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          sem.run(async () => {
            started.push(i);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await sleep(1 + (i % 3));
            inFlight--;
            return i * 2;
          }),
        ),
      );
      expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
      expect(maxInFlight).toBe(3);
      expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(String(sem)).toBe("<Semaphore [unlocked, value:3]>");
    }));

  test("Semaphore.run() returns the permit when the job throws, and on abort while waiting", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      await expect(sem.run(() => Promise.reject(new Error("job failed")))).rejects.toThrow(
        "job failed",
      );
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      const hold = await sem.hold();
      const ctrl = new AbortController();
      const ran: string[] = [];
      const aborted = sem.run(() => ran.push("aborted"), { signal: ctrl.signal });
      const next = sem.run(() => ran.push("next"));
      ctrl.abort(new Error("cancelled by user"));
      await expect(aborted).rejects.toThrow("cancelled by user");
      hold.release();
      await next;
      expect(ran).toEqual(["next"]);
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      // @ts-expect-error not a function
      await expect(sem.run(null)).rejects.toThrow(TypeError);
    }));

  test("Semaphore.run() starts a queued job in its caller's task, whoever releases", () =>
    aio(async () => {
      const sem = new Semaphore(1);
      const hold = await sem.hold();
      const seen: string[] = [];
      const caller = createTask(
        () =>
          sem.run(async () => {
            seen.push(currentTask()?.getName() ?? "none");
            await sleep(1);
            seen.push(currentTask()?.getName() ?? "none");
          }),
        { name: "caller" },
      );
      await sleep(0);
      const releaser = createTask(
        async () => {
          hold.release();
          await sleep(5);
        },
        { name: "releaser" },
      );
      await gather(caller, releaser);
      expect(seen).toEqual(["caller", "caller"]);
    }));

  test("Semaphore.run(): many pending calls with signals keep FIFO, their AsyncLocalStorage store, and leave no listener", async () => {
    const als = new AsyncLocalStorage<string>();
    const limit = new Semaphore(3);
    const ctrl = new AbortController();
    const order: number[] = [];
    const stores = new Set<string | undefined>();
    const calls = Array.from({ length: 2000 }, (_, i) =>
      als.run(`req-${i % 7}`, () =>
        limit.run(
          async () => {
            order.push(i);
            stores.add(als.getStore() === `req-${i % 7}` ? "own" : als.getStore());
            await Promise.resolve();
          },
          { signal: ctrl.signal },
        ),
      ),
    );
    expect(getEventListeners(ctrl.signal, "abort").length).toBe(2000 - 3);
    await Promise.all(calls);
    expect(order).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect([...stores]).toEqual(["own"]);
    expect(getEventListeners(ctrl.signal, "abort").length).toBe(0);
    expect(String(limit)).toBe("<Semaphore [unlocked, value:3]>");
  });

  test("Semaphore.run() gates plain code outside any loop (the p-limit pattern)", async () => {
    const limit = new Semaphore(2);
    let inFlight = 0;
    let maxInFlight = 0;
    const job = async (n: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => limit.run(() => job(n))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(maxInFlight).toBe(2);
  });

  test("Semaphore.hold() supports await using", () =>
    aio(async () => {
      const sem = new Semaphore(2);
      {
        await using _a = await sem.hold();
        await using _b = await sem.hold();
        expect(sem.locked()).toBe(true);
      }
      expect(String(sem)).toBe("<Semaphore [unlocked, value:2]>");
    }));

  test("Semaphore describes itself", () => {
    const sem = new Semaphore(2);
    expect(inspect(sem)).toBe("<Semaphore [unlocked, value:2]>");
    expect(Object.prototype.toString.call(sem)).toBe("[object Semaphore]");
  });
});

describe("BoundedSemaphore", () => {
  test("BoundedSemaphore.release() throws ValueError when released too many times", () =>
    aio(async () => {
      const sem = new BoundedSemaphore(2);
      await sem.acquire();
      sem.release();
      expect(() => sem.release()).toThrow(ValueError);
      expect(() => sem.release()).toThrow("BoundedSemaphore released too many times");
      expect(String(sem)).toBe("<BoundedSemaphore [unlocked, value:2]>");
      expect(Object.prototype.toString.call(sem)).toBe("[object BoundedSemaphore]");
    }));

  test("BoundedSemaphore.release() compares the value with the bound, as asyncio does", () =>
    aio(async () => {
      const sem = new BoundedSemaphore(1);
      await sem.acquire();
      const t = createTask(() => sem.acquire());
      await sleep(0);
      sem.release(); // handed to t: the value stays 0
      expect(String(sem)).toBe("<BoundedSemaphore [locked, waiters:1]>");
      await t;
      sem.release();
      expect(() => sem.release()).toThrow(ValueError);
      expect(String(sem)).toBe("<BoundedSemaphore [unlocked, value:1]>");
    }));
});
