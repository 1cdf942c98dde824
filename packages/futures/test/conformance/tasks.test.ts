/**
 * Port of CPython 3.13 `Lib/test/test_asyncio/test_tasks.py` (BaseTaskTests,
 * the gather test classes, SleepTests, BaseCurrentLoopTests).
 *
 * Not ported (no equivalent in @aio):
 * - coroutine objects, generator-based coroutines, `iscoroutinefunction`,
 *   `get_coro()`, CoroLikeObject, `__await__` awaitables, duplicate coroutine
 *   *objects* (a JS function is not a one-shot coroutine);
 * - contextvars (`test_context_*`, `get_context()`);
 * - C vs Python implementations, subclass tests, refcount/`gc` tests,
 *   `_log_traceback`, `_source_traceback`, print_stack/get_stack frames;
 * - `loop=` deprecations, `set_event_loop`/global-loop tests,
 *   `run_coroutine_threadsafe` (no threads), `PYTHONASYNCIODEBUG`;
 * - BaseException cases (KeyboardInterrupt/SystemExit have no JS analogue);
 * - `test_coroutine_non_gen_function_return_future`: a JS async function
 *   that returns a thenable adopts it (language semantics);
 * - cancel messages that are not strings (`cancel(5)`): `cancel(msg?: string)`;
 * - shield's 3.14 "exception in shielded future" logging: we follow 3.13
 *   (the inner exception is reported as never retrieved).
 */
