/**
 * createEagerTaskFactory() — asyncio 3.12 `create_eager_task_factory`, with
 * extra createTask options reaching the factory (3.14). Cases ported from
 * CPython's test_eager_task_factory.py (EagerTaskFactoryLoopTests) keep its
 * test names.
 */
import { getRunningLoop, type TaskOptions } from "@aio/core";
import {
  createEagerTaskFactory,
  createTask,
  currentTask,
  sleep,
  Task,
  type TaskConstructorOptions,
} from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";

/** A custom Task class, as CPython's tests use `tasks._PyTask`. */
class RecordingTask<T> extends Task<T> {
  static made: { name: string; options: Record<string, unknown> }[] = [];
  readonly options: TaskOptions;
  constructor(fn: () => T | PromiseLike<T>, options: TaskConstructorOptions) {
    super(fn, options);
    this.options = options;
    RecordingTask.made.push({ name: this.getName(), options: { ...options, loop: "<loop>" } });
  }
}

describe("createEagerTaskFactory", () => {
  test("test_eager_task_factory_set: the loop uses the factory for every task", async () => {
    await run(async () => {
      const loop = getRunningLoop();
      const factory = createEagerTaskFactory(RecordingTask);
      loop.setTaskFactory(factory);
      expect(loop.getTaskFactory()).toBe(factory);
      const t = createTask(async () => 1, { name: "one" });
      expect(t).toBeInstanceOf(RecordingTask);
      expect(await t).toBe(1);
    });
  });

  test("test_eager_completion: a task that never suspends is done inside createTask", async () => {
    const events: string[] = [];
    await run(async () => {
      getRunningLoop().setTaskFactory(createEagerTaskFactory(Task));
      const t = createTask(() => {
        events.push(`running, current is the task: ${currentTask() !== null}`);
        return "r";
      });
      events.push(`after createTask: done=${t.done()}`);
      expect(await t).toBe("r");
    });
    expect(events).toEqual(["running, current is the task: true", "after createTask: done=true"]);
  });

  test("test_block_after_eager_step: the first step runs eagerly, the rest on the loop", async () => {
    const events: string[] = [];
    await run(async () => {
      getRunningLoop().setTaskFactory(createEagerTaskFactory(Task));
      const t = createTask(async () => {
        events.push("step 1");
        await sleep(0);
        events.push("step 2");
        return 2;
      });
      events.push(`created, done=${t.done()}`);
      expect(await t).toBe(2);
    });
    expect(events).toEqual(["step 1", "created, done=false", "step 2"]);
  });

  test("extra createTask options reach the custom task's constructor; eagerStart: false still starts lazily", async () => {
    RecordingTask.made = [];
    const events: string[] = [];
    await run(async () => {
      getRunningLoop().setTaskFactory(createEagerTaskFactory(RecordingTask));
      const eager = createTask(() => void events.push("eager ran"), { name: "e", traceId: 7 });
      const lazy = createTask(() => void events.push("lazy ran"), { name: "l", eagerStart: false });
      events.push("both created");
      await eager;
      await lazy;
    });
    expect(events).toEqual(["eager ran", "both created", "lazy ran"]);
    // (run() makes tasks of its own at the end, through the factory too.)
    expect(RecordingTask.made.filter((m) => m.name === "e" || m.name === "l")).toEqual([
      { name: "e", options: { name: "e", traceId: 7, eagerStart: true, loop: "<loop>" } },
      { name: "l", options: { name: "l", eagerStart: false, loop: "<loop>" } },
    ]);
  });

  test("createEagerTaskFactory() refuses a non-constructor", () => {
    expect(() => createEagerTaskFactory("Task" as never)).toThrow(
      new TypeError(
        'createEagerTaskFactory() customTaskConstructor must be a function, received "Task"',
      ),
    );
  });
});
