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
  createTask,
  currentTask,
  ensureFuture,
  gather,
  sleep,
  type Task,
  wait,
} from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { runBriefly, withLoop } from "./helpers.js";

describe("BaseTaskTests: the Task object", () => {
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
