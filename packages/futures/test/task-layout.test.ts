/**
 * The field layout of Task, Future and Waiter (docs/design/task-layout.md):
 * what shares a field must still behave as if it had its own.
 */
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";
import { type Coroutine, createTask, currentTask, Future, sleep, Task } from "../src/index.js";

describe("Task: the name and the rarely used fields share one field", () => {
  test("a default name survives cancel(), uncancel() and reading signal", async () => {
    await run(async () => {
      const t = createTask(() => sleep(1_000));
      const name = t.getName();
      expect(name).toMatch(/^Task-\d+$/);
      t.cancel("stop");
      expect(t.getName()).toBe(name);
      expect(String(t)).toContain("cancelling");
      expect(t.uncancel()).toBe(0);
      expect(String(t)).not.toContain("cancelling");
      expect(t.signal.aborted).toBe(true); // it stays aborted after uncancel()
      expect(t.getName()).toBe(name);
      t.setName("renamed");
      expect(t.getName()).toBe("renamed");
      t.cancel();
      await t.catch(() => {});
      expect(t.cancelled()).toBe(true);
      expect(String(t)).toContain("name='renamed'");
    });
  });

  test("a given name survives the cancellation that makes the cold fields", async () => {
    await run(async () => {
      const t = createTask(() => sleep(1_000), { name: "worker" });
      t.setName("worker-1");
      expect(t.cancelling()).toBe(0);
      t.cancel();
      expect([t.getName(), t.cancelling()]).toEqual(["worker-1", 1]);
      await t.catch(() => {});
      expect(t.getName()).toBe("worker-1");
    });
  });

  test("debug mode keeps the creation stack beside the name", async () => {
    await run(
      async () => {
        const t = createTask(async () => 1, { name: "traced" });
        expect(t.getStack().length).toBeGreaterThan(0);
        expect(t.getName()).toBe("traced");
        await t;
      },
      { debug: true },
    );
  });

  test("a cancellation requested before the first step still lands, with its message", async () => {
    await run(async () => {
      let ran = false;
      const t = createTask(async () => {
        ran = true;
      });
      t.cancel("early");
      const err = await t.then(
        () => null,
        (e: Error) => e,
      );
      expect(ran).toBe(false);
      expect(err?.message).toBe("early");
    });
  });

  test("_isGenerator says which protocol the task drives, while it runs", async () => {
    await run(async () => {
      const seen: boolean[] = [];
      const gen = createTask(function* (): Coroutine<void> {
        seen.push((currentTask() as unknown as { _isGenerator: boolean })._isGenerator);
        yield* sleep(0);
      });
      const plain = createTask(async () => {
        seen.push((currentTask() as unknown as { _isGenerator: boolean })._isGenerator);
      });
      // A plain function that returns a generator: the task drives it from its first step.
      const made = createTask((() => {
        function* inner(): Coroutine<void> {
          seen.push((currentTask() as unknown as { _isGenerator: boolean })._isGenerator);
          yield* sleep(0);
        }
        return inner();
      }) as () => Coroutine<void>);
      await Promise.all([gen, plain, made]);
      expect(seen).toEqual([true, false, true]);
      expect(gen).toBeInstanceOf(Task);
    });
  });
});

describe("yield* knows a generator step by the runtime's genTask", () => {
  test("an async task started eagerly inside a generator step, and a generator step that throws, leave futures iterating as nothing", async () => {
    await run(async () => {
      // A pending Future iterates for real only in a generator step, where a
      // spread (which is not a yield*) fails on its second step.
      const pending = new Future<number>();
      const seen: unknown[] = [];
      const outer = createTask(function* (): Coroutine<string> {
        createTask(
          async () => {
            seen.push([...pending]); // an async task run eagerly from a generator step
          },
          { eagerStart: true },
        );
        try {
          seen.push([...pending]);
        } catch (err) {
          seen.push((err as Error).message);
        }
        yield* sleep(0);
        return "outer";
      });
      const failing = createTask(function* (): Coroutine<never> {
        yield* sleep(0);
        throw new Error("boom");
      });
      expect(await outer).toBe("outer");
      await expect(failing).rejects.toThrow("boom");
      seen.push([...pending]); // back in the async main task
      expect(seen).toEqual([[], "yield* wasn't used with future", []]);
      pending.cancel();
    });
  });
});

