import { realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { _checkFunction, _checkInteger, _checkMs, _checkSignal, describeValue } from "@aio/core";
import { moduleFunction, ThreadPoolExecutor } from "@aio/executors";
import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { ModuleNotAllowedError } from "./errors.js";
import { decodeValue, encodeFailure, encodeValue } from "./internal/codec.js";
import { createClient, type RedisConnection, resolveConnection } from "./internal/connection.js";
import { importFunction, runInline } from "./internal/inline.js";
import {
  CANCELLED_REASON,
  cancelChannel,
  DEFAULT_PREFIX,
  type JobData,
  MIN_WIRE_VERSION,
  WIRE_VERSION,
} from "./internal/protocol.js";

/**
 * Options of {@link runWorker}.
 *
 * @example
 * ```ts
 * import type { RunWorkerOptions } from "@aio/bullmq";
 * const opts: RunWorkerOptions = { queue: "work", connection: "redis://127.0.0.1:6379", allow: ["/srv/app/jobs"] };
 * ```
 */
export interface RunWorkerOptions {
  /** The BullMQ queue to take jobs from. */
  queue: string;
  /** Where Redis is (see {@link RedisConnection}). */
  connection: RedisConnection;
  /**
   * Files or directories (absolute, or relative to the current directory):
   * the worker runs a job only if its module is one of these files or lies
   * under one of these directories (symbolic links resolved). Anything else
   * fails with {@link ModuleNotAllowedError} and nothing of it runs.
   */
  allow: readonly string[];
  /** Jobs run at the same time; default 1. */
  concurrency?: number;
  /**
   * Run each job in a worker thread of its own (a `ThreadPoolExecutor` of
   * `concurrency` threads) instead of on this process's main thread. Costs
   * a thread hop per job; worth it for CPU-heavy jobs, which on the main
   * thread would hold up lock renewal (see the distributed guide). Default
   * false, true with `abortGraceMs` (which needs it). Jobs that ship source
   * always run in a thread.
   */
  threads?: boolean;
  /** Aborting it stops the worker gracefully (see `stopTimeoutMs`); `runWorker` then resolves. */
  signal?: AbortSignal;
  /** BullMQ's key prefix; default `"bull"`. */
  prefix?: string;
  /** Accept jobs that ship function source. Dangerous: see the distributed guide. Default false. */
  allowSource?: boolean;
  /**
   * Abort mode: a cancelled job that ignores its signal for this long (ms)
   * has its worker thread terminated and replaced; the worker's other jobs
   * are untouched. Implies `threads`. Default: never (the job runs on, its
   * result discarded).
   */
  abortGraceMs?: number;
  /** How long (ms) a job's lock lasts without renewal (BullMQ `lockDuration`); default 30 000. */
  lockDurationMs?: number;
  /** How often (ms) this worker looks for stalled jobs (BullMQ `stalledInterval`); default 30 000. */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails with `BrokenExecutorError` (BullMQ `maxStalledCount`); default 1. */
  maxStalledCount?: number;
  /**
   * After a stop is asked for, how long (ms) running jobs may take to
   * finish; then their signals are aborted and they are handed back to the
   * queue for another worker. Default 10 000.
   */
  stopTimeoutMs?: number;
  /** Called once the worker takes jobs. */
  onReady?: () => void;
}

/** Runs a job that ships source, inside a pool thread (self-contained: the pool ships it as source). */
const RUN_SOURCE = (src: string, args: unknown[]): unknown =>
  // biome-ignore lint/security/noGlobalEval: opt-in source shipping (allowSource on both sides) is running shipped code by definition
  globalThis.eval(`(${src})`)(...args);

/** Allowed module functions remembered by a worker; beyond this the cache starts over. */
const MAX_CACHED_FUNCTIONS = 1024;

/** setTimeout's longest delay: the "never" of `abortGraceMs`. */
const NEVER_MS = 2_147_483_647;
/** How long a cancellation that arrived before its job started is remembered (ms). */
const EARLY_CANCEL_MS = 60_000;

/**
 * Runs a worker for a {@link BullMQExecutor}'s queue in this process until
 * `signal` is aborted: it takes jobs, checks each job's module against
 * `allow`, runs the function (on this thread, as BullMQ's own `Worker`
 * does, or with `threads` in a worker thread of a local
 * `ThreadPoolExecutor` of `concurrency` threads) and sends back the result
 * or the error. A cancelled job's `jobSignal()` is aborted at once (the
 * cancellation arrives over Redis pub/sub).
 *
 * On stop, running jobs get `stopTimeoutMs` to finish; the rest are handed
 * back to the queue. Nothing is left locked.
 *
 * @param options - see {@link RunWorkerOptions}.
 * @returns resolves when the worker has stopped.
 * @throws {TypeError} (rejects) when an option has the wrong type, or an
 *   `allow` path does not exist.
 * @throws {RangeError} (rejects) when a number is out of range.
 * @example
 * ```ts
 * import { runWorker } from "@aio/bullmq";
 * const stop = new AbortController();
 * process.once("SIGTERM", () => stop.abort());
 * await runWorker({
 *   queue: "work",
 *   connection: "redis://127.0.0.1:6379",
 *   allow: [new URL("./jobs/", import.meta.url).pathname],
 *   concurrency: 4,
 *   signal: stop.signal,
 * });
 * ```
 */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const o = checkWorkerOptions(options);
  if (o.signal?.aborted === true) return;
  const resolved = resolveConnection("runWorker()", options.connection);
  const allowed = o.allow;
  // Made on first use: only abort mode, `threads` and shipped source need it.
  let pool: ThreadPoolExecutor | null = null;
  const threadPool = (): ThreadPoolExecutor =>
    (pool ??= new ThreadPoolExecutor({
      maxWorkers: o.concurrency,
      cancelRunning: "abort",
      abortGraceMs: o.abortGraceMs,
      prefetch: 0,
    }));
  const running = new Map<string, Cancellable>();
  const functions = new Map<string, (...args: unknown[]) => unknown>();
  const earlyCancels = new Map<string, number>();
  let handingBack = false;

  const subscriber: Redis = createClient(resolved, true);
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, jobId: string) => {
    const local = running.get(jobId);
    if (local !== undefined) {
      local.cancel();
      return;
    }
    const now = Date.now();
    if (earlyCancels.size > 10_000) {
      for (const [id, at] of earlyCancels) if (now - at > EARLY_CANCEL_MS) earlyCancels.delete(id);
    }
    earlyCancels.set(jobId, now);
  });
  const connection = createClient(resolved, true);
  connection.on("error", () => {});

  const processor = async (job: Job, token?: string): Promise<string> => {
    const id = job.id!;
    const data = job.data as JobData;
    if (
      data === null ||
      typeof data !== "object" ||
      !(data.v >= MIN_WIRE_VERSION && data.v <= WIRE_VERSION)
    ) {
      throw new UnrecoverableError(
        encodeFailure(
          new TypeError(
            `job ${id} is not an @aio/bullmq job of wire version ${MIN_WIRE_VERSION} to ${WIRE_VERSION}`,
          ),
        ),
      );
    }
    let fn: (...args: unknown[]) => unknown;
    if ("mod" in data.fn) {
      const key = `${data.fn.mod}#${data.fn.name}`;
      const known = functions.get(key);
      if (known !== undefined) fn = known;
      else if (!isAllowed(data.fn.mod, allowed)) {
        throw new UnrecoverableError(
          encodeFailure(
            new ModuleNotAllowedError(
              `module ${data.fn.mod} is not under this worker's allowed paths (--allow ${allowed.join(" --allow ")}); the job did not run`,
            ),
          ),
        );
      } else if (!o.threads) {
        try {
          fn = await importFunction(data.fn.mod, data.fn.name);
        } catch (err) {
          throw new Error(encodeFailure(err)); // as a thread reports it: a job failure
        }
        if (functions.size >= MAX_CACHED_FUNCTIONS) functions.clear();
        functions.set(key, fn);
      } else {
        try {
          fn = moduleFunction(data.fn.mod, data.fn.name);
        } catch (err) {
          throw new UnrecoverableError(encodeFailure(err));
        }
        // Checked once per module and export: a tiny job should not pay a
        // realpath and a stat each time. (The thread pool caches the import too.)
        if (functions.size >= MAX_CACHED_FUNCTIONS) functions.clear();
        functions.set(key, fn);
      }
    } else {
      if (!o.allowSource) {
        throw new UnrecoverableError(
          encodeFailure(
            new ModuleNotAllowedError(
              `job ${id} ships function source and this worker does not accept source (start it with --allow-source); the job did not run`,
            ),
          ),
        );
      }
      // Nothing of the source is evaluated in this process: RUN_SOURCE (shipped
      // to a thread as source itself) compiles and calls it there.
      fn = RUN_SOURCE as (...args: unknown[]) => unknown;
    }
    let args: unknown[];
    try {
      args = decodeValue(data.args, `job ${id}'s arguments`) as unknown[];
    } catch (err) {
      // Written by a producer on the other engine family: it can never run here.
      throw new UnrecoverableError(encodeFailure(err));
    }
    const inline = !o.threads && "mod" in data.fn;
    if (!("mod" in data.fn)) args = [data.fn.src, args];
    if (earlyCancels.delete(id)) throw new UnrecoverableError(CANCELLED_REASON);
    const local: Cancellable = inline ? inlineJob(fn, args) : threadPool().submit(fn, ...args);
    running.set(id, local);
    try {
      return encodeValue(await local, data.v >= 2);
    } catch (err) {
      if (!local.cancelled()) throw new Error(encodeFailure(err));
      if (handingBack && token !== undefined) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw new UnrecoverableError(CANCELLED_REASON);
    } finally {
      running.delete(id);
    }
  };

  const worker = new Worker(o.queue, processor, {
    connection,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    autorun: false,
  });
  worker.on("error", () => {}); // connection trouble: BullMQ reconnects by itself
  worker.on("failed", (job) => {
    // A job stopped for its cancelled future is nobody's any more.
    if (job?.failedReason === CANCELLED_REASON) void job.remove().catch(() => {});
  });

  let stopped!: () => void;
  const stop = new Promise<void>((r) => {
    stopped = r;
  });
  const onAbort = (): void => stopped();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await subscriber.subscribe(cancelChannel(o.prefix, o.queue));
    const runningLoop = worker.run();
    runningLoop.catch(() => {});
    await worker.waitUntilReady();
    o.onReady?.();
    await stop;
    const handBack = setTimeout(() => {
      handingBack = true;
      for (const local of running.values()) local.cancel();
    }, o.stopTimeoutMs);
    try {
      await worker.close();
    } finally {
      clearTimeout(handBack);
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    if (!worker.closing) await worker.close(true).catch(() => {});
    await (pool as ThreadPoolExecutor | null)?.shutdown({ wait: false, cancelFutures: true });
    subscriber.disconnect();
    connection.disconnect();
  }
}

