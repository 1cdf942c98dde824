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
 * Whether a worker thread can read its parent port synchronously
 * (`receiveMessageOnPort(parentPort)`): it lets a worker see the
 * cancellation of its next job before starting it without yielding. Deno's
 * `parentPort` is not a `MessagePort` there; the worker then sees
 * cancellations when it next yields, which only makes a cancelled job that
 * was sent ahead more likely to run (its result is discarded all the same).
 */
export const syncPortPoll: boolean = runtimeName !== "deno";

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
  syncPortPoll: boolean;
  checkBeforeSend: boolean;
}

/** The capabilities above, for the worker source. */
export const workerFeatures: WorkerFeatures = { syncPortPoll, checkBeforeSend };

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
