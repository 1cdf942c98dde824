import { inspect } from "node:util";
import {
  CancelledError,
  type EventLoop,
  type ExceptionContext,
  type Executor,
  getRunningLoop,
  getRuntime,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { createTask, Future, sleep } from "@aio/futures";
import { BaseEventLoop, HOST_YIELD_BUDGET_MS, newEventLoop, run } from "@aio/loop";
import { VirtualTimeLoop } from "@aio/loop/testing";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";

/** Every loop a test makes is closed afterwards, so no test leaves a handle behind. */
const loops: BaseEventLoop[] = [];
function makeLoop(options?: { debug?: boolean }): BaseEventLoop {
  const loop = newEventLoop(options);
  loops.push(loop);
  return loop;
}
function makeVirtualLoop(): VirtualTimeLoop {
  const loop = new VirtualTimeLoop();
  loops.push(loop);
  return loop;
}
afterEach(() => {
  for (const loop of loops.splice(0)) {
    if (!loop.isRunning()) loop.close();
  }
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Busy-waits `ms` of wall-clock time: a callback that blocks the loop. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe("newEventLoop", () => {
  test("newEventLoop() makes a fresh, stopped, open BaseEventLoop each call", () => {
    const a = makeLoop();
    const b = makeLoop();
    expect(a).toBeInstanceOf(BaseEventLoop);
    expect(a).not.toBe(b);
    expect([a.isRunning(), a.isClosed(), a.getDebug()]).toEqual([false, false, false]);
  });

  test("newEventLoop({ debug: true }) starts in debug mode", () => {
    expect(makeLoop({ debug: true }).getDebug()).toBe(true);
  });
});

describe("HOST_YIELD_BUDGET_MS", () => {
  test("HOST_YIELD_BUDGET_MS is a small positive number of milliseconds", () => {
    expect(HOST_YIELD_BUDGET_MS).toBeGreaterThan(0);
    expect(HOST_YIELD_BUDGET_MS).toBeLessThanOrEqual(50);
  });
});

describe("BaseEventLoop.callSoon", () => {
  test("BaseEventLoop.callSoon() runs callbacks in FIFO order with their arguments", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    for (let i = 0; i < 5; i++)
      loop.callSoon((n: number, s: string) => log.push(`${s}${n}`), i, "cb");
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["cb0", "cb1", "cb2", "cb3", "cb4"]);
  });

  test("BaseEventLoop.callSoon() passes no arguments when given none", async () => {
    const loop = makeLoop();
    const seen: number[] = [];
    loop.callSoon((...args: unknown[]) => seen.push(args.length));
    loop.callSoon((...args: unknown[]) => seen.push(args.length), 1, 2, 3, 4);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(seen).toEqual([0, 4]);
  });

  test("BaseEventLoop.callSoon() callbacks cancelled before they run never run", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const a = loop.callSoon(() => log.push("a"));
    loop.callSoon(() => {
      log.push("b");
      c.cancel();
    });
    const c = loop.callSoon(() => log.push("c"));
    loop.callSoon(() => log.push("d"));
    a.cancel();
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["b", "d"]);
    expect([a.cancelled(), c.cancelled()]).toEqual([true, true]);
  });

  test("BaseEventLoop.callSoon() from a callback runs in the NEXT iteration (stop() ends the current one)", async () => {
    // Same program and output as asyncio (checked with CPython 3.11). The
    // virtual clock keeps the two timers' deadlines exact (no wall-clock drift).
    const loop = makeVirtualLoop();
    const log: string[] = [];
    loop.callLater(0, () => log.push("later0"));
    loop.callSoon(() => log.push("c"));
    loop.callLater(-1, () => log.push("neg"));
    loop.callSoon(() => {
      log.push("a");
      loop.callSoon(() => log.push("a-child"));
    });
    loop.callSoon(() => {
      log.push("b");
      loop.stop();
    });
    await loop.runForever();
    expect(log).toEqual(["c", "a", "b", "neg", "later0"]);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["c", "a", "b", "neg", "later0", "a-child"]);
  });

  test("BaseEventLoop.callSoon() chains interleave by iteration, one step each", async () => {
    const loop = makeVirtualLoop();
    const log: string[] = [];
    const chain = (name: string, n: number) => {
      log.push(`${name}${n}`);
      if (n < 3) loop.callSoon(chain, name, n + 1);
    };
    loop.callSoon(chain, "x", 1);
    loop.callSoon(chain, "y", 1);
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["x1", "y1", "x2", "y2", "x3", "y3"]);
  });

  test("BaseEventLoop.callSoon() rejects a non-function callback with a TypeError naming callSoon()", () => {
    const loop = makeLoop();
    expect(() => loop.callSoon(42 as never)).toThrow(
      new TypeError("callSoon() callback must be a function, received 42"),
    );
    expect(() => loop.callSoon(null as never)).toThrow(
      new TypeError("callSoon() callback must be a function, received null"),
    );
  });

  test("BaseEventLoop.callSoon() on a closed loop throws RuntimeError('Event loop is closed')", () => {
    const loop = makeLoop();
    loop.close();
    expect(() => loop.callSoon(() => {})).toThrow(new RuntimeError("Event loop is closed"));
  });
});

