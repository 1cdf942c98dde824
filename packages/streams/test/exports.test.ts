import * as streams from "@aio/streams";
import { describe, expect, test } from "vitest";

describe("@aio/streams exports", () => {
  test("the public surface is exactly these names", () => {
    expect(Object.keys(streams).sort()).toEqual([
      "DEFAULT_LIMIT",
      "DEVNULL",
      "INHERIT",
      "IncompleteReadError",
      "LimitOverrunError",
      "PIPE",
      "Process",
      "SSL_HANDSHAKE_TIMEOUT",
      "STDOUT",
      "Server",
      "ServerSocket",
      "StreamReader",
      "StreamWriter",
      "createDatagramEndpoint",
      "createSubprocessExec",
      "createSubprocessShell",
      "isIncompleteReadError",
      "isLimitOverrunError",
      "openConnection",
      "openUnixConnection",
      "startServer",
      "startUnixServer",
    ]);
  });

  test("errors carry a cross-copy brand and asyncio's names", () => {
    const e = new streams.IncompleteReadError(new Uint8Array([1]), 2);
    expect(e.name).toBe("IncompleteReadError");
    expect(e.partial).toBeInstanceOf(Buffer);
    expect(
      (e as unknown as Record<symbol, unknown>)[Symbol.for("@aio/streams.IncompleteReadError")],
    ).toBe(true);
    const l = new streams.LimitOverrunError("x", 3);
    expect([l.name, l.consumed, l instanceof Error]).toEqual(["LimitOverrunError", 3, true]);
    expect(streams.isLimitOverrunError(e)).toBe(false);
  });

  test("the browser entry (the `browser` export condition) has the same names and constants", async () => {
    const browser = await import("../src/index.browser.js");
    expect(Object.keys(browser).sort()).toEqual(Object.keys(streams).sort());
    const constants = (m: typeof streams) => [
      m.DEFAULT_LIMIT,
      m.SSL_HANDSHAKE_TIMEOUT,
      m.PIPE,
      m.DEVNULL,
      m.STDOUT,
      m.INHERIT,
    ];
    expect(constants(browser as unknown as typeof streams)).toEqual(constants(streams));
    expect(browser.IncompleteReadError).toBe(streams.IncompleteReadError);
  });
});
