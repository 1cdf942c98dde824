import type { TransferListItem } from "node:worker_threads";
import {
  _getRunningLoop,
  _setImmediate,
  type FutureLike,
  getRuntime,
  RuntimeError,
} from "@aio/core";
import { BrokenExecutorError, ExecutorFullError } from "../errors.js";
import { ConcurrentFuture } from "./concurrent-future.js";
import type { ShippedFn } from "./fn-spec.js";
import { armLimits, type JobLimits } from "./job-limits.js";
import type { ResolvedOptions } from "./options.js";
import { PendingQueue } from "./pending-queue.js";
import {
  M_CANCEL,
  M_INIT,
  M_RESUME,
  R_ERR,
  R_INIT_ERR,
  R_INIT_OK,
  R_OK,
  R_SKIPPED,
  type SerializedError,
} from "./protocol.js";
import { ReadyWaiters } from "./ready.js";
import {
  DONE,
  describeExit,
  type Job,
  PENDING,
  SENT,
  Slot,
  type WorkerChannel,
  type WorkerEvents,
} from "./slot.js";
import { deserializeError } from "./wire.js";

/** What `submit()` after `shutdown()` throws (asyncio's message). */
export const SHUTDOWN_MESSAGE = "cannot schedule new futures after shutdown";

/**
 * The engine behind {@link PoolExecutor}: it queues jobs, dispatches them to
 * workers, reads the replies, handles cancellations (the abort grace),
 * worker exits, a broken pool and the wind-down after shutdown. The public
 * class checks arguments and documents the API; this one holds the state.
 *
 * Invariant: every job is in exactly one place — the pending queue (PENDING),
 * one slot's `jobs` (SENT), or nowhere (DONE); `running` counts the slots
 * with jobs.
 */
export class PoolEngine {
  readonly workers = new Set<Slot>();
  readonly queue = new PendingQueue();
  readonly readyWaiters = new ReadyWaiters();
  readonly closedWaiters: (() => void)[] = [];
  running = 0;
  shutdown = false;
  broken: BrokenExecutorError | null = null;
  #nextId = 1;
  readonly #spawn: (events: WorkerEvents) => WorkerChannel;
  readonly #workerNoun: () => string;

  /**
   * @param opts - the pool's checked options.
   * @param spawn - starts one worker (the subclass's `_spawn`).
   * @param workerNoun - "worker thread" or "worker process", for messages
   *   (a getter: the subclass's field is set after the base constructor runs).
   */
  constructor(
    readonly opts: ResolvedOptions,
    spawn: (events: WorkerEvents) => WorkerChannel,
    workerNoun: () => string,
  ) {
    this.#spawn = spawn;
    this.#workerNoun = workerNoun;
  }

  // ---- submitting and dispatching --------------------------------------

  /**
   * @throws {BrokenExecutorError} when the pool is broken.
   * @throws {RuntimeError} after shutdown.
   */
  checkOpen(): void {
    if (this.broken !== null) throw this.broken;
    if (this.shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
  }

  enqueue(
    fn: ShippedFn,
    args: unknown[],
    transfer: TransferListItem[] | null,
    chunked: boolean,
    limits: JobLimits | null = null,
  ): FutureLike<unknown> {
    this.checkOpen();
    if (this.queue.count >= this.opts.maxPending) {
      throw new ExecutorFullError(this.opts.maxPending);
    }
    const loop = _getRunningLoop();
    const future: FutureLike<unknown> =
      loop !== null ? loop.createFuture() : new ConcurrentFuture();
    const job: Job = {
      id: this.#nextId++,
      fn,
      args,
      transfer,
      future,
      loop,
      chunked,
      state: PENDING,
      worker: null,
      cancelHandled: false,
      abortTimer: null,
    };
    future.addDoneCallback(() => {
      if (future.cancelled()) this.onCancelled(job);
    });
    this.queue.push(job);
    // After the push (an aborted signal cancels at once, and a cancelled
    // job must be in the queue to leave it), before the dispatch.
    if (limits !== null) armLimits(job, limits, (j) => this.onCancelled(j));
    this.#dispatch();
    return future;
  }

  #dispatch(): void {
    let woke = false;
    while (this.queue.count > 0) {
      const slot = this.#pickWorker();
      if (slot === null) break;
      // The last pending jobs may turn out cancelled (their done callbacks
      // not run yet): then there is nothing to send.
      const job = this.queue.take(() => this.wakeReady());
      if (job === null) break;
      woke = true;
      slot.filling = true;
      this.#send(slot, job);
    }
    if (woke) {
      for (const slot of this.workers) slot.filling = false;
      this.wakeReady();
    }
  }

