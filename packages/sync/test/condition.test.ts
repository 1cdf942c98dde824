import { createTask, gather, sleep } from "@aio/futures";
import { Condition, Lock } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

describe("Condition", () => {
  test("Condition.wait({ signal }) re-acquires the lock before rejecting with the reason", () =>
    aio(async () => {
      const cond = new Condition();
      const ctrl = new AbortController();
      const log: string[] = [];
      const t = createTask(async () => {
        await using _ = await cond.hold();
        try {
          await cond.wait({ signal: ctrl.signal });
        } catch (e) {
          log.push(`${(e as Error).message}, locked=${cond.locked()}`);
        }
      });
      await sleep(0);
      await cond.acquire();
      ctrl.abort(new Error("aborted"));
      await sleep(0);
      expect(log).toEqual([]); // it waits for the lock we hold
      cond.release();
      await t;
      expect(log).toEqual(["aborted, locked=true"]);
      expect(String(cond)).toBe("<Condition [unlocked]>");
    }));

  test("Condition.notify(): a notified waiter that is cancelled passes the notification on", () =>
    aio(async () => {
      const cond = new Condition();
      const woke: string[] = [];
      const waiter = (name: string) =>
        createTask(async () => {
          await using _ = await cond.hold();
          await cond.wait();
          woke.push(name);
        });
      const a = waiter("a");
      const b = waiter("b");
      await sleep(0);
      await cond.acquire();
      cond.notify(1); // a is notified...
      a.cancel(); // ...and cancelled before it runs
      cond.release();
      await a.catch(() => undefined);
      await b;
      expect(woke).toEqual(["b"]);
    }));

  test("Condition.waitFor() returns the predicate's value; bad arguments are named", () =>
    aio(async () => {
      const cond = new Condition(new Lock());
      let n = 0;
      const t = createTask(async () => {
        await using _ = await cond.hold();
        return await cond.waitFor(() => n >= 2 && `n=${n}`);
      });
      for (let i = 0; i < 2; i++) {
        await sleep(0);
        await cond.acquire();
        n++;
        cond.notifyAll();
        cond.release();
      }
      expect(await gather(t)).toEqual(["n=2"]);
      // @ts-expect-error not a function
      await expect(cond.waitFor(1)).rejects.toThrow(TypeError);
      await cond.acquire();
      expect(() => cond.notify(-1)).toThrow(RangeError);
      cond.release();
      // @ts-expect-error not a Lock
      expect(() => new Condition({})).toThrow(
        new TypeError("Condition lock must be a Lock, received an object"),
      );
    }));
});
