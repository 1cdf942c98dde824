/**
 * The one place where @aio/executors tells the JavaScript runtimes apart
 * (Node 20+, Deno 2, Bun 1). Each difference is a named capability, decided
 * here and nowhere else; the pools and the worker source ask for it.
 */

/** The runtime this process runs on. */
export type RuntimeName = "node" | "deno" | "bun";

const g = globalThis as { Deno?: unknown; Bun?: unknown };

/** Which runtime: Deno and Bun announce themselves with a global. */
export const runtimeName: RuntimeName =
  g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";

/**
 * Whether the pool and a worker thread talk over a `MessageChannel` of their
 * own (the worker's end passed in `workerData`) instead of the worker's
 * `parentPort`. Both sides must be able to read the other's messages
 * synchronously (`receiveMessageOnPort`): the worker to see the cancellation
 * of its next job before starting it, the pool to read a reply before it
 * terminates a worker or reports its exit. Deno's `parentPort` and `Worker`
 * cannot be read that way (`The "port" argument must be a MessagePort
 * instance`); a channel's ports can, on every runtime. A separate port
 * gives no ordering with the worker's `exit` event, so the pool reads the
 * port synchronously before it reports the exit.
 */
export const ownPort: boolean = runtimeName === "deno";

/**
 * Whether a child's `process.send()` must check that a batch can be
 * serialized before sending it. Node and Bun throw at once for a value that
 * cannot be; Deno reports it later through the send callback, after the IPC
 * stream is already unusable — so there the worker tries `structuredClone`
 * first (one extra copy per batch, on Deno only).
 */
export const checkBeforeSend: boolean = runtimeName === "deno";

/** What the worker source is told about its runtime (see `workerSource`). */
export interface WorkerFeatures {
  ownPort: boolean;
  checkBeforeSend: boolean;
}

/** The capabilities above, for the worker source. */
export const workerFeatures: WorkerFeatures = { ownPort, checkBeforeSend };

/**
 * Keeps (or stops keeping) the process alive for a child's IPC channel.
 * Node needs both the child and its channel referenced; Bun's channel has no
 * `ref`/`unref` (the child handle decides alone).
 */
export function refChannel(channel: unknown, ref: boolean): void {
  const c = channel as { ref?: () => void; unref?: () => void } | null | undefined;
  const f = ref ? c?.ref : c?.unref;
  if (typeof f === "function") f.call(c);
}

/**
 * The command line of a child process running `source`, after the
 * runtime's own executable. Node and Bun take `-e`. Deno runs `-e` code
 * through `node:vm`, where `import()` fails (`A dynamic import callback was
 * not specified`), so module functions could not load: there the child is
 * `deno eval`, whose code can import, and `execArgv` holds Deno's own flags
 * (`--v8-flags=…`). The pool's pid comes last (see `watchParent`).
 */
export function childArgs(execArgv: readonly string[], source: string, pid: number): string[] {
  return runtimeName === "deno"
    ? ["eval", ...execArgv, source, "--", String(pid)]
    : [...execArgv, "-e", source, "--", String(pid)];
}

/**
 * Sends `signal` to a child process. Deno's `ChildProcess.kill()` closes the
 * child's IPC channel before the signal lands, so the child sees
 * `'disconnect'` first (and the pool's worker leaves on it) and a job's
 * `SIGTERM` handler never runs; there the signal goes by pid, as Node's
 * `kill()` sends it. A child already gone is not an error.
 */
export function killChild(
  child: { pid?: number | undefined; kill(signal: NodeJS.Signals): boolean },
  signal: NodeJS.Signals,
): void {
  if (runtimeName !== "deno" || child.pid === undefined) {
    child.kill(signal);
    return;
  }
  try {
    process.kill(child.pid, signal);
  } catch {
    // ESRCH: it exited meanwhile (its exit event reports it).
  }
}
