// The executor learns results from BullMQ's event stream, which BullMQ trims
// (to ~10 000 events). A producer that reads more slowly than the workers
// write (its loop busy, or one addBulk of many jobs writing thousands of
// events at once) finds the events of some jobs trimmed away; it must notice
// and read those jobs back at once, not at the next sweep (the benchmark of
// issue 15 lost a few dozen jobs' events per 5 000 and waited 5 s for them).
import { spawnSync } from "node:child_process";
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
  uniqueQueue,
} from "./helpers.js";

const add = moduleFunction<(a: number, b: number) => number>(JOBS, "add");

/** Blocks this thread (the producer's event loop) for `ms`. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.skipIf(!hasRedis)("BullMQExecutor and BullMQ's event stream", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopAll();
  });

  test("events trimmed away before the producer read them: every future still settles, without waiting for the sweep", {
    timeout: 60_000,
  }, async () => {
    const queue = uniqueQueue("trimmed");
    await startWorker(redis.url, queue, ["--concurrency", "4"]);
    // The sweep would find the jobs in ten minutes: far past the test's timeout.
    await using ex = new BullMQExecutor({
      queue,
      connection: redis.url,
      sweepIntervalMs: 600_000,
    });
    expect(await ex.submit(add, 0, 0)).toBe(0);
    // Keep ~1 500 events instead of ~10 000 (still more than one read of
    // 1 000), so these jobs overflow the stream: each writes four events.
    await redis.client().hset(`bull:${queue}:meta`, "opts.maxLenEvents", "1500");
    const n = 1_500;
    const futures = Array.from({ length: n }, (_, i) => ex.submit(add, i, 1));
    await futures[0];
    // Now block the producer's loop until the worker has finished every job
    // (asked synchronously, through redis-cli), so its reader falls behind.
    for (let i = 0; i < 1_000; i++) {
      const done = spawnSync(
        "redis-cli",
        ["-p", String(redis.port), "ZCARD", `bull:${queue}:completed`],
        { encoding: "utf8" },
      );
      if (Number(done.stdout.trim()) >= n + 1) break;
      blockFor(20);
    }
    const trimmed = spawnSync(
      "redis-cli",
      ["-p", String(redis.port), "XLEN", `bull:${queue}:events`],
      { encoding: "utf8" },
    );
    expect(Number(trimmed.stdout.trim())).toBeLessThan(4 * n);
    const results = await Promise.all(futures);
    expect(results).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });
});