describe("BaseEventLoop.callLater", () => {
  test("BaseEventLoop.callLater() fires timers in deadline order", async () => {
    const loop = makeLoop();
    const log: number[] = [];
    // Real clock: deadlines from one reading, so a pause between the calls cannot reorder them.
    const now = loop.time();
    for (const d of [5, 1, 4, 2, 3]) loop.callAt(now + d, () => log.push(d));
    loop.callAt(now + 6, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual([1, 2, 3, 4, 5]);
  });

  test("BaseEventLoop.callLater() fires equal deadlines in FIFO order", async () => {
    const loop = makeVirtualLoop();
    const log: string[] = [];
    for (const name of ["a", "b", "c", "d"]) loop.callLater(10, () => log.push(name));
    loop.callLater(5, () => log.push("first"));
    loop.callLater(10, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["first", "a", "b", "c", "d"]);
  });

  test("BaseEventLoop.callLater() timers cancelled before their deadline never run", async () => {
    const loop = makeLoop();
    const log: number[] = [];
    const now = loop.time();
    const handles = [1, 2, 3, 4].map((d) => loop.callAt(now + d, () => log.push(d)));
    handles[1]!.cancel();
    loop.callAt(now + 1, () => handles[2]!.cancel());
    loop.callAt(now + 5, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual([1, 4]);
  });

  test("BaseEventLoop.callLater() keeps order when most of many timers are cancelled", async () => {
    const loop = makeVirtualLoop();
    const log: number[] = [];
    const handles = Array.from({ length: 1000 }, (_, i) =>
      loop.callLater(1000 - i, () => log.push(1000 - i)),
    );
    handles.forEach((h, i) => {
      if (i % 10 !== 0) h.cancel();
    });
    loop.callLater(2000, () => loop.stop());
    await loop.runForever();
    const expected = Array.from({ length: 100 }, (_, k) => 1000 - 10 * k).reverse();
    expect(log).toEqual(expected);
  });

  test("BaseEventLoop.callLater() with a negative delay runs as soon as possible", async () => {
    const loop = makeVirtualLoop();
    const log: string[] = [];
    loop.callLater(0, () => log.push("zero"));
    loop.callLater(-100, () => log.push("negative"));
    loop.callSoon(() => {
      log.push("soon");
      loop.callSoon(() => log.push("next-iteration"));
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["soon", "negative", "zero", "next-iteration"]);
  });

  test("BaseEventLoop.callLater(Infinity) never fires and is reported by when()", async () => {
    const loop = makeVirtualLoop();
    const log: string[] = [];
    const never = loop.callLater(Number.POSITIVE_INFINITY, () => log.push("never"));
    loop.callLater(86_400_000, () => {
      log.push("a day later");
      loop.stop();
    });
    await loop.runForever();
    expect(log).toEqual(["a day later"]);
    expect(never.when()).toBe(Number.POSITIVE_INFINITY);
    expect(never.cancelled()).toBe(false);
  });

  test("BaseEventLoop.callLater() returns a TimerHandle whose when() is time() + delay", () => {
    const loop = makeVirtualLoop();
    loop.advance(1234);
    expect(loop.callLater(66, () => {}).when()).toBe(1300);
  });

  test("BaseEventLoop.callLater(NaN) throws a RangeError", () => {
    const loop = makeLoop();
    expect(() => loop.callLater(Number.NaN, () => {})).toThrow(
      new RangeError("callLater() delay must be a number of milliseconds, received NaN"),
    );
  });

  test("BaseEventLoop.callLater() rejects a non-number delay with a TypeError", () => {
    const loop = makeLoop();
    expect(() => loop.callLater("5" as never, () => {})).toThrow(
      new TypeError('callLater() delay must be a number of milliseconds, received "5"'),
    );
    expect(() => loop.callLater(undefined as never, () => {})).toThrow(
      new TypeError("callLater() delay must be a number of milliseconds, received undefined"),
    );
  });

  test("BaseEventLoop.callLater() rejects a non-function callback with a TypeError naming callLater()", () => {
    const loop = makeLoop();
    expect(() => loop.callLater(1, "cb" as never)).toThrow(
      new TypeError('callLater() callback must be a function, received "cb"'),
    );
  });

  test("BaseEventLoop.callLater() on a closed loop throws RuntimeError('Event loop is closed')", () => {
    const loop = makeLoop();
    loop.close();
    expect(() => loop.callLater(1, () => {})).toThrow(new RuntimeError("Event loop is closed"));
  });
});

describe("BaseEventLoop.callAt", () => {
  test("BaseEventLoop.callAt() runs at loop time `when`, ordered with callLater timers", async () => {
    const loop = makeVirtualLoop();
    const log: string[] = [];
    loop.callAt(30, () => log.push(`at30@${loop.time()}`));
    loop.callLater(20, () => log.push(`later20@${loop.time()}`));
    loop.callAt(10, () => log.push(`at10@${loop.time()}`));
    loop.callAt(20, () => log.push(`at20@${loop.time()}`));
    loop.callAt(31, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["at10@10", "later20@20", "at20@20", "at30@30"]);
  });

  test("BaseEventLoop.callAt() in the past runs as soon as possible", async () => {
    const loop = makeVirtualLoop();
    loop.advance(100);
    const log: string[] = [];
    loop.callAt(50, () => log.push(`past@${loop.time()}`));
    loop.callSoon(() => log.push("soon"));
    loop.callAt(101, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["soon", "past@100"]);
  });

  test("BaseEventLoop.callAt() validates its arguments, naming callAt()", () => {
    const loop = makeLoop();
    expect(() => loop.callAt(Number.NaN, () => {})).toThrow(
      new RangeError("callAt() when must be a number of milliseconds, received NaN"),
    );
    expect(() => loop.callAt(null as never, () => {})).toThrow(
      new TypeError("callAt() when must be a number of milliseconds, received null"),
    );
    expect(() => loop.callAt(1, {} as never)).toThrow(
      new TypeError("callAt() callback must be a function, received an object"),
    );
    loop.close();
    expect(() => loop.callAt(1, () => {})).toThrow(new RuntimeError("Event loop is closed"));
  });
});

describe("BaseEventLoop.time", () => {
  test("BaseEventLoop.time() is monotonic milliseconds", async () => {
    const loop = makeLoop();
    const t0 = loop.time();
    await new Promise((r) => setTimeout(r, 2));
    const t1 = loop.time();
    expect(typeof t0).toBe("number");
    expect(t1).toBeGreaterThan(t0);
  });
});

describe("BaseEventLoop.runUntilComplete", () => {
  test("BaseEventLoop.runUntilComplete() resolves to the function's result and leaves the loop stopped", async () => {
    const loop = makeLoop();
    const result = await loop.runUntilComplete(async () => {
      await sleep(1);
      return getRunningLoop() === loop;
    });
    expect(result).toBe(true);
    expect(loop.isRunning()).toBe(false);
  });

  test("BaseEventLoop.runUntilComplete() rejects with the function's error", async () => {
    const loop = makeLoop();
    await expect(
      loop.runUntilComplete(async () => {
        await sleep(0);
        throw new ValueError("bad");
      }),
    ).rejects.toThrow(new ValueError("bad"));
  });

  test("BaseEventLoop.runUntilComplete() accepts a Future of the loop", async () => {
    const loop = makeLoop();
    const fut = new Future<string>({ loop });
    loop.callLater(1, () => fut.setResult("done"));
    await expect(loop.runUntilComplete(fut)).resolves.toBe("done");
  });

  test("BaseEventLoop.runUntilComplete() rejects a Future of another loop with a ValueError", async () => {
    const loop = makeLoop();
    const other = makeLoop();
    await expect(loop.runUntilComplete(new Future({ loop: other }))).rejects.toThrow(
      new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      ),
    );
  });

  test("BaseEventLoop.runUntilComplete() wraps a plain promise in a task", async () => {
    const loop = makeLoop();
    await expect(loop.runUntilComplete(Promise.resolve(7))).resolves.toBe(7);
  });

  test("BaseEventLoop.runUntilComplete() rejects what is neither a function nor an awaitable", async () => {
    const loop = makeLoop();
    await expect(loop.runUntilComplete(5 as never)).rejects.toThrow(
      new TypeError("runUntilComplete() expects a function or an awaitable, received 5"),
    );
  });

  test("BaseEventLoop.runUntilComplete() stopped early throws RuntimeError('Event loop stopped before Future completed.')", async () => {
    const loop = makeLoop();
    const fut = new Future<void>({ loop });
    loop.callSoon(() => loop.stop());
    await expect(loop.runUntilComplete(fut)).rejects.toThrow(
      new RuntimeError("Event loop stopped before Future completed."),
    );
    expect(fut.done()).toBe(false);
    fut.cancel();
  });

  test("BaseEventLoop.runUntilComplete() on a closed loop throws RuntimeError('Event loop is closed')", async () => {
    const loop = makeLoop();
    loop.close();
    await expect(loop.runUntilComplete(async () => 1)).rejects.toThrow(
      new RuntimeError("Event loop is closed"),
    );
  });

  test("BaseEventLoop.runUntilComplete() inside its own loop throws RuntimeError('This event loop is already running')", async () => {
    const loop = makeLoop();
    const err = await loop.runUntilComplete(async () => {
      return loop
        .runUntilComplete(async () => 1)
        .then(
          () => null,
          (e: unknown) => e,
        );
    });
    expect(err).toEqual(new RuntimeError("This event loop is already running"));
    expect(err).toBeInstanceOf(RuntimeError);
  });

  test("BaseEventLoop.runUntilComplete() of a second loop from a task of the first throws RuntimeError", async () => {
    const first = makeLoop();
    const second = makeLoop();
    const err = await first.runUntilComplete(async () => {
      await sleep(0);
      return second
        .runUntilComplete(async () => 1)
        .then(
          () => null,
          (e: unknown) => e,
        );
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe("Cannot run the event loop while another loop is running");
    expect(second.isRunning()).toBe(false);
  });
});

describe("BaseEventLoop.runForever", () => {
  test("BaseEventLoop.runForever() on a running loop throws RuntimeError('This event loop is already running')", async () => {
    const loop = makeLoop();
    const errors: unknown[] = [];
    loop.callSoon(() => {
      loop.runForever().catch((e: unknown) => errors.push(e));
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    expect(errors).toEqual([new RuntimeError("This event loop is already running")]);
    expect(errors[0]).toBeInstanceOf(RuntimeError);
  });

  test("BaseEventLoop.runForever() after stop() runs one iteration, then returns", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    loop.callSoon(() => {
      log.push("a");
      loop.callSoon(() => log.push("later"));
    });
    loop.stop();
    await loop.runForever();
    expect(log).toEqual(["a"]);
    loop.stop();
    await loop.runForever();
    expect(log).toEqual(["a", "later"]);
  });

  test("BaseEventLoop.runForever() on a closed loop throws RuntimeError('Event loop is closed')", async () => {
    const loop = makeLoop();
    loop.close();
    await expect(loop.runForever()).rejects.toThrow(new RuntimeError("Event loop is closed"));
  });
});

describe("BaseEventLoop.stop", () => {
  test("BaseEventLoop.stop() lets the callbacks of the current iteration finish", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    loop.callSoon(() => {
      log.push("stopper");
      loop.stop();
    });
    loop.callSoon(() => log.push("same iteration"));
    await loop.runForever();
    expect(log).toEqual(["stopper", "same iteration"]);
    expect(loop.isRunning()).toBe(false);
  });
});

describe("BaseEventLoop.isRunning", () => {
  test("BaseEventLoop.isRunning() is true only while the loop runs", async () => {
    const loop = makeLoop();
    const seen: boolean[] = [loop.isRunning()];
    await loop.runUntilComplete(() => {
      seen.push(loop.isRunning());
    });
    seen.push(loop.isRunning());
    expect(seen).toEqual([false, true, false]);
  });
});

describe("BaseEventLoop.close", () => {
  test("BaseEventLoop.close() while running throws RuntimeError('Cannot close a running event loop')", async () => {
    const loop = makeLoop();
    const errors: unknown[] = [];
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        errors.push(e);
      }
      loop.stop();
    });
    await loop.runForever();
    expect(errors).toEqual([new RuntimeError("Cannot close a running event loop")]);
    expect(errors[0]).toBeInstanceOf(RuntimeError);
    expect(loop.isClosed()).toBe(false);
  });

  test("BaseEventLoop.close() is idempotent and drops pending callbacks and timers", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const h = loop.callSoon(() => log.push("soon"));
    const t = loop.callLater(1, () => log.push("later"));
    loop.close();
    loop.close();
    expect(loop.isClosed()).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual([]);
    expect([h.cancelled(), t.cancelled()]).toEqual([false, false]);
  });
});

