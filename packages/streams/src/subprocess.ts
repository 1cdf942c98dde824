import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import {
  _checkInteger,
  _checkOptions,
  describeValue,
  type EventLoop,
  type FutureLike,
  getRunningLoop,
  getRuntime,
  type TaskLike,
  ValueError,
} from "@aio/core";
import { waitEvent } from "./internal/wait-event.js";
import { checkLimit, StreamReader } from "./stream-reader.js";
import { fromWritable, type StreamWriter } from "./stream-writer.js";

const rt = getRuntime();

/** Connect the child's stream to a pipe: `process.stdin` / `stdout` / `stderr` become a writer / readers. */
export const PIPE = "pipe";
/** Connect the child's stream to the null device. */
export const DEVNULL = "devnull";
/** For `stderr` only: send the child's stderr to the same reader as its stdout (`process.stderr` is then null). */
export const STDOUT = "stdout";
/** Let the child use this process's stream (the default, asyncio's `None`). */
export const INHERIT = "inherit";

/**
 * Where a child's standard stream goes: {@link PIPE}, {@link DEVNULL},
 * {@link INHERIT} (or `null`/omitted), a file descriptor number, and for
 * `stderr` also {@link STDOUT}.
 */
export type StdioOption = typeof PIPE | typeof DEVNULL | typeof INHERIT | null | number;

/** Options of {@link createSubprocessExec} and {@link createSubprocessShell}. */
export interface SubprocessOptions {
  /** The child's stdin (default: inherit). */
  stdin?: StdioOption;
  /** The child's stdout (default: inherit). */
  stdout?: StdioOption;
  /** The child's stderr (default: inherit); {@link STDOUT} merges it into stdout. */
  stderr?: StdioOption | typeof STDOUT;
  /** The working directory. */
  cwd?: string;
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The readers' buffer limit in bytes (default 64 KiB). */
  limit?: number;
}

function mapStdio(name: string, value: unknown): "pipe" | "ignore" | "inherit" | number {
  if (value === undefined || value === null || value === INHERIT) return "inherit";
  if (value === PIPE) return "pipe";
  if (value === DEVNULL) return "ignore";
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new TypeError(
    `${name} must be PIPE, DEVNULL, INHERIT, null or a file descriptor${name === "stderr" ? " or STDOUT" : ""}, received ${describeValue(value)}`,
  );
}

/** Feeds one reader from one or more Node readables (two for `stderr: STDOUT`), with flow control. */
function feedReader(reader: StreamReader, sources: Readable[]): void {
  let open = sources.length;
  for (const src of sources) {
    src.on("data", (chunk: Buffer) => {
      if (!reader.atEof()) reader.feedData(chunk);
    });
    src.on("end", () => {
      if (--open === 0) reader.feedEof();
    });
    src.on("error", (err) => reader.setException(err));
  }
  reader.setTransport({
    pauseReading: () => {
      for (const s of sources) s.pause();
    },
    resumeReading: () => {
      for (const s of sources) s.resume();
    },
  });
}

function isPipeClosedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "EPIPE" || code === "ECONNRESET" || code === "ERR_STREAM_DESTROYED";
}

/** `Process` itself, for its static methods (set in its static block, see there). */
let ProcessClass: typeof Process;

/**
 * A child process started by {@link createSubprocessExec} or
 * {@link createSubprocessShell} (asyncio `asyncio.subprocess.Process`).
 *
 * Invariant: `returncode` is `null` until the child exits, then its exit
 * code, or `-N` when signal N killed it (as asyncio); `wait()` resolves once
 * the child has exited and its stdout/stderr pipes are closed.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createSubprocessExec, PIPE } from "@aio/streams";
 * await run(async () => {
 *   const proc = await createSubprocessExec("echo", ["hi"], { stdout: PIPE });
 *   const [out] = await proc.communicate();
 *   console.log(String(out), proc.returncode); // "hi\n" 0
 * });
 * ```
 */
