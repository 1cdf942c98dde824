/**
 * `run()` is the program's entry point. Calling it from code that already
 * runs on a loop is an error (asyncio's nested `asyncio.run()`); the fix is
 * to `await` the function directly, or to start it with `createTask` when it
 * should run concurrently.
 */
import { isRuntimeError } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

async function fetchGreeting(): Promise<string> {
  await sleep(10);
  return "hello";
}

await run(async () => {
  // Wrong: a nested run(). It rejects with RuntimeError.
  try {
    await run(fetchGreeting);
  } catch (err) {
    if (isRuntimeError(err)) console.log(`nested run(): RuntimeError('${err.message}')`);
  }

  // Fix 1: just await the async function — it runs in the current task.
  console.log("await fetchGreeting():", await fetchGreeting());

  // Fix 2: start it as a task on the same loop, do other work, then await it.
  const task = createTask(fetchGreeting, { name: "greeting" });
  console.log("meanwhile:", String(task));
  console.log("await task:", await task);
});
