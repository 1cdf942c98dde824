/**
 * Tasks on a host without AsyncLocalStorage (headless Chromium): what the
 * step protocol attributes, and exactly what cancellation delivers to an
 * `async`-function task — the contract written in `docs/guide/runtimes.md`.
 * Generator tasks need no async context: they behave as on Node (their
 * suites run here unchanged). Listed in `scripts/runtime-skips.ts` for the
 * runtimes that have AsyncLocalStorage, where the stronger Node contract
 * holds and is tested by `tasks.test.ts`.
 */
import { _contextPropagates, getRunningLoop, isCancelledError } from "@aio/core";
import { type Coroutine, createTask, currentTask, type Future, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";

/** A foreign promise: settles in a later host task (a plain timer). */
function foreign(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("async-function tasks without AsyncLocalStorage", () => {
  test("the host has no AsyncLocalStorage here", () => {
    expect(_contextPropagates).toBe(false);
  });

  test("currentTask() is the task before and after @aio awaits, also in async helpers it calls", async () => {
    const seen: (string | null)[] = [];
    const helper = async (): Promise<void> => {
      seen.push(currentTask()?.getName() ?? null);
      await sleep(0);
      seen.push(currentTask()?.getName() ?? null);
    };
    await run(async () => {
      await createTask(
        async () => {
          seen.push(currentTask()?.getName() ?? null);
          await sleep(1);
          seen.push(currentTask()?.getName() ?? null);
          await helper();
          seen.push(currentTask()?.getName() ?? null);
        },
        { name: "w" },
      );
    });
    expect(seen).toEqual(["w", "w", "w", "w", "w"]);
  });

  test("Task.cancel() throws CancelledError at the @aio await the task is suspended on", async () => {
    const log: string[] = [];
    await run(async () => {
      const task = createTask(async () => {
        try {
          await sleep(10_000);
          log.push("not cancelled");
        } catch (err) {
          log.push(isCancelledError(err) ? "CancelledError at the await" : String(err));
          throw err;
        } finally {
          log.push("finally");
        }
      });
      await sleep(0);
      task.cancel("stop");
      const err = await task.then(
        () => null,
        (e: unknown) => e,
      );
      log.push(`${(err as Error).name}: ${(err as Error).message}`);
    });
    expect(log).toEqual(["CancelledError at the await", "finally", "CancelledError: stop"]);
  });

  test("after a foreign await: signal aborts at once, the code runs on, the task ends cancelled", async () => {
    const log: string[] = [];
    let seenTask: unknown = "unset";
    await run(async () => {
      const task = createTask(async () => {
        const signal = currentTask()!.signal;
        signal.addEventListener("abort", () => log.push("signal aborted"));
        await foreign(5); // a host task passes: the code is no longer known to be the task's
        seenTask = currentTask();
        await sleep(20); // not the task's await: the cancellation does not interrupt it
        log.push(`code ran on, aborted=${signal.aborted}`);
        return "result";
      });
      await sleep(10);
      task.cancel("late");
      log.push("cancel() returned");
      const outcome = await task.then(
        (v) => `result ${String(v)}`,
        (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`,
      );
      log.push(outcome);
      expect(task.cancelled()).toBe(true);
    });
    expect(seenTask).toBeNull();
    expect(log).toEqual([
      "signal aborted",
      "cancel() returned",
      "code ran on, aborted=true",
      "CancelledError: late",
    ]);
  });

  test("after a foreign await, getRunningLoop() is still the one running loop and sleep() works", async () => {
    let same = false;
    await run(async () => {
      const loop = getRunningLoop();
      await foreign(1);
      same = getRunningLoop() === loop;
      await sleep(1);
    });
    expect(same).toBe(true);
  });

  test("a foreign await the task wraps with its signal stops at once on cancel()", async () => {
    let outcome = "";
    await run(async () => {
      const task = createTask(async () => {
        const signal = currentTask()!.signal;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 10_000);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      });
      await sleep(1);
      task.cancel("now");
      outcome = await task.then(
        () => "done",
        (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`,
      );
    });
    expect(outcome).toBe("CancelledError: now");
  });
});

describe("generator tasks without AsyncLocalStorage", () => {
  test("a generator task yielding a foreign promise is cancelled exactly at that yield", async () => {
    const log: string[] = [];
    await run(async () => {
      const task = createTask(
        function* (): Coroutine<void> {
          try {
            yield foreign(10_000);
            log.push("not cancelled");
          } catch (err) {
            log.push(isCancelledError(err) ? "CancelledError at the yield" : String(err));
          }
          log.push(`currentTask: ${currentTask()?.getName()}`);
          yield* sleep(1);
        },
        { name: "g" },
      );
      await sleep(5);
      task.cancel();
      await (task as Future<void>).then(
        () => log.push("task done"),
        () => log.push("task failed"),
      );
    });
    expect(log).toEqual(["CancelledError at the yield", "currentTask: g", "task done"]);
  });
});
