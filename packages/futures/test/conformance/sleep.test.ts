/** Port of CPython 3.13 `test_tasks.py`: BaseTaskTests' `sleep()` cases and SleepTests (see `tasks.test.ts`). */

import { getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { withLoop } from "./helpers.js";

describe("BaseTaskTests: sleep()", () => {
  it("test_sleep", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {
        await sleep(50);
        return await sleep(50, "yeah");
      });
      await loop.runUntilComplete(t);
      expect(t.result()).toBe("yeah");
      expect(loop.time()).toBe(100);
    });
  });

  it("test_sleep_when_delay_is_nan", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {
        await sleep(Number.NaN);
      });
      await expect(loop.runUntilComplete(t)).rejects.toThrow(
        new RangeError("sleep() ms must be a number of milliseconds, received NaN"),
      );
    });
  });
});

describe("SleepTests", () => {
  it("test_sleep_zero", async () => {
    let result = 0;
    await runVirtual(async () => {
      getRunningLoop().callSoon(() => {
        result += 1;
      });
      expect(result).toBe(0);
      const num = await sleep(0, 10);
      expect(result).toBe(1); // incremented by the callSoon
      result += num;
    });
    expect(result).toBe(11);
  });
});