describe("BaseEventLoop.setExceptionHandler", () => {
  test("BaseEventLoop.setExceptionHandler() handler gets { message, exception, handle } and the loop keeps running", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const contexts: Record<string, unknown>[] = [];
    const boom = new Error("boom");
    loop.setExceptionHandler((l, ctx) => {
      log.push(`handler same-loop=${l === loop}`);
      contexts.push(ctx);
    });
    const handle = loop.callSoon(function explode() {
      log.push("explode");
      throw boom;
    });
    loop.callSoon(() => log.push("next"));
    loop.callLater(1, () => {
      log.push("timer");
      loop.stop();
    });
    await loop.runForever();
    expect(log).toEqual(["explode", "handler same-loop=true", "next", "timer"]);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.exception).toBe(boom);
    expect(contexts[0]!.handle).toBe(handle);
    expect(contexts[0]!.message).toMatch(/^Exception in callback .*explode\(\)/);
  });

  test("BaseEventLoop.setExceptionHandler() falls back to the default handler when the handler throws", async () => {
    const loop = makeLoop();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    const handlerError = new Error("handler broke");
    loop.setExceptionHandler(() => {
      throw handlerError;
    });
    const log: string[] = [];
    loop.callSoon(function explode() {
      throw new Error("boom");
    });
    loop.callSoon(() => {
      log.push("still running");
      loop.stop();
    });
    await loop.runForever();
    expect(log).toEqual(["still running"]);
    expect(errorSpy).toHaveBeenCalledTimes(1);
    const printed = errorSpy.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
    expect(printed).toMatch(
      /^Unhandled error in exception handler\ncontext:\n {2}Exception in callback .*explode\(\)\n/,
    );
    expect(printed).toMatch(/\n {2}handle: <Handle .*explode\(\)>\n {2}Error: boom\n/);
    expect(printed).toContain(handlerError.stack);
  });

  test("BaseEventLoop.setExceptionHandler(null) restores the default handler", async () => {
    const loop = makeLoop();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    const custom = vi.fn();
    loop.setExceptionHandler(custom);
    expect(loop.getExceptionHandler()).toBe(custom);
    loop.setExceptionHandler(null);
    expect(loop.getExceptionHandler()).toBeNull();
    loop.callSoon(() => {
      throw new Error("to stderr");
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(custom).not.toHaveBeenCalled();
    expect(errorSpy).toHaveBeenCalledTimes(1);
    expect(String(errorSpy.mock.calls[0]![0])).toContain("Error: to stderr");
  });

  test("BaseEventLoop.setExceptionHandler() rejects a non-function with a TypeError", () => {
    const loop = makeLoop();
    expect(() => loop.setExceptionHandler(5 as never)).toThrow(
      new TypeError("setExceptionHandler() handler must be a function or null, received 5"),
    );
    expect(() => loop.setExceptionHandler(undefined as never)).toThrow(
      new TypeError("setExceptionHandler() handler must be a function or null, received undefined"),
    );
  });
});

