/**
 * What an expired timeout reports, next to what CPython reports for the same
 * program (test/fixtures/cpython-timeout-traceback.txt, recorded by the .py
 * next to it).
 */
import { readFileSync } from "node:fs";
import { getRunningLoop, isCancelledError, isTimeoutError } from "@aio/core";
import { type Coroutine, createTask, sleep, timeout, timeoutAt, waitFor } from "@aio/futures";
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

  it("timeout(): the report names what the task was waiting for when it expired", async () => {
    await runVirtual(async () => {
      const io = createTask(() => sleep(1_000), { name: "slow-io" });
      const err = (await timeout(10, () => io).catch((e: unknown) => e)) as Error;
      expect(err.stack).toMatch(
        /--- when it expired, the task was waiting for: <Task pending name='slow-io'/,
      );
      await io.catch(() => {});
    });
  });

  it("waitFor(): in debug mode, a generator task's yield* site is in the report, down to the line", async () => {
    function* inner(): Coroutine<void> {
      yield* sleep(1_000); // SUSPEND-SITE
    }
    const err = (await runVirtual(() => waitFor(inner, 10).catch((e: unknown) => e), {
      debug: true,
    })) as Error;
    expect(err.message).toBe("timeout of 10 ms expired");
    const report = err.stack!.split("--- when it expired, the task was waiting for:")[1];
    expect(report).toMatch(/^ <Task pending name='Task-\d+'/);
    expect(report).toMatch(/was suspended at:\n\s+at inner \(/);
    expect(report).toContain(`timeout-report.test.ts:${lineOf("// SUSPEND-SITE")}`);
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

  it("a rescheduled timeout() names its new deadline, to the microsecond", async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const moved = (await timeout(50, async (t) => {
        t.reschedule(loop.time() + 12.3456789);
        await sleep(1_000);
      }).catch((e: unknown) => e)) as Error;
      expect(moved.message).toBe(`deadline at loop time ${+loop.time().toFixed(3)} ms expired`);
      expect(moved.message).toMatch(/^deadline at loop time \d+\.\d{1,3} ms expired$/);
      // Rescheduled to the deadline it already had: still the duration it was given.
      const same = (await timeout(50, async (t) => {
        t.reschedule(t.when());
        await sleep(1_000);
      }).catch((e: unknown) => e)) as Error;
      expect(same.message).toBe("timeout of 50 ms expired");
    });
  });
});