/** A running job as the cancellation paths see it: a pool future, or an {@link inlineJob}. */
interface Cancellable extends PromiseLike<unknown> {
  cancel(): boolean;
  cancelled(): boolean;
}

/**
 * Starts `fn(...args)` on this thread. `cancel()` aborts its `jobSignal()`
 * and settles it at once as cancelled (as a pool future without abort
 * grace does): the function may run on, its outcome discarded.
 */
function inlineJob(fn: (...args: unknown[]) => unknown, args: unknown[]): Cancellable {
  const run = runInline(fn, args);
  let state: "running" | "done" | "cancelled" = "running";
  let cancel!: () => void;
  const outcome = new Promise<unknown>((resolve, reject) => {
    run.result.then(resolve, reject);
    cancel = () => reject(new Error(CANCELLED_REASON));
  });
  const settled = (): void => {
    if (state === "running") state = "done";
  };
  outcome.then(settled, settled);
  return {
    then: (onOk, onErr) => outcome.then(onOk, onErr),
    cancel: () => {
      if (state !== "running") return false;
      state = "cancelled";
      run.abort();
      cancel();
      return true;
    },
    cancelled: () => state === "cancelled",
  };
}

interface CheckedOptions {
  queue: string;
  allow: string[];
  concurrency: number;
  threads: boolean;
  signal: AbortSignal | undefined;
  prefix: string;
  allowSource: boolean;
  abortGraceMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  stopTimeoutMs: number;
  onReady: (() => void) | undefined;
}

