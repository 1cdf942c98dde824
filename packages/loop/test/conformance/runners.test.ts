/**
 * Port of CPython 3.13 `Lib/test/test_asyncio/test_runners.py` (RunTests,
 * RunnerTests) to `run(main)` and `Runner`.
 *
 * Not ported: coroutine objects and custom awaitables passed to run()
 * (`run()` takes a function — DESIGN.md), `set_event_loop` and event-loop
 * policies, contextvars (`test_run_keeps_context`), `mock.patch` of
 * `_is_debug_mode`, `signal.signal` failing off the main thread, and
 * `test_asyncio_run_without_uncancel` (a task factory returning a non-Task).
 * `_thread.interrupt_main()` becomes a real SIGINT sent to a child process,
 * in `runners-sigint.test.ts` (a page has no signals or child processes).
 */
import {
  _getRunningLoop,
  CancelledError,
  type EventLoop,
  getRunningLoop,
  RuntimeError,
} from "@aio/core";
import { allTasks, createTask, currentTask, sleep } from "@aio/futures";
import { isKeyboardInterrupt, newEventLoop, Runner, run } from "@aio/loop";
import { describe, expect, it } from "vitest";

describe("RunTests", () => {
  it("test_asyncio_run_return", async () => {
    expect(
      await run(async () => {
        await sleep(0);
        return 42;
      }),
    ).toBe(42);
  });

  it("test_asyncio_run_raises", async () => {
    await expect(
      run(async () => {
        await sleep(0);
        throw new RangeError("spam");
      }),
    ).rejects.toThrow(new RangeError("spam"));
  });

  it("test_asyncio_run_only_coro", async () => {
    for (const o of [1, null, "main", Promise.resolve(1)]) {
      await expect(run(o as never)).rejects.toThrow(TypeError);
    }
    await expect(run(1 as never)).rejects.toThrow(
      new TypeError("run() main must be a function, received 1"),
    );
  });

  it("test_asyncio_run_debug", async () => {
    expect(await run(() => getRunningLoop().getDebug(), { debug: false })).toBe(false);
    expect(await run(() => getRunningLoop().getDebug(), { debug: true })).toBe(true);
    expect(await run(() => getRunningLoop().getDebug())).toBe(false);
  });

  it("test_asyncio_run_from_running_loop", async () => {
    let started = false;
    await run(async () => {
      await expect(
        run(async () => {
          started = true;
        }),
      ).rejects.toThrow(new RuntimeError("run() cannot be called from a running event loop"));
    });
    expect(started).toBe(false);
  });

  it("test_asyncio_run_cancels_hanging_tasks", async () => {
    let loTask: ReturnType<typeof createTask> | null = null;
    const log: string[] = [];
    expect(
      await run(async () => {
        loTask = createTask(async () => {
          try {
            await sleep(100);
          } finally {
            log.push("leftover finally");
          }
        });
        return 123;
      }),
    ).toBe(123);
    expect(loTask!.done()).toBe(true);
    expect(loTask!.cancelled()).toBe(true);
    expect(log).toEqual(["leftover finally"]);
  });

  it("test_asyncio_run_reports_hanging_tasks_errors", async () => {
    const contexts: { message: string; task?: unknown; exception?: unknown }[] = [];
    let loTask: ReturnType<typeof createTask> | null = null;
    expect(
      await run(async () => {
        getRunningLoop().setExceptionHandler((_l, ctx) => contexts.push(ctx));
        loTask = createTask(async () => {
          try {
            await sleep(100);
          } catch {
            throw new RangeError("division by zero");
          }
        });
        return 123;
      }),
    ).toBe(123);
    expect(loTask!.done()).toBe(true);
    expect(contexts.length).toBe(1);
    expect(contexts[0]!.message).toMatch(/run\(\).*shutdown/);
    expect(contexts[0]!.task).toBe(loTask);
    expect(contexts[0]!.exception).toBeInstanceOf(RangeError);
  });

  it("test_asyncio_run_closes_gens_after_hanging_tasks_errors", async () => {
    class FancyExit extends Error {}
    let loop: EventLoop | null = null;
    let lazyboy: ReturnType<typeof createTask> | null = null;
    await expect(
      run(async () => {
        loop = getRunningLoop();
        loop.setExceptionHandler(() => {});
        lazyboy = createTask(async () => {
          try {
            await sleep(1_000_000);
          } catch {
            throw new RangeError("division by zero");
          }
        });
        throw new FancyExit();
      }),
    ).rejects.toBeInstanceOf(FancyExit);
    expect(lazyboy!.done()).toBe(true);
    expect(loop!.isClosed()).toBe(true);
  });

  it("each run() gets a fresh, distinct loop, closed afterwards", async () => {
    const loops: EventLoop[] = [];
    await run(() => {
      loops.push(getRunningLoop());
    });
    await run(() => {
      loops.push(getRunningLoop());
    });
    expect(loops[0]).not.toBe(loops[1]);
    expect(loops.every((l) => l.isClosed())).toBe(true);
    expect(() => getRunningLoop()).toThrow(new RuntimeError("no running event loop"));
    expect(_getRunningLoop()).toBeNull();
  });
});