export class Process {
  static {
    // biome-ignore lint/complexity/noThisInStatic: a class that names itself in its body is renamed in the bundle (`class _Process`), and its `name` with it.
    ProcessClass = this;
  }

  readonly #child: ChildProcess;
  readonly #loop: EventLoop;
  #returncode: number | null = null;
  #closed = false;
  #waiters = new Set<FutureLike<void>>();
  /** The child's stdin, when it is {@link PIPE}. */
  readonly stdin: StreamWriter | null;
  /** The child's stdout (with stderr too for `stderr: STDOUT`), when it is {@link PIPE}. */
  readonly stdout: StreamReader | null;
  /** The child's stderr, when it is {@link PIPE}. */
  readonly stderr: StreamReader | null;

  private constructor(child: ChildProcess, loop: EventLoop, limit: number, mergeStderr: boolean) {
    this.#child = child;
    this.#loop = loop;
    this.stdin = child.stdin === null ? null : fromWritable(child.stdin);
    let stdout: StreamReader | null = null;
    let stderr: StreamReader | null = null;
    const outSources = [child.stdout, mergeStderr ? child.stderr : null].filter(
      (s): s is Readable => s !== null,
    );
    if (outSources.length !== 0) {
      stdout = new StreamReader({ limit, loop });
      feedReader(stdout, outSources);
    }
    if (!mergeStderr && child.stderr !== null) {
      stderr = new StreamReader({ limit, loop });
      feedReader(stderr, [child.stderr]);
    }
    this.stdout = stdout;
    this.stderr = stderr;
    child.on("exit", (code, signal) => {
      this.#returncode = code ?? (signal === null ? null : -(constants.signals[signal] ?? 0));
    });
    child.on("close", (code, signal) => {
      if (this.#returncode === null) {
        this.#returncode = code ?? (signal === null ? 0 : -(constants.signals[signal] ?? 0));
      }
      this.#closed = true;
      for (const w of this.#waiters) {
        if (!w.done()) {
          try {
            w.setResult(undefined);
          } catch {
            // the waiter's loop is closed
          }
        }
      }
      this.#waiters.clear();
    });
  }

  /** @internal Spawns and waits for the `'spawn'` event. */
  static async _spawn(
    where: string,
    file: string,
    args: readonly string[],
    shell: boolean,
    options: SubprocessOptions,
  ): Promise<Process> {
    const limit = checkLimit(where, options.limit);
    if (options.cwd !== undefined && typeof options.cwd !== "string") {
      throw new TypeError(`${where} cwd must be a string, received ${describeValue(options.cwd)}`);
    }
    if (options.env !== undefined && (typeof options.env !== "object" || options.env === null)) {
      throw new TypeError(`${where} env must be an object, received ${describeValue(options.env)}`);
    }
    const stdio = [
      mapStdio("stdin", options.stdin),
      mapStdio("stdout", options.stdout),
      options.stderr === STDOUT ? "pipe" : mapStdio("stderr", options.stderr),
    ] as const;
    const merge = options.stderr === STDOUT;
    if (merge && stdio[1] !== "pipe") {
      throw new TypeError(`${where} stderr: STDOUT needs stdout: PIPE`);
    }
    const loop = getRunningLoop();
    const child = rt.taskContext.exit(() =>
      spawn(file, [...args], {
        stdio: [...stdio],
        shell,
        windowsHide: true,
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      }),
    );
    const proc = new ProcessClass(child, loop, limit, merge);
    child.on("error", () => {
      // reported by 'spawn' failure below, or by kill(); never crash the process
    });
    await waitEvent(loop, child, "spawn", null, "", () => {
      child.kill("SIGKILL");
    });
    return proc;
  }

  /**
   * The child's process id.
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("true");
   * console.log(proc.pid > 0); // true
   * ```
   */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /**
   * The exit status: `null` while running, the exit code, or `-N` when killed by signal N.
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("false");
   * await proc.wait();
   * console.log(proc.returncode); // 1
   * ```
   */
  get returncode(): number | null {
    return this.#returncode;
  }

