import type { TransferListItem } from "node:worker_threads";
import type { EventLoop, FutureLike } from "@aio/core";
import type { ShippedFn } from "./fn-spec.js";
import { M_JOB } from "./protocol.js";

/** How a pool talks to one worker (a thread or a child process). */
export interface WorkerChannel {
  /** Sends a batch; may throw synchronously when a value cannot be cloned. */
  send(batch: unknown[], transfer: TransferListItem[] | null): void;
  /**
   * Ends the worker now: a child process gets `signal` (default `SIGKILL`;
   * `SIGTERM` lets it run its handlers), a thread is terminated either way.
   */
  terminate(signal?: "SIGTERM" | "SIGKILL"): void;
  /** Asks an idle worker to exit. */
  close(): void;
  /** Keeps the host process alive while the worker has jobs. */
  ref(): void;
  /** Lets the host process exit while the worker idles. */
  unref(): void;
  /** The thread id or process id, for `toString()`. */
  readonly id: number;
  /** Delivers, now, the replies that arrived and were not read yet (where the channel can). */
  drain?(): void;
}

/** Hooks a channel calls; set by the pool before the worker starts. */
export interface WorkerEvents {
  message(batch: unknown[]): void;
  error(err: unknown): void;
  exit(code: number | null, signal: string | null): void;
}

/** A job waits in the pool's pending queue. */
export const PENDING = 0;
/** A job was sent to a worker (`Job.worker`) and its reply has not arrived. */
export const SENT = 1;
/** A job's reply arrived, or it was dropped (cancelled, failed, its worker died). */
export const DONE = 2;

/** One `submit()` (or one chunk of `map()`) as the pool tracks it. */
export interface Job {
  readonly id: number;
  readonly fn: ShippedFn;
  readonly args: unknown[];
  readonly transfer: TransferListItem[] | null;
  readonly future: FutureLike<unknown>;
  readonly loop: EventLoop | null;
  /** Several calls (`map` with `chunksize`): `args` holds one argument list per call. */
  readonly chunked: boolean;
  state: typeof PENDING | typeof SENT | typeof DONE;
  worker: Slot | null;
  /** The pool has reacted to the future's cancellation. */
  cancelHandled: boolean;
  /** Cancelled while running with `cancelRunning: "abort"`: the worker's grace timer. */
  abortTimer: ReturnType<typeof setTimeout> | null;
}

/** `prefetch: "auto"`: the work (ms, by recent run times) kept queued in a busy worker. */
const AUTO_PREFETCH_MS = 4;
/** `prefetch: "auto"`: at most this many jobs wait in a worker. */
const AUTO_PREFETCH_MAX = 512;

/**
 * One worker as the pool sees it, and its outgoing batch.
 *
 * Invariant: `jobs` lists, in send order, the jobs sent to the worker whose
 * reply has not arrived; the worker runs them one at a time in that order, so
 * `jobs[0]` is the one running (or about to), and the others have not started.
 *
 * Messages for the worker collect in `outbox` and leave in one batch per
 * microtask (`queueFlush`): a burst of `submit()` calls costs one
 * `postMessage`/IPC write, not one each.
 */
export class Slot {
  readonly jobs: Job[] = [];
  /** Function keys whose spec this worker already has. */
  readonly known = new Set<number>();
  outbox: unknown[] = [];
  outTransfer: TransferListItem[] | null = null;
  flushQueued = false;
  ready = false;
  alive = true;
  closing = false;
  referenced = false;
  idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The worker's own error (uncaught exception, resource limits), if any. */
  error: unknown = undefined;
  /** Set while the pool terminates the worker on purpose (abort grace). */
  killedFor: Job | null = null;
  /** Being sent jobs by the current dispatch (see `PoolExecutor#pickWorker`). */
  filling = false;
  /** Jobs sent to this worker so far (for `maxTasksPerChild`). */
  sent = 0;
  /** Moving average of its jobs' run times (ms), for `prefetch: "auto"`; -1 before the first. */
  avgRunMs = -1;
  /**
   * The worker replied to the job it is being killed for and holds (it starts
   * nothing after an aborted job until RESUME): the jobs it still has never started.
   */
  holding = false;
  channel!: WorkerChannel;

  /**
   * @param unsendable - called when a job's message cannot be cloned: the job
   *   has been removed from `jobs`; the pool fails its future.
   */
  constructor(private readonly unsendable: (job: Job, error: TypeError) => void) {}

  /**
   * How many jobs may wait in this worker behind the running one.
   *
   * @param prefetch - the pool's fixed depth, or -1 for `"auto"`.
   */
  depth(prefetch: number): number {
    if (prefetch >= 0) return prefetch;
    const avg = this.avgRunMs;
    if (avg < 0) return 1;
    // About AUTO_PREFETCH_MS of expected work ahead, from 1 to AUTO_PREFETCH_MAX jobs.
    return avg * AUTO_PREFETCH_MAX <= AUTO_PREFETCH_MS
      ? AUTO_PREFETCH_MAX
      : Math.max(1, Math.floor(AUTO_PREFETCH_MS / avg));
  }

  /** Records a finished job's run time (ms) in the moving average. */
  recordRunTime(ms: number): void {
    this.avgRunMs = this.avgRunMs < 0 ? ms : this.avgRunMs * 0.75 + ms * 0.25;
  }

  /** Queues a message for the worker (sent at the next flush). */
  post(message: unknown[], transfer: TransferListItem[] | null = null): void {
    this.outbox.push(message);
    if (transfer !== null) (this.outTransfer ??= []).push(...transfer);
    this.queueFlush();
  }

  /** Appends `job` to the worker's jobs and queues its JOB message (with the spec the first time). */
  sendJob(job: Job, abortable: boolean): void {
    job.state = SENT;
    job.worker = this;
    this.sent++;
    this.jobs.push(job);
    const key = job.fn.key;
    const spec = this.known.has(key) ? null : job.fn.spec;
    this.known.add(key);
    this.post([M_JOB, job.id, key, spec, job.args, abortable, job.chunked], job.transfer);
  }

  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.flushQueued = false;
    if (!this.alive || this.outbox.length === 0) return;
    const batch = this.outbox;
    const transfer = this.outTransfer;
    this.outbox = [];
    this.outTransfer = null;
    try {
      this.channel.send(batch, transfer);
    } catch {
      // One value in the batch could not be cloned: send one by one, so only
      // the job that carries it fails.
      for (const msg of batch) {
        const m = msg as unknown[];
        try {
          this.channel.send([m], m[0] === M_JOB ? this.#transferOf(m[1] as number) : null);
        } catch (e) {
          if (m[0] !== M_JOB) throw e;
          const job = this.jobs.find((j) => j.id === m[1]);
          if (job === undefined) continue;
          if (m[3] !== null) this.known.delete(job.fn.key);
          this.unsendable(
            job,
            new TypeError(
              `the job's arguments could not be cloned to reach a worker: ${(e as Error).message}`,
              { cause: e },
            ),
          );
        }
      }
    }
  }

  #transferOf(id: number): TransferListItem[] | null {
    return this.jobs.find((j) => j.id === id)?.transfer ?? null;
  }
}

/** `exit code 7` or `signal SIGKILL`, for messages. */
export function describeExit(code: number | null, signal: string | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code}`;
}
