/**
 * Port of CPython 3.13 `Lib/test/test_asyncio/test_timeouts.py` (TimeoutTests)
 * to `timeout(ms, fn)` / `timeoutAt(when, fn)`; times are virtual milliseconds.
 *
 * Not ported: `test_timeout_already_entered` / `test_timeout_double_enter`
 * (a Timeout is entered by `timeout()` itself and cannot be re-entered by
 * user code), `test_nested_timeouts_concurrent` / `test_nested_timeouts_loop_busy`
 * (they block the thread with `time.sleep`; the virtual clock does not move
 * while the thread is busy), and `await_without_task` — replaced by calling
 * the helpers from a plain loop callback.
 */
import { CancelledError, getRunningLoop, RuntimeError, TimeoutError } from "@aio/core";
import { createTask, currentTask, sleep, Timeout, timeout, timeoutAt } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const now = () => getRunningLoop().time();

describe("TimeoutTests", () => {
  it("test_timeout_basic", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      await expect(
        timeout(10, async (t) => {
          cm = t;
          await sleep(10_000);
        }),
      ).rejects.toThrow(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(now()).toBe(10);
    });
  });

  it("test_timeout_at_basic", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      const deadline = now() + 10;
      await expect(
        timeoutAt(deadline, async (t) => {
          cm = t;
          await sleep(10_000);
        }),
      ).rejects.toThrow(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(cm!.when()).toBe(deadline);
    });
  });

  it("test_nested_timeouts", async () => {
    await runVirtual(async () => {
      let cancelled = false;
      let cm1: Timeout | null = null;
      let cm2: Timeout | null = null;
      const deadline = now() + 10;
      await expect(
        timeoutAt(deadline, async (t1) => {
          cm1 = t1;
          try {
            // Only the outermost one raises TimeoutError.
            await timeoutAt(deadline, async (t2) => {
              cm2 = t2;
              await sleep(10_000);
            });
          } catch (err) {
            if (err instanceof CancelledError) cancelled = true;
            throw err;
          }
        }),
      ).rejects.toThrow(TimeoutError);
      expect(cancelled).toBe(true);
      expect(cm1!.expired()).toBe(true);
      expect(cm2!.expired()).toBe(true);
    });
  });

  it("test_waiter_cancelled", async () => {
    await runVirtual(async () => {
      let cancelled = false;
      await expect(
        timeout(10, async () => {
          try {
            await sleep(10_000);
          } catch (err) {
            cancelled = err instanceof CancelledError;
            throw err;
          }
        }),
      ).rejects.toThrow(TimeoutError);
      expect(cancelled).toBe(true);
    });
  });

  it("test_timeout_not_called", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      await timeout(10_000, async (t) => {
        cm = t;
        await sleep(10);
      });
      expect(cm!.expired()).toBe(false);
      expect(cm!.when()!).toBeGreaterThan(now());
    });
  });

  it("test_timeout_disabled / test_timeout_at_disabled", async () => {
    await runVirtual(async () => {
      for (const enter of [timeout, timeoutAt]) {
        let cm: Timeout | null = null;
        await enter(null, async (t) => {
          cm = t;
          await sleep(10);
        });
        expect(cm!.expired()).toBe(false);
        expect(cm!.when()).toBeNull();
      }
    });
  });

  for (const [name, ms, nap] of [
    ["test_timeout_zero", 0, 10_000],
    ["test_timeout_zero_sleep_zero", 0, 0],
    ["test_timeout_in_the_past_sleep_zero", -11_000, 0],
  ] as const) {
    it(name, async () => {
      await runVirtual(async () => {
        const t0 = now();
        let cm: Timeout | null = null;
        await expect(
          timeout(ms, async (t) => {
            cm = t;
            await sleep(nap);
          }),
        ).rejects.toThrow(TimeoutError);
        expect(cm!.expired()).toBe(true);
        expect(cm!.when()).toBe(t0 + ms);
        expect(now()).toBe(t0);
      });
    });
  }

  it("test_foreign_exception_passed", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      const err = new RangeError("key");
      await expect(
        timeout(10, async (t) => {
          cm = t;
          throw err;
        }),
      ).rejects.toBe(err);
      expect(cm!.expired()).toBe(false);
    });
  });

  it("test_foreign_exception_on_timeout", async () => {
    await runVirtual(async () => {
      const crash = async () => {
        try {
          await sleep(1000);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case under test
          throw new RangeError("division by zero");
        }
      };
      await expect(timeout(10, crash)).rejects.toThrow(new RangeError("division by zero"));
    });
  });

  it("test_foreign_cancel_doesnt_timeout_if_not_expired", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      const task = createTask(async () => {
        await timeout(10_000, async (t) => {
          cm = t;
          currentTask()!.cancel();
          await sleep(10_000);
        });
      });
      await expect(task).rejects.toThrow(CancelledError);
      expect(cm!.expired()).toBe(false);
    });
  });

  it("test_outer_task_is_not_cancelled", async () => {
    await runVirtual(async () => {
      const task = createTask(async () => {
        await expect(timeout(1, () => sleep(10_000))).rejects.toThrow(TimeoutError);
      });
      await task;
      expect(task.cancelled()).toBe(false);
      expect(task.done()).toBe(true);
      expect(task.cancelling()).toBe(0);
    });
  });

  it("test_reschedule", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<Timeout>();
      const deadline1 = now() + 10_000;
      const deadline2 = deadline1 + 20_000;
      const task = createTask(() =>
        timeoutAt(deadline1, async (cm) => {
          fut.setResult(cm);
          await sleep(50_000);
        }),
      );
      const cm = await fut;
      expect(cm.when()).toBe(deadline1);
      cm.reschedule(deadline2);
      expect(cm.when()).toBe(deadline2);
      cm.reschedule(null);
      expect(cm.when()).toBeNull();
      task.cancel();
      await expect(task).rejects.toThrow(CancelledError);
      expect(cm.expired()).toBe(false);
      expect(now()).toBe(0);
    });
  });

  it("test_reschedule extends the deadline", async () => {
    await runVirtual(async () => {
      await timeout(50, async (t) => {
        t.reschedule(t.when()! + 50);
        await sleep(80);
      });
      expect(now()).toBe(80);
    });
  });

  it("test_repr_active", async () => {
    await runVirtual(async () => {
      await timeout(10_000, async (cm) => {
        expect(String(cm)).toMatch(/^<Timeout \[active\] when=\d+\.\d*>$/);
      });
    });
  });

  it("test_repr_expired", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      await expect(
        timeout(10, async (t) => {
          cm = t;
          await sleep(10_000);
        }),
      ).rejects.toThrow(TimeoutError);
      expect(String(cm)).toBe("<Timeout [expired]>");
    });
  });

  it("test_repr_finished", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      await timeout(10_000, async (t) => {
        cm = t;
        await sleep(0);
      });
      expect(String(cm)).toBe("<Timeout [finished]>");
    });
  });

  it("test_repr_disabled", async () => {
    await runVirtual(async () => {
      await timeout(null, async (cm) => {
        expect(String(cm)).toBe("<Timeout [active] when=null>");
      });
    });
  });

  it("test_nested_timeout_in_finally", async () => {
    await runVirtual(async () => {
      const inner: unknown[] = [];
      await expect(
        timeout(10, async () => {
          try {
            await sleep(1000);
          } finally {
            inner.push(await timeout(10, () => sleep(10_000)).catch((e: unknown) => e));
          }
        }),
      ).rejects.toThrow(TimeoutError);
      expect(inner[0]).toBeInstanceOf(TimeoutError);
      expect(now()).toBe(20);
    });
  });

  it("test_timeout_after_cancellation", async () => {
    await runVirtual(async () => {
      let cleanup: unknown = null;
      try {
        currentTask()!.cancel();
        await sleep(1000); // work which will be cancelled
      } catch (err) {
        expect(err).toBeInstanceOf(CancelledError);
      } finally {
        cleanup = await timeout(0, () => sleep(1000)).catch((e: unknown) => e);
      }
      expect(cleanup).toBeInstanceOf(TimeoutError);
    });
  });

  it("test_cancel_in_timeout_after_cancellation", async () => {
    await runVirtual(async () => {
      let cleanup: unknown = null;
      try {
        currentTask()!.cancel();
        await sleep(1000);
      } catch (err) {
        expect(err).toBeInstanceOf(CancelledError);
      } finally {
        cleanup = await timeout(1000, async () => {
          currentTask()!.cancel();
          await sleep(2000);
        }).catch((e: unknown) => e);
      }
      expect(cleanup).toBeInstanceOf(CancelledError);
      currentTask()!.uncancel();
      currentTask()!.uncancel();
    });
  });

  it("test_timeout_exception_cause", async () => {
    await runVirtual(async () => {
      const err = (await timeout(0, () => sleep(1000)).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.cause).toBeInstanceOf(CancelledError);
    });
  });

  it("test_timeout_finished", async () => {
    await runVirtual(async () => {
      let cm: Timeout | null = null;
      await timeout(10, async (t) => {
        cm = t;
      });
      expect(() => cm!.reschedule(20)).toThrow(
        new RuntimeError("Cannot change state of finished Timeout"),
      );
    });
  });

  it("test_timeout_not_entered", () => {
    const cm = new Timeout(10);
    expect(() => cm.reschedule(20)).toThrow(new RuntimeError("Timeout has not been entered"));
    expect(String(cm)).toBe("<Timeout [created]>");
  });

  it("test_timeout_without_task", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<unknown>();
      getRunningLoop().callSoon(() => {
        timeout(10, async () => {}).then(
          () => fut.setResult("resolved"),
          (e: unknown) => fut.setResult(e),
        );
      });
      const err = await fut;
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toBe("Timeout should be used inside a task");
    });
  });

  it("bad input: NaN and non-number deadlines", async () => {
    await runVirtual(async () => {
      // Promise-returning: every bad argument is a rejection, never a synchronous throw.
      await expect(timeout(Number.NaN, async () => {})).rejects.toThrow(
        new RangeError("timeout() ms must be a number of milliseconds or null, received NaN"),
      );
      await expect(timeoutAt(Number.NaN, async () => {})).rejects.toThrow(
        new RangeError("timeoutAt() when must be a number of milliseconds or null, received NaN"),
      );
      await expect(timeout("1" as never, async () => {})).rejects.toThrow(
        new TypeError('timeout() ms must be a number of milliseconds or null, received "1"'),
      );
      await expect(timeout(10, 5 as never)).rejects.toThrow(
        new TypeError("timeout() fn must be a function, received 5"),
      );
    });
  });
});