  /**
   * Waits for the child to exit (asyncio `wait`). With `stdout: PIPE` and a
   * child writing a lot, read the output (or use `communicate()`), else the
   * child blocks on a full pipe — as in asyncio.
   * @returns the return code.
   * @throws {CancelledError} when the task is cancelled while waiting (the child keeps running).
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("sleep", ["0.1"]);
   * console.log(await proc.wait()); // 0
   * ```
   */
  async wait(): Promise<number> {
    if (!this.#closed) {
      const waiter = this.#loop.createFuture<void>();
      this.#waiters.add(waiter);
      try {
        await waiter;
      } finally {
        this.#waiters.delete(waiter);
      }
    }
    return this.#returncode!;
  }

  /**
   * Sends `input` to stdin (then closes it), reads stdout and stderr to EOF
   * concurrently, and waits for the child (asyncio `communicate`). Reading
   * and writing run in parallel tasks, so large outputs never deadlock. A
   * child that exits without reading its input is not an error.
   * @param input - bytes or a string for stdin (needs `stdin: PIPE`).
   * @returns `[stdout, stderr]`, each `null` unless it was {@link PIPE}.
   * @throws {TypeError} when `input` is neither a Uint8Array, a string nor undefined.
   * @throws {CancelledError} when cancelled; the helper tasks are cancelled too.
   * @example
   * ```ts
   * import { createSubprocessExec, PIPE } from "@aio/streams";
   * const proc = await createSubprocessExec("cat", [], { stdin: PIPE, stdout: PIPE });
   * const [out] = await proc.communicate("hello");
   * console.log(String(out)); // "hello"
   * ```
   */
  async communicate(input?: Uint8Array | string): Promise<[Buffer | null, Buffer | null]> {
    if (input !== undefined && typeof input !== "string" && !(input instanceof Uint8Array)) {
      throw new TypeError(
        `communicate() input must be a Uint8Array, a string or undefined, received ${describeValue(input)}`,
      );
    }
    const loop = this.#loop;
    const stdin = this.stdin;
    const stdout = this.stdout;
    const stderr = this.stderr;
    const tasks: (TaskLike<unknown> | null)[] = [
      stdin === null ? null : loop.createTask(() => feedStdin(stdin, input)),
      stdout === null ? null : loop.createTask(() => stdout.read()),
      stderr === null ? null : loop.createTask(() => stderr.read()),
    ];
    const results: unknown[] = [];
    try {
      for (const t of tasks) results.push(t === null ? null : await t);
    } catch (err) {
      for (const t of tasks) t?.cancel();
      throw err;
    }
    await this.wait();
    return [results[1] as Buffer | null, results[2] as Buffer | null];
  }

