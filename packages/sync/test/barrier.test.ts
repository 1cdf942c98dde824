import { inspect } from "node:util";
import { ValueError } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { Barrier, BrokenBarrierError } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio, outcome } from "./helpers.js";

describe("Barrier", () => {
  test("Barrier.wait() returns the arrival index once all parties arrive", () =>
    aio(async () => {
      const barrier = new Barrier(3);
      const log: string[] = [];
      const tasks = ["a", "b", "c"].map((name, i) =>
        createTask(async () => {
          await sleep(i * 10);
          log.push(`${name} arrives`);
          const index = await barrier.wait();
          log.push(`${name} passes #${index}`);
        }),
      );
      await gather(...tasks);
      // The last arrival passes at once; the others wake in arrival order.
      expect(log).toEqual([
        "a arrives",
        "b arrives",
        "c arrives",
        "c passes #2",
        "a passes #0",
        "b passes #1",
      ]);
    }));

  test("Barrier.wait({ signal }) leaves the barrier when aborted", () =>
    aio(async () => {
      const barrier = new Barrier(2);
      const ctrl = new AbortController();
      const p = barrier.wait({ signal: ctrl.signal });
      await sleep(0);
      expect(barrier.nWaiting).toBe(1);
      ctrl.abort(new Error("left"));
      expect(await outcome(p)).toEqual({ error: "Error", message: "left" });
      expect(barrier.nWaiting).toBe(0);
      await expect(barrier.wait({ signal: AbortSignal.abort("x") })).rejects.toBe("x");
    }));

  test("Barrier.abort() breaks waiting tasks with BrokenBarrierError", () =>
    aio(async () => {
      const barrier = new Barrier(3);
      const t = createTask(() => barrier.wait());
      await sleep(0);
      await barrier.abort();
      await expect(t).rejects.toThrow(new BrokenBarrierError("Abort or reset of barrier"));
      expect(inspect(barrier)).toBe("<Barrier [broken]>");
    }));

  test("Barrier rejects bad parties with named errors", () => {
    expect(() => new Barrier(0)).toThrow(ValueError);
    expect(() => new Barrier(1.5)).toThrow("Barrier parties must be an integer >= 1, received 1.5");
    // @ts-expect-error wrong type
    expect(() => new Barrier("2")).toThrow(TypeError);
    expect(Object.prototype.toString.call(new Barrier(1))).toBe("[object Barrier]");
  });
});
