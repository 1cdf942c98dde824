import { allTasks, currentTask } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { expect } from "vitest";

/**
 * Runs `main` on a virtual-time loop and checks that it leaves no task
 * behind (every test ends with nothing pending).
 */
export async function aio<T>(main: () => Promise<T>): Promise<T> {
  return runVirtual(async () => {
    const result = await main();
    const me = currentTask();
    const leftover = [...allTasks()].filter((t) => t !== me);
    expect(leftover.map(String)).toEqual([]);
    return result;
  });
}

/** Settles to the outcome of `p` as a value: the result, or the error's name and message. */
export async function outcome(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message };
  }
}
