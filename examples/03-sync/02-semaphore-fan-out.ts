/**
 * A Semaphore(3)-limited fan-out: ten downloads start together, at most
 * three are in flight at any moment, and they start in FIFO order.
 * `sem.run(fn)` is the p-limit pattern; `await using _ = await sem.hold()`
 * does the same inside a task.
 */
import { getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Semaphore } from "@aio/sync";

await run(async () => {
  const loop = getRunningLoop();
  const t0 = loop.time();
  const limit = new Semaphore(3);
  let inFlight = 0;
  let peak = 0;

  const download = async (n: number) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    console.log(
      `+${String(Math.round(loop.time() - t0)).padStart(3)} ms  start #${n}  (in flight: ${inFlight})`,
    );
    await sleep(20 + (n % 3) * 10);
    inFlight--;
    return `file-${n}`;
  };

  const files = await Promise.all(
    Array.from({ length: 10 }, (_, n) => limit.run(() => download(n))),
  );
  console.log(`${files.length} files, at most ${peak} in flight; ${limit}`);
});
