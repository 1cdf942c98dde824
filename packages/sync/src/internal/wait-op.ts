import { _getRunningLoop, _inGeneratorStep, type FutureLike, RuntimeError } from "@aio/core";
import { Hold } from "../hold.js";
import type { Waitable } from "../waitable.js";
import { RESOLVED_TRUE, RESOLVED_VOID, signalOf, type WaitOptions, waitOn } from "./waiting.js";

/**
 * How one kind of wait (`Lock.acquire()`, `Queue.get()`…) runs: the three
 * parts of the asyncio coroutine it ports — the code before `await fut`, the
 * code after it, and its `except`/`finally`. This is the only definition of
 * the wait: a generator task runs it as a {@link WaitOp} (`yield*`), and
 * everything else through {@link runWait}, the promise driver, so the two
 * forms cannot drift apart.
 */
export interface WaitKind<O, R> {
  /**
   * The code before the `await`: finish at once with `op.now(value)` (the
   * synchronous fast path), or register a waiter future and hand it over
   * with `op.waitFor(fut)`. May throw (no loop, wrong loop, shut down).
   */
  begin(owner: O, op: WaitSteps<R>): void;
  /**
   * The code after the `await`: `fut` has its result; returns the wait's
   * value — or, for a wait that loops (`Queue.get()` that lost its item),
   * calls `op.waitFor(next)` to wait again (its return value is then ignored).
   */
  woke(owner: O, fut: FutureLike<unknown>, op: WaitSteps<R>): R;
  /** The `except` path: the wait failed with `err` (cancelled, aborted); repair, then throw `err`. */
  failed(owner: O, fut: FutureLike<unknown>, err: unknown): never;
  /**
   * True when `woke` may wait again (`Queue.get()`/`put()`); the promise
   * driver then keeps one promise for the whole call. Without it, the
   * promise driver passes no `op` to `woke`.
   */
  readonly loops?: true;
}

/** What a {@link WaitKind} reports its progress to (either driver). */
export interface WaitSteps<R> {
  /** The call's argument, if it has one (the item of `Queue.put()`). */
  readonly arg: unknown;
  /** The wait is over at once, with `value`. */
  now(value: R): void;
  /** Wait for `fut` (a waiter the kind registered). */
  waitFor(fut: FutureLike<unknown>): void;
}

const FRESH = 0;
const WAITING = 1;
const DONE = 2;
const PROMISED = 3;

/**
 * A blocking call made inside a generator task's step: a lazy, hand-written
 * coroutine (no generator object, no future iterator). `yield*` drives it
 * through `next()`/`throw()`: the first `next()` runs `kind.begin`, and when
 * that registered a waiter the op yields the waiter future, on which the task
 * suspends (so the task's cancellation cancels it); the task resumes it with
 * `next()` once the future has a result, or `throw(err)` when it was
 * cancelled.
 *
 * Lazy like an asyncio coroutine: an op that is never iterated never
 * registers a waiter, so dropping one cannot strand a wake-up.
 */
export class WaitOp<O, R> implements WaitSteps<R> {
  readonly #kind: WaitKind<O, R>;
  readonly #owner: O;
  /** The caller's abort signal (validated, not aborted when the op was made). */
  declare readonly signal: AbortSignal | undefined;
  /** The call's argument, if it has one (the item of `Queue.put()`). */
  declare readonly arg: unknown;
  #state: 0 | 1 | 2 | 3 = FRESH;
  #fut: FutureLike<unknown> | null = null;
  #value: R | undefined = undefined;
  #onAbort: (() => void) | null = null;
  #aborted = false;
  #promise: Promise<unknown> | null = null;
  /** What the op gives instead of the kind's value (`hold()`: a Hold), or null. */
  readonly #map: ((owner: O) => unknown) | null;

  constructor(
    kind: WaitKind<O, R>,
    owner: O,
    signal: AbortSignal | undefined,
    arg: unknown,
    map: ((owner: O) => unknown) | null = null,
  ) {
    this.#kind = kind;
    this.#owner = owner;
    this.signal = signal;
    this.arg = arg;
    this.#map = map;
  }

