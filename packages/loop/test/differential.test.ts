/**
 * Differential tests: each scenario was run against CPython's asyncio (3.11
 * and 3.13, same results unless noted) and the event log it recorded is the expected value
 * here. Timers are ordered on a VirtualTimeLoop so that deadlines never tie by
 * accident of a coarse clock (asyncio's heap does not keep equal deadlines in
 * FIFO order, so no scenario relies on a tie between different methods).
 */
import { CancelledError, type ExceptionContext, type Executor, getRunningLoop } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { type Handle, run } from "@aio/loop";
import { VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

/** A context as `{ key: constructor name }`, with the message kept as is. */
function shape(context: ExceptionContext): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(context).map(([k, v]) => [
      k,
      k === "message" ? v : (v as object | null)?.constructor?.name,
    ]),
  );
}

describe("differential: ordering of callSoon/callLater/callAt", () => {
  it("due timers run after the callbacks already ready, in deadline order", async () => {
    const loop = new VirtualTimeLoop();
    const log: string[] = [];
    const p = (x: string) => log.push(x);
    const t = loop.time();
    loop.callSoon(p, "a");
    loop.callLater(0, p, "b");
    loop.callLater(-1, p, "c");
    loop.callAt(t - 0.5, p, "d");
    loop.callSoon(p, "e");
    loop.callLater(0, p, "f");
    loop.callAt(t - 5, p, "g");
    loop.callLater(1, p, "h");
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual(["a", "e", "g", "c", "d", "b", "f", "h"]);
  });

  it("callbacks and timers scheduled from callbacks wait for the next iteration", async () => {
    const loop = new VirtualTimeLoop();
    const log: string[] = [];
    const p = (x: string) => log.push(x);
    loop.callSoon(() => {
      log.push("a");
      loop.callLater(0, p, "a-later0");
      loop.callSoon(p, "a-soon");
      loop.callLater(-1, p, "a-neg");
    });
    loop.callSoon(() => {
      log.push("b");
      loop.callSoon(p, "b-soon");
    });
    loop.callLater(3, () => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual(["a", "b", "a-soon", "b-soon", "a-neg", "a-later0"]);
  });
});

describe("differential: Handle and TimerHandle cancel()", () => {
  it("a handle cancelled by an earlier callback of the same iteration is skipped", async () => {
    const loop = new VirtualTimeLoop();
    const log: unknown[] = [];
    const p = (x: string) => log.push(x);
    const hs: { b?: Handle; t?: Handle; y?: Handle } = {};
    loop.callSoon(() => {
      log.push("a");
      hs.b!.cancel();
      hs.t!.cancel();
      log.push(["b", hs.b!.cancelled(), "t", hs.t!.cancelled()]);
    });
    hs.b = loop.callSoon(p, "b");
    hs.t = loop.callLater(0, p, "t");
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    // Two timers due in the same iteration: the first cancels the second.
    const at = loop.time() + 1;
    loop.callAt(at, () => {
      log.push("x");
      hs.y!.cancel();
      log.push(hs.y!.cancelled());
    });
    hs.y = loop.callAt(at, p, "y");
    loop.callAt(at + 2, () => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual(["a", ["b", true, "t", true], "x", true]);
  });

  it("cancel() after the callback ran still marks the handle cancelled; when() is kept", async () => {
    const loop = new VirtualTimeLoop();
    const log: string[] = [];
    const h = loop.callSoon(() => log.push("z"));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const ranCancelled = h.cancelled();
    h.cancel();
    const th = loop.callLater(10_000, () => log.push("never"));
    const when = th.when();
    th.cancel();
    th.cancel();
    expect([log, ranCancelled, h.cancelled(), th.cancelled(), th.when() === when]).toEqual([
      ["z"],
      false,
      true,
      true,
      true,
    ]);
    expect(String(h)).toBe("<Handle cancelled>");
    loop.close();
  });
});

describe("differential: stop()", () => {
  it("stop() from a callback ends the loop after the current iteration", async () => {
    const loop = new VirtualTimeLoop();
    const log: string[] = [];
    const p = (x: string) => log.push(x);
    loop.callSoon(() => {
      log.push("a");
      loop.callSoon(p, "a-child");
    });
    loop.callSoon(() => {
      log.push("stop");
      loop.stop();
      loop.callSoon(p, "s-child");
    });
    loop.callSoon(p, "b");
    loop.callLater(0, p, "timer0");
    await loop.runForever();
    log.push("--");
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    log.push("--");
    loop.stop(); // before runForever: one iteration
    loop.callSoon(() => {
      log.push("pre");
      loop.callSoon(p, "pre-child");
    });
    await loop.runForever();
    log.push("--");
    loop.callSoon(() => {
      loop.stop();
      loop.stop();
      log.push("twice");
    });
    await loop.runForever();
    loop.close();
    expect(log).toEqual([
      "a",
      "stop",
      "b",
      "timer0",
      "--",
      "a-child",
      "s-child",
      "--",
      "pre",
      "--",
      "pre-child",
      "twice",
    ]);
  });

  it("stop() from the exception handler lets the rest of the iteration run", async () => {
    const loop = new VirtualTimeLoop();
    const log: string[] = [];
    loop.setExceptionHandler((l) => {
      log.push("h");
      l.stop();
    });
    loop.callSoon(() => {
      throw new Error("boom");
    });
    loop.callSoon(() => log.push("after-boom"));
    loop.callSoon(() => loop.callSoon(() => log.push("next-iter")));
    await loop.runForever();
    log.push("--");
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual(["h", "after-boom", "--", "next-iter"]);
  });
});

describe("differential: runUntilComplete()", () => {
  it("returns once the iteration that runs the future's done callbacks ends", async () => {
    const loop = new VirtualTimeLoop();
    const log: unknown[] = [];
    const fut = loop.createFuture<number>();
    loop.callSoon(() => {
      log.push("set");
      fut.setResult(5);
    });
    loop.callSoon(() => {
      log.push("a");
      loop.callSoon(() => {
        log.push("b");
        loop.callSoon(() => log.push("c"));
      });
    });
    log.push(await loop.runUntilComplete(fut));
    log.push("--");
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual(["set", "a", "b", 5, "--", "c"]);
  });

  it("a future done and stop() in the same iteration: the result, then a stale stop ends the next run", async () => {
    const loop = new VirtualTimeLoop();
    const log: unknown[] = [];
    const fut = loop.createFuture<number>();
    loop.callSoon(() => {
      fut.setResult(1);
      loop.stop();
    });
    log.push(await loop.runUntilComplete(fut));
    loop.callSoon(() => log.push("x"));
    loop.callSoon(() => loop.callSoon(() => log.push("y")));
    loop.callLater(5, () => loop.stop());
    await loop.runForever();
    log.push("--");
    loop.callLater(10, () => loop.stop());
    await loop.runForever();
    loop.close();
    expect(log).toEqual([1, "x", "--", "y"]);
  });
});

describe("differential: exception handler contexts", () => {
  it("a failing callSoon/callLater callback gives exactly { message, exception, handle }", async () => {
    const loop = new VirtualTimeLoop();
    const contexts: Record<string, unknown>[] = [];
    loop.setExceptionHandler((_l, c) => contexts.push(shape(c)));
    const boom = () => {
      throw new RangeError("x");
    };
    loop.callSoon(boom);
    loop.callLater(0, boom);
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    loop.close();
    expect(contexts).toEqual([
      { message: "Exception in callback boom()", exception: "RangeError", handle: "Handle" },
      { message: "Exception in callback boom()", exception: "RangeError", handle: "TimerHandle" },
    ]);
  });
});

describe("differential: run()", () => {
  it("main failing: pending tasks are cancelled, a failure in their cleanup is reported, main's error wins", async () => {
    const log: unknown[] = [];
    await expect(
      run(async () => {
        getRunningLoop().setExceptionHandler((_l, c) => log.push(shape(c)));
        createTask(async () => {
          try {
            await sleep(10_000);
          } finally {
            log.push("child-finally");
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario under test
            throw new SyntaxError("child");
          }
        });
        createTask(async () => {
          try {
            await sleep(10_000);
          } catch (e) {
            if (e instanceof CancelledError) log.push("child2-cancelled");
            throw e;
          }
        });
        await sleep(0);
        throw new RangeError("main");
      }),
    ).rejects.toThrow(new RangeError("main"));
    expect(log).toEqual([
      "child-finally",
      "child2-cancelled",
      {
        message: "unhandled exception during run() shutdown",
        exception: "SyntaxError",
        task: "Task",
      },
    ]);
  });

  // asyncio 3.11 gives this exact log; 3.13 cancels the tasks in its
  // all_tasks() set order (c2, c0, c1 in one run), which asyncio leaves unspecified.
  it("callbacks main left behind run during shutdown; cancelled tasks step in creation order", async () => {
    const log: unknown[] = [];
    const result = await run(async () => {
      const loop = getRunningLoop();
      loop.callSoon(() => {
        log.push("a");
        loop.callSoon(() => {
          log.push("a-child");
          loop.callSoon(() => log.push("a-gchild"));
        });
      });
      loop.callLater(0, () => log.push("later0"));
      for (let i = 0; i < 3; i++) {
        createTask(async () => {
          try {
            await sleep(10_000);
          } catch (e) {
            log.push(`c${i}`);
            await sleep(0);
            log.push(`c${i}-after`);
            throw e;
          }
        });
      }
      log.push("main-return");
      return 1;
    });
    expect(result).toBe(1);
    expect(log).toEqual([
      "main-return",
      "a",
      "later0",
      "a-child",
      "c0",
      "c1",
      "c2",
      "a-gchild",
      "c0-after",
      "c1-after",
      "c2-after",
    ]);
  });

  it("the shutdown waits for the cancelled tasks as asyncio's gather does: no extra loop iteration", async () => {
    // A callback chain ticks once per loop iteration through run()'s end:
    // asyncio stops waiting for the cancelled tasks in the iteration after
    // the last one finished (tick 11 is the last; @aio ran one more until
    // 2026-12, waiting through a task that wrapped the gather).
    const log: string[] = [];
    await run(async () => {
      const loop = getRunningLoop();
      const leftover = async (name: string, sleeps: number) => {
        try {
          await sleep(10_000);
        } finally {
          log.push(`${name} finally`);
          for (let i = 0; i < sleeps; i++) {
            await sleep(0);
            log.push(`${name} after sleep ${i}`);
          }
        }
      };
      createTask(() => leftover("a", 1));
      createTask(() => leftover("b", 3));
      await sleep(0);
      let n = 0;
      const tick = () => {
        n++;
        log.push(`tick ${n}`);
        if (n < 20) loop.callSoon(tick);
      };
      loop.callSoon(tick);
      return "main";
    });
    expect(log).toEqual([
      "tick 1",
      "tick 2",
      "a finally",
      "b finally",
      "tick 3",
      "a after sleep 0",
      "b after sleep 0",
      "tick 4",
      "b after sleep 1",
      "tick 5",
      "b after sleep 2",
      "tick 6",
      "tick 7",
      "tick 8",
      "tick 9",
      "tick 10",
      "tick 11",
    ]);
  });

  it("runInExecutor(null, …) after shutdownDefaultExecutor() throws, even with a new default executor", async () => {
    // asyncio's _check_default_executor: the RuntimeError once
    // shutdown_default_executor() was called; an explicit executor still works.
    const inline = (): Executor =>
      ({
        submit: async (fn: (...a: unknown[]) => unknown, ...a: unknown[]) => fn(...a),
        shutdown: async () => {},
      }) as unknown as Executor;
    const log: unknown[] = [];
    await run(async () => {
      const loop = getRunningLoop();
      loop.setDefaultExecutor(inline());
      log.push(await loop.runInExecutor(null, () => 1));
      await loop.shutdownDefaultExecutor();
      for (const setNew of [false, true]) {
        if (setNew) loop.setDefaultExecutor(inline());
        try {
          loop.runInExecutor(null, () => 2);
          log.push("submitted");
        } catch (e) {
          log.push(`${(e as Error).name} ${(e as Error).message}`);
        }
      }
      log.push(await loop.runInExecutor(inline(), () => 4));
    });
    expect(log).toEqual([
      1,
      "RuntimeError Executor shutdown has been called",
      "RuntimeError Executor shutdown has been called",
      4,
    ]);
  });
});
