/**
 * Cancellation never leaks a permit: a task that is handed a permit and
 * cancelled before it can run gives the permit to the next waiter (CPython's
 * gh-90155 fix). An aborted signal does the same for non-task code.
 */
import { CancelledError } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Semaphore } from "@aio/sync";

await run(async () => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  const a = createTask(async () => {
    await sem.acquire();
    log.push("a got it");
  });
  const b = createTask(async () => {
    await sem.acquire();
    log.push("b got it");
    sem.release();
  });
  await sleep(0);
  console.log("two waiters:", String(sem));

  sem.release(); // the permit is handed to a...
  a.cancel(); // ...which is cancelled before it runs
  await a.catch((e) => console.log("a:", e instanceof CancelledError ? "cancelled" : e));
  await b;
  console.log(log.join(", "), "—", String(sem));

  const ctrl = new AbortController();
  await sem.acquire();
  const waiting = sem.acquire({ signal: ctrl.signal });
  ctrl.abort(new Error("user gave up"));
  await waiting.catch((e: Error) => console.log("aborted wait:", e.message));
  sem.release();
  console.log("after the abort:", String(sem));
});
