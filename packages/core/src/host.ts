/**
 * The one place where \@aio meets its host: Node, Deno, Bun or a browser.
 *
 * Every difference between runtimes that `core`, `loop`, `futures`, `sync`
 * and `debug` care about is decided here, once, by feature detection when
 * this module is evaluated — no static import of a Node built-in, so a
 * bundler targeting the browser (esbuild, Vite, Rollup) needs no shim and no
 * configuration. See `docs/design/runtimes.md` for the reasons.
 *
 * - Async context: `node:async_hooks` (Node, Deno 2 and Bun 1 all have it),
 *   reached through `process.getBuiltinModule()` at run time. Without it (a
 *   browser) a {@link SyncTaskContext} carries the current task through
 *   synchronous code only, and the task whose step the loop is waiting for
 *   stands in for it in promise jobs (see {@link _stepContext}).
 * - Host turns: `setImmediate` where the host has it, else a
 *   `MessageChannel` (an unclamped macrotask that lets input and rendering
 *   in between), else `setTimeout(0)`.
 * - Environment variables: `process.env` where there is one.
 */

import type { TaskLike } from "./interfaces.js";

/**
 * What \@aio needs of `AsyncLocalStorage`: the store of the code running now,
 * following promise continuations where the host can.
 * @internal
 */
export interface TaskContextStorage<T> {
  /** The store of the code running now, or undefined. */
  getStore(): T | undefined;
  /** Calls `fn(...args)` with `store` as the store. */
  run<R, A extends unknown[]>(store: T, fn: (...args: A) => R, ...args: A): R;
  /** Calls `fn(...args)` with no store. */
  exit<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): R;
  /** Makes `store` the store for the rest of the current synchronous scope (and, with async hooks, its continuations). */
  enterWith(store: T): void;
}

/**
 * What \@aio needs of `AsyncResource`: the async context captured when it is
 * made, re-entered by `runInAsyncScope`.
 * @internal
 */
export interface ContextScope {
  runInAsyncScope<R, This, A extends unknown[]>(
    fn: (this: This, ...args: A) => R,
    thisArg?: This,
    ...args: A
  ): R;
  emitDestroy(): unknown;
}

interface AsyncHooks {
  AsyncLocalStorage: new <T>() => TaskContextStorage<T>;
  AsyncResource: new (type: string, opts?: { requireManualDestroy?: boolean }) => ContextScope;
}

interface HostProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/** The host's `process`, when it has one that looks like Node's (Node, Deno 2, Bun). */
const hostProcess: HostProcess | undefined = (globalThis as { process?: HostProcess }).process;

function loadAsyncHooks(): AsyncHooks | undefined {
  try {
    const mod = hostProcess?.getBuiltinModule?.("node:async_hooks") as AsyncHooks | undefined;
    return typeof mod?.AsyncLocalStorage === "function" ? mod : undefined;
  } catch {
    return undefined;
  }
}

const asyncHooks = loadAsyncHooks();

/**
 * True when the task context follows promise continuations (the host has
 * `AsyncLocalStorage`): an `async`-function task is found in every promise
 * job of its code. False in a browser: see {@link _stepContext}.
 * @internal
 */
export const _contextPropagates: boolean = asyncHooks !== undefined;

// ----- the fallback: a synchronous context ------------------------------------

/** No explicit store: `getStore()` answers with the stepping task. */
const UNSET: unique symbol = Symbol("unset");
let current: unknown = UNSET;
/** The tasks whose steps the loop waits for (see `_stepContext`). */
const inFlight = new Set<TaskLike<unknown>>();
/** The one task in `inFlight`, or null when there are none or several (promise jobs cannot be told apart). */
let stepping: TaskLike<unknown> | null = null;

function updateStepping(): void {
  stepping = inFlight.size === 1 ? (inFlight.values().next().value ?? null) : null;
}

/**
 * `AsyncLocalStorage` for hosts without async hooks: `run()` and
 * `enterWith()` hold for synchronous code only. Outside any such scope the
 * store is the task whose step the loop is waiting for (a step of an `async`
 * function runs in promise jobs right after the loop callback that resumed
 * it). There is one such storage per process: the task context.
 * @internal
 */
export class SyncTaskContext<T> implements TaskContextStorage<T> {
  getStore(): T | undefined {
    if (current !== UNSET) return current as T | undefined;
    return (stepping ?? undefined) as T | undefined;
  }

  run<R, A extends unknown[]>(store: T, fn: (...args: A) => R, ...args: A): R {
    const prev = current;
    current = store;
    try {
      return fn(...args);
    } finally {
      current = prev;
    }
  }

  exit<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): R {
    return this.run(undefined as T, fn, ...args);
  }

  enterWith(store: T): void {
    current = store;
  }
}

/** `AsyncResource` for hosts without async hooks: re-enters the synchronous store it was made in. */
class SyncContextScope implements ContextScope {
  readonly #store = current;

  runInAsyncScope<R, This, A extends unknown[]>(
    fn: (this: This, ...args: A) => R,
    thisArg?: This,
    ...args: A
  ): R {
    const prev = current;
    current = this.#store;
    try {
      return fn.apply(thisArg as This, args);
    } finally {
      current = prev;
    }
  }