describe("BaseEventLoop.callExceptionHandler", () => {
  test("BaseEventLoop.callExceptionHandler() passes the loop and the context to the handler", () => {
    const loop = makeLoop();
    const calls: [EventLoop, unknown][] = [];
    loop.setExceptionHandler((l, ctx) => calls.push([l, ctx]));
    const ctx = { message: "something odd", exception: new Error("x"), extra: 1 };
    loop.callExceptionHandler(ctx);
    expect(calls).toEqual([[loop, ctx]]);
  });

  test("BaseEventLoop.callExceptionHandler() without a handler uses defaultExceptionHandler", () => {
    const loop = makeLoop();
    const spy = vi.spyOn(loop, "defaultExceptionHandler").mockImplementation(() => {});
    loop.callExceptionHandler({ message: "m" });
    expect(spy.mock.calls).toEqual([[{ message: "m" }]]);
  });

  test("BaseEventLoop.callExceptionHandler() gives the default handler the whole original context when the handler throws", () => {
    // asyncio: {'message': 'Unhandled error in exception handler', 'exception': exc, 'context': context}.
    const loop = makeLoop();
    const spy = vi.spyOn(loop, "defaultExceptionHandler").mockImplementation(() => {});
    const broke = new Error("handler broke");
    loop.setExceptionHandler(() => {
      throw broke;
    });
    const ctx = { message: "orig", exception: new RangeError("z"), extra: 1 };
    loop.callExceptionHandler(ctx);
    expect(spy.mock.calls).toEqual([
      [{ message: "Unhandled error in exception handler", exception: broke, context: ctx }],
    ]);
    expect(spy.mock.calls[0]![0].context).toBe(ctx);
  });

  test("BaseEventLoop.callExceptionHandler() logs a default handler that throws instead of throwing, as asyncio", () => {
    class StrictLoop extends BaseEventLoop {
      override defaultExceptionHandler(context: ExceptionContext): void {
        throw new TypeError(`cannot log ${context.message}`);
      }
    }
    const loop = new StrictLoop();
    loops.push(loop);
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((s: unknown) => void lines.push(String(s)));
    loop.callExceptionHandler({ message: "m1" });
    loop.setExceptionHandler(() => {
      throw new Error("handler broke");
    });
    loop.callExceptionHandler({ message: "m2" });
    expect(lines.map((l) => l.split("\n").slice(0, 2))).toEqual([
      ["Exception in default exception handler", "TypeError: cannot log m1"],
      [
        "Exception in default exception handler while handling an unexpected error in custom exception handler",
        "TypeError: cannot log Unhandled error in exception handler",
      ],
    ]);
  });
});

