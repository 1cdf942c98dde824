import { isCancelledError } from "@aio/core";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { childPids, threadCount, until } from "./helpers.js";

describe("PoolExecutor under load", () => {
  test("10k jobs with random cancellations: every future settles, nothing is lost, no worker is left", async () => {
    const threadsBefore = threadCount();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        let state = seed;
        const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const outcome = await run(async () => {
          const pool = new ThreadPoolExecutor({
            maxWorkers: 2,
            cancelRunning: random() < 0.5 ? "abort" : "finish",
            // Short enough to fire while the loop is busy submitting and
            // cancelling: no grace timer may ever hit a job that is not its own.
            abortGraceMs: 5,
          });
          const jobs = Array.from({ length: 10_000 }, (_, i) =>
            pool.submit(async (n: number) => {
              if (n % 97 === 0) await new Promise((r) => setTimeout(r, 0));
              if (n % 1009 === 0) throw new Error(`job ${n}`);
              return n * 2;
            }, i),
          );
          const cancelled = new Set<number>();
          for (let round = 0; round < 20; round++) {
            for (let k = 0; k < 25; k++) {
              const i = Math.floor(random() * jobs.length);
              if (jobs[i]!.cancel()) cancelled.add(i);
            }
            await sleep(0);
          }
          const settled = await Promise.allSettled(jobs);
          await pool.shutdown();
          let ok = 0;
          let failed = 0;
          let wrong = 0;
          settled.forEach((s, i) => {
            if (cancelled.has(i)) {
              if (!(s.status === "rejected" && isCancelledError(s.reason))) wrong++;
            } else if (i % 1009 === 0) {
              if (s.status === "rejected" && (s.reason as Error).message === `job ${i}`) failed++;
              else wrong++;
            } else if (s.status === "fulfilled" && s.value === i * 2) ok++;
            else wrong++;
          });
          return { ok, failed, wrong, cancelled: cancelled.size, pool: String(pool) };
        });
        expect(outcome.wrong).toBe(0);
        expect(outcome.ok + outcome.failed + outcome.cancelled).toBe(10_000);
        expect(outcome.pool).toMatch(/\[shutdown\] maxWorkers=2 workers=0 busy=0 pending=0>$/);
      }),
      { numRuns: 2 },
    );
    await until(() => threadCount() <= threadsBefore, "worker threads to exit");
    expect(threadCount()).toBeLessThanOrEqual(threadsBefore);
  });

  test("a process pool under random cancellations and crashes leaves no child process", async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    const jobs = Array.from({ length: 2_000 }, (_, i) =>
      pool.submit((n: number) => {
        if (n % 500 === 499) process.exit(1);
        return n;
      }, i),
    );
    for (let i = 3; i < jobs.length; i += 7) jobs[i]!.cancel();
    const settled = await Promise.allSettled(jobs);
    await pool.shutdown();
    const broken = settled.filter(
      (s) => s.status === "rejected" && (s.reason as Error).name === "BrokenExecutorError",
    );
    const values = settled.filter((s) => s.status === "fulfilled").length;
    const cancelled = settled.filter(
      (s) => s.status === "rejected" && isCancelledError(s.reason),
    ).length;
    expect(broken.length + values + cancelled).toBe(2_000);
    expect(broken.length).toBeLessThanOrEqual(4);
    expect(childPids()).toEqual([]);
  });
});