function checkWorkerOptions(options: RunWorkerOptions): CheckedOptions {
  const where = "runWorker()";
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${where} options must be an object with queue, connection and allow, received ${describeValue(options)}`,
    );
  }
  if (typeof options.queue !== "string" || options.queue.length === 0) {
    throw new TypeError(
      `${where} queue must be a non-empty string, received ${describeValue(options.queue)}`,
    );
  }
  if (!Array.isArray(options.allow) || options.allow.length === 0) {
    throw new TypeError(
      `${where} allow must be a non-empty array of paths, received ${describeValue(options.allow)}`,
    );
  }
  const allow = options.allow.map((p, i) => {
    if (typeof p !== "string" || p.length === 0) {
      throw new TypeError(
        `${where} allow[${i}] must be a non-empty string, received ${describeValue(p)}`,
      );
    }
    const abs = isAbsolute(p) ? p : resolve(p);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      throw new TypeError(`${where} allow[${i}] does not exist: ${abs}`);
    }
    return statSync(real).isDirectory() && !real.endsWith(sep) ? real + sep : real;
  });
  const concurrency = options.concurrency ?? 1;
  _checkInteger(where, "concurrency", concurrency, { min: 1 });
  _checkSignal(where, "signal", options.signal);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string" || prefix.length === 0) {
    throw new TypeError(
      `${where} prefix must be a non-empty string, received ${describeValue(prefix)}`,
    );
  }
  if (options.allowSource !== undefined && typeof options.allowSource !== "boolean") {
    throw new TypeError(
      `${where} allowSource must be a boolean, received ${describeValue(options.allowSource)}`,
    );
  }
  const abortGraceMs = options.abortGraceMs ?? NEVER_MS;
  _checkMs(where, "abortGraceMs", abortGraceMs, { min: 0, infinite: false });
  if (options.threads !== undefined && typeof options.threads !== "boolean") {
    throw new TypeError(
      `${where} threads must be a boolean, received ${describeValue(options.threads)}`,
    );
  }
  if (options.threads === false && options.abortGraceMs !== undefined) {
    throw new TypeError(
      `${where} abortGraceMs needs threads (only a job in a thread of its own can be terminated), received threads: false`,
    );
  }
  const threads = options.threads ?? options.abortGraceMs !== undefined;
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  _checkMs(where, "lockDurationMs", lockDurationMs, { min: 1, infinite: false });
  const stalledIntervalMs = options.stalledIntervalMs ?? 30_000;
  _checkMs(where, "stalledIntervalMs", stalledIntervalMs, { min: 1, infinite: false });
  const maxStalledCount = options.maxStalledCount ?? 1;
  _checkInteger(where, "maxStalledCount", maxStalledCount, { min: 0 });
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  _checkMs(where, "stopTimeoutMs", stopTimeoutMs, { min: 0, infinite: false });
  if (options.onReady !== undefined) _checkFunction(where, "onReady", options.onReady);
  return {
    queue: options.queue,
    allow,
    concurrency,
    threads,
    signal: options.signal,
    prefix,
    allowSource: options.allowSource ?? false,
    abortGraceMs: Math.min(abortGraceMs, NEVER_MS),
    lockDurationMs,
    stalledIntervalMs,
    maxStalledCount,
    stopTimeoutMs,
    onReady: options.onReady,
  };
}

/** Whether the module `mod` (a URL) is one of the allowed files or under an allowed directory. */
function isAllowed(mod: string, allowed: readonly string[]): boolean {
  if (!mod.startsWith("file:")) return false;
  let path: string;
  try {
    path = realpathSync(fileURLToPath(mod));
  } catch {
    return false;
  }
  return allowed.some((a) => (a.endsWith(sep) ? path.startsWith(a) : path === a));
}