describe("BaseEventLoop.defaultExceptionHandler", () => {
  test("BaseEventLoop.defaultExceptionHandler() writes the message, context fields and stack to stderr", () => {
    const loop = makeLoop();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    const err = new Error("kaput");
    loop.defaultExceptionHandler({
      message: "Exception in callback f()",
      exception: err,
      handle: "<Handle f()>" as never,
    });
    expect(errorSpy).toHaveBeenCalledTimes(1);
    const text = String(errorSpy.mock.calls[0]![0]);
    expect(text.split("\n").slice(0, 3)).toEqual([
      "Exception in callback f()",
      "handle: <Handle f()>",
      "Error: kaput",
    ]);
    expect(text).toContain(err.stack);
  });

  test("BaseEventLoop.defaultExceptionHandler() writes a non-Error exception as text", () => {
    const loop = makeLoop();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    loop.defaultExceptionHandler({ message: "odd", exception: 42 });
    expect(errorSpy.mock.calls).toEqual([["odd\nexception: 42"]]);
  });
});

describe("BaseEventLoop.defaultExceptionHandler: values that cannot be turned into text", () => {
  test("the report is still written, with such a value described (it used to be dropped silently)", () => {
    const loop = makeLoop();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    class Stubborn {
      toString(): string {
        throw new Error("no text for you");
      }
    }
    loop.defaultExceptionHandler({
      message: "Exception in callback f()",
      exception: Object.create(null),
      handle: new Stubborn() as never,
    });
    expect(errorSpy.mock.calls).toEqual([
      [
        "Exception in callback f()\nhandle: <unprintable an instance of Stubborn>\nexception: <unprintable an object>",
      ],
    ]);
  });
});

describe("BaseEventLoop.getDebug", () => {
  test("BaseEventLoop.getDebug()/setDebug() read and switch debug mode", () => {
    vi.stubEnv("AIO_DEBUG", "");
    const loop = makeLoop();
    const seen = [loop.getDebug()];
    loop.setDebug(true);
    seen.push(loop.getDebug());
    loop.setDebug(false);
    seen.push(loop.getDebug());
    expect(seen).toEqual([false, true, false]);
  });

  test("BaseEventLoop.getDebug() is true with AIO_DEBUG=1 in the environment", () => {
    vi.stubEnv("AIO_DEBUG", "1");
    expect(makeLoop().getDebug()).toBe(true);
    expect(makeLoop({ debug: false }).getDebug()).toBe(false);
  });

  test("BaseEventLoop.getDebug() is true inside run(main, { debug: true }) and false by default", async () => {
    vi.stubEnv("AIO_DEBUG", "");
    const seen = [
      await run(() => getRunningLoop().getDebug(), { debug: true }),
      await run(() => getRunningLoop().getDebug()),
    ];
    expect(seen).toEqual([true, false]);
  });
});

