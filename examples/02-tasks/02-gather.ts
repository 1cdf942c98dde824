/**
 * `gather()` runs awaitables concurrently and returns their results in
 * argument order, not completion order. Functions are started in new tasks.
 * With `returnExceptions: true` errors take their place in the results;
 * without it the first error propagates (and the others keep running).
 */
import { getRunningLoop } from "@aio/core";
import { gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";

async function fetchUser(id: number, ms: number): Promise<string> {
  await sleep(ms);
  return `user-${id}`;
}

await run(async () => {
  const loop = getRunningLoop();
  const start = loop.time();
  const users = await gather(
    () => fetchUser(1, 30),
    () => fetchUser(2, 10),
    () => fetchUser(3, 20),
  );
  console.log("results in argument order:", users);
  console.log(`took about 30 ms, not 60: ${loop.time() - start < 55}`);

  const mixed = await gather(
    () => fetchUser(4, 5),
    async () => {
      await sleep(1);
      throw new Error("user 5 not found");
    },
    { returnExceptions: true },
  );
  console.log(
    "with returnExceptions:",
    mixed.map((r) => (r instanceof Error ? `Error(${r.message})` : r)),
  );

  try {
    await gather(
      () => fetchUser(6, 5),
      async () => {
        throw new Error("first error wins");
      },
    );
  } catch (err) {
    console.log("without returnExceptions:", (err as Error).message);
  }
});
