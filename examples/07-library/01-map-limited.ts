/**
 * A small library built on @aio, used the three ways a library gets called:
 * from plain Promise code (it runs a loop of its own), from inside an
 * application's `run()` (it joins that loop), and both at once. Its caller's
 * AbortSignal and its timeout cancel the work; the library exports plain
 * Promises. The library is ./map-limited (packed and installed in a scratch
 * app by `pnpm check:packages`); the guide is docs/guide/library-authors.md.
 */
import { setTimeout as delay } from "node:timers/promises";
import { isTimeoutError } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { mapLimited } from "./map-limited/src/index.js";

const events: string[] = [];

// 1. Plain Promise code: no run() anywhere.
let inFlight = 0;
let most = 0;
const doubled = await mapLimited([1, 2, 3, 4, 5], 2, async (n) => {
  most = Math.max(most, ++inFlight);
  await delay(5);
  inFlight--;
  return n * 2;
});
events.push(`plain code: ${doubled.join(",")} (at most ${most} in flight)`);

// 2. Inside an application's run(): the library joins that loop.
const inRun = await run(async () => {
  const r = await mapLimited(["a", "bb"], 1, async (s) => {
    await sleep(1); // an @aio await: fine, we are on the app's loop
    return s.length;
  });
  return r.join(",");
});
events.push(`inside run(): ${inRun}`);

// 3. Both at once.
const both = await Promise.all([
  run(() => mapLimited([1, 2], 2, async (n) => n + 1)),
  mapLimited([3, 4], 2, async (n) => n + 1),
]);
events.push(`concurrently: ${JSON.stringify(both)}`);

// 4. The caller's signal, and a timeout. `signal` is each call's own: pass it on.
const controller = new AbortController();
const aborted = mapLimited([1, 2], 2, (n, _i, signal) => delay(60_000, n, { signal }), {
  signal: controller.signal,
});
controller.abort(new Error("user pressed stop"));
events.push(`aborted: ${await aborted.catch((e: Error) => e.message)}`);

const slow = await mapLimited([1], 1, (n, _i, signal) => delay(60_000, n, { signal }), {
  timeoutMs: 20,
}).catch((e: unknown) => e);
events.push(`timed out: ${isTimeoutError(slow)} (${(slow as Error).message})`);

for (const e of events) console.log(e);
