/**
 * `@aio/streams` in a browser (headless Chromium; the `browser` export
 * condition, `src/index.browser.ts`): the package imports, and every entry
 * point says clearly that a page has no sockets or processes — functions
 * returning a Promise reject with a `RuntimeError`, constructors throw one.
 * Listed in `scripts/runtime-skips.ts` for the runtimes without a page.
 */
import { isRuntimeError } from "@aio/core";
import * as streams from "@aio/streams";
import { describe, expect, test } from "vitest";

/** The rejection of `call()`, which must not throw synchronously. */
async function rejectionOf(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (e) {
    throw new Error(`threw synchronously instead of rejecting: ${String(e)}`);
  }
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("@aio/streams in a browser", () => {
  test("connections, servers, datagrams and subprocesses reject with a RuntimeError naming the browser", async () => {
    const s = streams as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const cases: [string, unknown[], RegExp][] = [
      ["openConnection", ["127.0.0.1", 8888], /cannot open TCP, TLS or Unix-socket connections/],
      ["openUnixConnection", ["/tmp/x.sock"], /cannot open TCP/],
      ["startServer", [() => {}, "127.0.0.1", 0], /cannot open TCP/],
      ["startUnixServer", [() => {}, "/tmp/x.sock"], /cannot open TCP/],
      ["createDatagramEndpoint", [() => ({}), {}], /cannot send or receive UDP datagrams/],
      ["createSubprocessExec", ["ls"], /cannot start processes/],
      ["createSubprocessShell", ["ls"], /cannot start processes/],
    ];
    for (const [name, args, why] of cases) {
      const err = await rejectionOf(() => s[name]!(...args));
      expect(isRuntimeError(err), name).toBe(true);
      expect((err as Error).message).toMatch(
        new RegExp(`^${name}\\(\\) is not available in a browser: `),
      );
      expect((err as Error).message).toMatch(why);
    }
  });

  test("the classes throw a RuntimeError when constructed; the errors and constants are the real ones", () => {
    for (const name of ["StreamReader", "StreamWriter", "Server", "ServerSocket", "Process"]) {
      const Cls = (streams as unknown as Record<string, new () => unknown>)[name]!;
      expect(() => new Cls(), name).toThrow(new RegExp(`^${name} is not available in a browser`));
    }
    expect(() =>
      (streams.StreamReader as unknown as { fromReadableStream(): void }).fromReadableStream(),
    ).toThrow(/StreamReader.fromReadableStream\(\) is not available in a browser/);
    expect(streams.DEFAULT_LIMIT).toBe(65_536);
    expect([streams.PIPE, streams.DEVNULL, streams.STDOUT, streams.INHERIT]).toEqual([
      "pipe",
      "devnull",
      "stdout",
      "inherit",
    ]);
    const e = new streams.LimitOverrunError("too long", 3);
    expect([e.name, e.consumed, streams.isLimitOverrunError(e)]).toEqual([
      "LimitOverrunError",
      3,
      true,
    ]);
  });
});
