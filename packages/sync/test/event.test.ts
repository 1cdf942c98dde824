import { inspect } from "node:util";
import { CancelledError } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { Event } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

describe("Event", () => {
  test("Event.set() wakes every waiter, in the order they waited", () =>
    aio(async () => {
      const ev = new Event();
      const order: number[] = [];
      const tasks = [1, 2, 3].map((n) =>
        createTask(async () => {
          await ev.wait();
          order.push(n);
        }),
      );
      await sleep(0);
      ev.set();
      await gather(...tasks);
      expect(order).toEqual([1, 2, 3]);
      expect(String(ev)).toBe("<Event [set]>");
    }));

  test("Event.wait(): a cancelled or aborted waiter leaves nothing behind", () =>
    aio(async () => {
      const ev = new Event();
      const t = createTask(() => ev.wait());
      const ctrl = new AbortController();
      const p = ev.wait({ signal: ctrl.signal });
      await sleep(0);
      expect(String(ev)).toBe("<Event [unset, waiters:2]>");
      t.cancel();
      ctrl.abort(new Error("aborted"));
      await expect(t).rejects.toBeInstanceOf(CancelledError);
      await expect(p).rejects.toThrow("aborted");
      expect(String(ev)).toBe("<Event [unset]>");
      await expect(ev.wait({ signal: AbortSignal.abort("already") })).rejects.toBe("already");
    }));

  test("Event.set() works outside a loop; wait() on a set event needs none", async () => {
    const ev = new Event();
    ev.set();
    expect(await ev.wait()).toBe(true);
    expect(inspect(ev)).toBe("<Event [set]>");
    expect(Object.prototype.toString.call(ev)).toBe("[object Event]");
  });
});
