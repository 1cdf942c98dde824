import { inspect } from "node:util";
import {
  CancelledError,
  getRunningLoop,
  getRuntime,
  InvalidStateError,
  RuntimeError,
} from "@aio/core";
import { createTask, Future, isFuture, sleep } from "@aio/futures";
import { type BaseEventLoop, newEventLoop, run } from "@aio/loop";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";

const loops: BaseEventLoop[] = [];
/** A fresh loop, closed after the test. */
function makeLoop(): BaseEventLoop {
  const loop = newEventLoop();
  loops.push(loop);
  return loop;
}
afterEach(() => {
  for (const loop of loops.splice(0)) if (!loop.isRunning()) loop.close();
  vi.restoreAllMocks();
});

/** Runs `loop` until the callbacks scheduled so far and those they schedule within `hops` iterations ran. */
async function spin(loop: BaseEventLoop, hops = 3): Promise<void> {
  let n = 0;
  const tick = () => {
    if (++n < hops) loop.callSoon(tick);
    else loop.stop();
  };
  loop.callSoon(tick);
  await loop.runForever();
}

describe("Future", () => {
  test("Future() outside a loop without { loop } throws RuntimeError('no running event loop')", () => {
    expect(() => new Future()).toThrow(new RuntimeError("no running event loop"));
  });

  test("Future() binds to the running loop by default, or to { loop }", async () => {
    const loop = makeLoop();
    expect(new Future({ loop }).getLoop()).toBe(loop);
    const inside = await run(() => new Future().getLoop() === getRunningLoop());
    expect(inside).toBe(true);
  });
});

describe("Future.result", () => {
  test("Future.result() before done throws InvalidStateError('Result is not set.')", () => {
    const fut = new Future({ loop: makeLoop() });
    expect(() => fut.result()).toThrow(new InvalidStateError("Result is not set."));
  });

  test("Future.result() returns the result, or throws the exception it was given", () => {
    const loop = makeLoop();
    const ok = new Future<number>({ loop });
    ok.setResult(42);
    const bad = new Future<number>({ loop });
    const boom = new TypeError("boom");
    bad.setException(boom);
    expect(ok.result()).toBe(42);
    expect(() => bad.result()).toThrow(boom);
  });

  test("Future.result() after cancel(msg) throws CancelledError carrying the message", () => {
    const fut = new Future({ loop: makeLoop() });
    fut.cancel("shutting down");
    expect(() => fut.result()).toThrow(new CancelledError("shutting down"));
    const plain = new Future({ loop: makeLoop() });
    plain.cancel();
    expect(() => plain.result()).toThrow(new CancelledError());
  });
});

describe("Future.exception", () => {
  test("Future.exception() before done throws InvalidStateError('Exception is not set.')", () => {
    const fut = new Future({ loop: makeLoop() });
    expect(() => fut.exception()).toThrow(new InvalidStateError("Exception is not set."));
  });

  test("Future.exception() is undefined after setResult and the error after setException", () => {
    const loop = makeLoop();
    const ok = new Future({ loop });
    ok.setResult(1);
    const bad = new Future({ loop });
    const boom = new Error("boom");
    bad.setException(boom);
    expect([ok.exception(), bad.exception()]).toEqual([undefined, boom]);
  });

  test("Future.exception() after cancel(msg) throws CancelledError carrying the message", () => {
    const fut = new Future({ loop: makeLoop() });
    fut.cancel("why");
    expect(() => fut.exception()).toThrow(new CancelledError("why"));
  });
});

describe("Future.setResult", () => {
  test("Future.setResult() twice throws InvalidStateError and keeps the first result", () => {
    const fut = new Future<number>({ loop: makeLoop() });
    fut.setResult(1);
    expect(() => fut.setResult(2)).toThrow(new InvalidStateError("invalid state: finished"));
    expect(fut.result()).toBe(1);
  });

  test("Future.setResult() after cancel() throws InvalidStateError", () => {
    const fut = new Future<number>({ loop: makeLoop() });
    fut.cancel();
    expect(() => fut.setResult(2)).toThrow(new InvalidStateError("invalid state: cancelled"));
    expect(fut.cancelled()).toBe(true);
  });

  test("Future.setResult() accepts undefined and thenables as plain values", () => {
    const loop = makeLoop();
    const a = new Future<undefined>({ loop });
    a.setResult(undefined);
    const p = Promise.resolve(5);
    const b = new Future<Promise<number>>({ loop });
    b.setResult(p);
    expect([a.done(), a.result(), b.result() === p]).toEqual([true, undefined, true]);
  });
});

