import {
  _clearImmediate,
  _contextPropagates,
  _env,
  _hostTurnCount,
  _newTaskContext,
  _setImmediate,
} from "@aio/core";
import { describe, expect, test } from "vitest";

/** Which host this suite runs on, as the seam sees it. */
const g = globalThis as {
  setImmediate?: unknown;
  process?: { versions?: object };
  document?: unknown;
};
const inPage = typeof g.document === "object";

describe("host seam (packages/core/src/host.ts)", () => {
  test("async context: AsyncLocalStorage on Node, Deno and Bun; the synchronous stand-in in a page", async () => {
    expect(_contextPropagates).toBe(!inPage);
    const storage = _newTaskContext<string>();
    const seen = await storage.run("task", async () => {
      const before = storage.getStore();
      await Promise.resolve();
      return [before, storage.getStore()];
    });
    // The store follows promise jobs only where the host has async hooks.
    expect(seen).toEqual(inPage ? ["task", undefined] : ["task", "task"]);
    expect(storage.run("x", () => storage.exit(() => storage.getStore()))).toBeUndefined();
  });

  test("_setImmediate runs callbacks in FIFO order in a later host turn; _clearImmediate cancels one", async () => {
    if (!inPage) expect(_setImmediate).toBe(g.setImmediate);
    const order: string[] = [];
    const turns = _hostTurnCount();
    await new Promise<void>((resolve) => {
      _setImmediate(() => order.push("a"));
      const token = _setImmediate(() => order.push("cancelled"));
      _setImmediate(() => order.push("b"));
      _clearImmediate(token);
      _setImmediate(resolve);
      order.push("sync");
    });
    expect(order).toEqual(["sync", "a", "b"]);
    // Only the MessageChannel fallback counts turns.
    expect(_hostTurnCount() > turns).toBe(inPage);
  });

  test("_env reads process.env where there is one", () => {
    if (inPage) expect(_env("PATH")).toBeUndefined();
    else expect(_env("AIO_SURELY_UNSET_VARIABLE")).toBeUndefined();
  });
});
