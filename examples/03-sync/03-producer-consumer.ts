/**
 * Producer/consumer with a bounded Queue and three consumers: `put()` waits
 * while the queue is full (back-pressure), `join()` waits until every item
 * was processed (`taskDone()`), and then the consumers — still waiting in
 * `get()` — are cancelled. Nothing is lost and no waiter is left behind.
 */
import { isCancelledError } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Queue } from "@aio/sync";

await run(async () => {
  const queue = new Queue<string>(2);
  const processed: string[] = [];

  const consumer = (name: string) => async () => {
    try {
      for (;;) {
        const job = await queue.get();
        await sleep(5 + job.length); // work
        processed.push(job);
        console.log(`${name} did ${job}`);
        queue.taskDone();
      }
    } catch (err) {
      if (isCancelledError(err)) console.log(`${name} cancelled while waiting`);
      throw err;
    }
  };
  const consumers = ["c1", "c2", "c3"].map((name) => createTask(consumer(name), { name }));

  for (const job of ["a", "bb", "ccc", "d", "ee", "fff", "g"]) {
    await queue.put(job); // waits while two jobs are queued
    console.log(`queued ${job}: ${queue}`);
  }
  await queue.join();
  console.log(`all ${processed.length} jobs processed; ${queue}`);

  for (const c of consumers) c.cancel();
  const outcomes = await gather(...consumers, { returnExceptions: true });
  console.log(`consumers cancelled: ${outcomes.filter(isCancelledError).length}; ${queue}`);
});
