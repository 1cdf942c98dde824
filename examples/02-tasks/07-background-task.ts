/**
 * A background task: started with `createTask` and never awaited. The loop
 * keeps pending tasks alive, so it runs even with no reference to it (the
 * "keep a reference to your background task" pitfall of asyncio cannot
 * happen). When `run()` ends, tasks still pending are cancelled and their
 * `finally` blocks run before `run()` resolves.
 */

import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const events: string[] = [];

function startHeartbeat(): void {
  // No reference kept: the loop holds it.
  createTask(
    async () => {
      let beats = 0;
      try {
        for (;;) {
          await sleep(10);
          events.push(`heartbeat ${++beats}`);
        }
      } finally {
        events.push(`heartbeat: stopped by run() after ${beats} beats`);
      }
    },
    { name: "heartbeat" },
  );
}

const result = await run(async () => {
  startHeartbeat();
  await sleep(35); // the main work
  events.push("main: done");
  return "main result";
});

events.push(`run() resolved to "${result}"`);
for (const e of events) console.log(e);
