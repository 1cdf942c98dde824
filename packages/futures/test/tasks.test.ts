/**
 * Task behaviour through the public API: DESIGN.md contract 3–5 and the
 * issue's "Bad input" list. (CPython's own cases are in test/conformance/.)
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { CancelledError, getRunningLoop, isCancelledError, RuntimeError } from "@aio/core";
import {
  allTasks,
  createTask,
  currentTask,
  eagerTaskFactory,
  sleep,
  type Task,
} from "@aio/futures";
import { newEventLoop, run } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it, vi } from "vitest";

describe("Task cancellation (contract 3)", () => {
  it("task.signal aborts synchronously inside cancel(), with the CancelledError as reason", async () => {
    await runVirtual(async () => {
      const t = createTask(() => sleep(1000));
      const signal = t.signal;
      const log: string[] = [];
      signal.addEventListener("abort", () => log.push("abort"));
      expect(signal.aborted).toBe(false);
      t.cancel("stop");
      log.push("after cancel");
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(CancelledError);
      expect((signal.reason as Error).message).toBe("stop");
      expect(log).toEqual(["abort", "after cancel"]);
      await expect(t).rejects.toThrow(CancelledError);
    });
  });

  it("task.signal read after cancel() is already aborted", async () => {
    await runVirtual(async () => {
      const t = createTask(() => sleep(1000));
      t.cancel();
      expect(t.signal.aborted).toBe(true);
      expect(t.signal.reason).toBeInstanceOf(CancelledError);
      await expect(t).rejects.toThrow(CancelledError);
    });
  });

  it("a task suspended on a foreign promise gets the CancelledError at its next @aio await", async () => {
    const log: string[] = [];
    await run(async () => {
      let release!: () => void;
      const foreign = new Promise<void>((resolve) => {
        release = resolve;
      });
      const t = createTask(async () => {
        const signal = currentTask()!.signal;
        await foreign; // not an @aio awaitable: cannot be interrupted
        log.push(`foreign done, aborted=${signal.aborted}`);
        try {
          await sleep(0); // the next @aio await (sleep(0) too) delivers the cancellation
          log.push("not reached");
        } catch (err) {
          log.push(`caught ${(err as Error).name} ${(err as Error).message}`);
          throw err;
        }
      });
      await sleep(0);
      t.cancel("late");
      log.push("cancel requested");
      release();
      await expect(t).rejects.toThrow(CancelledError);
    });
    expect(log).toEqual([
      "cancel requested",
      "foreign done, aborted=true",
      "caught CancelledError late",
    ]);
  });

  it("awaits inside plain async helpers belong to the task", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const helper = async () => {
        await Promise.resolve(); // a native await in between
        try {
          await sleep(10_000);
        } finally {
          log.push("helper finally");
        }
      };
      const t = createTask(async () => {
        try {
          await helper();
        } finally {
          log.push("task finally");
        }
      });
      await sleep(10);
      t.cancel();
      await expect(t).rejects.toThrow(CancelledError);
      expect(getRunningLoop().time()).toBe(10);
    });
    expect(log).toEqual(["helper finally", "task finally"]);
  });

  it("a cancellation requested before the first step never runs the function", async () => {
    let ran = false;
    await runVirtual(async () => {
      const t = createTask(async () => {
        ran = true;
      });
      t.cancel("early");
      const err = await t.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("early");
    });
    expect(ran).toBe(false);
  });

  it("cancelling()/uncancel() count requests as asyncio 3.11+ does", async () => {
    await runVirtual(async () => {
      const counts: number[] = [];
      const t: Task<string> = createTask(async () => {
        try {
          await sleep(1000);
        } catch (err) {
          counts.push(t.cancelling());
          if (t.uncancel() === 0 && isCancelledError(err)) {
            await sleep(10); // suppressed: the task goes on
            return "survived";
          }
          throw err;
        }
        return "slept";
      });
      await sleep(0);
      t.cancel();
      t.cancel(); // two requests
      counts.push(t.cancelling());
      const err = await t.catch((e: unknown) => e);
      expect(counts).toEqual([2, 2]);
      expect(t.cancelling()).toBe(1); // one request left: the second sleep was cancelled too
      expect(err).toBeInstanceOf(CancelledError);
      const t2: Task<string> = createTask(async () => {
        try {
          await sleep(1000);
        } catch {
          t2.uncancel();
          await sleep(10);
          return "survived";
        }
        return "slept";
      });
      await sleep(0);
      t2.cancel();
      expect(await t2).toBe("survived");
      expect(t2.cancelling()).toBe(0);
    });
  });

  it("cancel() returns false on a done task and does not touch it", async () => {
    await runVirtual(async () => {
      const t = createTask(async () => 1);
      await t;
      expect(t.cancel()).toBe(false);
      expect(t.cancelling()).toBe(0);
      expect(t.result()).toBe(1);
    });
  });
});

describe("createTask (contract 4)", () => {
  it("schedules the first step with callSoon (after callbacks already queued)", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      getRunningLoop().callSoon(() => log.push("callSoon before"));
      const t = createTask(() => {
        log.push("task step");
      });
      getRunningLoop().callSoon(() => log.push("callSoon after"));
      log.push("createTask returned");
      await t;
    });
    expect(log).toEqual(["createTask returned", "callSoon before", "task step", "callSoon after"]);
  });

  it("eager start runs the first step inside createTask({ eagerStart: true })", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const t = createTask(
        async () => {
          log.push("step 1");
          await sleep(0);
          log.push("step 2");
        },
        { eagerStart: true },
      );
      log.push("createTask returned");
      await t;
    });
    expect(log).toEqual(["step 1", "createTask returned", "step 2"]);
  });

  it("loop.setTaskFactory(eagerTaskFactory) starts every task eagerly", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      getRunningLoop().setTaskFactory(eagerTaskFactory);
      const t = createTask(() => {
        log.push("ran");
        return 42;
      });
      log.push(`done=${t.done()}`);
      expect(await t).toBe(42);
      getRunningLoop().setTaskFactory(null);
      const lazy = createTask(() => 1);
      expect(lazy.done()).toBe(false);
      await lazy;
    });
    expect(log).toEqual(["ran", "done=true"]);
  });

  it("a task runs in the AsyncLocalStorage context it was created in (asyncio copies contextvars)", async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: unknown[] = [];
    await run(async () => {
      // Created with the loop's first iteration still ahead: the store must
      // come from the createTask() call, not from wherever the loop runs.
      const a = als.run("req-1", () =>
        createTask(async () => {
          seen.push(als.getStore());
          await sleep(1);
          seen.push(als.getStore());
          als.enterWith("changed inside");
        }),
      );
      const b = als.run("req-2", () => createTask(async () => seen.push(als.getStore())));
      // A later change in the creator is not seen by a task made before it.
      const c = createTask(async () => seen.push(als.getStore()));
      als.enterWith("later");
      const d = als.run("eager", () =>
        createTask(async () => seen.push(als.getStore()), { eagerStart: true }),
      );
      await Promise.all([a, b, c, d]);
      // …and a task's own change stays inside it.
      seen.push(als.getStore());
    });
    expect(seen).toEqual(["eager", "req-1", "req-2", undefined, "req-1", "later"]);
  });

  it("names default to Task-N; toString() has asyncio's repr shape", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<void>();
      const t = createTask(async () => {
        await fut;
        return "abc";
      });
      expect(t.getName()).toMatch(/^Task-\d+$/);
      expect(String(t)).toMatch(/^<Task pending name='Task-\d+'>$/);
      await sleep(0);
      expect(String(t)).toMatch(
        /^<Task pending name='Task-\d+' wait_for=<Future pending cb=\[1\]>>$/,
      );
      expect(Object.prototype.toString.call(t)).toBe("[object Task]");
      const inspect = (t as unknown as Record<symbol, () => string>)[
        Symbol.for("nodejs.util.inspect.custom")
      ]!;
      expect(inspect.call(t)).toBe(String(t));
      fut.setResult();
      await t;
      expect(String(t)).toMatch(/^<Task finished name='Task-\d+' result='abc'>$/);
    });
  });
});

describe("Task lifetime and reporting (contract 5)", () => {
  it("a step that calls then() on a pending Future and goes on runs to its next await before the next callback", async () => {
    const order = await run(async () => {
      const loop = getRunningLoop();
      const out: string[] = [];
      const fut = loop.createFuture<number>();
      const t = createTask(async () => {
        fut.then(() => out.push("then ran"));
        await Promise.resolve(); // a foreign await: the step goes on in promise jobs
        out.push("task goes on");
        await sleep(0);
      });
      loop.callSoon(() => out.push("callback"));
      await t;
      fut.setResult(1);
      await sleep(0);
      return out;
    });
    // asyncio: a step runs to its next await before the loop's next callback.
    expect(order).toEqual(["task goes on", "callback", "then ran"]);
  });

  it("getStack() gives where the task was created in debug mode, and nothing outside it", async () => {
    function spawnHere() {
      return createTask(async () => {});
    }
    const inDebug = await run(
      async () => {
        const t = spawnHere();
        await t;
        return t.getStack();
      },
      { debug: true },
    );
    const outside = await run(async () => {
      const t = spawnHere();
      await t;
      return t.getStack();
    });
    // The frames are the runtime's text; the caller's line in this file is among them
    // (Bun may inline spawnHere() and name only the caller).
    expect(inDebug.some((line) => /^at .*tasks\.test\.ts[^:]*:\d+:\d+\)?$/.test(line))).toBe(true);
    expect(outside).toEqual([]);
  });

  it("debug mode names a slow first step by its task (asyncio's `Executing <Task …> took`)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await run(
        async () => {
          await createTask(
            () => {
              const end = Date.now() + 120;
              while (Date.now() < end) {}
            },
            { name: "resize" },
          );
        },
        { debug: true },
      );
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^Executing <Task finished name='resize' result=undefined> took \d+\.\d{3} ms$/,
        ),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("a background task nobody references is kept alive and runs to completion", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      (() => {
        createTask(async () => {
          for (let i = 0; i < 3; i++) {
            await sleep(10);
            log.push(`tick ${i}`);
          }
        });
      })();
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(100);
    });
    expect(log).toEqual(["tick 0", "tick 1", "tick 2"]);
  });

  it("an exception nobody retrieved is reported through the exception handler when the loop closes", async () => {
    const contexts: { message: string; exception?: unknown; future?: unknown }[] = [];
    let failed: Task<never> | null = null;
    await runVirtual(async () => {
      getRunningLoop().setExceptionHandler((_l, ctx) => contexts.push(ctx));
      failed = createTask(async () => {
        throw new RangeError("lost");
      });
      await sleep(0);
    });
    expect(contexts.length).toBe(1);
    expect(contexts[0]!.message).toContain("exception was never retrieved");
    expect(contexts[0]!.exception).toEqual(new RangeError("lost"));
    // asyncio's Future.__del__ context: the task under `future`, no `task` key.
    expect(Object.keys(contexts[0]!).sort()).toEqual(["exception", "future", "message"]);
    expect(contexts[0]!.future).toBe(failed);
  });

  it("a retrieved exception is not reported", async () => {
    const messages: string[] = [];
    await runVirtual(async () => {
      getRunningLoop().setExceptionHandler((_l, ctx) => messages.push(ctx.message));
      const t = createTask(async () => {
        throw new RangeError("seen");
      });
      await expect(t).rejects.toThrow("seen");
    });
    expect(messages).toEqual([]);
  });

  it("allTasks() holds the pending tasks and forgets finished ones", async () => {
    await runVirtual(async () => {
      const main = currentTask()!;
      const t = createTask(() => sleep(10));
      expect(allTasks()).toEqual(new Set([main, t]));
      await t;
      expect(allTasks()).toEqual(new Set([main]));
    });
  });
});

describe("Bad input", () => {
  it("createTask() with a non-function throws TypeError naming the value", async () => {
    await runVirtual(async () => {
      for (const [value, shown] of [
        [42, "42"],
        [null, "null"],
        ["fn", '"fn"'],
        [Promise.resolve(), "an instance of Promise"],
      ] as const) {
        expect(() => createTask(value as never)).toThrow(
          new TypeError(`createTask() fn must be a function, received ${shown}`),
        );
      }
      expect(allTasks().size).toBe(1);
    });
  });

  it("createTask() outside a loop throws RuntimeError('no running event loop: …') naming the fix", () => {
    expect(() => createTask(async () => {})).toThrow(RuntimeError);
    expect(() => createTask(async () => {})).toThrow(
      /^no running event loop: createTask\(\) needs one — call it inside run\(\) from @aio\/loop, or make your library's entry point ensureLoop\(/,
    );
  });

  it("createTask on a closed loop throws RuntimeError('Event loop is closed')", () => {
    const loop = newEventLoop();
    loop.close();
    expect(() => loop.createTask(async () => {})).toThrow(new RuntimeError("Event loop is closed"));
  });

  it("awaiting a task from another loop throws RuntimeError", async () => {
    const other = new VirtualTimeLoop();
    const foreign = other.createTask(async () => 1);
    await other.runUntilComplete(foreign);
    const pending = other.createTask(() => sleep(10));
    try {
      await runVirtual(async () => {
        const err = await createTask(async () => await pending).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RuntimeError);
        expect((err as Error).message).toMatch(
          /^Task <Task pending name='Task-\d+'( cb=\[1\])?> got Future <Task pending name='Task-\d+'> attached to a different loop$/,
        );
      });
    } finally {
      pending.cancel();
      await other.runUntilComplete(() => undefined).catch(() => {});
      other.close();
    }
  });

  it("sleep() with NaN or a non-number throws", async () => {
    await runVirtual(async () => {
      expect(() => sleep(Number.NaN)).toThrow(
        new RangeError("sleep() ms must be a number of milliseconds, received NaN"),
      );
      expect(() => sleep("5" as never)).toThrow(
        new TypeError('sleep() ms must be a number of milliseconds, received "5"'),
      );
    });
  });

  it("a negative sleep() yields one iteration like sleep(0)", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      getRunningLoop().callSoon(() => log.push("callback"));
      await sleep(-5);
      log.push("after sleep");
    });
    expect(log).toEqual(["callback", "after sleep"]);
  });
});
describe("Task cancellation at sleep(0)", () => {
  it("test_cancel_current_task with sleep(0): a task that cancels itself gets CancelledError at sleep(0)", async () => {
    await runVirtual(async () => {
      const t = createTask(async () => {
        currentTask()!.cancel();
        await sleep(0);
        return "not cancelled";
      });
      await expect(t).rejects.toThrow(CancelledError);
    });
  });

  it("a task cancelled while on a foreign promise gets CancelledError at its next sleep(0)", async () => {
    await run(async () => {
      let release!: () => void;
      const foreign = new Promise<void>((resolve) => {
        release = resolve;
      });
      const t = createTask(async () => {
        await foreign;
        await sleep(0);
        return "not cancelled";
      });
      await sleep(0);
      t.cancel();
      release();
      await expect(t).rejects.toThrow(CancelledError);
    });
  });
});

describe("Task awaiting itself", () => {
  it("test_task_awaits_on_itself: rejects with RuntimeError", async () => {
    await runVirtual(async () => {
      let self!: Promise<unknown>;
      const t = createTask(async () => {
        await sleep(0);
        return await self;
      });
      self = t;
      await expect(t).rejects.toThrow("Task cannot await on itself");
    });
  });
});
