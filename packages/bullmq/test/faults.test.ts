import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BullMQExecutor } from "@aio/bullmq";
import { isBrokenExecutorError, moduleFunction } from "@aio/executors";
import { afterAll, describe, expect, test } from "vitest";
import {
  hasRedis,
  JOBS,
  startRedis,
  startWorker,
  stopAll,
  tempDir,
  uniqueQueue,
  until,
} from "./helpers.js";

const add = moduleFunction<(a: number, b: number) => number>(JOBS, "add");
const sleep = moduleFunction<(ms: number, v: unknown) => unknown>(JOBS, "sleep");
const idempotentSquare = moduleFunction<
  (dir: string, key: string, x: number, ms?: number) => number
>(JOBS, "idempotentSquare");
const waitForAbort = moduleFunction<(file: string, ms: number) => string>(JOBS, "waitForAbort");

const read = (file: string): string => (existsSync(file) ? readFileSync(file, "utf8") : "");
/** Quick stall detection for the tests: a dead worker's job is noticed within ~2 s. */
const QUICK_STALLS = ["--lock-duration", "1500", "--stalled-interval", "500"];

describe.skipIf(!hasRedis)("BullMQExecutor faults", () => {
  afterAll(async () => {
    await stopAll();
  });

  test("300 jobs over 3 worker processes, one SIGKILLed mid-run: every result arrives, each correct", async () => {
    const redis = await startRedis();
    const queue = uniqueQueue("kill");
    const workers = await Promise.all(
      [0, 1, 2].map(() => startWorker(redis.url, queue, ["--concurrency", "4", ...QUICK_STALLS])),
    );
    const dir = tempDir();
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    let done = 0;
    const futures = Array.from({ length: 300 }, (_, i) => {
      const f = ex.submit(idempotentSquare, dir, `job${i}`, i, 40);
      f.addDoneCallback(() => {
        done++;
      });
      return f;
    });
    await until(() => done >= 60);
    await workers[0]!.kill();
    const results = await Promise.all(futures);
    expect(results).toEqual(Array.from({ length: 300 }, (_, i) => i * i));
    // At least once: a job the dead worker held ran again; its result is the same.
    let twice = 0;
    for (let i = 0; i < 300; i++) {
      expect(read(join(dir, `job${i}`))).toBe(String(i * i));
      if (read(join(dir, `job${i}.runs`)).length > 1) twice++;
    }
    console.log(`after the SIGKILL, ${twice} job(s) ran a second time on another worker`);
  });

  test("a job that stalls more than --max-stalled times fails with BrokenExecutorError", async () => {
    const redis = await startRedis();
    const queue = uniqueQueue("stall");
    const flags = ["--max-stalled", "0", ...QUICK_STALLS];
    const first = await startWorker(redis.url, queue, flags);
    const file = join(tempDir(), "stall");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const job = ex.submit(waitForAbort, file, 60_000);
    await until(() => read(file).startsWith("started"));
    await first.kill();
    await startWorker(redis.url, queue, flags); // its stall checker finds the dead job
    const err = await Promise.resolve(job).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isBrokenExecutorError(err)).toBe(true);
    expect(err?.message).toMatch(/stalled more often than its workers' maxStalledCount allows/);
  });

  test("Redis stopped mid-run: every in-flight future fails with BrokenExecutorError, none hangs; submit then fails at once", async () => {
    const redis = await startRedis();
    const queue = uniqueQueue("redis-down");
    await startWorker(redis.url, queue, ["--concurrency", "2"]);
    const ex = new BullMQExecutor({ queue, connection: redis.url, connectionLostTimeoutMs: 1_000 });
    const futures = Array.from({ length: 20 }, (_, i) => ex.submit(sleep, 3_000, i));
    await until(async () => (await redis.client().llen(`bull:${queue}:active`)) === 2);
    await redis.stop();
    const outcomes = await Promise.allSettled(futures.map((f) => Promise.resolve(f)));
    for (const o of outcomes) {
      expect(o.status).toBe("rejected");
      const reason = (o as PromiseRejectedResult).reason as Error;
      expect(isBrokenExecutorError(reason)).toBe(true);
      expect(reason.message).toMatch(
        /lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 1000 ms/,
      );
    }
    const late = await Promise.resolve(ex.submit(add, 1, 2)).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isBrokenExecutorError(late)).toBe(true);
    expect(late?.message).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    await ex.shutdown();
  });

  test("a Redis restart with AOF (appendfsync always) loses no submitted job", async () => {
    const redis = await startRedis({ aof: true });
    const queue = uniqueQueue("aof");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const futures = Array.from({ length: 50 }, (_, i) => ex.submit(add, i, 1000));
    // All 50 acknowledged (no worker yet: they wait), then Redis goes down and comes back.
    await until(async () => (await redis.client().llen(`bull:${queue}:wait`)) === 50);
    await redis.stop();
    await redis.start();
    await startWorker(redis.url, queue, ["--concurrency", "4"]);
    expect(await Promise.all(futures)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1000));
  });

  test("SIGTERM stops a worker gracefully: a running job finishes, a long one is handed back, nothing stays locked", async () => {
    const redis = await startRedis();
    const queue = uniqueQueue("sigterm");
    const first = await startWorker(redis.url, queue, [
      "--concurrency",
      "2",
      "--stop-timeout",
      "300",
    ]);
    const file = join(tempDir(), "handback");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const short = ex.submit(sleep, 200, "short");
    const long = ex.submit(waitForAbort, file, 1_500);
    await until(() => read(file).startsWith("started"));
    expect(await first.stop()).toBe(0);
    expect(await short).toBe("short");
    // The long job was aborted at the stop timeout and went back to the queue.
    expect(read(file)).toMatch(/^started\naborted \d+\n$/);
    expect(await redis.client().keys(`bull:${queue}:*:lock`)).toEqual([]);
    await startWorker(redis.url, queue);
    expect(await long).toBe("slept");
  });
});
