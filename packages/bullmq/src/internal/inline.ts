import { AsyncLocalStorage } from "node:async_hooks";
import { pathToFileURL } from "node:url";
import { _TRANSFER_BRAND, _WORKER_SLOT } from "@aio/executors";

/**
 * Running a job on the worker process's own thread (the default; the thread
 * pool is for abort mode, `threads: true` and shipped source).
 *
 * `jobSignal()` of `@aio/executors` reads the running job's signal from a
 * slot on `globalThis` under the registered symbol `_WORKER_SLOT` names (the
 * pool's worker threads install it). The first inline job installs one in
 * this thread: inside a job (tracked with `AsyncLocalStorage`) it returns the
 * job's signal; outside, whatever slot was there before (none on a main
 * thread: `jobSignal()` then returns a signal that never aborts).
 */

/** `@aio/executors`' worker slot key (a registered symbol: both packages name it alike). */
const WORKER_SLOT = Symbol.for(_WORKER_SLOT);
/** `@aio/executors`' brand of a `transfer()` marker (a job may return one). */
const TRANSFER = Symbol.for(_TRANSFER_BRAND);

interface WorkerSlot {
  signal(): AbortSignal | undefined;
}

/** A running inline job; its AbortController is made only if the job asks for its signal. */
interface Current {
  aborted: boolean;
  controller: AbortController | null;
}

const als = new AsyncLocalStorage<Current>();

/** The reason the pool's threads give, so a job sees the same error either way. */
function abortError(): Error {
  const reason = new Error("The job was cancelled");
  reason.name = "AbortError";
  return reason;
}

function signalOf(job: Current | undefined): AbortSignal | undefined {
  if (job === undefined) return undefined;
  if (job.controller === null) {
    job.controller = new AbortController();
    if (job.aborted) job.controller.abort(abortError());
  }
  return job.controller.signal;
}

function installSlot(): void {
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[WORKER_SLOT] as WorkerSlot | undefined;
  if ((previous as { inline?: boolean } | undefined)?.inline === true) return;
  const slot: WorkerSlot & { inline: true } = {
    inline: true,
    signal: () => signalOf(als.getStore()) ?? previous?.signal(),
  };
  g[WORKER_SLOT] = slot;
}

/**
 * Imports `mod` and returns its export `name` (the pool's worker threads
 * resolve a `moduleFunction()` the same way, with the same messages).
 *
 * @throws {TypeError} (rejects) when the export is missing or not a function.
 */
export async function importFunction(
  mod: string,
  name: string,
): Promise<(...args: unknown[]) => unknown> {
  const url = /^[a-z][a-z0-9+.-]+:/i.test(mod) ? mod : pathToFileURL(mod).href;
  const exports = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  const fn = exports[name];
  if (typeof fn !== "function") {
    const names = Object.keys(exports).join(", ") || "none";
    throw new TypeError(
      fn === undefined
        ? `module ${url} has no export "${name}" (its exports: ${names})`
        : `export "${name}" of module ${url} is not a function, received ${typeof fn}`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}

/** One job running inline: its outcome, and how to abort its signal. */
export interface InlineRun {
  /** The function's result (a `transfer()` marker unwrapped), or its error. */
  readonly result: Promise<unknown>;
  /** Aborts the job's `jobSignal()` with an `AbortError`. */
  abort(): void;
}

/**
 * Calls `fn(...args)` on this thread with its own `jobSignal()`.
 *
 * Invariant: the job's {@link Current} is the `AsyncLocalStorage` store of
 * everything the call starts, so `jobSignal()` finds it after any `await`.
 */
export function runInline(fn: (...args: unknown[]) => unknown, args: unknown[]): InlineRun {
  installSlot();
  const job: Current = { aborted: false, controller: null };
  const result = als.run(job, async () => unwrap(await fn(...args)));
  return {
    result,
    abort: () => {
      if (job.aborted) return;
      job.aborted = true;
      job.controller?.abort(abortError());
    },
  };
}

function unwrap(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === "object" &&
    (value as Record<symbol, unknown>)[TRANSFER] === true
  ) {
    return (value as { value: unknown }).value;
  }
  return value;
}