describe("BaseEventLoop.slowCallbackDuration", () => {
  test("BaseEventLoop.slowCallbackDuration defaults to 100 ms", () => {
    expect(makeLoop().slowCallbackDuration).toBe(100);
  });

  test("BaseEventLoop.slowCallbackDuration: in debug mode a callback blocking 150 ms is reported via console.warn", async () => {
    const warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
    const loop = makeLoop({ debug: true });
    loop.callSoon(function quick() {});
    loop.callSoon(function slowCallback() {
      block(150);
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const warnings = warnSpy.mock.calls.map((args) => String(args[0]));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Executing <Handle slowCallback\(\)> took \d+\.\d{3} ms$/);
    expect(Number(/took (\S+) ms/.exec(warnings[0]!)![1])).toBeGreaterThanOrEqual(100);
  });

  test("BaseEventLoop.slowCallbackDuration: a slow task step is reported naming the task", async () => {
    const warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
    const loop = makeLoop({ debug: true });
    await loop.runUntilComplete(async () => {
      await createTask(
        async () => {
          await sleep(0);
          block(150);
          await sleep(0);
        },
        { name: "hog" },
      );
    });
    const warnings = warnSpy.mock.calls.map((args) => String(args[0]));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Executing step of .*hog.* took \d+\.\d{3} ms$/);
  });

  test("BaseEventLoop.slowCallbackDuration: without debug mode nothing is reported", async () => {
    vi.stubEnv("AIO_DEBUG", "");
    const warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
    const loop = makeLoop();
    loop.slowCallbackDuration = 10;
    loop.callSoon(() => block(20));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(warnSpy).not.toHaveBeenCalled();
  });
});

describe("BaseEventLoop.createFuture", () => {
  test("BaseEventLoop.createFuture() makes a pending Future bound to the loop", () => {
    const loop = makeLoop();
    const fut = loop.createFuture<number>();
    expect(fut).toBeInstanceOf(Future);
    expect([fut.done(), fut.getLoop() === loop]).toEqual([false, true]);
  });
});

describe("BaseEventLoop.createTask", () => {
  test("BaseEventLoop.createTask() runs the function in a task of the loop, after the current callback", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const result = await loop.runUntilComplete(async () => {
      const t = loop.createTask(async () => {
        log.push("task");
        return 2;
      });
      log.push("creator");
      return t;
    });
    expect(result).toBe(2);
    expect(log).toEqual(["creator", "task"]);
  });

  test("BaseEventLoop.createTask() on a closed loop throws RuntimeError('Event loop is closed')", () => {
    const loop = makeLoop();
    loop.close();
    expect(() => loop.createTask(async () => 1)).toThrow(new RuntimeError("Event loop is closed"));
  });
});

describe("BaseEventLoop.setTaskFactory", () => {
  test("BaseEventLoop.setTaskFactory() rejects a non-function with a TypeError", () => {
    const loop = makeLoop();
    expect(loop.getTaskFactory()).toBeNull();
    expect(() => loop.setTaskFactory(1 as never)).toThrow(
      new TypeError("setTaskFactory() factory must be a function or null, received 1"),
    );
  });
});

describe("BaseEventLoop.toString", () => {
  test("BaseEventLoop.toString() has asyncio's repr shape", async () => {
    const loop = makeLoop();
    expect(String(loop)).toMatch(/^<BaseEventLoop running=false closed=false debug=(true|false)>$/);
    const inside = await loop.runUntilComplete(() => String(loop));
    expect(inside).toMatch(/^<BaseEventLoop running=true closed=false debug=(true|false)>$/);
    loop.close();
    expect(String(loop)).toMatch(/^<BaseEventLoop running=false closed=true debug=(true|false)>$/);
    expect(inspect(loop)).toBe(String(loop));
    expect(Object.prototype.toString.call(loop)).toBe("[object BaseEventLoop]");
    expect(String(makeVirtualLoop())).toMatch(/^<VirtualTimeLoop running=false closed=false /);
  });
});

describe("BaseEventLoop (driven from outside its callbacks)", () => {
  test("BaseEventLoop.callSoon() from a host timer wakes an idle running loop", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const far = loop.callLater(60_000, () => log.push("far"));
    setTimeout(
      () =>
        loop.callSoon(() => {
          log.push("woken");
          loop.stop();
        }),
      1,
    );
    await loop.runForever();
    far.cancel();
    expect(log).toEqual(["woken"]);
  });

  test("BaseEventLoop.callLater() from a host timer re-arms an idle loop for the earlier deadline", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const far = loop.callLater(60_000, () => log.push("far"));
    setTimeout(
      () =>
        loop.callLater(1, () => {
          log.push("near");
          loop.stop();
        }),
      1,
    );
    await loop.runForever();
    far.cancel();
    expect(log).toEqual(["near"]);
  });

  test("BaseEventLoop.stop() from a host timer stops an idle running loop", async () => {
    const loop = makeLoop();
    const far = loop.callLater(60_000, () => {});
    setTimeout(() => loop.stop(), 1);
    await loop.runForever();
    far.cancel();
    expect(loop.isRunning()).toBe(false);
  });

  test("BaseEventLoop.stop() from task code (not a callback) stops the loop", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    loop.createTask(async () => {
      await sleep(0);
      log.push("stopping");
      loop.stop();
      await sleep(0);
      log.push("resumed");
    });
    await loop.runForever();
    const afterFirstRun = [...log];
    loop.stop();
    await loop.runForever();
    expect([afterFirstRun, log]).toEqual([["stopping"], ["stopping", "resumed"]]);
  });

  test("BaseEventLoop.callSoon(): a self-rescheduling chain does not starve a host setTimeout", async () => {
    const loop = makeLoop();
    const events: string[] = [];
    let hostFired = false;
    let hops = 0;
    const chain = () => {
      hops++;
      if (hostFired || hops >= 5_000_000) {
        events.push("chain ended");
        loop.stop();
      } else {
        loop.callSoon(chain);
      }
    };
    loop.callSoon(() => {
      setTimeout(() => {
        hostFired = true;
        events.push("host setTimeout");
      }, 5);
      loop.callSoon(chain);
    });
    await loop.runForever();
    expect(events).toEqual(["host setTimeout", "chain ended"]);
    expect(hops).toBeLessThan(5_000_000);
  });

  test("BaseEventLoop.callLater() on a real clock never fires a timer before its deadline", async () => {
    const loop = makeLoop();
    const early: string[] = [];
    let fired = 0;
    for (let i = 0; i < 20; i++) {
      const delay = (i % 7) + 0.3 * (i % 3);
      const h = loop.callLater(delay, () => {
        fired++;
        if (loop.time() < h.when()) early.push(`${delay}: ${loop.time()} < ${h.when()}`);
      });
    }
    loop.callLater(10, () => loop.stop());
    await loop.runForever();
    expect({ fired, early }).toEqual({ fired: 20, early: [] });
  });

  test("BaseEventLoop.runUntilComplete() can run again after a run that rejected", async () => {
    const loop = makeLoop();
    await expect(
      loop.runUntilComplete(async () => {
        throw new Error("first");
      }),
    ).rejects.toThrow("first");
    await expect(loop.runUntilComplete(async () => "second")).resolves.toBe("second");
  });

  test("BaseEventLoop.setExceptionHandler(): a callback throwing a non-Error passes it through as is", async () => {
    const loop = makeLoop();
    const seen: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => seen.push(ctx.exception));
    loop.callLater(0, () => {
      throw 42;
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    expect(seen).toEqual([42]);
  });
});

