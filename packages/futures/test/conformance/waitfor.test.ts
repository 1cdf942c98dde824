/**
 * Port of CPython 3.13 `Lib/test/test_asyncio/test_waitfor.py`
 * (AsyncioWaitForTest). CPython's `SlowTask` uses the wall clock; here it
 * uses the virtual loop clock, and seconds become milliseconds.
 *
 * Not ported: nothing specific to coroutine objects remains in this file;
 * "coroutine not started" is ported with a function argument.
 */
import { CancelledError, getRunningLoop, isCancelledError, TimeoutError } from "@aio/core";
import { createTask, sleep, wait, waitFor } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const now = () => getRunningLoop().time();
const EPSILON = 0.1;

/** Runs for TASK_TIMEOUT ms of loop time, ignoring cancel requests. */
class SlowTask {
  static readonly TASK_TIMEOUT = 200;
  exited = false;

  run = async (): Promise<void> => {
    const exitAt = now() + SlowTask.TASK_TIMEOUT;
    for (;;) {
      const toSleep = exitAt - now();
      if (toSleep <= 0) break;
      try {
        await sleep(toSleep);
      } catch (err) {
        if (!isCancelledError(err)) throw err;
      }
    }
    this.exited = true;
  };
}

describe("AsyncioWaitForTest", () => {
  it("test_asyncio_wait_for_cancelled", async () => {
    await runVirtual(async () => {
      const t = new SlowTask();
      const waitForTask = createTask(() => waitFor(t.run, SlowTask.TASK_TIMEOUT * 2));
      // Let the inner task start (a task cancelled before its first step never runs).
      await sleep(1);
      waitForTask.cancel();
      await wait([waitForTask]);
      expect(t.exited).toBe(true);
      expect(now()).toBe(SlowTask.TASK_TIMEOUT);
      // The inner task consumed the cancellation (it ignores it), so waitFor
      // returns its result, as asyncio 3.12+ does.
      expect(waitForTask.cancelled()).toBe(false);
      expect(waitForTask.cancelling()).toBe(1);
    });
  });

  it("test_asyncio_wait_for_timeout", async () => {
    await runVirtual(async () => {
      const t = new SlowTask();
      // The inner task swallows the cancellation and returns normally, so the
      // deadline's cancellation is taken back and waitFor returns its result
      // (asyncio 3.12+: `async with timeout(): return await fut`).
      await expect(waitFor(t.run, SlowTask.TASK_TIMEOUT / 2)).resolves.toBeUndefined();
      expect(t.exited).toBe(true);
      expect(now()).toBe(SlowTask.TASK_TIMEOUT);
    });
  });

  it("test_wait_for_timeout_less_then_0_or_0_future_done", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<string>();
      fut.setResult("done");
      expect(await waitFor(fut, 0)).toBe("done");
      expect(fut.done()).toBe(true);
      expect(now()).toBe(0);
    });
  });

  it("test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started", async () => {
    await runVirtual(async () => {
      let fooStarted = false;
      await expect(
        waitFor(async () => {
          fooStarted = true;
        }, 0),
      ).rejects.toThrow(TimeoutError);
      expect(fooStarted).toBe(false);
      expect(now()).toBe(0);
    });
  });

  for (const ms of [0, -1]) {
    it(`test_wait_for_timeout_less_then_0_or_0 (timeout=${ms})`, async () => {
      await runVirtual(async () => {
        let fooRunning: boolean | null = null;
        const started = getRunningLoop().createFuture<void>();
        const fut = createTask(async () => {
          fooRunning = true;
          started.setResult();
          try {
            await sleep(10_000);
          } finally {
            fooRunning = false;
          }
          return "done";
        });
        await started;
        await expect(waitFor(fut, ms)).rejects.toThrow(TimeoutError);
        expect(fut.done()).toBe(true);
        expect(fut.cancelled()).toBe(true);
        expect(fooRunning).toBe(false);
        expect(now()).toBe(0);
      });
    });
  }

  it("test_wait_for", async () => {
    await runVirtual(async () => {
      let fooRunning: boolean | null = null;
      const fut = createTask(async () => {
        fooRunning = true;
        try {
          await sleep(10_000);
        } finally {
          fooRunning = false;
        }
        return "done";
      });
      await expect(waitFor(fut, 100)).rejects.toThrow(TimeoutError);
      expect(fut.done()).toBe(true);
      expect(fut.cancelled()).toBe(true);
      expect(now()).toBe(100);
      expect(fooRunning).toBe(false);
    });
  });

  it("test_wait_for_blocking", async () => {
    await runVirtual(async () => {
      expect(await waitFor(async () => "done", null)).toBe("done");
    });
  });

  it("test_wait_for_race_condition", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<string>();
      const task = waitFor(fut, 200);
      getRunningLoop().callLater(100, () => fut.setResult("ok"));
      expect(await task).toBe("ok");
      expect(now()).toBe(100);
    });
  });

  it("test_wait_for_cancellation_race_condition", async () => {
    await runVirtual(async () => {
      const inner = async () => {
        await expect(sleep(1000)).rejects.toThrow(CancelledError);
        return 1;
      };
      expect(await waitFor(inner, 10)).toBe(1);
    });
  });

  it("test_wait_for_waits_for_task_cancellation", async () => {
    await runVirtual(async () => {
      let taskDone = false;
      const innerTask = createTask(async () => {
        try {
          await sleep(10_000);
        } catch (err) {
          await sleep(EPSILON);
          throw err;
        } finally {
          taskDone = true;
        }
      });
      const err = (await waitFor(innerTask, EPSILON).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(taskDone).toBe(true);
      expect(err.cause).toBeInstanceOf(CancelledError);
    });
  });

  it("test_wait_for_waits_for_task_cancellation_w_timeout_0", async () => {
    await runVirtual(async () => {
      let taskDone = false;
      const foo = async () => {
        const innerTask = createTask(async () => {
          try {
            await sleep(10_000);
          } catch (err) {
            await sleep(EPSILON);
            throw err;
          } finally {
            taskDone = true;
          }
        });
        await sleep(EPSILON);
        await waitFor(innerTask, 0);
      };
      const err = (await foo().catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(taskDone).toBe(true);
      expect(err.cause).toBeInstanceOf(CancelledError);
    });
  });

  it("test_wait_for_reraises_exception_during_cancellation", async () => {
    class FooException extends Error {}
    await runVirtual(async () => {
      const innerTask = createTask(async () => {
        try {
          await sleep(200);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case under test
          throw new FooException();
        }
      });
      await expect(waitFor(innerTask, EPSILON)).rejects.toBeInstanceOf(FooException);
    });
  });

  it("test_wait_for_self_cancellation", async () => {
    await runVirtual(async () => {
      const innerTask = createTask(async () => {
        try {
          await sleep(300);
        } catch {
          try {
            await sleep(300);
          } catch {
            await sleep(300);
          }
        }
        return 42;
      });
      // waitFor itself stays cancellable even when the inner task holds up
      // the first cancellation.
      const task = createTask(() => waitFor(innerTask, 100));
      task.cancel();
      await expect(task).rejects.toThrow(CancelledError);
      expect(await innerTask).toBe(42);
    });
  });

  for (const [name, ms] of [
    ["test_cancel_blocking_wait_for", null],
    ["test_cancel_wait_for", 60_000],
  ] as const) {
    it(`${name} (bpo-23219)`, async () => {
      await runVirtual(async () => {
        const loop = getRunningLoop();
        const task = createTask(async () => {
          await loop.createFuture<void>(); // never set
        });
        const waiting = createTask(() => waitFor(task, ms));
        loop.callSoon(() => waiting.cancel());
        await expect(waiting).rejects.toThrow(CancelledError);
        // Cancelling the wait must also cancel the task.
        expect(task.cancelled()).toBe(true);
      });
    });
  }

  it("test_wait_for_cancel_suppressed (gh-84849)", async () => {
    await runVirtual(async () => {
      const return42 = async () => {
        try {
          await sleep(10_000);
        } catch (err) {
          if (isCancelledError(err)) return 42;
          throw err;
        }
        return 0;
      };
      expect(await waitFor(return42, 100)).toBe(42);
    });
  });

  it("test_wait_for_issue86296 (gh-86296)", async () => {
    await runVirtual(async () => {
      let reachedEnd = false;
      const task = createTask(async () => {
        await waitFor(async () => {}, 100_000);
        await sleep(1000);
        reachedEnd = true;
      });
      await sleep(0);
      expect(task.done()).toBe(false);
      task.cancel();
      await expect(task).rejects.toThrow(CancelledError);
      expect(reachedEnd).toBe(false);
    });
  });

  it("bad input: NaN and non-number timeouts", async () => {
    await runVirtual(async () => {
      await expect(waitFor(async () => 1, Number.NaN)).rejects.toThrow(
        new RangeError("waitFor() ms must be a number of milliseconds or null, received NaN"),
      );
      await expect(waitFor(async () => 1, "10" as never)).rejects.toThrow(
        new TypeError('waitFor() ms must be a number of milliseconds or null, received "10"'),
      );
      await expect(waitFor(42 as never, 10)).rejects.toThrow(TypeError);
    });
  });
});
