import { existsSync } from "node:fs";
import { disableDebug, inspectSocketPath, isDebugEnabled } from "@aio/debug";
import { afterEach, describe, expect, test } from "vitest";

const saved = process.env.AIO_DEBUG;

afterEach(() => {
  disableDebug();
  if (saved === undefined) delete process.env.AIO_DEBUG;
  else process.env.AIO_DEBUG = saved;
});

describe("@aio/debug/auto", () => {
  test("importing @aio/debug/auto with AIO_DEBUG=1 enables debug mode and the aio-debug socket", async () => {
    process.env.AIO_DEBUG = "1";
    const auto = await import("../src/auto.js");
    expect(auto.autoEnabled).toBe(true);
    expect(isDebugEnabled()).toBe(true);
    const path = inspectSocketPath(process.pid);
    for (let i = 0; i < 50 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(path)).toBe(true);
    disableDebug();
    expect(existsSync(path)).toBe(false);
  });
});
