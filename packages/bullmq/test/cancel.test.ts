import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BullMQExecutor } from "@aio/bullmq";
import { moduleFunction } from "@aio/executors";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  hasRedis,
  JOBS,
  type RedisServer,
  startRedis,
  startWorker,
  stopAll,
  tempDir,
  uniqueQueue,
  until,
} from "./helpers.js";

const add = moduleFunction<(a: number, b: number) => number>(JOBS, "add");
const sleep = moduleFunction<(ms: number, v: unknown) => unknown>(JOBS, "sleep");
const record = moduleFunction<(file: string, id: string, ms?: number) => string>(JOBS, "record");
const waitForAbort = moduleFunction<(file: string, ms: number) => string>(JOBS, "waitForAbort");
const spin = moduleFunction<(file: string, ms: number) => string>(JOBS, "spin");

const read = (file: string): string => (existsSync(file) ? readFileSync(file, "utf8") : "");

/** Keys of BullMQ's per-state lists/sets that must be empty when nothing is left over. */
async function leftovers(redis: RedisServer, queue: string): Promise<Record<string, number>> {
  const c = redis.client();
  const k = (s: string) => `bull:${queue}:${s}`;
  const [wait, active, paused, delayed, prioritized] = await Promise.all([
    c.llen(k("wait")),
    c.llen(k("active")),
    c.llen(k("paused")),
    c.zcard(k("delayed")),
    c.zcard(k("prioritized")),
  ]);
  const locks = (await c.keys(`bull:${queue}:*:lock`)).length;
  return { wait, active, paused, delayed, prioritized, locks };
}

describe.skipIf(!hasRedis)("BullMQExecutor cancellation", () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopAll();
  });

  test("future.cancel() on a waiting job removes it from Redis, and it never runs", async () => {
    const queue = uniqueQueue("cancel-waiting");
    const w = await startWorker(redis.url, queue, ["--concurrency", "1"]);
    const file = join(tempDir(), "runs");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const blocker = ex.submit(record, file, "blocker", 800);
    const waiting = ex.submit(record, file, "waiting");
    await until(() => read(file).includes("blocker"));
    expect(waiting.cancel()).toBe(true);
    expect(await blocker).toBe("blocker");
    expect(await ex.submit(record, file, "after")).toBe("after");
    expect(read(file)).toBe("blocker\nafter\n");
    await until(async () => (await redis.client().exists(`bull:${queue}:${waiting.jobId}`)) === 0);
    expect(await leftovers(redis, queue)).toEqual({
      wait: 0,
      active: 0,
      paused: 0,
      delayed: 0,
      prioritized: 0,
      locks: 0,
    });
    await w.stop();
  });

  test("future.cancel() on a running job aborts its signal in the worker at once (over pub/sub)", async () => {
    const queue = uniqueQueue("cancel-running");
    const w = await startWorker(redis.url, queue, ["--concurrency", "2"]);
    const file = join(tempDir(), "abort");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const job = ex.submit(waitForAbort, file, 15_000);
    await until(() => read(file).startsWith("started"));
    const cancelledAt = Date.now();
    job.cancel();
    await until(() => read(file).includes("aborted"));
    const abortedAt = Number(/aborted (\d+)/.exec(read(file))![1]);
    const ms = abortedAt - cancelledAt;
    console.log(`running job aborted ${ms} ms after future.cancel()`);
    expect(ms).toBeLessThan(1_000); // the job's own sleep was 15 s
    expect(read(file)).not.toContain("slept");
    // the stopped job does not stay in Redis
    await until(async () => (await redis.client().exists(`bull:${queue}:${job.jobId}`)) === 0);
    expect(await ex.submit(add, 1, 2)).toBe(3);
    await w.stop();
  });

  test("abort mode: a job ignoring its signal past --abort-grace has its own thread replaced; other jobs are untouched", async () => {
    const queue = uniqueQueue("abort-grace");
    const w = await startWorker(redis.url, queue, ["--concurrency", "2", "--abort-grace", "300"]);
    const dir = tempDir();
    const spinFile = join(dir, "spin");
    const sleepFile = join(dir, "sleeper");
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const neighbour = ex.submit(record, sleepFile, "neighbour", 2_000);
    const stubborn = ex.submit(spin, spinFile, 60_000);
    await until(() => read(spinFile).startsWith("started") && read(sleepFile) !== "");
    stubborn.cancel();
    // The spinning thread holds one of two slots for 60 s unless it is replaced:
    // three more jobs finishing means it was.
    expect(await Promise.all([1, 2, 3].map((i) => ex.submit(add, i, i)))).toEqual([2, 4, 6]);
    expect(await neighbour).toBe("neighbour");
    expect(read(spinFile)).not.toContain("finished");
    await w.stop();
  });

  test("1,000 random cancellations leave no stray job in Redis and no stray process", async () => {
    const queue = uniqueQueue("cancel-random");
    const workers = await Promise.all([
      startWorker(redis.url, queue, ["--concurrency", "4"]),
      startWorker(redis.url, queue, ["--concurrency", "4"]),
    ]);
    const ex = new BullMQExecutor({ queue, connection: redis.url });
    // A seeded generator: the same run every time.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const futures = Array.from({ length: 1000 }, (_, i) =>
      ex.submit(sleep, Math.floor(random() * 10), i),
    );
    const cancelled = new Set<number>();
    const timers: Promise<void>[] = [];
    futures.forEach((f, i) => {
      if (random() < 0.5) return;
      const delay = Math.floor(random() * 1500);
      timers.push(
        new Promise((resolve) =>
          setTimeout(() => {
            if (f.cancel()) cancelled.add(i);
            resolve();
          }, delay),
        ),
      );
    });
    await Promise.all(timers);
    const outcomes = await Promise.allSettled(futures.map((f) => Promise.resolve(f)));
    outcomes.forEach((o, i) => {
      if (cancelled.has(i)) expect(o.status).toBe("rejected");
      else expect(o).toEqual({ status: "fulfilled", value: i });
    });
    console.log(`${cancelled.size} of 1000 jobs cancelled`);
    expect(cancelled.size).toBeGreaterThan(100);
    await ex.shutdown();
    // No cancelled job stays in Redis, nothing waits, runs or holds a lock.
    const c = redis.client();
    await until(async () => {
      const ids = [...cancelled].map((i) => `bull:${queue}:${futures[i]!.jobId}`);
      let present = 0;
      for (let i = 0; i < ids.length; i += 200) present += await c.exists(...ids.slice(i, i + 200));
      return present === 0;
    }, 15_000);
    expect(await leftovers(redis, queue)).toEqual({
      wait: 0,
      active: 0,
      paused: 0,
      delayed: 0,
      prioritized: 0,
      locks: 0,
    });
    // Both workers are still there, and stop cleanly (exit code 0).
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0]);
  });
});
