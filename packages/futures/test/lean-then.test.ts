// `Future.then()` inside a task returns its registration, which makes the
// native promise only when someone chains on it (docs/design/lazy-then.md),
// and a function done callback is its own ready item. These tests pin what
// users rely on: results, errors, chaining before and after the future is
// done, rejections never lost, and what the exception handler is told.
import { getRunningLoop, type Handle } from "@aio/core";
import { createTask, Future, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";

describe("Future.then() inside a task (lazy promise)", () => {
  test("Future.then(): `await fut.then(f)` in a task gives f's result", async () => {
    const got = await run(async () => {
      const fut = new Future<number>();
      getRunningLoop().callSoon(() => fut.setResult(20));
      return await fut.then((v) => v + 1);
    });
    expect(got).toBe(21);
  });

  test("Future.then(): then/catch/finally chained before the future is done see its outcome", async () => {
    const events = await run(async () => {
      const log: string[] = [];
      const ok = new Future<number>();
      const bad = new Future<number>();
      const p1 = ok.then((v) => v * 2).then((v) => log.push(`then ${v}`));
      const p2 = bad.then((v) => v).catch((e: Error) => log.push(`catch ${e.message}`));
      const p3 = ok.then((v) => v).finally(() => log.push("finally"));
      ok.setResult(4);
      bad.setException(new Error("boom"));
      await Promise.all([p1, p2, p3]);
      return log;
    });
    expect(events.sort()).toEqual(["catch boom", "finally", "then 8"]);
  });

  test("Future.then(): chaining after the registration ran still gives the handler's result", async () => {
    const got = await run(async () => {
      const fut = new Future<number>();
      const later = fut.then((v) => v + 1);
      fut.setResult(1);
      await sleep(0); // the registration runs in this iteration, nobody has chained yet
      await sleep(0);
      return [await later, await later.then((v) => v * 10)];
    });
    expect(got).toEqual([2, 20]);
  });

  test("Future.then(): a throwing handler's error reaches a later catch (never lost)", async () => {
    const got = await run(async () => {
      const fut = new Future<number>();
      const p = fut.then(() => {
        throw new Error("from the handler");
      });
      // Chained before the registration runs: the rejection is handled.
      const caught = p.catch((e: Error) => e.message);
      fut.setResult(1);
      return await caught;
    });
    expect(got).toBe("from the handler");
  });

  test("Future.then(): a handler that returns a promise is adopted", async () => {
    const got = await run(async () => {
      const fut = new Future<number>();
      const p = fut.then((v) => sleep(1).then(() => `slept ${v}`));
      fut.setResult(3);
      return await p;
    });
    expect(got).toBe("slept 3");
  });

  test("Future.then(): a future whose result is a Future, chained on after it ran, adopts it as a promise does", async () => {
    const got = await run(async () => {
      const inner = new Future<number>();
      inner.setResult(5);
      const outer = new Future<Future<number>>();
      const bare = outer.then(); // no handlers: the plain outcome is kept
      const mapped = outer.then((f) => f); // a handler that returns the Future
      outer.setResult(inner);
      await sleep(0); // both registrations ran before anyone chained on them
      // As with `Promise.resolve(inner)`, a thenable result is adopted.
      return [await bare, await mapped, await Promise.resolve(inner)];
    });
    expect(got).toEqual([5, 5, 5]);
  });

  test("Future.then(): a failed future without onRejected rejects the returned promise", async () => {
    const got = await run(async () => {
      const fut = new Future<number>();
      const p = fut.then((v) => v);
      fut.setException(new TypeError("bad"));
      return await p.then(
        () => "fulfilled",
        (e: Error) => `${e.name}: ${e.message}`,
      );
    });
    expect(got).toBe("TypeError: bad");
  });

  test("Future.then(): Promise.resolve() of what then() returned in a task is a native promise of the result", async () => {
    const got = await run(async () => {
      const fut = new Future<string>();
      const p = Promise.resolve(fut.then((v) => v.toUpperCase()));
      fut.setResult("x");
      return [p instanceof Promise, await p];
    });
    expect(got).toEqual([true, "X"]);
  });

  test("Future.then(): outside a task it returns a native promise", async () => {
    await run(async () => {
      const fut = new Future<number>();
      let p: unknown;
      getRunningLoop().callSoon(() => {
        p = fut.then((v) => v);
      });
      await sleep(0);
      expect(p).toBeInstanceOf(Promise);
      fut.setResult(1);
      expect(await (p as Promise<number>)).toBe(1);
    });
  });

  test("Future.then(): many tasks awaiting one future all wake, in the order they awaited", async () => {
    const order = await run(async () => {
      const fut = new Future<void>();
      const woke: number[] = [];
      const tasks = Array.from({ length: 50 }, (_, i) =>
        createTask(async () => {
          await fut;
          woke.push(i);
        }),
      );
      await sleep(0);
      fut.setResult();
      await gather(...tasks);
      return woke;
    });
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("Future.addDoneCallback (a done callback is its own ready item)", () => {
  test("Future.addDoneCallback(): a throwing callback is reported by name, with a cancellable handle", async () => {
    const contexts: { message: string; exception?: unknown; handle?: Handle }[] = [];
    const boom = new Error("cb boom");
    await run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => contexts.push(ctx as never));
      const fut = loop.createFuture<number>();
      fut.addDoneCallback(function explode() {
        throw boom;
      });
      fut.setResult(1);
      await sleep(0);
    });
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.message).toBe("Exception in callback explode()");
    expect(contexts[0]!.exception).toBe(boom);
    const handle = contexts[0]!.handle!;
    expect(String(handle)).toBe("<Handle explode()>");
    expect(handle.cancelled()).toBe(false);
    handle.cancel();
    expect(handle.cancelled()).toBe(true);
    expect(String(handle)).toBe("<Handle cancelled>");
  });

  test("Future.addDoneCallback(): callbacks run in registration order, each with the future", async () => {
    const seen = await run(async () => {
      const fut = new Future<string>();
      const log: string[] = [];
      for (const name of ["a", "b", "c"])
        fut.addDoneCallback((f) => log.push(`${name}:${f.result()}`));
      fut.setResult("r");
      fut.addDoneCallback((f) => log.push(`late:${f.result()}`));
      await sleep(0);
      return log;
    });
    expect(seen).toEqual(["a:r", "b:r", "c:r", "late:r"]);
  });
});
