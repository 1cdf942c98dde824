/**
 * The virtual-time loop from `@aio/loop/testing`: when nothing is ready the
 * clock jumps to the next timer, so code that waits for minutes runs in
 * milliseconds, deterministically. Use it to test your own timer-driven code.
 */
import { getRunningLoop } from "@aio/core";
import { createTask, sleep, waitFor } from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";

/** Code under test: retries with backoff 1 s, 2 s, 4 s, … */
async function retryWithBackoff(attempt: () => boolean, log: string[]): Promise<number> {
  let delay = 1_000;
  for (let n = 1; ; n++) {
    if (attempt()) return n;
    log.push(`attempt ${n} failed at t=${getRunningLoop().time()} ms, retrying in ${delay} ms`);
    await sleep(delay);
    delay *= 2;
  }
}

const started = performance.now();
const result = await runVirtual(async () => {
  const loop = getRunningLoop();
  const log: string[] = [];
  let calls = 0;
  const attempts = await retryWithBackoff(() => ++calls === 5, log);
  log.push(`succeeded on attempt ${attempts} at t=${loop.time()} ms`);

  // A daily job and a one-hour waitFor: both instant on the virtual clock.
  loop.callLater(86_400_000, () => log.push(`daily job at t=${loop.time()} ms`));
  const slow = createTask(() => sleep(2 * 3_600_000, "too slow"));
  await waitFor(slow, 3_600_000).catch((err: Error) =>
    log.push(`${err.name} at t=${loop.time()} ms`),
  );
  await sleep(86_400_000);
  return log;
});

for (const line of result) console.log(line);
console.log(
  `a virtual day took ${performance.now() - started < 1_000 ? "well under a second" : "too long"} of real time`,
);
