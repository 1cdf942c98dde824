/** Port of CPython 3.13 `test_tasks.py`: BaseCurrentLoopTests and GenericTaskTests (see `tasks.test.ts`). */

import { getRunningLoop } from "@aio/core";
import { createTask, currentTask, type Task } from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { withLoop } from "./helpers.js";

describe("BaseCurrentLoopTests", () => {
  it("test_current_task_no_running_loop", () => {
    const loop = newEventLoop();
    expect(currentTask(loop)).toBeNull();
    expect(currentTask()).toBeNull();
    loop.close();
  });

  it("test_current_task_with_implicit_loop", async () => {
    await withLoop(async (loop) => {
      const task: Task<void> = loop.createTask(async () => {
        expect(currentTask(loop)).toBe(task);
        expect(currentTask()).toBe(task);
      });
      await loop.runUntilComplete(task);
      expect(currentTask(loop)).toBeNull();
    });
  });
});

describe("GenericTaskTests", () => {
  it("test_future_subclass", async () => {
    await runVirtual(async () => {
      const t = createTask(async () => {});
      const fut = getRunningLoop().createFuture();
      expect(t).toBeInstanceOf(fut.constructor);
      fut.cancel();
      await t;
    });
  });
});