  /** The op's value: the kind's, or what `map` makes of the owner. */
  #result(value: R): R {
    return this.#map === null ? value : (this.#map(this.#owner) as R);
  }

  /** For `kind.begin`: the wait is over at once, with `value`. */
  now(value: R): void {
    this.#value = value;
  }

  /** For `kind.begin`: wait for `fut` (a waiter the kind registered). */
  waitFor(fut: FutureLike<unknown>): void {
    this.#fut = fut;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<unknown, R> {
    switch (this.#state) {
      case FRESH:
        return this.#begin();
      case WAITING: {
        const fut = this.#fut!;
        if (!fut.done()) throw new RuntimeError("yield* wasn't used with future");
        let value: R;
        try {
          value = this.#kind.woke(this.#owner, fut, this);
        } catch (err) {
          this.#end();
          throw err;
        }
        const next = this.#fut!;
        if (next === fut) {
          this.#end();
          return { done: true, value: this.#result(value) };
        }
        // Waiting again. An abort that came while `fut` was already done
        // could not cancel it: it cancels the new waiter now.
        if (this.signal?.aborted && next.cancel()) this.#aborted = true;
        return { done: false, value: next };
      }
      case PROMISED:
        throw new RuntimeError("this wait was already started with then(): await it, or yield* it");
      default:
        return { done: true, value: undefined as R };
    }
  }

  #begin(): IteratorResult<unknown, R> {
    this.#state = DONE;
    const signal = this.signal;
    if (signal?.aborted) throw signal.reason;
    this.#kind.begin(this.#owner, this);
    const fut = this.#fut;
    if (fut === null) {
      const value = this.#value as R;
      this.#value = undefined;
      return { done: true, value: this.#result(value) };
    }
    this.#state = WAITING;
    if (signal !== undefined) {
      // An abort cancels the waiter, so the task resumes through throw() and
      // the kind's repair logic runs exactly as for a task cancellation.
      this.#onAbort = () => {
        if (this.#fut!.cancel()) this.#aborted = true;
      };
      signal.addEventListener("abort", this.#onAbort);
    }
    return { done: false, value: fut };
  }

  /** Leaves the waiting state: the listener goes on every path. */
  #end(): void {
    this.#state = DONE;
    if (this.#onAbort !== null) {
      this.signal!.removeEventListener("abort", this.#onAbort);
      this.#onAbort = null;
    }
  }

  throw(err: unknown): IteratorResult<unknown, R> {
    if (this.#state !== WAITING) throw err;
    this.#end();
    return this.#kind.failed(this.#owner, this.#fut!, this.#aborted ? this.signal!.reason : err);
  }

  /** The generator was closed while waiting: give the place up as a cancellation would. */
  return(value?: unknown): IteratorResult<unknown, R> {
    if (this.#state === WAITING) {
      const fut = this.#fut!;
      this.#end();
      fut.cancel();
      try {
        this.#kind.failed(this.#owner, fut, undefined);
      } catch {
        // failed() always rethrows what it was given
      }
    }
    return { done: true, value: value as R };
  }

  /** The promise form (an `await` in an `async` helper); exclusive with `yield*`. */
  then<R1 = R, R2 = never>(
    onFulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.#promise === null) {
      if (this.#state === FRESH) {
        this.#state = PROMISED;
        const promise = runWait(this.#kind, this.#owner, this.signal, this.arg);
        const map = this.#map;
        this.#promise = map === null ? promise : promise.then(() => map(this.#owner));
      } else {
        this.#promise = Promise.reject(
          new RuntimeError("this wait was already started with yield*: it cannot be awaited too"),
        );
      }
    }
    return (this.#promise as Promise<R>).then(onFulfilled, onRejected);
  }

  catch<R2 = never>(onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): Promise<R | R2> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.then().finally(onFinally);
  }
}

/** Fills in for a {@link WaitKind}'s `begin` on the promise driver's fast path (one, reused). */
const scratch = {
  arg: undefined as unknown,
  value: undefined as unknown,
  fut: null as FutureLike<unknown> | null,
  now(value: unknown): void {
    this.value = value;
  },
  waitFor(fut: FutureLike<unknown>): void {
    this.fut = fut;
  },
};

/**
 * The promise form of a wait: `kind` driven by `then()` instead of `yield*`.
 * The synchronous fast path (`begin` finishing at once) allocates nothing
 * for `true`/`undefined` results; a wait registers its reactions on the
 * waiter future here, in the caller's task, so the task is suspended on it
 * and cancelling the task cancels it. Never throws: it rejects.
 */
export function runWait<O, R>(
  kind: WaitKind<O, R>,
  owner: O,
  signal: AbortSignal | undefined,
  arg: unknown,
): Promise<R> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  scratch.arg = arg;
  try {
    kind.begin(owner, scratch as WaitSteps<R>);
  } catch (err) {
    scratch.fut = null;
    scratch.arg = scratch.value = undefined;
    return Promise.reject(err);
  }
  const fut = scratch.fut;
  const value = scratch.value as R;
  scratch.fut = null;
  scratch.arg = scratch.value = undefined;
  if (fut === null) {
    return (
      value === true ? RESOLVED_TRUE : value === undefined ? RESOLVED_VOID : Promise.resolve(value)
    ) as Promise<R>;
  }
  if (kind.loops === true) {
    return Promise.resolve(new PromiseWait(kind, owner, signal, arg, fut)) as Promise<R>;
  }
  // One wait. The caller gets a promise resolved with a thenable, so the
  // engine registers on the waiter future in a promise job of the caller's
  // step, exactly as `await fut` does: there the caller's task is suspended
  // on the future (cancelling the task cancels it) and its step ends. A
  // registration made here, in the step's synchronous part, would end a
  // task's first step before the loop marks it in flight, and the loop
  // would then wait for the next host turn (docs/design/step-protocol.md).
  return Promise.resolve(new OneWait(kind, owner, fut, signal)) as Promise<R>;
}

