/** Port of CPython 3.13 `test_tasks.py`: GatherTestsBase, FutureGatherTests, CoroutineGatherTests (see `tasks.test.ts`). */

import { CancelledError, getRunningLoop, ValueError } from "@aio/core";
import { ensureFuture, type Future, gather, kAwaits, sleep, wait } from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { runBriefly, withLoop } from "./helpers.js";

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

  it("gather(f, g, f): a Future passed twice is one child, pending or already done", async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const f = loop.createFuture<string>();
      const g = loop.createFuture<string>();
      const gathered = gather(f, g, f);
      // One done callback on each, and the await graph lists each child once.
      expect(String(f)).toBe("<Future pending cb=[1]>");
      expect([...(gathered as unknown as { [kAwaits]: Iterable<unknown> })[kAwaits]]).toEqual([
        f,
        g,
      ]);
      f.setResult("f");
      g.setResult("g");
      expect(await gathered).toEqual(["f", "g", "f"]);
      const again = gather(f, f, g);
      expect([...(again as unknown as { [kAwaits]: Iterable<unknown> })[kAwaits]]).toEqual([f, g]);
      expect(await again).toEqual(["f", "f", "g"]);
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