  /**
   * Sends a signal to the child (asyncio `send_signal`); does nothing once it has exited.
   * @param signal - a signal name (`"SIGINT"`) or number.
   * @throws {TypeError} when `signal` is neither a string nor a number.
   * @throws {ValueError} when `signal` is an unknown name or not an integer 0–64.
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("sleep", ["10"]);
   * proc.sendSignal("SIGINT");
   * console.log(await proc.wait()); // -2
   * ```
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    if (typeof signal === "string") {
      if (!Object.hasOwn(constants.signals, signal)) {
        throw new ValueError(
          `sendSignal() signal must be a signal name such as "SIGTERM", received ${describeValue(signal)}`,
        );
      }
    } else if (typeof signal !== "number") {
      throw new TypeError(
        `sendSignal() signal must be a signal name or number, received ${describeValue(signal)}`,
      );
    } else {
      _checkInteger("sendSignal()", "signal", signal, { min: 0, max: 64, rangeError: ValueError });
    }
    if (this.#returncode !== null) return;
    this.#child.kill(signal);
  }

  /**
   * Sends `SIGTERM` (asyncio `terminate`).
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("sleep", ["10"]);
   * proc.terminate();
   * console.log(await proc.wait()); // -15
   * ```
   */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /**
   * Sends `SIGKILL` (asyncio `kill`).
   * @example
   * ```ts
   * import { createSubprocessExec } from "@aio/streams";
   * const proc = await createSubprocessExec("sleep", ["10"]);
   * proc.kill();
   * console.log(await proc.wait()); // -9
   * ```
   */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /**
   * `<Process 1234>`, or `<Process 1234 returncode=0>` once exited.
   * @returns the description.
   */
  toString(): string {
    return `<Process ${this.pid}${this.#returncode === null ? "" : ` returncode=${this.#returncode}`}>`;
  }

  /** @returns `"Process"`. */
  get [Symbol.toStringTag](): string {
    return "Process";
  }

  /** @returns the same as {@link Process.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** asyncio `Process._feed_stdin`: a child that closed its stdin early is not an error. */
async function feedStdin(
  stdin: StreamWriter,
  input: Uint8Array | string | undefined,
): Promise<void> {
  try {
    if (input !== undefined && input.length !== 0) {
      stdin.write(input);
      await stdin.drain();
    }
  } catch (err) {
    if (!isPipeClosedError(err)) throw err;
  }
  stdin.close();
}

/**
 * Runs `program` with `args` — no shell, so arguments are never
 * interpreted (asyncio `create_subprocess_exec`).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param program - the executable (looked up in `PATH`).
 * @param args - its arguments.
 * @param options - `stdin`, `stdout`, `stderr` ({@link PIPE}, {@link DEVNULL}, {@link INHERIT}, {@link STDOUT}), `cwd`, `env`, `limit`.
 * @returns the running {@link Process}.
 * @throws {TypeError} when `program` is not a non-empty string, `args` not an array of strings,
 *   `options` not an object, or an option (stdio, `cwd`, `env`, `limit`) has the wrong type.
 * @throws {ValueError} when `limit` is not an integer > 0.
 * @throws the Node error when the program cannot be started (code `ENOENT`, `EACCES`).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createSubprocessExec, PIPE } from "@aio/streams";
 * await run(async () => {
 *   const proc = await createSubprocessExec("ls", ["-l"], { stdout: PIPE });
 *   for await (const line of proc.stdout!) console.log(String(line).trimEnd());
 *   await proc.wait();
 * });
 * ```
 */
export async function createSubprocessExec(
  program: string,
  args: readonly string[] = [],
  options?: SubprocessOptions,
): Promise<Process> {
  if (typeof program !== "string" || program.length === 0) {
    throw new TypeError(
      `createSubprocessExec() program must be a non-empty string, received ${describeValue(program)}`,
    );
  }
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) {
    throw new TypeError(
      `createSubprocessExec() args must be an array of strings, received ${describeValue(args)}`,
    );
  }
  const where = "createSubprocessExec()";
  return Process._spawn(where, program, args, false, _checkOptions(where, options));
}

/**
 * Runs `cmd` through the shell (`/bin/sh -c`; asyncio
 * `create_subprocess_shell`) — the only function here that uses a shell.
 * Quote anything that comes from users.
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param cmd - the shell command line.
 * @param options - as {@link createSubprocessExec}.
 * @returns the running {@link Process}.
 * @throws {TypeError} when `cmd` is not a non-empty string, or an option has the wrong type (as {@link createSubprocessExec}).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createSubprocessShell, PIPE } from "@aio/streams";
 * await run(async () => {
 *   const proc = await createSubprocessShell("echo $HOME | wc -c", { stdout: PIPE });
 *   const [out] = await proc.communicate();
 * });
 * ```
 */
export async function createSubprocessShell(
  cmd: string,
  options?: SubprocessOptions,
): Promise<Process> {
  if (typeof cmd !== "string" || cmd.length === 0) {
    throw new TypeError(
      `createSubprocessShell() cmd must be a non-empty string, received ${describeValue(cmd)}`,
    );
  }
  const where = "createSubprocessShell()";
  return Process._spawn(where, cmd, [], true, _checkOptions(where, options));
}
