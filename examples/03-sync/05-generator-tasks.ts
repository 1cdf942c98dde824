/**
 * The primitives from generator tasks: every blocking call also has a
 * `yield*` form. Here async and generator tasks queue for one Lock — they get
 * it in arrival order — and a generator task cancelled while it waits leaves
 * the line without taking the lock from the task behind it.
 */
import { createTask, gather, sleep, wait } from "@aio/futures";
import { run } from "@aio/loop";
import { Lock } from "@aio/sync";

const order: string[] = [];

await run(async () => {
  const lock = new Lock();
  await lock.acquire(); // held while the others line up

  const genWorker = (name: string) =>
    createTask(function* () {
      using _ = yield* lock.hold(); // released at the end of the block
      order.push(name);
      yield* sleep(1);
    });
  const asyncWorker = (name: string) =>
    createTask(async () => {
      await using _ = await lock.hold();
      order.push(name);
      await sleep(1);
    });

  const workers = [genWorker("gen-1"), asyncWorker("async-1"), genWorker("gen-2")];
  const quitter = genWorker("gen-quitter");
  const last = asyncWorker("async-2");
  await sleep(0);
  console.log("waiting:", String(lock)); // <Lock [locked, waiters:5]>

  quitter.cancel(); // leaves the line
  await wait([quitter]);
  lock.release();
  await gather(...workers, last);
  console.log("got the lock in order:", order.join(", "));
  console.log("the quitter:", quitter.cancelled() ? "cancelled" : "ran", "—", String(lock));
});
