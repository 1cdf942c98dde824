import { type EventLoop, type Executor, getRuntime, isFailed, RuntimeError } from "@aio/core";
import { Future, isFuture } from "@aio/futures";

const rt = getRuntime();

/**
 * How long `run()` waits for the default executor's jobs when it shuts down
 * (ms): asyncio's `constants.THREAD_JOIN_TIMEOUT` (300 s). A job still running
 * then is named in a warning and its worker is terminated, so `run()`
 * returns and the process can exit.
 */
export const DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT_MS = 300_000;

/**
 * The package that provides the default executor. Kept in a variable so that
 * bundlers do not try to resolve it: `@aio/loop` never depends on worker code,
 * it loads `@aio/executors` on first use when it is installed.
 */
const EXECUTORS_PACKAGE = "@aio/executors";

/**
 * The Future `runInExecutor` returns for a foreign job: cancelling it cancels
 * the job synchronously (when the job can be cancelled), so an executor that
 * has not started the job yet never starts it.
 */
class ExecutorFuture<T> extends Future<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "Future";
  }

  #job: { cancel?: () => unknown } | null = null;

  /** The job is known: a later `cancel()` reaches it. */
  _attach(job: { cancel?: () => unknown }): void {
    this.#job = job;
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    if (typeof this.#job?.cancel === "function") this.#job.cancel();
    return true;
  }
}

/** True for an object with the `Executor` shape (`submit` and `shutdown`). */
export function isExecutor(value: unknown): value is Executor {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Executor).submit === "function" &&
    typeof (value as Executor).shutdown === "function"
  );
}

/**
 * Submits `fn(...args)` to `executor` and returns a Future of `loop`
 * (asyncio `run_in_executor` + `wrap_future`). `into`, when given, is the
 * Future the caller already handed out (the default executor was loaded
 * lazily meanwhile).
 */
export function submitTo<T>(
  loop: EventLoop,
  executor: Executor,
  fn: (...args: unknown[]) => unknown,
  args: unknown[],
  into?: ExecutorFuture<T>,
): Future<T> {
  const job = executor.submit(fn, ...args) as PromiseLike<T> & { cancel?: () => unknown };
  // An executor that hands out Futures of this loop (as @aio/executors does)
  // is used as is: cancelling that Future reaches the executor at once.
  if (into === undefined && isFuture(job) && job.getLoop() === loop) return job as Future<T>;
  const future = into ?? new ExecutorFuture<T>({ loop });
  future._attach(job);
  if (isFuture(job)) {
    // A Future's then() inside a task would count as that task awaiting it;
    // a done callback does not.
    // Its outcome is copied into `future` (unless that is done already).
    job.addDoneCallback(() => {
      if (loop.isClosed() || future.done()) return;
      if (job.cancelled()) future.cancel();
      else if (isFailed(job)) future.setException(job.exception());
      else future.setResult(job.result() as T);
    });
  } else {
    job.then(
      (value) => {
        if (!future.done() && !loop.isClosed()) future.setResult(value);
      },
      (err) => {
        if (!future.done() && !loop.isClosed()) future.setException(err);
      },
    );
  }
  return future;
}

/** A job given to the default executor, remembered until it is done so a stuck shutdown can name it. */
interface TrackedJob {
  readonly name: string;
  readonly future: Future<unknown>;
}

/**
 * One loop's default executor (asyncio `loop._default_executor`): made on
 * first use by the factory `@aio/executors` registers — loading that package
 * first when no code imported it — and shut down with a time limit.
 */
export class DefaultExecutor {
  #executor: Executor | null = null;
  /** asyncio `_executor_shutdown_called`: no default executor after `shutdown()`. */
  #shutDown = false;
  /** Jobs of the default executor that are not done yet. */
  readonly #jobs = new Set<TrackedJob>();

  /** Replaces it (`loop.setDefaultExecutor`). */
  set(executor: Executor | null): void {
    this.#executor = executor;
  }

