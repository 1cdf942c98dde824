import * as executors from "@aio/executors";
import { describe, expect, test } from "vitest";

describe("@aio/executors exports", () => {
  test("@aio/executors exports exactly its public names", () => {
    expect(Object.keys(executors).sort()).toEqual([
      "BrokenExecutorError",
      "ExecutorFullError",
      "PoolExecutor",
      "ProcessPoolExecutor",
      "ThreadPoolExecutor",
      "_ConcurrentFuture",
      "_TRANSFER_BRAND",
      "_WORKER_SLOT",
      "isBrokenExecutorError",
      "isExecutorFullError",
      "jobSignal",
      "moduleFunction",
      "toThread",
      "transfer",
    ]);
  });

  test("the browser entry (the `browser` export condition) exports the same names", async () => {
    const browser = await import("../src/index.browser.js");
    expect(Object.keys(browser).sort()).toEqual(Object.keys(executors).sort());
  });
});
