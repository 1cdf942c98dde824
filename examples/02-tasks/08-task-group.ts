/**
 * `taskGroup(fn)` is structured concurrency (asyncio's TaskGroup): it returns
 * once every task it started is done. The first failure cancels the siblings
 * and the body, and all errors come out together as an `ExceptionGroup`.
 */
import { isExceptionGroup } from "@aio/core";
import { sleep, taskGroup } from "@aio/futures";
import { run } from "@aio/loop";

const events: string[] = [];

await run(async () => {
  const sizes = await taskGroup(async (tg) => {
    const a = tg.createTask(() => sleep(20, 3), { name: "a" });
    const b = tg.createTask(() => sleep(10, 4), { name: "b" });
    return [a, b];
  });
  // `| undefined`: a body that calls tg.cancel() makes taskGroup() resolve to undefined.
  events.push(`all done: ${(sizes ?? []).map((t) => `${t.getName()}=${t.result()}`).join(", ")}`);

  try {
    await taskGroup(async (tg) => {
      tg.createTask(
        async () => {
          try {
            await sleep(1_000);
          } finally {
            events.push("sibling: cancelled, finally ran");
          }
        },
        { name: "sibling" },
      );
      tg.createTask(
        async () => {
          await sleep(10);
          throw new Error("disk full");
        },
        { name: "writer" },
      );
      await sleep(1_000); // the body is cancelled too
      events.push("body: never reached");
    });
  } catch (err) {
    if (isExceptionGroup(err)) {
      events.push(`ExceptionGroup: ${err.exceptions.map((e) => (e as Error).message).join(", ")}`);
    }
  }
});

for (const e of events) console.log(e);