describe("Future.setException", () => {
  test("Future.setException() twice, or after setResult, throws InvalidStateError", () => {
    const loop = makeLoop();
    const a = new Future({ loop });
    a.setException(new Error("first"));
    expect(() => a.setException(new Error("second"))).toThrow(
      new InvalidStateError("invalid state: finished"),
    );
    expect((a.exception() as Error).message).toBe("first");
    const b = new Future({ loop });
    b.setResult(1);
    expect(() => b.setException(new Error("x"))).toThrow(
      new InvalidStateError("invalid state: finished"),
    );
  });

  test("Future.setException() rejects a CancelledError with a TypeError", () => {
    const fut = new Future({ loop: makeLoop() });
    expect(() => fut.setException(new CancelledError())).toThrow(
      new TypeError("setException() exception must not be a CancelledError; use cancel()"),
    );
    expect(fut.done()).toBe(false);
  });
});

describe("Future.cancel", () => {
  test("Future.cancel() returns true once, then false; false when already finished", () => {
    const loop = makeLoop();
    const a = new Future({ loop });
    const b = new Future({ loop });
    b.setResult(1);
    expect([a.cancel("x"), a.cancel("y"), b.cancel()]).toEqual([true, false, false]);
    expect([a.cancelled(), a.done(), b.cancelled(), b.done()]).toEqual([true, true, false, true]);
    expect(() => a.result()).toThrow(new CancelledError("x"));
  });

  test("Future.cancel() schedules the done callbacks", async () => {
    const loop = makeLoop();
    const fut = new Future({ loop });
    const log: string[] = [];
    fut.addDoneCallback((f) => log.push(`cancelled=${f.cancelled()}`));
    fut.cancel();
    expect(log).toEqual([]);
    await spin(loop);
    expect(log).toEqual(["cancelled=true"]);
  });
});