describe("BaseEventLoop (tasks and callbacks)", () => {
  test("BaseEventLoop runs a resumed task's step in its place among the callbacks (as asyncio)", async () => {
    // Same program and output as asyncio (checked with CPython 3.11).
    const loop = makeLoop();
    const log: string[] = [];
    await loop.runUntilComplete(async () => {
      const fut = loop.createFuture<number>();
      const t = createTask(async () => {
        log.push("task waiting");
        const v = await fut;
        log.push(`task got ${v}`);
        await Promise.resolve();
        log.push("task after microtask");
        await sleep(0);
        log.push("task after sleep0");
      });
      await sleep(0);
      loop.callSoon(() => log.push("a"));
      fut.setResult(1);
      loop.callSoon(() => log.push("b"));
      await t;
    });
    expect(log).toEqual([
      "task waiting",
      "a",
      "task got 1",
      "task after microtask",
      "b",
      "task after sleep0",
    ]);
  });

  test("BaseEventLoop.runUntilComplete() of an already finished Future of the loop returns its result", async () => {
    const loop = makeLoop();
    const fut = loop.createFuture<string>();
    fut.setResult("early");
    await expect(loop.runUntilComplete(fut)).resolves.toBe("early");
  });

  test("BaseEventLoop.runUntilComplete(): an exception it rejected with is not reported as never retrieved", async () => {
    const loop = makeLoop();
    const contexts: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx.message));
    const fut = loop.createFuture<void>();
    loop.callSoon(() => fut.setException(new Error("seen by runUntilComplete")));
    await expect(loop.runUntilComplete(fut)).rejects.toThrow("seen by runUntilComplete");
    await expect(
      loop.runUntilComplete(async () => {
        throw new Error("from a task");
      }),
    ).rejects.toThrow("from a task");
    loop.close();
    expect(contexts).toEqual([]);
  });
});