/** The thenable behind a one-time wait's promise (see `runWait`). */
class OneWait<O, R> {
  declare readonly kind: WaitKind<O, R>;
  declare readonly owner: O;
  declare readonly fut: FutureLike<unknown>;
  declare readonly signal: AbortSignal | undefined;

  constructor(
    kind: WaitKind<O, R>,
    owner: O,
    fut: FutureLike<unknown>,
    signal: AbortSignal | undefined,
  ) {
    this.kind = kind;
    this.owner = owner;
    this.fut = fut;
    this.signal = signal;
  }

  then(resolve: (value: R) => void, reject: (reason: unknown) => void): void {
    const { kind, owner, fut } = this;
    waitOn(fut, this.signal).then(
      () => {
        try {
          // A kind that does not loop never uses `op` in `woke` (see `loops`).
          resolve(kind.woke(owner, fut, undefined as never));
        } catch (err) {
          reject(err);
        }
      },
      (err: unknown) => {
        try {
          resolve(kind.failed(owner, fut, err));
        } catch (failure) {
          reject(failure);
        }
      },
    );
  }
}

/**
 * A wait of {@link runWait} that did not finish at once: one promise for the
 * whole call, settled by the kind's `woke`/`failed`, however many times the
 * kind waits again (no promise adopting another, so a wait that loops resumes
 * its caller as soon as one that did not).
 */
class PromiseWait<O, R> implements WaitSteps<R> {
  #fut: FutureLike<unknown>;
  /** The resolvers of the call's promise, handed over by `then`. */
  #resolve!: (value: R) => void;
  #reject!: (reason: unknown) => void;

  declare readonly kind: WaitKind<O, R>;
  declare readonly owner: O;
  declare readonly signal: AbortSignal | undefined;
  declare readonly arg: unknown;

  constructor(
    kind: WaitKind<O, R>,
    owner: O,
    signal: AbortSignal | undefined,
    arg: unknown,
    fut: FutureLike<unknown>,
  ) {
    this.kind = kind;
    this.owner = owner;
    this.signal = signal;
    this.arg = arg;
    this.#fut = fut;
  }

  now(_value: R): void {
    // Only `begin` finishes at once; `woke` returns its value.
  }

  waitFor(fut: FutureLike<unknown>): void {
    this.#fut = fut;
  }

  /**
   * The wait is a thenable: the engine calls this in a promise job of the
   * caller's step, and the first registration is made there, as for a
   * one-time wait (see `runWait`).
   */
  then(resolve: (value: R) => void, reject: (reason: unknown) => void): void {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#wait(this.#fut);
  }

