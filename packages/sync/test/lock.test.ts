import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { CancelledError } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { Lock } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio, outcome } from "./helpers.js";

describe("Lock", () => {
  test("Lock.acquire() wakes waiters in FIFO order", () =>
    aio(async () => {
      const lock = new Lock();
      const order: string[] = [];
      await lock.acquire();
      const tasks = ["a", "b", "c", "d"].map((name) =>
        createTask(async () => {
          await lock.acquire();
          order.push(name);
          await sleep(1);
          lock.release();
        }),
      );
      await sleep(0);
      lock.release();
      await gather(...tasks);
      expect(order).toEqual(["a", "b", "c", "d"]);
      expect(String(lock)).toBe("<Lock [unlocked]>");
    }));

  test("Lock.acquire() does not let a newcomer overtake a woken waiter (no barging)", () =>
    aio(async () => {
      const lock = new Lock();
      const order: string[] = [];
      await lock.acquire();
      const waiter = createTask(async () => {
        await lock.acquire();
        order.push("waiter");
        lock.release();
      });
      await sleep(0);
      lock.release(); // wakes `waiter`, which has not run yet
      const newcomer = createTask(async () => {
        await lock.acquire();
        order.push("newcomer");
        lock.release();
      });
      await gather(waiter, newcomer);
      expect(order).toEqual(["waiter", "newcomer"]);
    }));

  test("Lock.acquire(): a cancelled waiter leaves nothing behind", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const t = createTask(() => lock.acquire());
      await sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:1]>");
      t.cancel();
      await expect(t).rejects.toBeInstanceOf(CancelledError);
      expect(String(lock)).toBe("<Lock [locked]>");
      lock.release();
      expect(lock.locked()).toBe(false);
    }));

  test("Lock.acquire(): cancellation after wake-up passes the wake-up on", () =>
    aio(async () => {
      const lock = new Lock();
      const got: string[] = [];
      await lock.acquire();
      const a = createTask(async () => {
        await lock.acquire();
        got.push("a");
      });
      const b = createTask(async () => {
        await lock.acquire();
        got.push("b");
        lock.release();
      });
      await sleep(0);
      lock.release(); // wakes a
      a.cancel(); // ...which is cancelled before it runs
      await expect(a).rejects.toBeInstanceOf(CancelledError);
      await b;
      expect(got).toEqual(["b"]);
      expect(String(lock)).toBe("<Lock [unlocked]>");
    }));

  test("Lock.acquire({ signal }) rejects at once when the signal is already aborted", () =>
    aio(async () => {
      const lock = new Lock();
      const reason = new Error("stop");
      await expect(lock.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(lock.locked()).toBe(false);
    }));

  test("Lock.acquire({ signal }) rejects with the reason on abort and removes its listener", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const ctrl = new AbortController();
      const p = lock.acquire({ signal: ctrl.signal });
      await sleep(0);
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(1);
      ctrl.abort(new Error("gave up"));
      expect(await outcome(p)).toEqual({ error: "Error", message: "gave up" });
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(0);
      expect(String(lock)).toBe("<Lock [locked]>");
      lock.release();
      // the listener is also removed when the wait succeeds
      const ctrl2 = new AbortController();
      await lock.acquire({ signal: ctrl2.signal });
      expect(getEventListeners(ctrl2.signal, "abort")).toHaveLength(0);
      lock.release();
    }));

  test("Lock.acquire({ signal }): an abort after the wake-up loses nothing", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const ctrl = new AbortController();
      const a = createTask(() => lock.acquire({ signal: ctrl.signal }));
      const b = createTask(async () => {
        await lock.acquire();
        return "b";
      });
      await sleep(0);
      lock.release(); // wakes a
      ctrl.abort(); // too late: the wake-up already happened
      expect(await a).toBe(true);
      lock.release();
      expect(await b).toBe("b");
      lock.release();
      expect(String(lock)).toBe("<Lock [unlocked]>");
    }));

  test("Lock.hold() releases at the end of an await using block, also on error", () =>
    aio(async () => {
      const lock = new Lock();
      const fail = async () => {
        await using _ = await lock.hold();
        expect(lock.locked()).toBe(true);
        throw new Error("inside");
      };
      await expect(fail()).rejects.toThrow("inside");
      expect(lock.locked()).toBe(false);
      const hold = await lock.hold();
      expect(String(hold)).toBe("<Hold [held]>");
      hold.release();
      hold.release(); // idempotent
      hold[Symbol.dispose]();
      expect(hold.held()).toBe(false);
      expect(String(hold)).toBe("<Hold [released]>");
      expect(lock.locked()).toBe(false);
    }));

  test("Lock.run() runs a critical section and releases however it ends", () =>
    aio(async () => {
      const lock = new Lock();
      const log: string[] = [];
      const section = (name: string) => async () => {
        log.push(`${name} in`);
        await sleep(1);
        log.push(`${name} out`);
        return name;
      };
      const results = await Promise.all([lock.run(section("a")), lock.run(section("b"))]);
      expect(results).toEqual(["a", "b"]);
      expect(log).toEqual(["a in", "a out", "b in", "b out"]);
      await expect(
        lock.run(() => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(lock.locked()).toBe(false);
      // @ts-expect-error not a function
      await expect(lock.run(42)).rejects.toThrow(
        new TypeError("Lock.run() fn must be a function, received 42"),
      );
    }));

  test("Lock.run({ signal }) aborted while waiting gives up its place", () =>
    aio(async () => {
      const lock = new Lock();
      await lock.acquire();
      const ctrl = new AbortController();
      const ran: string[] = [];
      const p = lock.run(() => ran.push("aborted one"), { signal: ctrl.signal });
      const q = lock.run(() => ran.push("next"));
      ctrl.abort(new Error("no longer needed"));
      await expect(p).rejects.toThrow("no longer needed");
      lock.release();
      await q;
      expect(ran).toEqual(["next"]);
      expect(String(lock)).toBe("<Lock [unlocked]>");
    }));

  test("Lock describes itself in asyncio's repr shape", () =>
    aio(async () => {
      const lock = new Lock();
      expect(inspect(lock)).toBe("<Lock [unlocked]>");
      expect(Object.prototype.toString.call(lock)).toBe("[object Lock]");
      await lock.acquire();
      const t = createTask(() => lock.acquire());
      await sleep(0);
      expect(String(lock)).toMatch(/^<Lock \[locked, waiters:1\]>$/);
      lock.release();
      await t;
      lock.release();
    }));
});
