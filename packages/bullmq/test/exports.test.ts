import * as bullmq from "@aio/bullmq";
import { describe, expect, test } from "vitest";

describe("@aio/bullmq exports", () => {
  test("@aio/bullmq exports exactly its public names", () => {
    expect(Object.keys(bullmq).sort()).toEqual([
      "BullMQExecutor",
      "ModuleNotAllowedError",
      "isModuleNotAllowedError",
      "runWorker",
    ]);
  });
});
