/** Port of CPython 3.13 `test_tasks.py`, BaseTaskTests: cancelling tasks (see `tasks.test.ts`). */

import { CancelledError, getRunningLoop, isCancelledError, RuntimeError } from "@aio/core";
import { createTask, ensureFuture, sleep, type Task, wait } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { runBriefly, withLoop } from "./helpers.js";

describe("BaseTaskTests: cancellation", () => {
  it("test_cancel", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {
        await sleep(10_000);
        return 12;
      });
      loop.callSoon(() => t.cancel());
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.done()).toBe(true);
      expect(t.cancelled()).toBe(true);
      expect(t.cancel()).toBe(false);
      expect(loop.time()).toBe(0);
    });
  });

  for (const [label, args, expected] of [
    ["()", [], ""],
    ["(undefined)", [undefined], ""],
    ["('my message')", ["my message"], "my message"],
  ] as const) {
    it(`test_cancel_with_message_then_future_result ${label}`, async () => {
      const err = await runVirtual(async () => {
        const task = createTask(() => sleep(10_000));
        await sleep(0);
        task.cancel(...(args as unknown as [string?]));
        await wait([task]);
        task.result();
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe(expected);
    });

    it(`test_cancel_with_message_then_future_exception ${label}`, async () => {
      const err = await runVirtual(async () => {
        const task = createTask(() => sleep(10_000));
        await sleep(0);
        task.cancel(...(args as unknown as [string?]));
        await wait([task]);
        task.exception();
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe(expected);
    });
  }

  it("test_cancellation_exception_context", async () => {
    const err = await runVirtual(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<void>();
      const inner = createTask(async () => {
        fut.setResult();
        await sleep(10_000);
      });
      await fut;
      loop.callSoon(() => inner.cancel("msg"));
      try {
        await inner;
      } catch (ex) {
        throw new Error("cancelled", { cause: ex });
      }
    }).catch((e: unknown) => e as Error);
    if (!(err instanceof Error)) throw new Error("expected an error");
    expect(err.message).toBe("cancelled");
    expect(err.cause).toBeInstanceOf(CancelledError);
    expect((err.cause as Error).message).toBe("msg");
  });

  it("test_cancel_with_message_before_starting_task", async () => {
    const log: string[] = [];
    const err = await runVirtual(async () => {
      const task = createTask(async () => {
        log.push("started"); // never runs
        await sleep(10_000);
      });
      task.cancel("my message"); // deliberately no sleep before
      await wait([task]);
      task.exception();
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe("my message");
    expect(log).toEqual([]);
  });

  it("test_cancel_yield", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {
        await sleep(0);
        await sleep(0);
        return 12;
      });
      await runBriefly(loop); // start the task
      t.cancel();
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.done()).toBe(true);
      expect(t.cancelled()).toBe(true);
      expect(t.cancel()).toBe(false);
    });
  });

  it("test_cancel_inner_future", async () => {
    await withLoop(async (loop) => {
      const f = loop.createFuture<void>();
      const t = loop.createTask(async () => {
        await f;
        return 12;
      });
      await runBriefly(loop);
      f.cancel();
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(f.cancelled()).toBe(true);
      expect(t.cancelled()).toBe(true);
    });
  });

  it("test_cancel_both_task_and_inner_future", async () => {
    await withLoop(async (loop) => {
      const f = loop.createFuture<void>();
      const t = loop.createTask(async () => {
        await f;
        return 12;
      });
      await runBriefly(loop);
      f.cancel();
      t.cancel();
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.done()).toBe(true);
      expect(f.cancelled()).toBe(true);
      expect(t.cancelled()).toBe(true);
    });
  });

  it("test_cancel_task_catching", async () => {
    await withLoop(async (loop) => {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const t = loop.createTask(async () => {
        await fut1;
        try {
          await fut2;
        } catch (err) {
          if (isCancelledError(err)) return 42;
          throw err;
        }
        return 0;
      });
      await runBriefly(loop);
      expect(String(t)).toContain(`wait_for=${String(fut1)}`);
      fut1.setResult();
      await runBriefly(loop);
      expect(String(t)).toContain(`wait_for=${String(fut2)}`);
      t.cancel();
      expect(fut2.cancelled()).toBe(true);
      expect(await loop.runUntilComplete(t)).toBe(42);
      expect(t.cancelled()).toBe(false);
    });
  });

  it("test_cancel_task_ignoring", async () => {
    await withLoop(async (loop) => {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const fut3 = loop.createFuture<number>();
      const t = loop.createTask(async () => {
        await fut1;
        try {
          await fut2;
        } catch {
          // ignored
        }
        return await fut3;
      });
      await runBriefly(loop);
      fut1.setResult();
      await runBriefly(loop);
      t.cancel();
      expect(fut2.cancelled()).toBe(true);
      await runBriefly(loop);
      expect(String(t)).toContain(`wait_for=${String(fut3)}`);
      fut3.setResult(42);
      expect(await loop.runUntilComplete(t)).toBe(42);
      expect(fut3.cancelled()).toBe(false);
      expect(t.cancelled()).toBe(false);
    });
  });

  it("test_cancel_current_task", async () => {
    await withLoop(async (loop) => {
      const t: Task<number> = loop.createTask(async () => {
        t.cancel();
        expect(String(t)).toContain("<Task cancelling ");
        await sleep(100_000); // cancelled at once
        return 12;
      });
      expect(t.cancelled()).toBe(false);
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.done()).toBe(true);
      expect(t.cancelled()).toBe(true);
      expect(t.cancel()).toBe(false);
      expect(loop.time()).toBe(0);
    });
  });

  it("test_cancel_at_end", async () => {
    await withLoop(async (loop) => {
      const t: Task<number> = loop.createTask(async () => {
        t.cancel();
        return 12;
      });
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.cancelled()).toBe(true);
      expect(t.cancel()).toBe(false);
    });
  });

  it("test_cancel_awaited_task (bpo-34872)", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      let nested: Task<void> | null = null;
      const task: Task<void> = loop.createTask(async () => {
        nested = createTask(async () => await fut);
        await sleep(0);
        task.cancel();
        await nested;
      });
      await expect(loop.runUntilComplete(task)).rejects.toThrow(CancelledError);
      expect(task.cancelled()).toBe(true);
      expect(nested!.cancelled()).toBe(true);
      expect(fut.cancelled()).toBe(true);
    });
  });

  it("test_stop_while_run_in_complete", async () => {
    await withLoop(async (loop) => {
      let x = 0;
      const t = loop.createTask(async () => {
        while (x < 10) {
          await sleep(100);
          x++;
          if (x === 2) loop.stop();
        }
      });
      await expect(loop.runUntilComplete(t)).rejects.toThrow(
        new RuntimeError("Event loop stopped before Future completed."),
      );
      expect(t.done()).toBe(false);
      expect(x).toBe(2);
      expect(loop.time()).toBe(200);
      t.cancel();
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
    });
  });

  it("test_sleep_cancel", async () => {
    await withLoop(async (loop) => {
      let handle: { cancelled(): boolean } | null = null;
      const orig = loop.callLater.bind(loop);
      loop.callLater = ((ms: number, cb: (...a: unknown[]) => unknown, ...args: unknown[]) => {
        const h = orig(ms, cb, ...args);
        handle = h;
        return h;
      }) as typeof loop.callLater;
      const t = loop.createTask(() => sleep(10_000, "yeah"));
      await runBriefly(loop);
      expect(handle!.cancelled()).toBe(false);
      t.cancel();
      await runBriefly(loop);
      expect(handle!.cancelled()).toBe(true);
      expect(t.cancelled()).toBe(true);
    });
  });

  it("test_task_cancel_sleeping_task", async () => {
    await withLoop(async (loop) => {
      const doit = async () => {
        const sleeper = createTask(() => sleep(5_000_000));
        getRunningLoop().callLater(100, () => sleeper.cancel());
        try {
          await sleeper;
        } catch (err) {
          if (isCancelledError(err)) return "cancelled";
          throw err;
        }
        return "slept in";
      };
      expect(await loop.runUntilComplete(doit)).toBe("cancelled");
      expect(loop.time()).toBe(100);
    });
  });

  it("test_task_cancel_waiter_future", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      const task = loop.createTask(async () => await fut);
      await runBriefly(loop);
      expect(String(task)).toContain(`wait_for=${String(fut)}`);
      task.cancel();
      await runBriefly(loop);
      await expect(loop.runUntilComplete(task)).rejects.toThrow(CancelledError);
      expect(String(task)).not.toContain("wait_for=");
      expect(fut.cancelled()).toBe(true);
    });
  });

  it("test_yield_future_passes_cancel", async () => {
    await withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      const inner = async () => {
        try {
          await waiter;
        } catch (err) {
          proof += 1;
          throw err;
        }
        expect.unreachable("got past the waiter in inner()");
      };
      const f = ensureFuture(async () => {
        try {
          await inner();
        } catch (err) {
          if (!isCancelledError(err)) throw err;
          proof += 100; // expected path
          return;
        }
        proof += 10;
      }, loop);
      await runBriefly(loop);
      f.cancel();
      await loop.runUntilComplete(f);
      expect(proof).toBe(101);
      expect(waiter.cancelled()).toBe(true);
    });
  });

  it("test_yield_wait_does_not_shield_cancel", async () => {
    await withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      const inner = async () => {
        await waiter;
        proof += 1;
      };
      const f = ensureFuture(async () => {
        await wait([createTask(inner)]);
        proof += 100;
      }, loop);
      await runBriefly(loop);
      f.cancel();
      await expect(loop.runUntilComplete(f)).rejects.toThrow(CancelledError);
      waiter.setResult();
      await runBriefly(loop);
      expect(proof).toBe(1);
    });
  });
});
