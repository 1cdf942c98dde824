import { spawn } from "node:child_process";
import { describeValue } from "@aio/core";
import { childArgs, killChild, refChannel } from "./internal/runtime.js";
import type { WorkerChannel, WorkerEvents } from "./internal/slot.js";
import { workerSource } from "./internal/worker-main.js";
import { PoolExecutor, type PoolExecutorOptions } from "./pool-executor.js";

/**
 * Options of {@link ProcessPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { ProcessPoolExecutorOptions } from "@aio/executors";
 * const opts: ProcessPoolExecutorOptions = { maxWorkers: 2, execArgv: ["--max-old-space-size=256"] };
 * ```
 */
export interface ProcessPoolExecutorOptions extends PoolExecutorOptions {
  /** Node options of each child; default `process.execArgv` (so loaders such as tsx carry over). */
  execArgv?: readonly string[];
  /** Environment of each child; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * A child that has been sent this many jobs takes no more; once they are
   * done it exits and a fresh child replaces it when jobs are waiting
   * (asyncio 3.11 `max_tasks_per_child`: bounds leaks in long-lived
   * workers). An integer >= 1; default `null`, no limit.
   */
  maxTasksPerChild?: number | null;
}

const PROCESS_SOURCE = workerSource("process");
// How long (ms) an exited child's IPC channel may stay open before its exit is reported anyway.
const EXIT_DRAIN_MS = 1_000;
// A child asked to exit that has not gone after this long (ms) is killed.
const CLOSE_KILL_DELAY = 5_000;

/**
 * A pool of child processes (`concurrent.futures.ProcessPoolExecutor`): like
 * {@link ThreadPoolExecutor}, with each worker in its own Node process — own
 * heap, own crash domain, killable with signals. Messages go over an IPC
 * channel with Node's `advanced` serialization (structured clone; buffers are
 * copied, not transferred). Slower to start and to talk to than threads: use
 * it for isolation, for code that must not share the process, or for work
 * that calls `process.exit`/`process.chdir`.
 *
 * A child never outlives its parent by more than about 100 ms, whatever its
 * job does: it leaves when its IPC channel closes, and a watchdog thread in
 * the child kills it if the parent is gone while a job keeps the child's
 * main thread busy.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { ProcessPoolExecutor } from "@aio/executors";
 * await run(async () => {
 *   await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 *   const sum = (n: number) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s; };
 *   console.log(await pool.submit(sum, 1_000_000)); // 499999500000
 * });
 * ```
 */
export class ProcessPoolExecutor extends PoolExecutor {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "ProcessPoolExecutor";
  }

  readonly #execArgv: string[];
  readonly #env: NodeJS.ProcessEnv | undefined;
  /** @internal */
  protected readonly _canTransfer = false;
  /** @internal */
  protected readonly _workerNoun = "worker process";

  /**
   * @param options - see {@link ProcessPoolExecutorOptions}.
   * @throws {TypeError} for options of the wrong type (a non-number duration
   *   too), or an initializer that cannot be shipped.
   * @throws {ValueError} when `maxWorkers` or `maxTasksPerChild` is not an integer >= 1.
   * @throws {RangeError} for other out-of-range options.
   */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    super("ProcessPoolExecutor", options, true);
    const execArgv = options.execArgv ?? process.execArgv;
    if (!Array.isArray(execArgv) || !execArgv.every((a) => typeof a === "string")) {
      throw new TypeError(
        `ProcessPoolExecutor execArgv must be an array of strings, received ${describeValue(execArgv)}`,
      );
    }
    const env = options.env;
    if (env !== undefined && (typeof env !== "object" || env === null)) {
      throw new TypeError(
        `ProcessPoolExecutor env must be an object, received ${describeValue(env)}`,
      );
    }
    this.#execArgv = [...execArgv];
    this.#env = env;
  }

  /** @internal */
  protected _spawn(events: WorkerEvents): WorkerChannel {
    // The child's watchdog compares its parent with this pid (see worker-main.ts).
    const args = childArgs(this.#execArgv, PROCESS_SOURCE, process.pid);
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
      ...(this.#env === undefined ? {} : { env: this.#env }),
    });
    let exited = false;
    child.on("message", (batch: unknown[]) => events.message(batch));
    child.on("error", (err) => events.error(err));
    child.on("exit", (code, signal) => {
      exited = true;
      // The exit can be seen before the last replies are read off the IPC
      // channel; they would be lost, and the pool would blame the death on a
      // job that had finished. Report it once the channel has ended (its
      // buffered messages delivered), or after EXIT_DRAIN_MS if a grandchild
      // keeps the channel open.
      if (!child.connected) {
        events.exit(code, signal);
        return;
      }
      let reported = false;
      const report = (): void => {
        if (reported) return;
        reported = true;
        clearTimeout(timer);
        events.exit(code, signal);
      };
      const timer = setTimeout(report, EXIT_DRAIN_MS);
      child.once("disconnect", report);
    });
    // An IPC channel whose other end vanished can emit errors; the exit event reports the death.
    child.channel?.on?.("error", () => {});
    return {
      id: child.pid ?? -1,
      send: (batch) => {
        if (child.connected) child.send(batch);
      },
      terminate: (signal = "SIGKILL") => {
        if (!exited) killChild(child, signal);
      },
      close: () => {
        if (exited) return;
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => {
          if (!exited) killChild(child, "SIGKILL");
        }, CLOSE_KILL_DELAY);
        timer.unref();
        child.once("exit", () => clearTimeout(timer));
      },
      ref: () => {
        child.ref();
        refChannel(child.channel, true);
      },
      unref: () => {
        child.unref();
        refChannel(child.channel, false);
      },
    };
  }
}
