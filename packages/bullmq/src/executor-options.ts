import type { FutureLike } from "@aio/core";
import type { JobsOptions } from "bullmq";
import type { RedisConnection } from "./internal/connection.js";

/**
 * What BullMQ does with each job: retries, and how long finished jobs stay
 * in Redis (BullMQ's own `JobsOptions` of these names).
 *
 * @example
 * ```ts
 * import type { BullMQJobOptions } from "@aio/bullmq";
 * const opts: BullMQJobOptions = { attempts: 3, backoff: { type: "exponential", delay: 1_000 } };
 * ```
 */
export type BullMQJobOptions = Pick<
  JobsOptions,
  "attempts" | "backoff" | "removeOnComplete" | "removeOnFail"
>;

/**
 * Options of {@link BullMQExecutor}.
 *
 * @example
 * ```ts
 * import type { BullMQExecutorOptions } from "@aio/bullmq";
 * const opts: BullMQExecutorOptions = { queue: "render", connection: "redis://127.0.0.1:6379" };
 * ```
 */
export interface BullMQExecutorOptions {
  /** The BullMQ queue name; workers started with the same name run the jobs. */
  queue: string;
  /** Where Redis is (see {@link RedisConnection}). */
  connection: RedisConnection;
  /**
   * BullMQ job options. Defaults: `attempts: 1` (a job that throws is not
   * retried), finished jobs kept an hour (`removeOnComplete: { age: 3600 }`,
   * `removeOnFail: { age: 86400 }`) so {@link BullMQExecutor.futureFor} can
   * still find a result after the producer restarts.
   */
  jobOptions?: BullMQJobOptions;
  /** BullMQ's key prefix; default `"bull"`. Producer and workers must agree. */
  prefix?: string;
  /**
   * Allow plain functions, shipped as source, besides `moduleFunction()`s.
   * Off by default, and workers refuse source unless started with
   * `allowSource` too: whoever can write to the queue can then run any code
   * on every worker. See the security section of the distributed guide.
   */
  allowSource?: boolean;
  /**
   * How long (ms) jobs already sent wait for a lost Redis connection to come
   * back before their futures fail with `BrokenExecutorError`; default 30 000.
   */
  connectionLostTimeoutMs?: number;
  /**
   * How often (ms) the state of jobs sent earlier than this is read back from
   * Redis, in case an event was missed (a trimmed event stream, a Redis that
   * restarted without its data); default 5 000.
   */
  sweepIntervalMs?: number;
}

/**
 * The future {@link BullMQExecutor.submit} returns: a Future of the running
 * loop (or a loop-less future outside a loop) that also carries the BullMQ
 * job id, for {@link BullMQExecutor.futureFor} after a restart.
 *
 * @example
 * ```ts
 * import type { BullMQFuture } from "@aio/bullmq";
 * function remember(f: BullMQFuture<number>): string { return f.jobId; }
 * ```
 */
export type BullMQFuture<T> = FutureLike<T> & {
  /** The BullMQ job id (a UUID chosen when the job was submitted). */
  readonly jobId: string;
};
