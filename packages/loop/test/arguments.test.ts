/**
 * Every public entry point of @aio/loop called with wrong types, as plain
 * JavaScript would call it (docs/design/error-policy.md): a TypeError for a
 * wrong type, a RangeError (or ValueError) for a value out of range, the
 * argument named, the value described; functions that return a Promise
 * reject and never throw.
 */
import { ValueError } from "@aio/core";
import { ensureLoop, newEventLoop, Runner, run } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { afterEach, describe, expect, test } from "vitest";

const loops: { close(): void; isRunning(): boolean }[] = [];
afterEach(() => {
  for (const l of loops.splice(0)) if (!l.isRunning()) l.close();
});
function loop() {
  const l = newEventLoop();
  loops.push(l);
  return l;
}
const bad = "x" as never;

/** Calls `f` and returns what it threw, failing the test if it returned a Promise instead. */
function thrown(f: () => unknown): unknown {
  try {
    const r = f();
    return { returned: r };
  } catch (err) {
    return err;
  }
}

describe("@aio/loop with wrong argument types", () => {
  test("BaseEventLoop scheduling methods throw TypeError/RangeError naming the argument", () => {
    const l = loop();
    expect(thrown(() => l.callSoon(bad))).toEqual(
      new TypeError('callSoon() callback must be a function, received "x"'),
    );
    expect(thrown(() => l.callLater(bad, () => {}))).toEqual(
      new TypeError('callLater() delay must be a number of milliseconds, received "x"'),
    );
    expect(thrown(() => l.callLater(1, bad))).toEqual(
      new TypeError('callLater() callback must be a function, received "x"'),
    );
    expect(thrown(() => l.callAt(null as never, () => {}))).toEqual(
      new TypeError("callAt() when must be a number of milliseconds, received null"),
    );
    expect(thrown(() => l.callAt(Number.NaN, () => {}))).toEqual(
      new RangeError("callAt() when must be a number of milliseconds, received NaN"),
    );
    expect(thrown(() => l.createTask(bad))).toBeInstanceOf(TypeError);
    expect(thrown(() => l.setTaskFactory(bad))).toEqual(
      new TypeError('setTaskFactory() factory must be a function or null, received "x"'),
    );
    expect(thrown(() => l.setExceptionHandler(bad))).toEqual(
      new TypeError('setExceptionHandler() handler must be a function or null, received "x"'),
    );
    expect(thrown(() => l.setDefaultExecutor(bad))).toEqual(
      new TypeError('setDefaultExecutor() executor must be an Executor or null, received "x"'),
    );
    expect(thrown(() => l.runInExecutor(bad, () => 1))).toEqual(
      new TypeError('runInExecutor() executor must be an Executor or null, received "x"'),
    );
    expect(thrown(() => l.trackAsyncgen(bad))).toEqual(
      new TypeError('trackAsyncgen() gen must be an async generator, received "x"'),
    );
    expect(thrown(() => l.addSignalHandler(bad, () => {}))).toBeInstanceOf(ValueError);
    expect(thrown(() => l.removeSignalHandler({} as never))).toBeInstanceOf(TypeError);
    expect(
      thrown(() => {
        l.slowCallbackDuration = bad;
      }),
    ).toBeInstanceOf(TypeError);
  });

  test("BaseEventLoop methods returning a Promise reject instead of throwing", async () => {
    const l = loop();
    const p1 = l.runUntilComplete(bad);
    expect(p1).toBeInstanceOf(Promise);
    await expect(p1).rejects.toThrow(
      new TypeError('runUntilComplete() expects a function or an awaitable, received "x"'),
    );
    const p2 = l.shutdownDefaultExecutor(bad);
    expect(p2).toBeInstanceOf(Promise);
    await expect(p2).rejects.toThrow(
      new TypeError(
        'shutdownDefaultExecutor() timeout must be a number of milliseconds >= 0 or null, received "x"',
      ),
    );
    await expect(l.shutdownDefaultExecutor(-1)).rejects.toBeInstanceOf(RangeError);
  });

  test("newEventLoop(), Runner and VirtualTimeLoop.advance() throw; run(), Runner.run(), runVirtual() and ensureLoop() reject", async () => {
    expect(thrown(() => newEventLoop(bad))).toEqual(
      new TypeError('newEventLoop() options must be an object, received "x"'),
    );
    expect(thrown(() => new Runner(bad))).toEqual(
      new TypeError('Runner options must be an object, received "x"'),
    );
    expect(thrown(() => new Runner({ loopFactory: bad }))).toEqual(
      new TypeError('Runner loopFactory must be a function, received "x"'),
    );
    const v = new VirtualTimeLoop();
    loops.push(v);
    expect(thrown(() => v.advance(bad))).toBeInstanceOf(TypeError);

    for (const [p, message] of [
      [run(bad), 'run() main must be a function, received "x"'],
      [run(() => 1, bad), 'run() options must be an object, received "x"'],
      [new Runner().run(bad), 'Runner.run() fn must be a function, received "x"'],
      [runVirtual(bad), 'Runner.run() fn must be a function, received "x"'],
      [ensureLoop(bad), 'ensureLoop() main must be a function, received "x"'],
    ] as const) {
      expect(p).toBeInstanceOf(Promise);
      await expect(p).rejects.toThrow(new TypeError(message));
    }
  });
});
