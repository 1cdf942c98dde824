/** Port of CPython 3.13 `test_tasks.py`, BaseTaskTests: `shield()` (see `tasks.test.ts`). */

import { CancelledError, RuntimeError } from "@aio/core";
import { ensureFuture, gather, shield } from "@aio/futures";
import { describe, expect, it } from "vitest";
import { runBriefly, withLoop } from "./helpers.js";

describe("BaseTaskTests: shield()", () => {
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
});
