/**
 * callSoon / callLater ordering: ready callbacks run first-in first-out,
 * timers run in deadline order (first-in first-out for equal deadlines), and
 * a negative delay means "as soon as possible" — as in asyncio.
 */
import { getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";

const order: string[] = [];

await run(async () => {
  const loop = getRunningLoop();
  loop.callLater(30, () => order.push("callLater(30)"));
  loop.callLater(10, () => order.push("callLater(10) #1"));
  loop.callLater(10, () => order.push("callLater(10) #2"));
  loop.callSoon(() => order.push("callSoon #1"));
  loop.callSoon((who: string) => order.push(`callSoon #2 with ${who}`), "an argument");
  loop.callLater(-5, () => order.push("callLater(-5)"));
  const cancelled = loop.callSoon(() => order.push("never: cancelled"));
  cancelled.cancel();
  // A callback that schedules another one: it runs in the next iteration.
  loop.callSoon(() => loop.callSoon(() => order.push("scheduled by a callback")));
  await sleep(50);
});

for (const [i, event] of order.entries()) console.log(`${i + 1}. ${event}`);