  /**
   * Runs `fn(...args)` on the default executor: the one set, else one made
   * by the registered factory, else — after loading `@aio/executors` — one
   * made by the factory that package registers.
   */
  submit<T>(loop: EventLoop, fn: (...args: unknown[]) => unknown, args: unknown[]): Future<T> {
    if (this.#shutDown) throw new RuntimeError("Executor shutdown has been called");
    const ready = this.#executor ?? this.#make();
    let future: Future<T>;
    if (ready !== null) {
      future = submitTo<T>(loop, ready, fn, args);
    } else {
      const pending = new ExecutorFuture<T>({ loop });
      future = pending;
      loadExecutorsPackage().then(
        () => {
          // Cancelled (or the loop closed) while loading: nothing is submitted.
          if (pending.done() || loop.isClosed()) return;
          const executor = this.#executor ?? this.#make();
          if (executor === null) pending.setException(noDefaultExecutor());
          else submitTo(loop, executor, fn, args, pending);
        },
        (err: unknown) => {
          if (!pending.done() && !loop.isClosed()) {
            const e = noDefaultExecutor();
            (e as Error & { cause?: unknown }).cause = err;
            pending.setException(e);
          }
        },
      );
    }
    const tracked: TrackedJob = { name: fn.name || "<anonymous>", future };
    this.#jobs.add(tracked);
    future.addDoneCallback(() => this.#jobs.delete(tracked));
    return future;
  }

  #make(): Executor | null {
    return rt.defaultExecutorFactory === null
      ? null
      : (this.#executor = rt.defaultExecutorFactory());
  }

  /**
   * Shuts the executor down and waits for its jobs, at most `timeout` ms
   * (null: no limit) — asyncio `shutdown_default_executor(timeout)`. When the
   * time runs out, a warning (`console.warn`) names the jobs still running, and
   * the executor's workers are terminated (when it can do that), so nothing
   * keeps the process alive.
   */
  async shutdown(timeout: number | null): Promise<void> {
    const executor = this.#executor;
    this.#executor = null;
    this.#shutDown = true;
    if (executor === null) return;
    const done = executor.shutdown({ wait: true });
    // `timeout` was checked by shutdownDefaultExecutor(): null, or a number >= 0.
    if (timeout === null || timeout === Infinity) {
      await done;
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, timeout, true);
    });
    try {
      if ((await Promise.race([done.then(() => false), expired])) === false) return;
    } finally {
      clearTimeout(timer);
    }
    const stuck = [...this.#jobs].filter((j) => !j.future.done()).map((j) => j.name);
    console.warn(
      `The default executor did not finish its jobs within ${timeout} ms${
        stuck.length === 0 ? "" : `; still running: ${stuck.join(", ")}`
      }. Its workers are terminated.`,
    );
    const terminate = (executor as { terminateWorkers?: () => void }).terminateWorkers;
    if (typeof terminate === "function") terminate.call(executor);
    else void executor.shutdown({ wait: false, cancelFutures: true });
  }

  /** The loop closes: shut down without waiting (asyncio `close()`). */
  close(): void {
    const executor = this.#executor;
    this.#executor = null;
    if (executor !== null) void executor.shutdown({ wait: false });
  }
}

function noDefaultExecutor(): RuntimeError {
  return new RuntimeError(
    `runInExecutor(null, …) needs a default executor: install ${EXECUTORS_PACKAGE} (it provides one and is loaded on first use) or call loop.setDefaultExecutor()`,
  );
}

let loading: Promise<unknown> | null = null;

/** Loads `@aio/executors` once per process; it registers the default executor factory. */
function loadExecutorsPackage(): Promise<unknown> {
  loading ??= import(/* @vite-ignore */ EXECUTORS_PACKAGE).catch((err: unknown) => {
    loading = null; // a later call may find it installed
    throw err;
  });
  return loading;
}
