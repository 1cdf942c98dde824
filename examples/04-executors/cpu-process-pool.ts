// CPU-bound work split across a process pool; the loop stays responsive.
// asyncio: `loop.run_in_executor(ProcessPoolExecutor(), cpu_bound, …)`.
import { getRunningLoop } from "@aio/core";
import { ProcessPoolExecutor } from "@aio/executors";
import { gather } from "@aio/futures";
import { run } from "@aio/loop";

// Self-contained: the function's source crosses to the child process.
function sumRange(from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += i;
  return s;
}

const N = 20_000_000;

const total = await run(async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
  const loop = getRunningLoop();
  const half = N / 2;
  const parts = await gather(
    loop.runInExecutor(pool, sumRange, 0, half),
    loop.runInExecutor(pool, sumRange, half, N),
  );
  console.log(`two child processes summed their halves: ${parts.join(" + ")}`);
  return (parts as number[]).reduce((a, b) => a + b, 0);
});

console.log(`sum of 0..${N - 1} = ${total} (expected ${(N * (N - 1)) / 2})`);
