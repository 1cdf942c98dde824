/**
 * The internal contract between \@aio's packages: every symbol, item shape and
 * internal interface that one package reads from another's objects, declared
 * once here and imported from here (under `_`-prefixed names, like
 * `_getRunningLoop`). Nothing here is for users; a package that wants to
 * reach another package's object by a `_field` or a `Symbol.for` key adds it
 * here first (a test in core fails otherwise).
 *
 * Who uses what (see CONTRIBUTING.md for the map):
 * - `@aio/loop` implements the step protocol and runs {@link ReadyItem}s;
 * - `@aio/futures` calls the step protocol, schedules its tasks and waiters
 *   as ready items, implements {@link TaskInternals} and marks tasks and
 *   await-graph futures with {@link kTaskBrand} and {@link kAwaits};
 * - `@aio/core` reads {@link TaskInternals._isGenerator} (`_inGeneratorStep()`);
 * - `@aio/debug` reads {@link TaskInternals._futWaiter}, {@link kTaskBrand},
 *   {@link kAwaits} and a ready item's `_callback`;
 * - every package's classes declare {@link NamedClass._className}, which
 *   core reads for reprs;
 * - `@aio/executors` marks module functions with {@link kModuleRef}, which
 *   `@aio/bullmq` reads.
 *
 * Keys are registered (`Symbol.for`), so two installed copies of a package
 * still understand each other.
 *
 * @module
 */
import type { EventLoop, FutureLike, TaskLike } from "./interfaces.js";

// ----- the step protocol (futures → loop) ------------------------------------
//
// A task step that was resumed by a loop callback continues in promise jobs
// after that callback returns. A loop that implements these methods waits for
// the step to end (the task awaits an @aio awaitable again, or finishes)
// before it runs the next callback, so steps and callbacks interleave in
// exactly asyncio's order. A loop without them still works; it just runs the
// next callbacks while the step's promise jobs are pending.

/** Loop method: a callback of this loop resumed `task`; wait for its step to end. */
export const kStepStarted: unique symbol = Symbol.for("@aio/loop.stepStarted") as never;
/** Loop method: `task`'s step ended (`sync`: called from a promise job with nothing after it). */
export const kStepEnded: unique symbol = Symbol.for("@aio/loop.stepEnded") as never;
/** Loop method: schedule a {@link ReadyItem} like `callSoon`, without a Handle. */
export const kScheduleItem: unique symbol = Symbol.for("@aio/loop.scheduleItem") as never;
/** The `_args` marker of a {@link ReadyItem}: the loop runs it as `_callback(item)`. */
export const SELF: unique symbol = Symbol.for("@aio/loop.self") as never;

/**
 * An entry of a loop's ready queue: a `Handle`, or an object of another
 * package with the Handle's shape (a task waiting for its first step, a
 * Future's waiter) whose `_args` is {@link SELF}: the loop runs it as
 * `_callback(item)`, so scheduling it allocates nothing. `_callback` is null
 * once the item is cancelled.
 */
export interface ReadyItem {
  /** What the loop calls; null once cancelled. */
  _callback: ((...args: any[]) => unknown) | null;
  /** The arguments of a Handle, or {@link SELF}: call `_callback(item)`. */
  _args: unknown[] | null | typeof SELF;
  /** Makes the loop skip the item (sets `_callback` to null). */
  cancel(): void;
  /** True once cancelled. */
  cancelled(): boolean;
  /**
   * How the exception handler names the item's callback (`explode()` in
   * "Exception in callback explode()"); a Handle's own, or a done
   * callback's item naming the user's function.
   */
  _callbackRepr?(): string;
}

/** A loop that takes part in the step protocol (every method optional). */
export interface StepAwareLoop extends EventLoop {
  /** A callback of this loop resumed `task`: wait for its step to end before the next callback. */
  [kStepStarted]?(task: TaskLike<unknown>): void;
  /** `task` reached its next await or finished (`sync`: the caller does nothing after this call). */
  [kStepEnded]?(task: TaskLike<unknown>, sync: boolean): void;
  /** Schedules `item` like `callSoon`, without a Handle. */
  [kScheduleItem]?(item: ReadyItem): void;
}

// ----- tasks and the await graph (futures → core, debug) ---------------------

/** Set (true) on the prototype of `@aio/futures`' Task: "this is an \@aio Task". */
export const kTaskBrand: unique symbol = Symbol.for("@aio/futures.Task") as never;

/**
 * A future that stands for other futures (a gather, a task group's exit, a
 * shield, a wait) lists them under this key, so tools can draw the await
 * graph (asyncio 3.14's `future_add_to_awaited_by`).
 */
export const kAwaits: unique symbol = Symbol.for("@aio/futures.awaits") as never;

/** What other packages read from an \@aio Task (implemented by `@aio/futures`' Task). */
export interface TaskInternals extends TaskLike<unknown> {
  /**
   * The \@aio future the task is suspended on (asyncio `_fut_waiter`); null
   * while it runs, is scheduled, or waits on a foreign promise.
   */
  _futWaiter: FutureLike<unknown> | null;
  /** True for a task that drives a generator (`function*`, asyncio's coroutine protocol). */
  _isGenerator: boolean;
}

// ----- class names (every package → core) ------------------------------------

/**
 * An \@aio class that names itself: a minifier renames classes, so each
 * class declares its name in a `_className` getter, and core's
 * `_className()` reads it for reprs and messages (a user's subclass, which
 * declares none, shows its own `constructor.name`).
 */
export interface NamedClass {
  /** The class's name as its source writes it (`"Future"`, `"Queue"`, …). */
  readonly _className: string;
}

// ----- module functions (executors → bullmq) ----------------------------------

/**
 * Set on a function made by `@aio/executors`' `moduleFunction()`: the module
 * URL and export name it stands for ({@link ModuleRef}). `@aio/bullmq` reads
 * it to send the function over the network by name.
 */
export const kModuleRef: unique symbol = Symbol.for("@aio/executors.moduleRef") as never;

/** What {@link kModuleRef} holds: a module URL and an export name. */
export interface ModuleRef {
  /** The module's URL (`file:` or another scheme the worker can import). */
  mod: string;
  /** The export to call. */
  name: string;
}

// ----- where a generator task waits (futures → debug) ------------------------

/** Debug mode: the stack of a generator task's code when it yielded `future`. */
export interface SuspensionSite {
  /** The future yielded: the site is current while it is the task's `_futWaiter`. */
  readonly future: FutureLike<unknown>;
  /** `new Error().stack` taken inside the `yield*`, so it holds the user's generator frames. */
  readonly stack: string;
}

const SITES_KEY = Symbol.for("@aio/core.suspensionSites.v1");

/**
 * Where each generator task's code last yielded, recorded by `@aio/futures`
 * only in debug mode (one `Error` per suspension) and read by `@aio/debug`'s
 * call graphs: a suspended generator's frames cannot be read any other way.
 * Shared on `globalThis`, like the runtime state, by every copy of core.
 */
export const suspensionSites: WeakMap<TaskLike<unknown>, SuspensionSite> = ((
  globalThis as { [SITES_KEY]?: WeakMap<TaskLike<unknown>, SuspensionSite> }
)[SITES_KEY] ??= new WeakMap());
