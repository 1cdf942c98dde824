// Where a worker runs its jobs: on its main thread by default (as BullMQ's
// own Worker does: no thread hop per job), in worker threads with --threads
// or abort mode. Both ways give the same results and the same errors.
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

type Where = { pid: number; isMainThread: boolean; threadId: number };
const where = moduleFunction<() => Where>(JOBS, "where");
const bytes = moduleFunction<(n: number) => Uint8Array>(JOBS, "bytes");
const missing = moduleFunction<() => never>(JOBS, "nope");
const notAFunction = moduleFunction<() => never>(JOBS, "notAFunction");

describe.skipIf(!hasRedis)("where jobs run", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopAll();
  });

  test("by default a job runs on the worker process's main thread; --threads and --abort-grace run it in a worker thread", async () => {
    const modes = [[], ["--threads"], ["--abort-grace", "1000"]];
    const seen: { flags: string[]; pid: boolean; isMainThread: boolean }[] = [];
    for (const flags of modes) {
      const queue = uniqueQueue("where");
      const worker = await startWorker(redis.url, queue, ["--concurrency", "2", ...flags]);
      await using ex = new BullMQExecutor({ queue, connection: redis.url });
      const [a, b] = await Promise.all([ex.submit(where), ex.submit(where)]);
      for (const w of [a, b]) {
        seen.push({ flags, pid: w.pid === worker.pid, isMainThread: w.isMainThread });
      }
    }
    expect(seen).toEqual([
      { flags: [], pid: true, isMainThread: true },
      { flags: [], pid: true, isMainThread: true },
      { flags: ["--threads"], pid: true, isMainThread: false },
      { flags: ["--threads"], pid: true, isMainThread: false },
      { flags: ["--abort-grace", "1000"], pid: true, isMainThread: false },
      { flags: ["--abort-grace", "1000"], pid: true, isMainThread: false },
    ]);
  });

  test("on the main thread as in a thread: a transfer() result arrives unwrapped; a missing or non-function export fails with the same TypeError", async () => {
    const outcomes: unknown[] = [];
    for (const flags of [[], ["--threads"]]) {
      const queue = uniqueQueue("same");
      await startWorker(redis.url, queue, flags);
      await using ex = new BullMQExecutor({ queue, connection: redis.url });
      const got = await ex.submit(bytes, 4);
      const errors = await Promise.all(
        [missing, notAFunction].map((fn) =>
          Promise.resolve(ex.submit(fn)).then(
            () => "no error",
            (e: Error) =>
              `${e.constructor.name}: ${e.message.replace(/ \(its exports: .*\)$/, "")}`,
          ),
        ),
      );
      outcomes.push({ flags, got: [got instanceof Uint8Array, [...got]], errors });
    }
    const expected = (flags: string[]) => ({
      flags,
      got: [true, [7, 7, 7, 7]],
      errors: [
        `TypeError: module ${JOBS.href} has no export "nope"`,
        `TypeError: export "notAFunction" of module ${JOBS.href} is not a function, received number`,
      ],
    });
    expect(outcomes).toEqual([expected([]), expected(["--threads"])]);
  });
});