describe("Future.cancelled", () => {
  test("Future.cancelled() and done() follow the state", () => {
    const fut = new Future({ loop: makeLoop() });
    const seen = [[fut.done(), fut.cancelled()]];
    fut.cancel();
    seen.push([fut.done(), fut.cancelled()]);
    expect(seen).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});

describe("Future.addDoneCallback", () => {
  test("Future.addDoneCallback() callbacks run through callSoon, in registration order, never synchronously", async () => {
    const loop = makeLoop();
    const fut = new Future<string>({ loop });
    const log: string[] = [];
    loop.callSoon(() => log.push("scheduled before"));
    fut.addDoneCallback((f) => log.push(`cb1 ${f.result()}`));
    fut.addDoneCallback((f) => log.push(`cb2 ${f === fut}`));
    fut.addDoneCallback(() => log.push("cb3"));
    fut.setResult("ok");
    log.push("after setResult");
    loop.callSoon(() => log.push("scheduled after"));
    await spin(loop);
    expect(log).toEqual([
      "after setResult",
      "scheduled before",
      "cb1 ok",
      "cb2 true",
      "cb3",
      "scheduled after",
    ]);
  });

  test("Future.addDoneCallback() after done schedules the callback (not synchronously)", async () => {
    const loop = makeLoop();
    const fut = new Future<number>({ loop });
    fut.setResult(1);
    const log: string[] = [];
    fut.addDoneCallback((f) => log.push(`late ${f.result()}`));
    log.push("added");
    await spin(loop);
    expect(log).toEqual(["added", "late 1"]);
  });

  test("Future.addDoneCallback() from a running done callback runs in a later iteration", async () => {
    const loop = makeLoop();
    const fut = new Future<number>({ loop });
    const log: string[] = [];
    fut.addDoneCallback(() => {
      log.push("first");
      fut.addDoneCallback(() => log.push("added while running"));
    });
    fut.addDoneCallback(() => log.push("second"));
    fut.setResult(1);
    await spin(loop);
    expect(log).toEqual(["first", "second", "added while running"]);
  });

  test("Future.addDoneCallback() rejects a non-function with a TypeError", () => {
    const fut = new Future({ loop: makeLoop() });
    expect(() => fut.addDoneCallback(1 as never)).toThrow(
      new TypeError("addDoneCallback() callback must be a function, received 1"),
    );
  });

  test("Future.addDoneCallback(): a throwing callback reaches the loop's exception handler and the others still run", async () => {
    const loop = makeLoop();
    const contexts: { message: string; exception?: unknown }[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const fut = new Future({ loop });
    const boom = new Error("cb failed");
    const log: string[] = [];
    fut.addDoneCallback(() => {
      throw boom;
    });
    fut.addDoneCallback(() => log.push("second ran"));
    fut.setResult(0);
    await spin(loop);
    expect(log).toEqual(["second ran"]);
    expect(contexts.map((c) => c.exception)).toEqual([boom]);
  });
});

describe("Future.removeDoneCallback", () => {
  test("Future.removeDoneCallback() removes every registration and returns the count", async () => {
    const loop = makeLoop();
    const fut = new Future({ loop });
    const log: string[] = [];
    const a = () => log.push("a");
    const b = () => log.push("b");
    fut.addDoneCallback(a);
    fut.addDoneCallback(b);
    fut.addDoneCallback(a);
    const counts = [
      fut.removeDoneCallback(a),
      fut.removeDoneCallback(a),
      fut.removeDoneCallback(() => {}),
    ];
    fut.setResult(1);
    await spin(loop);
    expect(counts).toEqual([2, 0, 0]);
    expect(log).toEqual(["b"]);
  });

  test("Future.removeDoneCallback() after done returns 0 (the callbacks are already scheduled)", () => {
    const fut = new Future({ loop: makeLoop() });
    const cb = () => {};
    fut.addDoneCallback(cb);
    fut.setResult(1);
    expect(fut.removeDoneCallback(cb)).toBe(0);
  });
});

describe("Future.then", () => {
  test("Future.then(): `await fut` resolves to the result set later", async () => {
    const result = await run(async () => {
      const fut = new Future<string>();
      getRunningLoop().callLater(1, () => fut.setResult("ready"));
      return await fut;
    });
    expect(result).toBe("ready");
  });

  test("Future.then(): `await fut` rejects with the exception", async () => {
    const boom = new RangeError("nope");
    await expect(
      run(async () => {
        const fut = new Future<string>();
        getRunningLoop().callSoon(() => fut.setException(boom));
        await fut;
      }),
    ).rejects.toBe(boom);
  });

  test("Future.then(): `await fut` rejects with CancelledError (with its message) when cancelled", async () => {
    const caught = await run(async () => {
      const fut = new Future<string>();
      getRunningLoop().callSoon(() => fut.cancel("stop it"));
      try {
        await fut;
        return null;
      } catch (err) {
        return err;
      }
    });
    expect(caught).toBeInstanceOf(CancelledError);
    expect(caught).toEqual(new CancelledError("stop it"));
  });

  test("Future.then() outside any task works with the loop running", async () => {
    const loop = makeLoop();
    const fut = new Future<number>({ loop });
    const log: string[] = [];
    const chained = fut.then((v) => {
      log.push(`got ${v}`);
      return v * 10;
    });
    loop.callSoon(() => fut.setResult(4));
    await spin(loop, 5);
    expect(await chained).toBe(40);
    expect(log).toEqual(["got 4"]);
  });

  test("Future.then() handlers never run synchronously inside then(), even on a done future", async () => {
    const loop = makeLoop();
    const ok = new Future<number>({ loop });
    ok.setResult(1);
    const bad = new Future<number>({ loop });
    bad.setException(new Error("e"));
    const log: string[] = [];
    const p1 = ok.then((v) => log.push(`fulfilled ${v}`));
    const p2 = bad.then(undefined, (e: Error) => log.push(`rejected ${e.message}`));
    log.push("then() returned");
    await Promise.all([p1, p2]);
    expect(log).toEqual(["then() returned", "fulfilled 1", "rejected e"]);
  });

  test("Future.then() returns a native Promise and follows Promise chaining semantics", async () => {
    const loop = makeLoop();
    const fut = new Future<number>({ loop });
    fut.setResult(2);
    const p = fut.then((v) => Promise.resolve(v + 1));
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(3);
    expect(await fut.then()).toBe(2);
    const thrown = new Error("from handler");
    await expect(
      fut.then(() => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    const failed = new Future<number>({ loop });
    failed.setException(new Error("x"));
    await expect(failed.then((v) => v)).rejects.toThrow("x");
    await expect(failed.then(undefined, (e: Error) => `handled ${e.message}`)).resolves.toBe(
      "handled x",
    );
  });

  test("Future.then(): awaiting a Future of another loop inside a task throws RuntimeError", async () => {
    const other = makeLoop();
    const foreign = new Future<number>({ loop: other });
    const caught = await run(async () => {
      const task = createTask(async () => {
        await foreign;
      });
      try {
        await task;
        return null;
      } catch (err) {
        return err;
      }
    });
    expect(caught).toBeInstanceOf(RuntimeError);
    expect((caught as Error).message).toMatch(
      /^Task <Task .*> got Future <Future pending> attached to a different loop$/,
    );
  });
});

describe("Future.catch", () => {
  test("Future.catch() handles the exception or CancelledError, and passes a result through", async () => {
    const loop = makeLoop();
    const cancelled = new Future<number>({ loop });
    cancelled.cancel("c");
    const failed = new Future<number>({ loop });
    failed.setException(new Error("f"));
    const fine = new Future<number>({ loop });
    fine.setResult(9);
    const results = await Promise.all([
      cancelled.catch((e: Error) => `${e.name}:${e.message}`),
      failed.catch((e: Error) => `${e.name}:${e.message}`),
      fine.catch(() => "not called"),
    ]);
    expect(results).toEqual(["CancelledError:c", "Error:f", 9]);
  });
});

describe("Future.finally", () => {
  test("Future.finally() runs its callback and settles like the future", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    const fine = new Future<number>({ loop });
    fine.setResult(5);
    const failed = new Future<number>({ loop });
    const boom = new Error("boom");
    failed.setException(boom);
    const p = fine.finally(() => log.push("finally ok"));
    log.push("finally() returned");
    expect(await p).toBe(5);
    await expect(failed.finally(() => log.push("finally failed"))).rejects.toBe(boom);
    expect(log).toEqual(["finally() returned", "finally ok", "finally failed"]);
  });
});

describe("Future.getLoop", () => {
  test("Future.getLoop() returns the loop it is bound to", () => {
    const loop = makeLoop();
    expect(loop.createFuture().getLoop()).toBe(loop);
  });
});

describe("Future.toString", () => {
  test("Future.toString() has asyncio's repr shapes", () => {
    const loop = makeLoop();
    const pending = new Future({ loop });
    const withCb = new Future({ loop });
    withCb.addDoneCallback(() => {});
    const num = new Future<number>({ loop });
    num.setResult(1);
    const str = new Future<string>({ loop });
    str.setResult("abc");
    const failed = new Future({ loop });
    failed.setException(new Error("boom"));
    const cancelled = new Future({ loop });
    cancelled.cancel();
    const reprs = [pending, withCb, num, str, failed, cancelled].map(String);
    const shapes = [
      /^<Future pending>$/,
      /^<Future pending cb=\[1\]>$/,
      /^<Future finished result=1>$/,
      /^<Future finished result='abc'>$/,
      /^<Future finished exception=Error\('boom'\)>$/,
      /^<Future cancelled>$/,
    ];
    expect(reprs.map((r, i) => shapes[i]!.test(r))).toEqual(shapes.map(() => true));
    expect(inspect(num)).toBe(String(num));
    expect(Object.prototype.toString.call(num)).toBe("[object Future]");
    failed.exception();
  });

  test("a user's subclass shows its own name; sleep()'s future and tasks show asyncio's", async () => {
    // @aio's classes name themselves (a minifier renames classes: see
    // bundling.test.ts); a subclass that does not shows constructor.name.
    class Delivery<T> extends Future<T> {}
    const loop = makeLoop();
    const mine = new Delivery({ loop });
    expect(String(mine)).toBe("<Delivery pending>");
    expect(Object.prototype.toString.call(mine)).toBe("[object Delivery]");
    await run(async () => {
      const nap = sleep(1);
      const task = createTask(() => nap, { name: "napper" });
      expect([String(nap), Object.prototype.toString.call(nap)]).toEqual([
        "<Future pending>",
        "[object Future]",
      ]);
      expect(Object.prototype.toString.call(task)).toBe("[object Task]");
      await task;
    });
  });
});

describe("isFuture", () => {
  test("isFuture() is true for Futures and Tasks only", async () => {
    const loop = makeLoop();
    const answers = await loop.runUntilComplete(async () => {
      const task = createTask(async () => sleep(0));
      const out = [
        isFuture(new Future()),
        isFuture(task),
        isFuture(Promise.resolve()),
        isFuture({ then() {} }),
        isFuture(null),
        isFuture(undefined),
        isFuture("future"),
      ];
      await task;
      return out;
    });
    expect(answers).toEqual([true, true, false, false, false, false, false]);
  });

  test("isFuture() accepts a Future of another copy of @aio/futures (global brand)", () => {
    const lookalike = Object.create({ [Symbol.for("@aio/futures.Future")]: true });
    expect(isFuture(lookalike)).toBe(true);
  });
});

describe("Future exception never retrieved", () => {
  test("Future: an exception nobody retrieved is reported once when its loop closes", async () => {
    const loop = makeLoop();
    const contexts: { message: string; exception?: unknown; future?: unknown }[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const lost = new Future({ loop });
    const boom = new Error("lost");
    lost.setException(boom);
    const seen = new Future({ loop });
    seen.setException(new Error("seen"));
    seen.exception();
    await spin(loop);
    loop.close();
    loop.close();
    expect(contexts).toEqual([
      { message: "Future exception was never retrieved", exception: boom, future: lost },
    ]);
  });
});

describe("Future.then (inside tasks)", () => {
  test("Future.then(): awaiting a done Future inside a task does not yield to the loop (as asyncio)", async () => {
    const log = await run(async () => {
      const out: string[] = [];
      const loop = getRunningLoop();
      loop.callSoon(() => out.push("x"));
      const fut = loop.createFuture<number>();
      fut.setResult(1);
      await fut;
      out.push("after");
      await sleep(0);
      return out;
    });
    expect(log).toEqual(["after", "x"]);
  });

  test("Future.then(): a task awaiting a Future that gets cancelled sees CancelledError with the message and may go on", async () => {
    const result = await run(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<number>();
      const t = createTask(async () => {
        try {
          await fut;
          return "not cancelled";
        } catch (err) {
          return `caught ${(err as Error).name} '${(err as Error).message}'`;
        }
      });
      await sleep(0);
      fut.cancel("m");
      return [await t, t.cancelled()];
    });
    expect(result).toEqual(["caught CancelledError 'm'", false]);
  });

  test("Future.then(): several awaiters of one Future resume in the order they started waiting", async () => {
    const log = await run(async () => {
      const out: string[] = [];
      const fut = getRunningLoop().createFuture<number>();
      const waiter = (name: string) =>
        createTask(async () => {
          out.push(`${name} got ${await fut}`);
        });
      const tasks = [waiter("a"), waiter("b"), waiter("c")];
      const plain = fut.then((v) => out.push(`then got ${v}`));
      await sleep(0);
      fut.setResult(7);
      for (const t of tasks) await t;
      await plain;
      return out;
    });
    expect(log).toEqual(["then got 7", "a got 7", "b got 7", "c got 7"]);
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
