/**
 * `wait()` with FIRST_COMPLETED returns as soon as one task is done, and a
 * timeout returns whatever is done by then. It never cancels anything: the
 * pending set is yours to cancel or to wait for again.
 */

import { createTask, FIRST_COMPLETED, sleep, wait } from "@aio/futures";
import { run } from "@aio/loop";

await run(async () => {
  const mirrors = [
    createTask(() => sleep(40, "mirror-a"), { name: "mirror-a" }),
    createTask(() => sleep(10, "mirror-b"), { name: "mirror-b" }),
    createTask(() => sleep(500, "mirror-c"), { name: "mirror-c" }),
  ];

  const [done, pending] = await wait(mirrors, { returnWhen: FIRST_COMPLETED });
  console.log(
    "first completed:",
    [...done].map((t) => t.result()),
  );
  console.log(
    "still pending:",
    mirrors.filter((t) => pending.has(t)).map((t) => t.getName()),
  );

  // Wait again on what is left, this time with a timeout of 50 ms.
  const [done2, pending2] = await wait(pending, { timeout: 50 });
  console.log(
    "done within the timeout:",
    [...done2].map((t) => t.result()),
  );
  console.log(
    "timed out, not cancelled:",
    mirrors.filter((t) => pending2.has(t)).map((t) => `${t.getName()} cancelled=${t.cancelled()}`),
  );

  for (const task of pending2) task.cancel();
  const [cancelled] = await wait(pending2);
  console.log(
    "after cancel():",
    mirrors.filter((t) => cancelled.has(t)).map((t) => `${t.getName()} cancelled=${t.cancelled()}`),
  );
});