describe("RunnerTests", () => {
  it("test_non_debug / test_debug", async () => {
    for (const debug of [false, true]) {
      await using runner = new Runner({ debug });
      expect(runner.getLoop().getDebug()).toBe(debug);
    }
  });

  it("test_custom_factory", async () => {
    const loop = newEventLoop();
    await using runner = new Runner({ loopFactory: () => loop });
    expect(runner.getLoop()).toBe(loop);
  });

  it("test_run", async () => {
    let loop: EventLoop;
    let closed: Runner;
    {
      await using runner = new Runner();
      expect(
        await runner.run(async () => {
          await sleep(0);
          return "done";
        }),
      ).toBe("done");
      loop = runner.getLoop();
      // The same loop for every run() of one Runner.
      expect(await runner.run(() => getRunningLoop())).toBe(loop);
      closed = runner;
    }
    expect(() => closed.getLoop()).toThrow(new RuntimeError("Runner is closed"));
    expect(loop.isClosed()).toBe(true);
  });

  it("test_run_non_coro", async () => {
    await using runner = new Runner();
    await expect(runner.run(123 as never)).rejects.toThrow(
      new TypeError("Runner.run() fn must be a function, received 123"),
    );
  });

  it("test_run_future", async () => {
    await using runner = new Runner();
    const fut = runner.getLoop().createFuture<string>();
    fut.setResult("done");
    expect(await runner.run(() => fut)).toBe("done");
  });

  it("test_explicit_close / test_double_close", async () => {
    const runner = new Runner();
    const loop = runner.getLoop();
    await runner.close();
    expect(() => runner.getLoop()).toThrow(new RuntimeError("Runner is closed"));
    expect(loop.isClosed()).toBe(true);
    await runner.close(); // no-op
    expect(loop.isClosed()).toBe(true);
  });

  it("close() while a close() is in progress waits for that one (idempotent, also concurrently)", async () => {
    // JavaScript only: asyncio's close() is synchronous, ours awaits the shutdown.
    const log: string[] = [];
    const runner = new Runner();
    await runner.run(async () => {
      createTask(async () => {
        try {
          await sleep(10_000);
        } finally {
          log.push("leftover finally");
        }
      });
      await sleep(0);
    });
    const loop = runner.getLoop();
    const results = await Promise.allSettled([runner.close(), runner.close()]);
    log.push(results.map((r) => r.status).join(" "));
    await runner.close();
    log.push(`closed ${loop.isClosed()}`);
    expect(log).toEqual(["leftover finally", "fulfilled fulfilled", "closed true"]);
  });

  it("test_second_with_block_raises", async () => {
    const ret: number[] = [];
    const runner = new Runner();
    {
      await using r = runner;
      await r.run(async () => {
        ret.push(1);
      });
    }
    await expect(
      runner.run(async () => {
        ret.push(2);
      }),
    ).rejects.toThrow(new RuntimeError("Runner is closed"));
    expect(ret).toEqual([1]);
  });

  it("test_recursive_run", async () => {
    await using runner = new Runner();
    let inner = false;
    await runner.run(async () => {
      await expect(
        runner.run(async () => {
          inner = true;
        }),
      ).rejects.toThrow(
        new RuntimeError("Runner.run() cannot be called from a running event loop"),
      );
    });
    expect(inner).toBe(false);
  });

  it("test_interrupt_cancelled_task (main cancelled by itself: CancelledError, not KeyboardInterrupt)", async () => {
    await using runner = new Runner();
    const err = await runner
      .run(async () => {
        const me = currentTask()!;
        createTask(async () => {
          await sleep(0);
          me.cancel();
        });
        await sleep(10_000);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(isKeyboardInterrupt(err)).toBe(false);
    expect(allTasks(runner.getLoop()).size).toBe(0);
  });
});
