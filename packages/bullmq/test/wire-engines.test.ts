// Node and Deno (V8) against Bun (JavaScriptCore): their node:v8 structured
// clones are different formats, so a value one side cloned cannot be read on
// the other. The bytes below were written by the real runtimes (Bun 1.4 and
// Node 20: `v8.serialize(...).toString("base64")`); each run feeds the suite's
// own engine the other family's bytes through a real Redis, and the @aio side
// (a worker process, or the executor) must answer with a RuntimeError naming
// both engines and the way out, never the engine's own deserialize error.
import { BullMQExecutor } from "@aio/bullmq";
import { isRuntimeError } from "@aio/core";
import { moduleFunction } from "@aio/executors";
import { Queue as RawQueue, Worker as RawWorker, UnrecoverableError } from "bullmq";
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

const add = moduleFunction<(a: unknown, b: unknown) => unknown>(JOBS, "add");

/** `[2n, 40n]`, `42n` and the wire error of `TypeError: boom`, in each format. */
const WRITTEN = {
  bun: {
    args: "DgAAAAECAAAAAAAAAC8AAQAAAAIAAAAAAAAAAQAAAC8AAQAAACgAAAAAAAAA/////w==",
    result: "DgAAAC8AAQAAACoAAAAAAAAA",
    error:
      "DgAAAAIHAACAaXNFcnJvcgkEAACAbmFtZRAJAACAVHlwZUVycm9yBwAAgG1lc3NhZ2UQBAAAgGJvb20FAACAc3RhY2sQGgAAgFR5cGVFcnJvcjogYm9vbQogICAgYXQgam9iBQAAgHByb3BzAwUAAIBjYXVzZQMFAACAdmFsdWUD/////w==",
  },
  v8: {
    args: "/w9BAloQAgAAAAAAAABaECgAAAAAAAAAJAAC",
    result: "/w9aECoAAAAAAAAA",
    error:
      "/w9vIgdpc0Vycm9yVCIEbmFtZSIJVHlwZUVycm9yIgdtZXNzYWdlIgRib29tIgVzdGFjayIaVHlwZUVycm9yOiBib29tCiAgICBhdCBqb2IiBXByb3BzXyIFY2F1c2VfIgV2YWx1ZV97Bw==",
  },
};
const onBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
/** The other engine family's bytes, and how the messages name each side. */
const FOREIGN = onBun ? WRITTEN.v8 : WRITTEN.bun;
const THEIRS = onBun ? "Node or Deno (V8's" : "Bun (JavaScriptCore's";
const OURS = onBun ? "Bun (JavaScriptCore's" : "Node or Deno (V8's";

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const CANNOT_READ = new RegExp(
  `was encoded by ${escapeRe(THEIRS)} serialization format\\) and cannot be read on ${escapeRe(OURS)} serialization format\\).*same engine.*JSON carries exactly`,
);

describe.skipIf(!hasRedis)("the structured-clone formats of V8 and JavaScriptCore", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(stopAll);

  test("a worker given arguments another engine family cloned fails the job with a RuntimeError naming both engines; the job does not run", async () => {
    const queue = uniqueQueue("foreign-args");
    const w = await startWorker(redis.url, queue);
    const raw = new RawQueue(queue, { connection: { host: "127.0.0.1", port: redis.port } });
    try {
      const job = await raw.add("aio", {
        v: 2,
        fn: { mod: JOBS.href, name: "add" },
        args: FOREIGN.args,
      });
      await using ex = new BullMQExecutor({ queue, connection: redis.url });
      const err = await ex.futureFor(job.id!).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.name).toBe("RuntimeError");
      expect(err?.message).toMatch(new RegExp(`^job ${job.id}'s arguments ${CANNOT_READ.source}`));
      expect(err?.message).not.toMatch(/Unable to deserialize/);
      // Unrecoverable: failed once, not retried.
      expect((await raw.getJob(job.id!))?.attemptsMade).toBe(1);
    } finally {
      await raw.close();
      await w.stop();
    }
  });

  test("a result another engine family cloned fails the future with a RuntimeError naming both engines", async () => {
    const queue = uniqueQueue("foreign-result");
    const foreignWorker = new RawWorker(queue, async () => FOREIGN.result, {
      connection: { host: "127.0.0.1", port: redis.port },
    });
    try {
      await using ex = new BullMQExecutor({ queue, connection: redis.url });
      const err = await ex.submit(add, 2n, 40n).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isRuntimeError(err)).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`'s result ${CANNOT_READ.source}`));
    } finally {
      await foreignWorker.close();
    }
  });

  test("an error another engine family cloned arrives as a RuntimeError carrying the worker's first line", async () => {
    const queue = uniqueQueue("foreign-error");
    const foreignWorker = new RawWorker(
      queue,
      async () => {
        throw new UnrecoverableError(`TypeError: boom\naio-error:v8:${FOREIGN.error}`);
      },
      { connection: { host: "127.0.0.1", port: redis.port } },
    );
    try {
      await using ex = new BullMQExecutor({ queue, connection: redis.url });
      const err = await ex.submit(add, 1, 2).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isRuntimeError(err)).toBe(true);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^the job failed on its worker with "TypeError: boom"; the rest of its error \\(class, stack, properties, cause\\) was encoded by ${escapeRe(THEIRS)} serialization format\\) and cannot be read on ${escapeRe(OURS)} serialization format\\).*same engine family`,
        ),
      );
    } finally {
      await foreignWorker.close();
    }
  });
});
