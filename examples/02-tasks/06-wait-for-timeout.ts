/**
 * `waitFor(aw, ms)` gives work a deadline. On timeout it cancels the work,
 * waits until the work has finished cancelling (its `finally` has run), and
 * then throws `TimeoutError`. `timeout(ms, fn)` does the same for a block of
 * code in the current task.
 */
import { isTimeoutError } from "@aio/core";
import { sleep, timeout, waitFor } from "@aio/futures";
import { run } from "@aio/loop";

const events: string[] = [];

async function slowQuery(): Promise<string> {
  try {
    await sleep(1_000);
    return "rows";
  } finally {
    events.push("slowQuery: finally ran (connection released)");
  }
}

await run(async () => {
  console.log("fast enough:", await waitFor(() => sleep(5, "rows"), 100));

  try {
    await waitFor(slowQuery, 20);
  } catch (err) {
    events.push(
      `waitFor: ${isTimeoutError(err) ? "TimeoutError" : err} — thrown after the cleanup`,
    );
  }

  try {
    await timeout(20, async (t) => {
      events.push(
        `timeout: deadline ${t.when() === null ? "none" : "set"}, expired()=${t.expired()}`,
      );
      await sleep(1_000);
    });
  } catch (err) {
    events.push(`timeout: ${isTimeoutError(err) ? "TimeoutError" : err}`);
  }
});

for (const e of events) console.log(e);
