/**
 * `task.cancel(msg)` throws `CancelledError(msg)` into the task at the
 * `await` it is suspended on. `finally` blocks run; the task re-throws and
 * ends cancelled. A task may also catch the error and go on: `cancelling()`
 * and `uncancel()` count the requests as asyncio 3.11+ does.
 */
import { isCancelledError } from "@aio/core";
import { createTask, currentTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const events: string[] = [];

await run(async () => {
  const downloader = createTask(
    async () => {
      events.push("download: started");
      try {
        await sleep(10_000); // suspended here when cancel() comes
        events.push("download: finished (never)");
      } catch (err) {
        if (isCancelledError(err))
          events.push(`download: CancelledError('${err.message}') at the await`);
        throw err; // re-throw: the task ends cancelled
      } finally {
        events.push("download: finally — temporary file removed");
      }
    },
    { name: "downloader" },
  );

  await sleep(10);
  downloader.cancel("user pressed stop");
  try {
    await downloader;
  } catch (err) {
    events.push(
      `main: awaiting it throws ${(err as Error).name}; cancelled()=${downloader.cancelled()}`,
    );
  }

  // A task that suppresses the cancellation and finishes its work.
  const stubborn = createTask(async () => {
    const me = currentTask()!;
    try {
      await sleep(10_000);
    } catch (err) {
      if (!isCancelledError(err)) throw err;
      events.push(`stubborn: cancelling()=${me.cancelling()}, suppressing`);
      me.uncancel();
    }
    await sleep(1);
    return "finished anyway";
  });
  await sleep(1);
  stubborn.cancel();
  events.push(`main: stubborn says "${await stubborn}", cancelled()=${stubborn.cancelled()}`);
});

for (const e of events) console.log(e);