  #wait(fut: FutureLike<unknown>): void {
    this.#fut = fut;
    // `fut.then` is called in the caller's task (first from the engine's
    // job, see this class's `then`; waiting again, in the wake-up of the
    // task's step), so the task is suspended on `fut` and cancelling the
    // task cancels it.
    waitOn(fut, this.signal).then(
      () => this.#woke(fut),
      (err: unknown) => this.#failed(fut, err),
    );
  }

  #woke(fut: FutureLike<unknown>): void {
    let value: R;
    try {
      value = this.kind.woke(this.owner, fut, this);
    } catch (err) {
      this.#reject(err);
      return;
    }
    const next = this.#fut;
    if (next === fut) this.#resolve(value);
    else this.#wait(next); // waiting again
  }

  #failed(fut: FutureLike<unknown>, err: unknown): void {
    try {
      this.kind.failed(this.owner, fut, err);
    } catch (thrown) {
      this.#reject(thrown);
    }
  }
}

/** `woke`/`failed` of the kinds below, whose `begin` never waits. */
function unreachable(): never {
  throw new RuntimeError("unreachable");
}

/** A wait that fails with `arg` as soon as it starts (a bad argument). */
const FAIL: WaitKind<null, never> = {
  begin: (_, op) => {
    throw op.arg;
  },
  woke: unreachable,
  failed: unreachable,
};

/**
 * A public blocking call (`acquire()`, `get()`, `put(item)`…): validates
 * `options` and runs `kind` in the caller's form — a {@link WaitOp} inside a
 * generator task's step, else a Promise. A bad argument rejects (or throws
 * at the `yield*`); the call itself never throws. With `map`, the call gives
 * `map(owner)` instead of the kind's value (`hold()`).
 */
export function startWait<O, R>(
  kind: WaitKind<O, R>,
  owner: O,
  method: string | ((owner: O) => string),
  options: WaitOptions | undefined,
  arg?: unknown,
  map: ((owner: O) => unknown) | null = null,
): Waitable<R> {
  let signal: AbortSignal | undefined;
  try {
    // The name is made only when there are options to check (the hot path has none).
    if (options !== undefined) {
      signal = signalOf(typeof method === "string" ? method : method(owner), options);
    }
  } catch (err) {
    if (_inGeneratorStep()) return new WaitOp(FAIL, null, undefined, err) as unknown as Waitable<R>;
    return Promise.reject(err) as Waitable<R>;
  }
  if (_inGeneratorStep())
    return new WaitOp(kind, owner, signal, arg, map) as unknown as Waitable<R>;
  const promise = runWait(kind, owner, signal, arg);
  return (map === null ? promise : promise.then(() => map(owner))) as Waitable<R>;
}

/** `hold()`'s `map` for {@link startWait}: a {@link Hold} on the owner once acquired. */
export function toHold(owner: { release(): void }): Hold {
  return new Hold(owner);
}

/** A wait that is over as soon as it starts, with `arg` (a call that did not have to wait). */
const NOW: WaitKind<null, unknown> = {
  begin: (_, op) => {
    op.now(op.arg);
  },
  woke: unreachable,
  failed: unreachable,
};

/** What the synchronous part of an {@link inOwnTask} call returns when the call has to wait. */
export const MUST_WAIT: unique symbol = Symbol("mustWait");

/**
 * A wait with no hand-written generator form (`Condition.wait()`,
 * `Barrier.wait()`…) called from a generator task.
 *
 * First `now()`, the part of asyncio's coroutine that runs before it first
 * suspends, is run during the call: when it finishes the call (a value or an
 * error, e.g. `waitFor()` with a true predicate, the last arrival at a
 * barrier), the caller gets a waitable that is already over, so — as in
 * asyncio — no loop iteration passes and a cancellation pending on the
 * caller's task is delivered at its next real wait, not to a call whose
 * effect already happened. When `now()` returns {@link MUST_WAIT}, the
 * promise form runs as a task of its own, started at once (`eagerStart`, so
 * it takes its place in line during the call, as the promise form does), and
 * the caller waits for that task with `yield*`. Cancelling the caller cancels
 * the task it waits for, so the wait's own cancellation handling runs.
 */
export function inOwnTask<R>(
  name: string,
  now: () => R | typeof MUST_WAIT,
  promise: () => Promise<R>,
): Waitable<R> {
  let value: R | typeof MUST_WAIT;
  try {
    value = now();
  } catch (err) {
    return new WaitOp(FAIL, null, undefined, err) as unknown as Waitable<R>;
  }
  if (value !== MUST_WAIT) return new WaitOp(NOW, null, undefined, value) as unknown as Waitable<R>;
  // A generator task's step always runs inside its loop.
  const loop = _getRunningLoop()!;
  return loop.createTask(promise, { name, eagerStart: true }) as unknown as Waitable<R>;
}