describe("BaseEventLoop (more runUntilComplete and debug cases)", () => {
  test("BaseEventLoop.runUntilComplete() runs a plain synchronous function in a task", async () => {
    const loop = makeLoop();
    await expect(loop.runUntilComplete(() => 5)).resolves.toBe(5);
    const err = new TypeError("sync failure");
    await expect(
      loop.runUntilComplete(() => {
        throw err;
      }),
    ).rejects.toBe(err);
  });

  test("BaseEventLoop keeps running callbacks while a task awaits a foreign promise", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    await loop.runUntilComplete(async () => {
      // The foreign promise is resolved by the third callback: if the loop
      // waited for the blocked task instead of running callbacks, it would hang.
      let release: () => void = () => {};
      const foreign = new Promise<void>((resolve) => {
        release = resolve;
      });
      let n = 0;
      const tick = () => {
        log.push(`tick${++n}`);
        if (n < 3) loop.callSoon(tick);
        else release();
      };
      loop.callSoon(tick);
      await foreign;
      log.push("foreign resolved");
    });
    expect(log).toEqual(["tick1", "tick2", "tick3", "foreign resolved"]);
  });

  test("BaseEventLoop.setExceptionHandler(): in debug mode a throwing callback still reaches the handler with its handle", async () => {
    const loop = makeLoop({ debug: true });
    const contexts: { message: string; exception?: unknown; handle?: unknown }[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const boom = new Error("debug boom");
    const h = loop.callSoon(function failing() {
      throw boom;
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(contexts).toHaveLength(1);
    expect([contexts[0]!.exception, contexts[0]!.handle]).toEqual([boom, h]);
    expect(contexts[0]!.message).toMatch(/^Exception in callback .*failing\(\)/);
  });

  test("BaseEventLoop.slowCallbackDuration: run(main, { debug: true }) reports a slow callback", async () => {
    const warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
    await run(
      async () => {
        const loop = getRunningLoop();
        const done = loop.createFuture<void>();
        loop.callSoon(function sluggish() {
          block(150);
          done.setResult();
        });
        await done;
      },
      { debug: true },
    );
    const warnings = warnSpy.mock.calls.map((args) => String(args[0]));
    expect(
      warnings.filter((w) => /^Executing <Handle sluggish\(\)> took \d+\.\d{3} ms$/.test(w)),
    ).toHaveLength(1);
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});

describe("BaseEventLoop.runInExecutor()", () => {
  test("BaseEventLoop.runInExecutor() resolves with the job's result, for a promise-returning executor", async () => {
    const inline: Executor = {
      submit: async (fn, ...args) => fn(...args),
      shutdown: async () => {},
    };
    const result = await run(() =>
      getRunningLoop().runInExecutor(inline, (x: number) => x * 2, 21),
    );
    expect(result).toBe(42);
  });

  test("BaseEventLoop.runInExecutor() cancels the job synchronously when its Future is cancelled", async () => {
    const events: string[] = [];
    const never: Executor = {
      submit: () => {
        const job = new Promise<never>(() => {}) as Promise<never> & { cancel(): void };
        job.cancel = () => events.push("job.cancel");
        return job;
      },
      shutdown: async () => {},
    };
    await run(async () => {
      const fut = getRunningLoop().runInExecutor(never, () => 1);
      events.push("cancel");
      expect(fut.cancel()).toBe(true);
      events.push("returned");
      await expect(fut).rejects.toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual(["cancel", "job.cancel", "returned"]);
  });

  test("BaseEventLoop.runInExecutor() returns an executor's own Future of this loop as is", async () => {
    await run(async () => {
      const loop = getRunningLoop();
      const own = loop.createFuture<number>();
      // An executor that hands out Futures of the loop (as @aio/executors does).
      const executor = { submit: () => own, shutdown: async () => {} } as unknown as Executor;
      const fut = loop.runInExecutor(executor, () => 1);
      expect(fut).toBe(own);
      own.setResult(7);
      expect(await fut).toBe(7);
    });
  });

  test("BaseEventLoop.runInExecutor() refuses a non-executor, naming the argument", async () => {
    await run(async () => {
      const loop = getRunningLoop();
      expect(() => loop.runInExecutor("x" as never, () => 1)).toThrow(
        new TypeError('runInExecutor() executor must be an Executor or null, received "x"'),
      );
      expect(() => loop.runInExecutor({ submit: 1 } as never, () => 1)).toThrow(TypeError);
      expect(() => loop.runInExecutor(null, "f" as never)).toThrow(
        new TypeError('runInExecutor() fn must be a function, received "f"'),
      );
    });
  });
});

describe("BaseEventLoop callbacks that return a rejected promise", () => {
  // asyncio reports a callback's failure through the exception handler and
  // goes on; an `async` callback fails later, and must go there too instead
  // of reaching the host's unhandled-rejection handler (which ends Node).
  test.each([
    ["callSoon", (l: BaseEventLoop, cb: () => Promise<void>) => l.callSoon(cb)],
    ["callLater", (l: BaseEventLoop, cb: () => Promise<void>) => l.callLater(0, cb)],
    ["callAt", (l: BaseEventLoop, cb: () => Promise<void>) => l.callAt(l.time(), cb)],
  ])(
    "BaseEventLoop.%s(async () => { throw … }) reports to the exception handler with the handle",
    async (_name, schedule) => {
      const seen: { message: string; exception: unknown; handle: unknown }[] = [];
      const events: string[] = [];
      const loop = newEventLoop();
      loop.setExceptionHandler((_l, ctx) =>
        seen.push({ message: ctx.message, exception: ctx.exception, handle: ctx.handle }),
      );
      const boom = new Error("boom");
      let handle: unknown;
      await loop.runUntilComplete(async () => {
        handle = schedule(loop, async function failing() {
          await null;
          throw boom;
        });
        await sleep(5);
        events.push("loop went on");
      });
      loop.close();
      expect(events).toEqual(["loop went on"]);
      expect(seen).toEqual([
        { message: "Exception in callback failing()", exception: boom, handle },
      ]);
    },
  );

  test("Future.addDoneCallback(async cb) that rejects reports to the exception handler", async () => {
    const seen: unknown[] = [];
    await run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => seen.push(ctx.exception));
      const fut = loop.createFuture<number>();
      fut.addDoneCallback(async () => {
        throw undefined;
      });
      fut.setResult(1);
      await sleep(1);
    });
    expect(seen).toEqual([undefined]);
  });

  test("the default exception handler prints a thrown undefined as such", async () => {
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, "error")
      .mockImplementation((s: unknown) => void lines.push(String(s)));
    try {
      await run(async () => {
        getRunningLoop().callSoon(async function f() {
          throw undefined;
        });
        await sleep(1);
      });
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Exception in callback f\(\)\n[\s\S]*exception: undefined$/);
  });
});

describe("BaseEventLoop.slowCallbackDuration", () => {
  test("BaseEventLoop.slowCallbackDuration refuses non-numbers, NaN and negative values", () => {
    const loop = newEventLoop();
    expect(loop.slowCallbackDuration).toBe(100);
    expect(() => {
      loop.slowCallbackDuration = -5;
    }).toThrow(
      new RangeError(
        "loop slowCallbackDuration must be a number of milliseconds >= 0, received -5",
      ),
    );
    expect(() => {
      loop.slowCallbackDuration = Number.NaN;
    }).toThrow(RangeError);
    expect(() => {
      loop.slowCallbackDuration = "5" as never;
    }).toThrow(TypeError);
    expect(loop.slowCallbackDuration).toBe(100);
    loop.slowCallbackDuration = 0;
    expect(loop.slowCallbackDuration).toBe(0);
    loop.close();
  });
});
