/**
 * Shared helpers for the CPython conformance ports. Not a test file (vitest
 * only collects `*.test.ts`).
 */
import { type EventLoop, getRunningLoop } from "@aio/core";
import { allTasks } from "@aio/futures";
import { VirtualTimeLoop } from "@aio/loop/testing";
import { expect } from "vitest";

/**
 * CPython's `test_utils.run_briefly(loop)`: runs the loop until a task that
 * does nothing has finished — two iterations: the one running its only step,
 * and the one running the done callback that stops the loop.
 */
export async function runBriefly(loop: EventLoop): Promise<void> {
  await loop.runUntilComplete(() => undefined);
}

/**
 * Runs `fn` with a fresh virtual-time loop that is not running (CPython's
 * `self.loop` in `test_utils.TestCase`), then checks that no task was left
 * pending and closes the loop.
 */
export async function withLoop<T>(fn: (loop: VirtualTimeLoop) => Promise<T>): Promise<T> {
  const loop = new VirtualTimeLoop();
  try {
    const result = await fn(loop);
    expect(allTasks(loop).size).toBe(0);
    return result;
  } finally {
    loop.close();
  }
}

/** The running loop's clock, in ms. */
export function now(): number {
  return getRunningLoop().time();
}

/** Asserts (inside a task) that no task but the caller is still pending on the running loop. */
export function expectOnlyCurrentTask(): void {
  expect(allTasks().size).toBe(1);
}
