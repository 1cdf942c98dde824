/**
 * `asCompleted()` hands out results in the order the work finishes. Iterate
 * it with `for` to get awaitables (asyncio 3.11), or with `for await` to get
 * the finished tasks themselves (asyncio 3.13). A timeout makes the
 * remaining ones throw `TimeoutError`.
 */
import { isTimeoutError } from "@aio/core";
import { asCompleted, createTask, sleep, type Task } from "@aio/futures";
import { run } from "@aio/loop";

await run(async () => {
  console.log("for … of (awaitables in completion order):");
  for (const next of asCompleted([
    () => sleep(30, "slow"),
    () => sleep(10, "fast"),
    () => sleep(20, "medium"),
  ])) {
    console.log("  ", await next);
  }

  console.log("for await … of (the tasks themselves):");
  const tasks = [
    createTask(() => sleep(20, "second"), { name: "job-1" }),
    createTask(() => sleep(5, "first"), { name: "job-2" }),
  ];
  for await (const item of asCompleted(tasks)) {
    // At run time `item` is the finished Task itself. TypeScript's `for await`
    // types a thenable element as its awaited value, hence the cast.
    const task = item as unknown as Task<string>;
    console.log("  ", task.getName(), "->", task.result());
  }

  console.log("with a timeout of 25 ms:");
  const slow = createTask(() => sleep(1_000, "too slow"));
  try {
    for (const next of asCompleted([() => sleep(5, "in time"), slow], { timeout: 25 })) {
      console.log("  ", await next);
    }
  } catch (err) {
    console.log("  ", isTimeoutError(err) ? "TimeoutError for the rest" : err);
  }
  slow.cancel();
});