  #pickWorker(): Slot | null {
    // An idle worker first, then a new one, then the least loaded busy worker
    // with room ahead. A busy worker is topped up once half its jobs ahead
    // are done, then filled (fewer, larger batches); `filling` lasts for one
    // dispatch, so the fill goes on even when the other worker has fewer jobs.
    let best: Slot | null = null;
    const retireAt = this.opts.maxTasksPerChild;
    for (const slot of this.workers) {
      // A worker that has had its `maxTasksPerChild` jobs takes no more: it
      // is replaced once they are done (see #becameIdle).
      if (!slot.alive || slot.closing || slot.sent >= retireAt) continue;
      const n = slot.jobs.length;
      if (n === 0) return slot;
      if (best !== null && n >= best.jobs.length && !slot.filling) continue;
      const depth = slot.depth(this.opts.prefetch);
      if (n - 1 < (slot.filling || depth <= 1 ? depth : depth >> 1)) best = slot;
    }
    if (this.workers.size < this.opts.maxWorkers) return this.#startWorker();
    return best;
  }

  #startWorker(): Slot {
    const slot = new Slot((job, error) => {
      this.#removeFromSlot(slot, job);
      this.#settle(job, false, error);
    });
    const events: WorkerEvents = {
      message: (batch) => this.#onMessage(slot, batch),
      error: (err) => {
        slot.error ??= err;
      },
      exit: (code, signal) => this.#onExit(slot, code, signal),
    };
    // Workers outlive the task that happened to start them: keep them out of its context.
    slot.channel = getRuntime().taskContext.exit(() => this.#spawn(events));
    this.workers.add(slot);
    const init = this.opts.initializer;
    slot.post([M_INIT, init === null ? null : init.spec, this.opts.initargs]);
    return slot;
  }

  #send(slot: Slot, job: Job): void {
    if (slot.jobs.length === 0) {
      this.running++;
      if (slot.idleTimer !== null) {
        clearTimeout(slot.idleTimer);
        slot.idleTimer = null;
      }
      if (!slot.referenced) {
        slot.referenced = true;
        slot.channel.ref();
      }
    }
    slot.sendJob(job, this.opts.cancelRunning === "abort");
  }

  #removeFromSlot(slot: Slot, job: Job): void {
    const i = slot.jobs.indexOf(job);
    if (i === -1) return;
    slot.jobs.splice(i, 1);
    job.state = DONE;
    if (slot.jobs.length === 0) this.#becameIdle(slot);
  }

  #settle(job: Job, ok: boolean, value: unknown): void {
    const fut = job.future;
    if (fut.done() || job.loop?.isClosed()) return;
    if (ok) fut.setResult(value);
    else fut.setException(value);
  }

  // ---- replies ------------------------------------------------------------

  #onMessage(slot: Slot, batch: unknown[]): void {
    const hadJobs = slot.jobs.length > 0;
    for (const msg of batch) {
      const m = msg as unknown[];
      const tag = m[0];
      if (tag === R_INIT_OK) {
        slot.ready = true;
        continue;
      }
      if (tag === R_INIT_ERR) {
        this.#breakPool(
          new BrokenExecutorError("A worker initializer failed, the pool is not usable anymore", {
            cause: deserializeError(m[1] as SerializedError),
          }),
        );
        return;
      }
      const id = m[1] as number;
      let i = 0;
      while (i < slot.jobs.length && slot.jobs[i]!.id !== id) i++;
      const job = slot.jobs[i];
      if (job === undefined) continue;
      slot.jobs.splice(i, 1);
      job.state = DONE;
      if (job.abortTimer !== null) {
        clearTimeout(job.abortTimer);
        job.abortTimer = null;
      }
      if (m[3] === true) {
        // The worker holds after this aborted job (see worker-main.ts).
        if (slot.killedFor === null) slot.post([M_RESUME, id]);
        else slot.holding = true;
      }
      if (tag !== R_SKIPPED) slot.recordRunTime(m[4] as number);
      if (tag === R_OK) this.#settle(job, true, m[2]);
      else if (tag === R_ERR) this.#settle(job, false, deserializeError(m[2] as SerializedError));
      // R_SKIPPED: the future is already cancelled.
    }
    if (hadJobs && slot.jobs.length === 0) this.#becameIdle(slot);
    this.#dispatch();
    if (this.shutdown) this.windDown();
  }

  #becameIdle(slot: Slot): void {
    this.running--;
    if (slot.referenced) {
      slot.referenced = false;
      slot.channel.unref();
    }
    if (!slot.alive) return;
    if (slot.sent >= this.opts.maxTasksPerChild) {
      // Done with its jobs: it goes, and its exit starts a replacement if
      // jobs are waiting — after shutdown() too (CPython gh-115634, gh-119592).
      this.#closeWorker(slot);
      return;
    }
    if (this.shutdown) return;
    if (this.opts.idleTimeoutMs !== Number.POSITIVE_INFINITY) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = null;
        if (slot.jobs.length === 0 && slot.alive) this.#closeWorker(slot);
      }, this.opts.idleTimeoutMs);
      // A browser's timer is a number: there is no process to keep alive.
      (slot.idleTimer as { unref?: () => void }).unref?.();
    }
  }

  #closeWorker(slot: Slot): void {
    if (slot.closing) return;
    slot.closing = true;
    // Whoever awaits shutdown() waits for this exit: keep the process alive until it comes.
    if (!slot.referenced) {
      slot.referenced = true;
      slot.channel.ref();
    }
    if (slot.idleTimer !== null) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
    }
    slot.channel.close();
  }

  // ---- cancellation and the abort grace -------------------------------------

  /**
   * The job's future was cancelled, or failed with `TimeoutError` by its
   * `submitWith()` timeout: a job not started never runs; a running one is
   * left to finish (`cancelRunning: "finish"`) or aborted, its worker
   * terminated after the grace period if it does not stop (`"abort"`).
   */
  onCancelled(job: Job): void {
    if (job.cancelHandled) return;
    job.cancelHandled = true;
    if (job.state === PENDING) {
      this.queue.cancelled(job);
      this.wakeReady();
      return;
    }
    if (job.state !== SENT) return;
    const slot = job.worker!;
    if (!slot.alive) return;
    const running = slot.jobs[0] === job;
    const abort = running && this.opts.cancelRunning === "abort";
    slot.post([M_CANCEL, job.id, abort]);
    if (abort) {
      // If the job ignores its signal, its worker — and only its worker — goes.
      job.abortTimer = setTimeout(() => {
        job.abortTimer = null;
        // Timers run before I/O in a host turn: after a long busy stretch the
        // job's reply may be waiting unread. Decide after one poll phase has
        // passed (two check phases), on fresh state; a channel that can read
        // its replies synchronously reads them first.
        _setImmediate(() =>
          _setImmediate(() => {
            slot.channel.drain?.();
            if (slot.alive && slot.killedFor === null && slot.jobs[0] === job) {
              slot.killedFor = job;
              slot.channel.terminate();
            }
          }),
        );
      }, this.opts.abortGraceMs);
    }
  }

  // ---- worker exits, a broken pool, shutdown --------------------------------

  #onExit(slot: Slot, code: number | null, signal: string | null): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.workers.delete(slot);
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    const jobs = slot.jobs.splice(0);
    if (jobs.length > 0) this.running--;
    const killedFor = slot.killedFor;
    if (
      this.opts.initializer !== null &&
      !slot.ready &&
      !slot.closing &&
      killedFor === null &&
      this.broken === null
    ) {
      // asyncio: a failing initializer breaks the pool (BrokenThreadPool).
      this.#breakPool(
        new BrokenExecutorError(
          `A worker exited (${describeExit(code, signal)}) before its initializer completed, the pool is not usable anymore`,
          slot.error === undefined ? undefined : { cause: slot.error },
        ),
        jobs,
      );
      return;
    }
    // A worker killed while it held after its aborted job's reply started none of the others.
    const head = slot.holding ? undefined : jobs[0];
    const rest = slot.holding ? jobs : jobs.slice(1);
    if (head !== undefined) {
      head.state = DONE;
      if (head.abortTimer !== null) clearTimeout(head.abortTimer);
      if (head !== killedFor) {
        this.#settle(
          head,
          false,
          new BrokenExecutorError(
            `A ${this.#workerNoun()} terminated abruptly (${describeExit(code, signal)}) while running a job`,
            slot.error === undefined ? undefined : { cause: slot.error },
          ),
        );
      }
    }
    // The jobs queued behind it never started: they go back to the front of the queue.
    const back = rest.filter((j) => !j.future.done());
    this.queue.requeueFront(back);
    if (this.broken !== null) {
      for (const j of back) this.#settle(j, false, this.broken);
    } else {
      this.#dispatch();
    }
    if (this.shutdown || this.broken !== null) this.windDown();
  }

  #breakPool(error: BrokenExecutorError, extra: Job[] = []): void {
    if (this.broken !== null) return;
    this.broken = error;
    this.readyWaiters.rejectAll(error);
    const jobs = [...extra, ...this.queue.clear()];
    for (const slot of this.workers) {
      jobs.push(...slot.jobs.splice(0));
      slot.channel.terminate();
    }
    this.running = 0;
    // In submission order, as asyncio fails its work queue: the jobs sent to
    // a worker were submitted before the ones still queued.
    jobs.sort((a, b) => a.id - b.id);
    for (const j of jobs) {
      j.state = DONE;
      this.#settle(j, false, error);
    }
    this.windDown();
  }

  wakeReady(): void {
    this.readyWaiters.wake(this.opts.maxPending - this.queue.count);
  }

  isFinished(): boolean {
    return this.workers.size === 0 && this.queue.count === 0;
  }

  /**
   * `terminateWorkers()` / `killWorkers()` (asyncio 3.14): shuts the pool
   * down and ends every worker now. Every job not finished — running, sent
   * ahead or still queued — fails at once with its own
   * `BrokenExecutorError`; the workers' exits then finish the wind-down
   * (`shutdown({ wait: true })` resolves when they are gone).
   */
  forceShutdown(signal: "SIGTERM" | "SIGKILL", caller: string): void {
    this.shutdown = true;
    this.readyWaiters.rejectAll(new RuntimeError(SHUTDOWN_MESSAGE));
    const jobs = this.queue.clear();
    for (const slot of this.workers) {
      jobs.push(...slot.jobs.splice(0));
      // Not a crash: its exit must not break the pool (initializer check) or fail a job.
      slot.closing = true;
      if (slot.idleTimer !== null) {
        clearTimeout(slot.idleTimer);
        slot.idleTimer = null;
      }
      // Whoever awaits shutdown() waits for this exit: keep the process alive until it comes.
      if (!slot.referenced) {
        slot.referenced = true;
        slot.channel.ref();
      }
      slot.channel.terminate(signal);
    }
    this.running = 0;
    for (const j of jobs) {
      j.state = DONE;
      if (j.abortTimer !== null) {
        clearTimeout(j.abortTimer);
        j.abortTimer = null;
      }
      this.#settle(
        j,
        false,
        new BrokenExecutorError(
          `${caller} ended the pool's workers before this job finished; the pool is shut down`,
        ),
      );
    }
    this.windDown();
  }

  /** After shutdown: close workers that have nothing left to do; resolve waiters when all are gone. */
  windDown(): void {
    if (!this.shutdown && this.broken === null) return;
    if (this.queue.count === 0) {
      for (const slot of this.workers) {
        if (slot.jobs.length === 0) this.#closeWorker(slot);
      }
    }
    if (this.isFinished()) {
      for (const resolve of this.closedWaiters.splice(0)) resolve();
    }
  }
}
