/**
 * What an expired timeout reports, next to what CPython reports for the same
 * program (test/fixtures/cpython-timeout-traceback.txt, recorded by the .py
 * next to it).
 */
import { readFileSync } from "node:fs";
import { isCancelledError, isTimeoutError } from "@aio/core";
import { sleep, timeout, timeoutAt, waitFor } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const cpython = readFileSync(
  new URL("./fixtures/cpython-timeout-traceback.txt", import.meta.url),
  "utf8",
);

async function body(): Promise<void> {
  await sleep(1_000); // the await the timeout cancels
}

async function mainWithTimeout(): Promise<unknown> {
  return await timeout(50, () => body()).catch((e: unknown) => e); // TIMEOUT-SITE
}

/** The 1-based line of this file that holds `marker`. */
function lineOf(marker: string): number {
  const text = readFileSync(new URL(import.meta.url), "utf8");
  return text.split("\n").findIndex((l) => l.includes(marker) && !l.includes("lineOf(")) + 1;
}

describe("timeout() failure report", () => {
  it("CPython's report (fixture): TimeoutError from CancelledError, the timeout's site and the body's await", () => {
    expect(cpython).toMatch(/^TimeoutError$/m);
    expect(cpython).toMatch(/^asyncio\.exceptions\.CancelledError$/m);
    expect(cpython).toContain(
      "The above exception was the direct cause of the following exception",
    );
    expect(cpython).toContain("async with asyncio.timeout(0.05):  # the timeout's site");
    expect(cpython).toContain("await asyncio.sleep(1)  # the await the timeout cancels");
  });

  it("timeout(): TimeoutError says which timeout expired, names the timeout() call site, and has the CancelledError as cause", async () => {
    const err = await runVirtual(mainWithTimeout);
    expect(isTimeoutError(err)).toBe(true);
    const e = err as Error;
    // More than CPython's empty message: the duration.
    expect(e.message).toBe("timeout of 50 ms expired");
    // CPython: "raise TimeoutError from exc_val".
    expect(isCancelledError(e.cause)).toBe(true);
    // CPython shows the `async with asyncio.timeout(...)` line: here the
    // timeout() call's file and line, in the TimeoutError's own stack.
    const site = `timeout-report.test.ts:${lineOf("// TIMEOUT-SITE")}`;
    expect(e.stack).toContain("--- the timeout was set at:");
    expect(e.stack!.split("--- the timeout was set at:")[1]).toContain(site);
    // …and the function that awaited it (V8's async stack), as CPython's `in main`.
    expect(e.stack).toMatch(/at (async )?mainWithTimeout/);
  });

  it("timeoutAt() and waitFor(): the same report shape", async () => {
    await runVirtual(async () => {
      const at = (await timeoutAt(20, () => sleep(1_000)).catch((e: unknown) => e)) as Error;
      expect(at.message).toBe("deadline at loop time 20 ms expired");
      expect(at.stack).toContain("--- the timeout was set at:");
      const wf = (await waitFor(() => sleep(1_000), 30).catch((e: unknown) => e)) as Error;
      expect(wf.message).toBe("timeout of 30 ms expired");
      expect(isCancelledError(wf.cause)).toBe(true);
      expect(wf.stack).toContain("timeout-report.test.ts:");
      const zero = (await waitFor(() => sleep(1_000), 0).catch((e: unknown) => e)) as Error;
      expect(zero.message).toBe("timeout of 0 ms expired");
    });
  });
});
