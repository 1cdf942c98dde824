// Blocking work offloaded to the default thread pool while a ticker keeps ticking.
// asyncio: `await asyncio.to_thread(blocking_call)` / `loop.run_in_executor(None, …)`.
import { getRunningLoop } from "@aio/core";
import { toThread } from "@aio/executors";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

// A synchronous call that blocks its thread for `ms` (think: sync fs, a native addon).
// It is shipped to the worker as source, so it uses only its arguments.
function blockingRead(ms: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return `read done after ${ms} ms of blocking`;
}

await run(async () => {
  let ticks = 0;
  const ticker = createTask(async () => {
    for (;;) {
      ticks++;
      await sleep(20);
    }
  });
  const start = getRunningLoop().time();
  const result = await toThread(blockingRead, 200);
  const elapsed = Math.round(getRunningLoop().time() - start);
  console.log(result);
  console.log(
    `the ticker ticked ${ticks > 5 ? "all along" : "too little"} while the thread blocked (~${elapsed} ms)`,
  );
  ticker.cancel();
  // run() shuts the default executor down on exit: no thread is left behind.
});
