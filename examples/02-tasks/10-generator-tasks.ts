/**
 * Generator tasks: the same tasks written as `function*`, waiting with
 * `yield*` — asyncio's own coroutine protocol (`yield from fut`). Faster than
 * `async` tasks, and every suspension point is a `yield` the task sees, so a
 * cancellation lands exactly there. The primitives of @aio/sync have `yield*`
 * forms (`yield* queue.get()`); other promise-style calls run in a task of
 * their own: `yield* ensureFuture(() => …)`.
 */

import { type Coroutine, createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Queue } from "@aio/sync";

function* consumer(name: string, queue: Queue<number>, log: string[]): Coroutine<number> {
  let handled = 0;
  try {
    for (;;) {
      const item = yield* queue.get();
      yield* sleep(item); // "work" for item ms
      log.push(`${name} handled ${item}`);
      handled++;
      queue.taskDone();
    }
  } finally {
    log.push(`${name} stopped after ${handled} items`);
  }
}

const log: string[] = [];
const summary = await run(function* () {
  const queue = new Queue<number>();
  for (const ms of [5, 1, 3, 2]) queue.putNowait(ms);
  const workers = [
    createTask(() => consumer("A", queue, log)),
    createTask(() => consumer("B", queue, log)),
  ];
  yield* queue.join(); // every item handled
  for (const w of workers) w.cancel();
  const outcomes = yield* gather(...workers, { returnExceptions: true });
  return outcomes.map((o) => (o instanceof Error ? o.name : o));
});

for (const line of log) console.log(line);
console.log("consumers ended with:", summary); // [ 'CancelledError', 'CancelledError' ]
