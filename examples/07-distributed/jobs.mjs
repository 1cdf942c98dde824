// The jobs of the distributed example: a plain JavaScript module that the
// workers are allowed to run (--allow points at this directory).
import { jobSignal } from "@aio/executors";

/** CPU work: the sum of 0..n-1, and which worker process computed it. */
export function sumRange(from, to) {
  let s = 0;
  for (let i = from; i < to; i++) s += i;
  return { sum: s, pid: process.pid };
}

/** A long job that stops when its future is cancelled (its signal aborts). */
export async function longReport(ms) {
  const signal = jobSignal();
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return signal.aborted ? "stopped early" : "finished";
}