import {
  CancelledError,
  getRunningLoop,
  isCancelledError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "@aio/core";
import {
  ALL_COMPLETED,
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  gather,
  shield,
  sleep,
  type Task,
  wait,
} from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { now, runBriefly, withLoop } from "./helpers.js";

describe("BaseTaskTests", () => {
  it("test_task_cancel_message_getter", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {});
      t.cancel("my message");
      const err = await loop.runUntilComplete(t).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("my message");
    });
  });

  it("test_other_loop_future", async () => {
    const other = newEventLoop();
    try {
      await withLoop(async (loop) => {
        const fut = other.createFuture<void>();
        await expect(loop.runUntilComplete(async () => await fut)).rejects.toThrow(
          /^Task .* got Future .* attached to a different loop$/,
        );
      });
    } finally {
      other.close();
    }
  });

  it("test_task_class", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => "ok");
      await loop.runUntilComplete(t);
      expect(t.done()).toBe(true);
      expect(t.result()).toBe("ok");
      expect(t.getLoop()).toBe(loop);
    });
  });

  it("test_ensure_future_coroutine", async () => {
    await withLoop(async (loop) => {
      const t = ensureFuture(async () => "ok", loop);
      expect(t.getLoop()).toBe(loop);
      expect(await loop.runUntilComplete(t)).toBe("ok");
      expect(() => ensureFuture(async () => "ok")).toThrow(
        /^no running event loop: ensureFuture\(\) needs one — /,
      );
      const t2 = await loop.runUntilComplete(async () => ({ t: ensureFuture(async () => "ok") }));
      expect(t2.t.getLoop()).toBe(loop);
      expect(await loop.runUntilComplete(t2.t)).toBe("ok");
    });
  });

  it("test_ensure_future_future / test_ensure_future_task / test_ensure_future_error_msg", async () => {
    const other = newEventLoop();
    try {
      await withLoop(async (loop) => {
        const fOrig = loop.createFuture<string>();
        fOrig.setResult("ko");
        expect(ensureFuture(fOrig)).toBe(fOrig);
        expect(ensureFuture(fOrig, loop)).toBe(fOrig);
        expect(() => ensureFuture(fOrig, other)).toThrow(ValueError);
        expect(() => ensureFuture(fOrig, other)).toThrow(
          "The future belongs to a different loop than the one specified as the loop argument",
        );
        const tOrig = loop.createTask(async () => "ok");
        expect(ensureFuture(tOrig)).toBe(tOrig);
        expect(await loop.runUntilComplete(tOrig)).toBe("ok");
      });
    } finally {
      other.close();
    }
  });

  it("test_ensure_future_awaitable (a foreign thenable is wrapped in a task)", async () => {
    await runVirtual(async () => {
      const thenable: PromiseLike<string> = { then: (ok) => Promise.resolve("ok").then(ok) };
      const fut = ensureFuture(thenable);
      expect(fut.toString()).toMatch(/^<Task pending name='Task-\d+'/);
      expect(await fut).toBe("ok");
    });
  });

  it("test_ensure_future_neither", async () => {
    expect(() => ensureFuture("ok" as never)).toThrow(TypeError);
    expect(() => ensureFuture("ok" as never)).toThrow(
      'ensureFuture() expects a Future, a thenable, a generator or a function, received "ok"',
    );
  });

  it("test_task_repr", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => "abc", { name: "TestTask" });
      t.addDoneCallback(() => {});
      expect(String(t)).toMatch(/^<Task pending name='TestTask' cb=\[1\]>$/);
      t.cancel(); // does not take immediate effect
      expect(String(t)).toMatch(/^<Task cancelling name='TestTask' cb=\[1\]>$/);
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(String(t)).toBe("<Task cancelled name='TestTask'>");
      const t2 = loop.createTask(async () => "abc", { name: "TestTask" });
      await loop.runUntilComplete(t2);
      expect(String(t2)).toBe("<Task finished name='TestTask' result='abc'>");
      const t3 = loop.createTask(
        async () => {
          throw new Error("boom");
        },
        { name: "TestTask" },
      );
      await expect(loop.runUntilComplete(t3)).rejects.toThrow("boom");
      expect(String(t3)).toBe("<Task finished name='TestTask' exception=Error('boom')>");
      expect(Object.prototype.toString.call(t3)).toBe("[object Task]");
    });
  });

  it("test_task_repr_autogenerated", async () => {
    await withLoop(async (loop) => {
      const t1 = loop.createTask(async () => 123);
      const t2 = loop.createTask(async () => 123);
      expect(String(t1)).not.toBe(String(t2));
      const m1 = /^<Task pending name='Task-(\d+)'/.exec(String(t1));
      const m2 = /^<Task pending name='Task-(\d+)'/.exec(String(t2));
      expect(m1).not.toBeNull();
      expect(m2).not.toBeNull();
      expect(Number(m1![1])).toBeLessThan(Number(m2![1]));
      await loop.runUntilComplete(() => gather(t1, t2));
    });
  });

  it("test_task_set_name_pylong / test_task_repr_name_not_str", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => 123, { name: 987654321 as never });
      expect(t.getName()).toBe("987654321");
      t.setName(123456789 as never);
      expect(t.getName()).toBe("123456789");
      t.setName(new Set([6]) as never);
      expect(t.getName()).toBe("[object Set]");
      await loop.runUntilComplete(t);
    });
  });

  it("test_task_repr_wait_for", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      const task = loop.createTask(async () => await fut);
      await runBriefly(loop);
      const escaped = String(fut).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      expect(String(task)).toMatch(new RegExp(`^<Task .* wait_for=${escaped}>$`));
      fut.setResult();
      await loop.runUntilComplete(task);
    });
  });

  it("test_task_basics", async () => {
    await withLoop(async (loop) => {
      const inner1 = async () => 42;
      const inner2 = async () => 1000;
      expect(await loop.runUntilComplete(async () => (await inner1()) + (await inner2()))).toBe(
        1042,
      );
    });
  });

  it("test_cancelling", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(() => sleep(10_000));
      expect(t.cancelling()).toBe(0);
      expect(String(t)).not.toContain(" cancelling ");
      expect(t.cancel()).toBe(true);
      expect(t.cancelling()).toBe(1);
      expect(String(t)).toContain("<Task cancelling ");
      expect(t.cancel()).toBe(true);
      expect(t.cancelling()).toBe(2);
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
    });
  });

  it("test_uncancel_basic", async () => {
    await withLoop(async (loop) => {
      const t = loop.createTask(async () => {
        try {
          await sleep(10_000);
        } catch {
          currentTask()!.uncancel();
          await sleep(10_000);
        }
      });
      await loop.runUntilComplete(() => sleep(10));
      expect(t.cancel()).toBe(true);
      expect(t.cancelling()).toBe(1);
      expect(t.cancelled()).toBe(false);
      await loop.runUntilComplete(() => sleep(10));
      expect(String(t)).not.toContain(" cancelling ");
      expect(t.cancelling()).toBe(0);
      expect(t.cancelled()).toBe(false);
      expect(t.cancel()).toBe(true);
      expect(t.cancelling()).toBe(1);
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(t.cancelled()).toBe(true);
      t.uncancel(); // no effect once done
      expect(t.cancelled()).toBe(true);
      expect(t.done()).toBe(true);
    });
  });

  it("test_uncancel_structured_blocks", async () => {
    await withLoop(async (loop) => {
      const makeRequestWithTimeout = async (sleepMs: number, timeoutMs: number) => {
        const task = currentTask()!;
        let timedOut = false;
        let structuredBlockFinished = false;
        let outerCodeReached = false;
        const handle = getRunningLoop().callLater(timeoutMs, () => {
          timedOut = true;
          task.cancel();
        });
        try {
          try {
            await sleep(sleepMs);
            structuredBlockFinished = true;
          } catch (err) {
            handle.cancel();
            if (timedOut && task.uncancel() === 0 && isCancelledError(err))
              throw new TimeoutError();
            throw err;
          } finally {
            handle.cancel();
          }
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          expect(timedOut).toBe(true);
        }
        outerCodeReached = true;
        await sleep(0);
        return [timedOut, structuredBlockFinished, outerCodeReached];
      };
      const t1 = loop.createTask(() => makeRequestWithTimeout(10_000, 100));
      expect(await loop.runUntilComplete(t1)).toEqual([true, false, true]);
      expect(t1.cancelling()).toBe(0);
      const t2 = loop.createTask(() => makeRequestWithTimeout(0, 10_000));
      expect(await loop.runUntilComplete(t2)).toEqual([false, true, true]);
      expect(t2.cancelling()).toBe(0);
    });
  });

  it("test_uncancel_resets_must_cancel", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      const task = loop.createTask(async () => {
        await fut;
        return 42;
      });
      await runBriefly(loop); // the task waits for fut
      fut.setResult(); // the task is runnable
      task.cancel();
      expect(task.cancelling()).toBe(1);
      expect(String(task)).toContain("<Task cancelling ");
      task.uncancel();
      expect(task.cancelling()).toBe(0);
      expect(String(task)).toContain("<Task pending ");
      expect(await loop.runUntilComplete(task)).toBe(42);
    });
  });

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

  it("test_wait", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const foo = async () => {
        const [done, pending] = await wait([b, a]);
        expect(done).toEqual(new Set([a, b]));
        expect(pending.size).toBe(0);
        return 42;
      };
      expect(await loop.runUntilComplete(foo)).toBe(42);
      expect(loop.time()).toBe(150);
      // Again: no time passes, a different path (all already done).
      expect(await loop.runUntilComplete(foo)).toBe(42);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_duplicate_coroutines", async () => {
    await withLoop(async (loop) => {
      const c = loop.createTask(async () => "test");
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([c, c, loop.createTask(async () => "spam")]),
      );
      expect(pending.size).toBe(0);
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["test", "spam"]));
    });
  });

  it("test_wait_errors", async () => {
    await runVirtual(async () => {
      await expect(wait(new Set<Future<unknown>>())).rejects.toThrow(
        new ValueError("Set of Tasks/Futures is empty."),
      );
      const started: string[] = [];
      const fn = async () => {
        started.push("fn");
      };
      await expect(wait([fn], { returnWhen: -1 as never })).rejects.toThrow(ValueError);
      await expect(wait([fn], { returnWhen: -1 as never })).rejects.toThrow(
        'wait() options.returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", received -1',
      );
      expect(started).toEqual([]);
    });
  });

  it("test_wait_first_completed", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(() => sleep(100));
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_COMPLETED }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(a.done()).toBe(false);
      expect(b.result()).toBeUndefined();
      expect(loop.time()).toBe(100);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_really_done", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(async () => {
        await sleep(0);
      });
      const b = loop.createTask(async () => {
        await sleep(0);
        await sleep(0);
      });
      const [done] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_COMPLETED }),
      );
      expect(done).toEqual(new Set([a, b]));
    });
  });

  it("test_wait_first_exception", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(async () => {
        throw new RangeError("err");
      });
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_EXCEPTION }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(0);
      expect(b.exception()).toBeInstanceOf(RangeError);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_first_exception_in_wait", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(async () => {
        await sleep(10);
        throw new RangeError("err");
      });
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_EXCEPTION }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(10);
      b.exception();
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_with_exception", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(async () => {
        await sleep(150);
        throw new RangeError("really");
      });
      const foo = async () => {
        const [done, pending] = await wait([b, a]);
        expect(done.size).toBe(2);
        expect(pending.size).toBe(0);
        expect([...done].filter((f) => f.exception() !== undefined)).toEqual([b]);
      };
      await loop.runUntilComplete(foo);
      expect(loop.time()).toBe(150);
      await loop.runUntilComplete(foo);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_with_timeout", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a], { timeout: 110 }));
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(b.cancelled()).toBe(false); // wait() never cancels
      expect(loop.time()).toBe(110);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_concurrent_complete", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a], { timeout: 100 }));
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(loop.time()).toBe(100);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_with_iterator_of_tasks", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a][Symbol.iterator]()));
      expect(done).toEqual(new Set([a, b]));
      expect(pending.size).toBe(0);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_generator", async () => {
    await runVirtual(async () => {
      function* tasks() {
        for (let i = 0; i < 10; i++) yield createTask(async () => i);
      }
      const [done, pending] = await wait(tasks(), { returnWhen: ALL_COMPLETED });
      expect(done.size).toBe(10);
      expect(pending.size).toBe(0);
    });
  });

  it("test_wait_invalid_args", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<void>();
      await expect(wait(fut as never)).rejects.toThrow(TypeError);
      await expect(wait(fut as never)).rejects.toThrow(
        "wait() expects an iterable of futures, tasks or functions, received an instance of Future",
      );
      await expect(wait([])).rejects.toThrow(ValueError);
    });
  });

  for (const form of ["try_iterator", "try_async_iterator"] as const) {
    const collect = async <T>(aws: Iterable<(() => Promise<T>) | Future<T>>) => {
      const values: T[] = [];
      if (form === "try_iterator") {
        for (const f of asCompleted(aws)) values.push(await f);
      } else {
        for await (const f of asCompleted(aws)) values.push(f.result());
      }
      return values;
    };

    it(`test_as_completed (${form})`, async () => {
      await runVirtual(async () => {
        const sleeper = (ms: number, x: string) => () => sleep(ms, x);
        const res = await collect([sleeper(10, "b"), sleeper(150, "c"), sleeper(10, "a")]);
        expect(now()).toBe(150);
        expect(new Set(res.slice(0, 2))).toEqual(new Set(["a", "b"]));
        expect(res[2]).toBe("c");
      });
    });

    it(`test_as_completed_with_timeout (${form})`, async () => {
      await runVirtual(async () => {
        const a = createTask(() => sleep(100, "a"));
        const b = createTask(() => sleep(150, "b"));
        const values: [number, unknown][] = [];
        if (form === "try_iterator") {
          for (const f of asCompleted([a, b], { timeout: 120 })) {
            try {
              values.push([1, await f]);
            } catch (exc) {
              values.push([2, exc]);
            }
          }
        } else {
          try {
            for await (const f of asCompleted([a, b], { timeout: 120 })) values.push([1, await f]);
          } catch (exc) {
            values.push([2, exc]);
          }
        }
        expect(values.length).toBe(2);
        expect(values[0]).toEqual([1, "a"]);
        expect(values[1]![0]).toBe(2);
        expect(values[1]![1]).toBeInstanceOf(TimeoutError);
        expect(now()).toBe(120);
        await wait([a, b]);
        expect(b.cancelled()).toBe(false);
      });
    });

    it(`test_as_completed_with_unused_timeout (${form})`, async () => {
      await runVirtual(async () => {
        expect(await collect([() => sleep(10, "a")].map((fn) => fn))).toEqual(["a"]);
        const values: string[] = [];
        if (form === "try_iterator") {
          for (const f of asCompleted([() => sleep(10, "a")], { timeout: 1000 }))
            values.push(await f);
        } else {
          for await (const f of asCompleted([() => sleep(10, "a")], { timeout: 1000 }))
            values.push(f.result());
        }
        expect(values).toEqual(["a"]);
        expect(now()).toBe(20);
      });
    });

    it(`test_as_completed_resume_iterator (${form})`, async () => {
      await runVirtual(async () => {
        const iterator = asCompleted([0, 1, 2, 3].map((i) => async () => i));
        const collected: number[] = [];
        let iterations = 0;
        if (form === "try_iterator") {
          for (const f of iterator) {
            collected.push(await f);
            if (++iterations === 2) break;
          }
          expect(collected.length).toBe(2);
          for (const f of iterator) collected.push(await f);
        } else {
          for await (const f of iterator) {
            collected.push(f.result());
            if (++iterations === 2) break;
          }
          expect(collected.length).toBe(2);
          for await (const f of iterator) collected.push(f.result());
        }
        expect(collected.sort()).toEqual([0, 1, 2, 3]);
      });
    });

    it(`test_as_completed_concurrent (${form})`, async () => {
      await runVirtual(async () => {
        const fs = [() => sleep(50, "a"), () => sleep(50, "b")];
        const futs: PromiseLike<string>[] = [];
        if (form === "try_iterator") futs.push(...asCompleted(fs));
        else for await (const f of asCompleted(fs)) futs.push(f as unknown as PromiseLike<string>); // TS types for-await values as Awaited<T>
        expect(futs.length).toBe(2);
        const [done] = await wait(futs.map((f) => ensureFuture(f)));
        expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["a", "b"]));
        expect(now()).toBe(50);
      });
    });

    it(`test_as_completed_duplicate_coroutines (${form})`, async () => {
      await runVirtual(async () => {
        const c = async () => "ham";
        const result = await collect([c, c, async () => "spam"]);
        expect(new Set(result)).toEqual(new Set(["ham", "spam"]));
        expect(result.length).toBe(2);
      });
    });
  }

  it("test_as_completed_same_tasks_in_as_out", async () => {
    await runVirtual(async () => {
      const fns = [0, 1, 2, 3].map((i) => async () => i);
      const out = new Set<unknown>();
      for await (const aw of asCompleted(fns)) out.add(aw);
      for (const fn of fns) expect(out.has(fn)).toBe(false); // functions come back as their tasks
      expect([...out].map((t) => (t as Future<number>).result()).sort()).toEqual([0, 1, 2, 3]);
      const taskB = createTask(async () => "b");
      const taskD = createTask(async () => "d");
      const fnA = async () => "a";
      const out2 = new Set<unknown>();
      for await (const aw of asCompleted([fnA, taskB, async () => "c", taskD])) out2.add(aw);
      expect(out2.has(taskB)).toBe(true);
      expect(out2.has(taskD)).toBe(true);
      expect(out2.has(fnA)).toBe(false);
    });
  });

  it("test_as_completed_reverse_wait", async () => {
    await runVirtual(async () => {
      const futs = [...asCompleted([() => sleep(50, "a"), () => sleep(100, "b")])];
      expect(futs.length).toBe(2);
      expect(await futs[1]!).toBe("a");
      expect(now()).toBe(50);
      expect(await futs[0]!).toBe("b");
      expect(now()).toBe(100);
    });
  });

  it("test_as_completed_coroutine_without_loop", () => {
    expect(() => asCompleted([async () => 42])).toThrow(
      /^no running event loop: asCompleted\(\) needs one — /,
    );
  });

  it("test_as_completed_coroutine_use_running_loop", async () => {
    await runVirtual(async () => {
      const futs = [...asCompleted([async () => 42])];
      expect(futs.length).toBe(1);
      expect(await futs[0]!).toBe(42);
    });
  });

  it("test_as_completed_invalid_args", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<void>();
      expect(() => asCompleted(fut as never)).toThrow(TypeError);
      const fn = async () => {};
      expect(() => asCompleted(fn as never)).toThrow(TypeError);
      fut.cancel();
    });
  });

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

  it("test_task_set_methods", async () => {
    await withLoop(async (loop) => {
      const task = loop.createTask(async () => "ko");
      expect(() => task.setResult("ok")).toThrow(
        new RuntimeError("Task does not support setResult()"),
      );
      expect(() => task.setException(new Error())).toThrow(
        new RuntimeError("Task does not support setException()"),
      );
      expect(await loop.runUntilComplete(task)).toBe("ko");
    });
  });

  it("test_current_task", async () => {
    await withLoop(async (loop) => {
      expect(currentTask(loop)).toBeNull();
      const task: Task<void> = loop.createTask(async () => {
        expect(currentTask()).toBe(task);
        expect(currentTask(loop)).toBe(task);
        await sleep(0);
        expect(currentTask()).toBe(task);
      });
      await loop.runUntilComplete(task);
      expect(currentTask(loop)).toBeNull();
    });
  });

  it("test_current_task_with_interleaving_tasks", async () => {
    await withLoop(async (loop) => {
      const fut1 = loop.createFuture<boolean>();
      const fut2 = loop.createFuture<boolean>();
      const seen: boolean[] = [];
      const task1: Task<void> = loop.createTask(async () => {
        seen.push(currentTask() === task1);
        await fut1;
        seen.push(currentTask() === task1);
        fut2.setResult(true);
      });
      const task2: Task<void> = loop.createTask(async () => {
        seen.push(currentTask() === task2);
        fut1.setResult(true);
        await fut2;
        seen.push(currentTask() === task2);
      });
      await loop.runUntilComplete(() => wait([task1, task2]));
      expect(seen).toEqual([true, true, true, true]);
      expect(currentTask(loop)).toBeNull();
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

  it("test_shield_result", async () => {
    await withLoop(async (loop) => {
      const inner = loop.createFuture<number>();
      const outer = shield(inner);
      inner.setResult(42);
      expect(await loop.runUntilComplete(outer)).toBe(42);
    });
  });

  it("test_shield_exception", async () => {
    await withLoop(async (loop) => {
      const inner = loop.createFuture<void>();
      const outer = shield(inner);
      await runBriefly(loop);
      const exc = new RuntimeError("expected");
      inner.setException(exc);
      await runBriefly(loop);
      expect(outer.exception()).toBe(exc);
    });
  });

  it("test_shield_cancel_inner", async () => {
    await withLoop(async (loop) => {
      const inner = loop.createFuture<void>();
      const outer = shield(inner);
      await runBriefly(loop);
      inner.cancel();
      await runBriefly(loop);
      expect(outer.cancelled()).toBe(true);
    });
  });

  it("test_shield_cancel_outer", async () => {
    await withLoop(async (loop) => {
      const inner = loop.createFuture<void>();
      const outer = shield(inner);
      await runBriefly(loop);
      outer.cancel();
      await runBriefly(loop);
      expect(outer.cancelled()).toBe(true);
      expect(inner.cancelled()).toBe(false);
      expect(String(inner)).toBe("<Future pending>"); // no callback left behind
      inner.cancel();
    });
  });

  it("test_shield_cancel_outer_result", async () => {
    const calls: unknown[] = [];
    await withLoop(async (loop) => {
      loop.setExceptionHandler((_l, ctx) => calls.push(ctx));
      const inner = loop.createFuture<number>();
      const outer = shield(inner);
      await runBriefly(loop);
      outer.cancel();
      await runBriefly(loop);
      inner.setResult(1);
      await runBriefly(loop);
    });
    expect(calls).toEqual([]);
  });

  it("test_shield_cancel_outer_exception / test_shield_duplicate_log_once (3.13: reported once as never retrieved)", async () => {
    const messages: string[] = [];
    await withLoop(async (loop) => {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx.message));
      const inner = loop.createFuture<void>();
      let outer = shield(inner);
      await runBriefly(loop);
      outer.cancel();
      await runBriefly(loop);
      outer = shield(inner);
      await runBriefly(loop);
      outer.cancel();
      await runBriefly(loop);
      inner.setException(new Error("foo"));
      await runBriefly(loop);
    });
    expect(messages).toEqual(["Future exception was never retrieved"]);
  });

  it("test_shield_shortcut", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<number>();
      fut.setResult(42);
      expect(shield(fut)).toBe(fut);
      expect(await loop.runUntilComplete(shield(fut))).toBe(42);
    });
  });

  it("test_shield_effect", async () => {
    await withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      const inner = async () => {
        await waiter;
        proof += 1;
      };
      const f = ensureFuture(async () => {
        await shield(inner);
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

  it("test_shield_gather", async () => {
    await withLoop(async (loop) => {
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const parent = gather(child1, child2);
      const outer = shield(parent);
      await runBriefly(loop);
      outer.cancel();
      await runBriefly(loop);
      expect(outer.cancelled()).toBe(true);
      child1.setResult(1);
      child2.setResult(2);
      await runBriefly(loop);
      expect(parent.result()).toEqual([1, 2]);
    });
  });

  it("test_gather_shield", async () => {
    await withLoop(async (loop) => {
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const inner1 = shield(child1);
      const inner2 = shield(child2);
      const parent = gather(inner1, inner2);
      await runBriefly(loop);
      parent.cancel();
      // cancels inner1 and inner2 but not child1 and child2
      await runBriefly(loop);
      expect(parent.exception()).toBeInstanceOf(CancelledError); // a result, not a throw (asyncio)
      expect(parent.cancelled()).toBe(false);
      expect(inner1.cancelled()).toBe(true);
      expect(inner2.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(false);
      child1.setResult(1);
      child2.setResult(2);
      await runBriefly(loop);
    });
  });

  it("test_shield_coroutine_without_loop", () => {
    expect(() => shield(async () => 42)).toThrow(/^no running event loop: shield\(\) needs one — /);
  });

  it("test_shield_coroutine_use_running_loop", async () => {
    await withLoop(async (loop) => {
      const { outer } = await loop.runUntilComplete(async () => ({
        outer: shield(async () => 42),
      }));
      expect(outer.getLoop()).toBe(loop);
      expect(await loop.runUntilComplete(outer)).toBe(42);
    });
  });

  it("test_log_destroyed_pending_task (reported when the loop closes)", async () => {
    const contexts: { message: string; task?: unknown }[] = [];
    const loop = new VirtualTimeLoop();
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const task = loop.createTask(async () => {
      await loop.createFuture<void>();
      throw new Error("code never reached");
    });
    await loop.runUntilComplete(() => sleep(0));
    expect(task.done()).toBe(false);
    loop.close();
    expect(contexts).toEqual([{ message: "Task was destroyed but it is pending!", task }]);
  });

  it("test_tb_logger_not_called_after_cancel", async () => {
    const messages: string[] = [];
    await withLoop(async (loop) => {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx.message));
      await loop.runUntilComplete(async () => {
        const task = createTask(async () => {
          throw new TypeError("x");
        });
        await sleep(50);
        task.cancel();
        task.exception(); // asyncio: cancel() on a done task clears the log; we retrieve it
      });
    });
    expect(messages).toEqual([]);
  });

  it("test_cancel_gather_1 (bpo-26923)", async () => {
    await withLoop(async (loop) => {
      const fut = loop.createFuture<number>();
      const gatherTask = await loop.runUntilComplete(async () => {
        const gatherFuture = gather(async () => await fut);
        return { t: ensureFuture(gatherFuture) };
      });
      let cancelResult: boolean | null = null;
      fut.addDoneCallback(() => {
        cancelResult = gatherTask.t.cancel();
      });
      fut.setResult(42);
      await loop.runUntilComplete(gatherTask.t);
      expect(cancelResult).toBe(false);
      expect(gatherTask.t.cancelled()).toBe(false);
      expect(gatherTask.t.result()).toEqual([42]);
    });
  });

  for (const [label, args, expected] of [
    ["()", [], ""],
    ["(undefined)", [undefined], ""],
    ["('my message')", ["my message"], "my message"],
  ] as const) {
    it(`test_cancel_gather_2 ${label}`, async () => {
      const err = await runVirtual(async () => {
        const test = async () => {
          let time = 0;
          for (;;) {
            time += 50;
            await gather(() => sleep(50), { returnExceptions: true });
            if (time > 1000) return;
          }
        };
        const qwe = createTask(test);
        await sleep(200);
        qwe.cancel(...(args as unknown as [string?]));
        await qwe;
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe(expected);
    });
  }

  it("test_exception_traceback (bpo-28843)", async () => {
    await runVirtual(async () => {
      const task = createTask(async () => {
        throw new RangeError("division by zero");
      });
      await sleep(0);
      expect((task.exception() as Error).stack).toContain("RangeError: division by zero");
    });
  });

  it("test_create_task_with_noncoroutine", async () => {
    await withLoop(async (loop) => {
      expect(() => loop.createTask(123 as never)).toThrow(
        new TypeError("createTask() fn must be a function, received 123"),
      );
      await loop.runUntilComplete(async () => {
        expect(() => createTask(123 as never)).toThrow(
          new TypeError("createTask() fn must be a function, received 123"),
        );
      });
    });
  });

  it("test_create_task_with_async_function", async () => {
    await withLoop(async (loop) => {
      for (let i = 0; i < 2; i++) {
        const task = loop.createTask(async () => {});
        expect(task.constructor.name).toBe("Task");
        await loop.runUntilComplete(task);
      }
    });
  });

  it("test_bare_create_task / test_bare_create_named_task", async () => {
    await runVirtual(async () => {
      const task = createTask(async () => 1);
      expect(await task).toBe(1);
      const named = createTask(async () => {}, { name: "No-op" });
      expect(named.getName()).toBe("No-op");
      await named;
    });
  });

  it("test_eager_start_true", async () => {
    await runVirtual(async () => {
      let name: string | null = null;
      const t = createTask(
        () => {
          name = currentTask()!.getName();
        },
        { eagerStart: true, name: "example" },
      );
      expect(t.done()).toBe(true);
      expect(name).toBe("example");
      await t;
      // An async function's body also runs eagerly, but its promise settles in
      // a microtask (language semantics), so the task is done right after.
      let ran = false;
      const t2 = createTask(
        async () => {
          ran = currentTask()!.getName() === "example2";
        },
        { eagerStart: true, name: "example2" },
      );
      expect(ran).toBe(true);
      await t2;
      expect(t2.done()).toBe(true);
    });
  });

  it("test_eager_start_false", async () => {
    await runVirtual(async () => {
      let name: string | null = null;
      const t = createTask(
        async () => {
          name = currentTask()!.getName();
        },
        { eagerStart: false, name: "example" },
      );
      expect(t.done()).toBe(false);
      expect(name).toBeNull();
      await t;
      expect(name).toBe("example");
    });
  });
});

describe("GatherTestsBase (FutureGatherTests, CoroutineGatherTests)", () => {
  const wrappers = {
    futures: <T>(fs: Future<T>[]) => fs,
    functions: <T>(fs: Future<T>[]) => fs.map((f) => async () => await f),
  } as const;

  for (const [kind, wrapper] of Object.entries(wrappers)) {
    const wrap = wrapper as <T>(fs: Future<T>[]) => Future<T>[];
    for (const returnExceptions of [undefined, false, true]) {
      it(`test_success / test_result_exception_success (${kind}, returnExceptions=${returnExceptions})`, async () => {
        await withLoop(async (loop) => {
          const [a, b, c] = [0, 1, 2].map(() => loop.createFuture<number>()) as [
            Future<number>,
            Future<number>,
            Future<number>,
          ];
          const fut = await loop.runUntilComplete(async () => ({
            g:
              returnExceptions === undefined
                ? gather(...wrap([a, b, c]))
                : gather(...wrap([a, b, c]), { returnExceptions }),
          }));
          const calls: unknown[] = [];
          fut.g.addDoneCallback((f) => calls.push(f));
          b.setResult(1);
          a.setResult(2);
          await runBriefly(loop);
          expect(calls).toEqual([]);
          expect(fut.g.done()).toBe(false);
          c.setResult(3);
          expect(await loop.runUntilComplete(fut.g)).toEqual([2, 1, 3]);
          await runBriefly(loop);
          expect(calls).toEqual([fut.g]);
        });
      });
    }

    it(`test_one_exception (${kind})`, async () => {
      await withLoop(async (loop) => {
        const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() =>
          loop.createFuture<number>(),
        ) as Future<number>[] as [
          Future<number>,
          Future<number>,
          Future<number>,
          Future<number>,
          Future<number>,
        ];
        const fut = await loop.runUntilComplete(async () => ({
          g: gather(...wrap([a, b, c, d, e])),
        }));
        const exc = new RangeError("zero");
        a.setResult(1);
        b.setException(exc);
        await expect(loop.runUntilComplete(fut.g)).rejects.toBe(exc);
        expect(fut.g.done()).toBe(true);
        expect(fut.g.exception()).toBe(exc);
        // Does nothing:
        c.setResult(3);
        d.cancel();
        e.setException(new Error("rte"));
        e.exception();
        await loop.runUntilComplete(() => wait(Array.isArray(fut.g) ? [] : [a, b, c, d, e]));
        await runBriefly(loop);
      });
    });

    it(`test_return_exceptions (${kind})`, async () => {
      await withLoop(async (loop) => {
        const [a, b, c, d] = [0, 1, 2, 3].map(() => loop.createFuture<number>()) as [
          Future<number>,
          Future<number>,
          Future<number>,
          Future<number>,
        ];
        const fut = await loop.runUntilComplete(async () => ({
          g: gather(...wrap([a, b, c, d]), { returnExceptions: true }),
        }));
        const exc = new RangeError("zero");
        const exc2 = new Error("rte");
        b.setResult(1);
        c.setException(exc);
        a.setResult(3);
        await runBriefly(loop);
        expect(fut.g.done()).toBe(false);
        d.setException(exc2);
        expect(await loop.runUntilComplete(fut.g)).toEqual([3, 1, exc, exc2]);
      });
    });
  }

  it("test_constructor_empty_sequence_without_loop", () => {
    expect(() => gather()).toThrow(/^no running event loop: gather\(\) needs one — /);
  });

  it("test_constructor_empty_sequence_use_running_loop", async () => {
    await withLoop(async (loop) => {
      const { g } = await loop.runUntilComplete(async () => ({ g: gather() }));
      expect(g.getLoop()).toBe(loop);
      expect(g.done()).toBe(true);
      expect(g.result()).toEqual([]);
    });
  });

  it("test_constructor_heterogenous_futures", () => {
    const one = newEventLoop();
    const other = newEventLoop();
    try {
      expect(() => gather(one.createFuture(), other.createFuture())).toThrow(ValueError);
    } finally {
      one.close();
      other.close();
    }
  });

  it("test_constructor_homogenous_futures", async () => {
    await withLoop(async (loop) => {
      const children = [0, 1, 2].map(() => loop.createFuture<number>());
      const fut = gather(...children);
      expect(fut.getLoop()).toBe(loop);
      await runBriefly(loop);
      expect(fut.done()).toBe(false);
      for (const c of children) c.setResult(1);
      expect(await loop.runUntilComplete(fut)).toEqual([1, 1, 1]);
    });
  });

  it("test_one_cancellation", async () => {
    await withLoop(async (loop) => {
      const fs = [0, 1, 2, 3, 4].map(() => loop.createFuture<number>());
      const [a, b, c, d, e] = fs as [
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      const fut = gather(...fs);
      const calls: unknown[] = [];
      fut.addDoneCallback((f) => calls.push(f));
      a.setResult(1);
      b.cancel();
      await runBriefly(loop);
      expect(fut.done()).toBe(true);
      expect(calls).toEqual([fut]);
      expect(fut.cancelled()).toBe(false);
      expect(fut.exception()).toBeInstanceOf(CancelledError);
      c.setResult(3);
      d.cancel();
      e.setException(new Error("rte"));
      e.exception();
      await runBriefly(loop);
    });
  });

  it("test_result_exception_one_cancellation", async () => {
    await withLoop(async (loop) => {
      const fs = [0, 1, 2, 3, 4, 5].map(() => loop.createFuture<number>());
      const [a, b, c, d, e, f] = fs as Future<number>[] as [
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      const fut = gather(...fs, { returnExceptions: true });
      a.setResult(1);
      const zde = new RangeError("zero");
      b.setException(zde);
      c.cancel();
      await runBriefly(loop);
      expect(fut.done()).toBe(false);
      d.setResult(3);
      e.cancel();
      const rte = new Error("rte");
      f.setException(rte);
      const res = (await loop.runUntilComplete(fut)) as unknown[];
      expect(res[2]).toBeInstanceOf(CancelledError);
      expect(res[4]).toBeInstanceOf(CancelledError);
      expect([res[0], res[1], res[3], res[5]]).toEqual([1, zde, 3, rte]);
    });
  });

  it("test_duplicate_coroutines", async () => {
    await runVirtual(async () => {
      const c = async () => "abc";
      expect(await gather(c, c, async () => "def", c)).toEqual(["abc", "abc", "def", "abc"]);
    });
  });

  it("test_cancellation_broadcast", async () => {
    await withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      const inner = async () => {
        await waiter;
        proof += 1;
      };
      const child1 = ensureFuture(inner, loop);
      const child2 = ensureFuture(inner, loop);
      let gatherer: ReturnType<typeof gather> | null = null;
      const f = ensureFuture(async () => {
        gatherer = gather(child1, child2);
        await gatherer;
        proof += 100;
      }, loop);
      await runBriefly(loop);
      expect(f.cancel()).toBe(true);
      await expect(loop.runUntilComplete(f)).rejects.toThrow(CancelledError);
      expect(gatherer!.cancel()).toBe(false);
      expect(waiter.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(true);
      expect(child2.cancelled()).toBe(true);
      await runBriefly(loop);
      expect(proof).toBe(0);
    });
  });

  it("test_exception_marking", async () => {
    const messages: string[] = [];
    await withLoop(async (loop) => {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx.message));
      const inner = (f: Future<void>) => async () => {
        await f;
        throw new Error("should not be ignored");
      };
      const a = loop.createFuture<void>();
      const b = loop.createFuture<void>();
      const f = ensureFuture(async () => {
        await gather(inner(a), inner(b));
      }, loop);
      await runBriefly(loop);
      a.setResult();
      await runBriefly(loop);
      b.setResult();
      await runBriefly(loop);
      expect(f.exception()).toBeInstanceOf(Error);
    });
    expect(messages).toEqual([]); // the second child's error was marked retrieved
  });

  it("test_issue46672 (a bad argument leaves no task behind)", async () => {
    const messages: string[] = [];
    await runVirtual(async () => {
      getRunningLoop().setExceptionHandler((_l, ctx) => messages.push(ctx.message));
      expect(() => gather(async () => "abc", 42 as never)).toThrow(TypeError);
      await sleep(0);
    });
    expect(messages).toEqual([]);
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