describe("Future: callbacks and sleep(0)'s arming share one field", () => {
  test("several callbacks, a removal in the middle, the repr's count and the order", async () => {
    await run(async () => {
      const fut = new Future<number>();
      const log: string[] = [];
      const a = () => log.push("a");
      const b = () => log.push("b");
      const c = () => log.push("c");
      fut.addDoneCallback(a);
      expect(String(fut)).toBe("<Future pending cb=[1]>");
      fut.addDoneCallback(b);
      fut.addDoneCallback(c);
      expect(String(fut)).toBe("<Future pending cb=[3]>");
      expect(fut.removeDoneCallback(b)).toBe(1);
      expect(String(fut)).toBe("<Future pending cb=[2]>");
      expect([fut.removeDoneCallback(a), fut.removeDoneCallback(c)]).toEqual([1, 1]);
      expect(String(fut)).toBe("<Future pending>");
      fut.addDoneCallback(c);
      fut.addDoneCallback(a);
      fut.setResult(1);
      await sleep(0);
      expect(log).toEqual(["c", "a"]);
    });
  });

  test("sleep(0) is armed, not done, until something waits on it; then it completes with its value", async () => {
    await run(async () => {
      const fut = sleep(0, "v");
      expect(fut.done()).toBe(false);
      expect(String(fut)).toBe("<Future pending>");
      expect(fut.removeDoneCallback(() => {})).toBe(0);
      const log: unknown[] = [];
      fut.addDoneCallback((f) => log.push(f.result()));
      expect(fut.done()).toBe(true);
      expect(await fut).toBe("v"); // done: the await does not yield to the loop
      expect(log).toEqual([]);
      await sleep(0);
      expect(log).toEqual(["v"]);
    });
  });

  test("an armed sleep(0) cancelled before anyone waits stays cancelled", async () => {
    await run(async () => {
      const fut = sleep(0, "v");
      expect(fut.cancel("no")).toBe(true);
      const log: string[] = [];
      fut.addDoneCallback(() => log.push("cb"));
      await expect(fut).rejects.toMatchObject({ name: "CancelledError", message: "no" });
      await sleep(0);
      expect(log).toEqual(["cb"]); // only the callback added after the cancellation
    });
  });
});

describe("Waiter: one field follows the registration's life", () => {
  test("then() in a task, chained before, between and after the future is done", async () => {
    await run(async () => {
      const fut = new Future<number>();
      const early = fut.then((v) => v + 1);
      const earlyChained = early.then((v) => v * 10);
      const late = fut.then((v) => v + 2);
      fut.setResult(1);
      await sleep(0);
      await sleep(0);
      // `late` ran before anyone chained on it: its plain result is kept.
      expect(await late.then((v) => v)).toBe(3);
      expect(await earlyChained).toBe(20);
      expect(await early).toBe(2);
    });
  });

  test("then() outside any task returns a native promise settled by the future", async () => {
    let fut!: Future<string>;
    let outside!: Promise<string>;
    await run(async () => {
      fut = new Future<string>();
      // A plain callback of the loop is outside every task.
      await new Promise<void>((resolve) => {
        fut.getLoop().callSoon(() => {
          outside = fut.then((v) => `${v}!`);
          resolve();
        });
      });
      expect(outside).toBeInstanceOf(Promise);
      fut.setResult("done");
      expect(await outside).toBe("done!");
    });
  });

  test("a Future given as a handler's result is adopted, never kept as the registration's future", async () => {
    await run(async () => {
      const first = new Future<number>();
      const second = new Future<number>();
      const chained = first.then(() => second);
      first.setResult(1);
      await sleep(0);
      second.setResult(42);
      expect(await chained).toBe(42);
    });
  });
});
