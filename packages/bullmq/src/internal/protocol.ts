/**
 * What a producer and a worker agree on, besides BullMQ's own keys.
 *
 * A job's data is a {@link JobData}; its BullMQ return value is the
 * base64-encoded structured clone of the function's result; a failure is
 * thrown with a `failedReason` made by `encodeFailure()`.
 */

/**
 * The version of {@link JobData} a producer writes; a worker refuses
 * versions outside `MIN_WIRE_VERSION`…`WIRE_VERSION`. Version 2 lets
 * arguments and results travel as `j:` + JSON when JSON carries them
 * exactly (see `codec.ts`); a worker answers a version 1 job in V8's
 * encoding only.
 */
export const WIRE_VERSION = 2;
/** The oldest {@link JobData} version a worker still runs. */
export const MIN_WIRE_VERSION = 1;

/** How the function is named: a module and export, or (opt-in on both sides) its source. */
export type FnRef = { mod: string; name: string } | { src: string };

/** A job's data in Redis. */
export interface JobData {
  v: 1 | typeof WIRE_VERSION;
  fn: FnRef;
  /** The arguments: base64 of `v8.serialize(args)`, or (version 2) `j:` and their JSON. */
  args: string;
}

/** BullMQ's job name for every @aio job (BullMQ shows it in its tools). */
export const JOB_NAME = "aio";

/**
 * The pub/sub channel that carries cancellations of running jobs (BullMQ has
 * no cross-process cancel): the message is the job id.
 */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:aio:cancel`;
}

/** The `failedReason` of a job its worker stopped because its future was cancelled. */
export const CANCELLED_REASON = "CancelledError: the job's future was cancelled";

/** BullMQ's `failedReason` for a job that stalled more than `maxStalledCount` times. */
export const STALLED_REASON = "job stalled more than allowable limit";

/** The default key prefix (BullMQ's). */
export const DEFAULT_PREFIX = "bull";
