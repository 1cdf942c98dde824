// Tests that show a bug in packages/*/src, kept here until the source is
// fixed (then they move to the file of the concept they test). Each one is
// reported with the observed vs expected behaviour and the proposed fix.
import { createTask, sleep } from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { afterEach, describe, expect, test, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Busy-waits `ms` of wall-clock time. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe("BaseEventLoop.slowCallbackDuration", () => {
  // Observed: "Executing step of a task took 150.123 ms" — #reportSlowStep()
  // runs from #resume() after [kStepEnded] has already removed the task from
  // #inflight, so the list of names is always empty there.
  test("BaseEventLoop.slowCallbackDuration: a slow task step is reported naming the task", async () => {
    const warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
    const loop = newEventLoop({ debug: true });
    try {
      await loop.runUntilComplete(async () => {
        await createTask(
          async () => {
            await sleep(0);
            block(150);
            await sleep(0);
          },
          { name: "hog" },
        );
      });
    } finally {
      loop.close();
    }
    const warnings = warnSpy.mock.calls.map((args) => String(args[0]));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Executing step of .*hog.* took \d+\.\d{3} ms$/);
  });
});
