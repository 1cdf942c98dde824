/**
 * What cancellation can interrupt. A task awaiting a foreign promise (here a
 * plain `setTimeout` promise, standing in for `fetch`) is not interrupted:
 * instead `task.signal` aborts at once — pass it to APIs that take an
 * AbortSignal — and the `CancelledError` arrives at the task's next @aio await.
 */
import { setTimeout as delay } from "node:timers/promises";
import { isCancelledError } from "@aio/core";
import { createTask, currentTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const events: string[] = [];

await run(async () => {
  // 1. A foreign API that honours the signal stops at once.
  //    Re-throw the signal's reason (the CancelledError) so the task ends
  //    cancelled rather than failed with the API's AbortError.
  const polite = createTask(async () => {
    const signal = currentTask()!.signal;
    try {
      await delay(10_000, undefined, { signal });
    } catch (err) {
      events.push(`polite: the foreign call rejected with ${(err as Error).name}`);
      throw signal.aborted ? signal.reason : err;
    }
  });

  // 2. A foreign promise that ignores the signal runs to its end; the
  //    cancellation lands at the next @aio await.
  const deaf = createTask(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    events.push("deaf: the foreign promise finished anyway");
    try {
      await sleep(5);
      events.push("deaf: never reached");
    } catch (err) {
      events.push(`deaf: ${isCancelledError(err) ? "CancelledError" : err} at the next @aio await`);
      throw err;
    }
  });

  await sleep(5);
  polite.cancel("stop");
  deaf.cancel("stop");
  events.push(`main: signals aborted at once: ${polite.signal.aborted} ${deaf.signal.aborted}`);
  await Promise.allSettled([polite, deaf]);
  events.push(`main: polite cancelled=${polite.cancelled()}, deaf cancelled=${deaf.cancelled()}`);
});

for (const e of events) console.log(e);