  emitDestroy(): this {
    return this;
  }
}

/**
 * A new task-context storage: `AsyncLocalStorage` where the host has it.
 * @returns the storage.
 * @internal
 */
export function _newTaskContext<T>(): TaskContextStorage<T> {
  return asyncHooks !== undefined
    ? new asyncHooks.AsyncLocalStorage<T>()
    : new SyncTaskContext<T>();
}

/**
 * The base class of a task's captured context: `AsyncResource` where the
 * host has it, else a scope that re-enters the synchronous store.
 * @internal
 */
export const _ContextScope: new (
  type: string,
  opts?: { requireManualDestroy?: boolean },
) => ContextScope = asyncHooks?.AsyncResource ?? SyncContextScope;

/**
 * Step attribution for hosts without async hooks. A task implementation
 * reports when the loop starts waiting for a task's step (`started`) and when
 * that step reached its next \@aio await or finished (`ended`); in between,
 * promise jobs outside any synchronous scope are taken to be that task's
 * code. While two or more steps are in flight, nothing is attributed. Every host
 * turn (see {@link _setImmediate}) forgets the stepping task: a step still in
 * flight then waits on a foreign promise, and its code is no longer known.
 * With async hooks these are never called.
 * @internal
 */
export const _stepContext = {
  started(task: TaskLike<unknown>): void {
    inFlight.add(task);
    updateStepping();
  },
  ended(task: TaskLike<unknown>): void {
    if (inFlight.delete(task)) updateStepping();
  },
  /** Forgets the steps in flight (a host turn came). */
  reset(): void {
    inFlight.clear();
    stepping = null;
  },
};

// ----- host turns ---------------------------------------------------------------

type Immediate = { cb: (() => void) | null };

/** How many host turns the fallback scheduler delivered (see `_hostTurnCount`). */
let hostTurns = 0;

/**
 * How many host turns `_setImmediate`'s fallback (a `MessageChannel`) has
 * delivered; 0 where the host has `setImmediate`. Lets a test tell loop
 * slices apart in a browser.
 * @returns the count.
 * @internal
 */
export function _hostTurnCount(): number {
  return hostTurns;
}

/**
 * A `setImmediate` for hosts without one: a `MessageChannel` message (not
 * clamped like nested `setTimeout(0)`, and the browser runs input events and
 * rendering between two of them), falling back to `setTimeout(0)`. Callbacks
 * queued while a batch runs wait for the next turn, as with `setImmediate`.
 */
function makeImmediate(): {
  set: (cb: () => void) => Immediate;
  clear: (token: Immediate) => void;
} {
  let queue: Immediate[] = [];
  let post: () => void;
  const flush = (): void => {
    const batch = queue;
    queue = [];
    hostTurns++;
    _stepContext.reset();
    for (const item of batch) {
      const cb = item.cb;
      if (cb === null) continue;
      item.cb = null;
      cb();
    }
  };
  if (typeof MessageChannel === "function") {
    const channel = new MessageChannel();
    // Setting `onmessage` (a browser's MessagePort) also starts the port.
    (channel.port1 as unknown as { onmessage: () => void }).onmessage = flush;
    post = () => channel.port2.postMessage(null);
  } else {
    post = () => setTimeout(flush, 0);
  }
  return {
    // Plain functions (no `this`): they become `_setImmediate`/`_clearImmediate` as they are.
    set: (cb) => {
      const item: Immediate = { cb };
      if (queue.push(item) === 1) post();
      return item;
    },
    clear: (token) => {
      token.cb = null;
    },
  };
}

const nativeSetImmediate = (globalThis as { setImmediate?: (cb: () => void) => unknown })
  .setImmediate;
const nativeClearImmediate = (globalThis as { clearImmediate?: (token: unknown) => void })
  .clearImmediate;
const fallbackImmediate =
  typeof nativeSetImmediate === "function" && typeof nativeClearImmediate === "function"
    ? null
    : makeImmediate();

/**
 * Runs `cb` in a later host turn, after I/O, input and (in a browser)
 * rendering had their chance: `setImmediate` where the host has it, else a
 * `MessageChannel` message.
 * @param cb - the callback.
 * @returns a token for {@link _clearImmediate}; where it has `unref()`, that keeps it from holding the process open.
 * @internal
 */
export const _setImmediate: (cb: () => void) => unknown =
  fallbackImmediate === null
    ? (nativeSetImmediate as (cb: () => void) => unknown)
    : fallbackImmediate.set;

/**
 * Cancels a callback scheduled with {@link _setImmediate}.
 * @param token - what `_setImmediate` returned.
 * @internal
 */
export const _clearImmediate: (token: unknown) => void =
  fallbackImmediate === null
    ? (nativeClearImmediate as (token: unknown) => void)
    : (fallbackImmediate.clear as (token: unknown) => void);

/**
 * An environment variable, or undefined where the host has none (a browser)
 * or does not allow reading it (Deno without `--allow-env`).
 * @param name - the variable.
 * @returns its value.
 * @internal
 */
export function _env(name: string): string | undefined {
  try {
    return hostProcess?.env?.[name];
  } catch {
    return undefined;
  }
}
