import { describeValue, type FutureLike } from "@aio/core";
import type { Hold } from "../hold.js";
import type { Waitable } from "../waitable.js";
import type { Deque } from "./deque.js";
import { startWait, toHold, type WaitKind } from "./wait-op.js";
import { signalOf, type Waiter, type WaitOptions } from "./waiting.js";

/**
 * What a Lock or a Semaphore decides for itself; everything else — the
 * three ways to wait for a permit (`acquire()`, `hold()`, `run()`) in both
 * forms — is shared below, so the two primitives cannot drift apart. Each
 * rule mirrors a part of CPython's `locks.py` for its class.
 */
export interface PermitRules<O extends { release(): void }> {
  /** `acquire()`'s fast path: take a free permit when nobody live waits ahead (no barging). */
  tryTake(owner: O): boolean;
  /** The line of waiters, made on first use. */
  line(owner: O): Deque<Waiter>;
  /** Registers a loop future at the end of the line (binding to the running loop). */
  enqueue(owner: O): FutureLike<true>;
  /** A woken waiter runs: it leaves the line holding its permit. */
  granted(owner: O, waiter: Waiter): void;
  /** A waiter gives up (cancelled or aborted, woken or not): it leaves the line, and the line is repaired. */
  abandoned(owner: O, waiter: Waiter): void;
  /** The class name for messages (`Lock`, `Semaphore`, a subclass's). */
  name(owner: O): string;
}

/**
 * The permit operations of one primitive class: made once per class from
 * its rules.
 */
export class Permits<O extends { release(): void }> {
  /** `acquire()` (asyncio's coroutine in three parts); `hold()` reuses it. */
  declare readonly acquire: WaitKind<O, true>;
  /** The class's rules. */
  declare readonly rules: PermitRules<O>;

  constructor(rules: PermitRules<O>) {
    this.rules = rules;
    this.acquire = {
      begin: (owner, op) => {
        if (rules.tryTake(owner)) op.now(true);
        else op.waitFor(rules.enqueue(owner));
      },
      woke: (owner, fut) => {
        rules.granted(owner, fut);
        return true;
      },
      failed: (owner, fut, err) => {
        rules.abandoned(owner, fut);
        throw err;
      },
    };
  }

  /** `acquire(options)` in the caller's form. */
  startAcquire(owner: O, options: WaitOptions | undefined): Waitable<true> {
    return startWait(this.acquire, owner, this.#acquireName, options);
  }

  /** `hold(options)` in the caller's form. */
  startHold(owner: O, options: WaitOptions | undefined): Waitable<Hold> {
    return startWait(
      this.acquire,
      owner,
      this.#holdName,
      options,
      undefined,
      toHold,
    ) as unknown as Waitable<Hold>;
  }

  readonly #acquireName = (owner: O): string => `${this.rules.name(owner)}.acquire()`;
  readonly #holdName = (owner: O): string => `${this.rules.name(owner)}.hold()`;

  /**
   * `run(fn, options)`: runs `fn` holding a permit and gives it back however
   * `fn` ends. When it has to wait, the wait is a {@link RunWaiter}: no loop
   * needed and the calling task is not suspended on a future, so one task
   * (or code outside any loop) may have any number of `run()` calls pending
   * — the p-limit pattern — in the same FIFO line as `acquire()`, with the
   * same repair rules; only an aborted signal ends the wait early. A pending
   * call holds no closure.
   */
  run<T>(
    owner: O,
    fn: () => T | PromiseLike<T>,
    options: WaitOptions | undefined,
  ): Promise<Awaited<T>> {
    if (typeof fn !== "function") {
      return Promise.reject(
        new TypeError(
          `${this.rules.name(owner)}.run() fn must be a function, received ${describeValue(fn)}`,
        ),
      );
    }
    let signal: AbortSignal | undefined;
    try {
      // The name is made only when there are options to check (the hot path has none).
      signal =
        options === undefined ? undefined : signalOf(`${this.rules.name(owner)}.run()`, options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.rules.tryTake(owner)) return runHeld(owner, fn);
    const waiter = new RunWaiter(this, owner, fn, signal);
    this.rules.line(owner).push(waiter);
    waiter.listen();
    // `then` is registered here, in the caller's async context, so the job
    // starts in that context when the permit arrives. One shared handler.
    return waiter.gate.then(runGranted) as Promise<Awaited<T>>;
  }
}

let capturedOpen: (waiter: any) => void = () => {};
function captureOpen(resolve: (waiter: any) => void): void {
  capturedOpen = resolve;
}

/**
 * A `run()` call waiting in line: a waiter that needs no loop and suspends
 * no task. Waking it (or cancelling it, on an abort of its signal) opens
 * `gate`, a native promise that resolves to the waiter itself — so one
 * shared handler serves every waiter and a pending call holds no closure.
 * So one task (or code outside any loop) may have any number of `run()`
 * calls pending — the p-limit pattern — while they still queue in FIFO
 * order with the task waiters.
 */
class RunWaiter<O extends { release(): void }, T> implements Waiter {
  /** 0 pending, 1 woken, 2 cancelled. */
  #state: 0 | 1 | 2 = 0;
  readonly #open: (waiter: this) => void;
  /** Resolves to this waiter once it is woken or cancelled; never rejects. */
  readonly gate: Promise<this>;
  #onAbort: (() => void) | null = null;
  declare readonly permits: Permits<O>;
  declare readonly owner: O;
  declare readonly fn: () => T | PromiseLike<T>;
  declare readonly signal: AbortSignal | undefined;

  constructor(
    permits: Permits<O>,
    owner: O,
    fn: () => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ) {
    // The executor is a shared function: no closure per waiter.
    this.gate = new Promise<this>(captureOpen);
    this.#open = capturedOpen;
    this.permits = permits;
    this.owner = owner;
    this.fn = fn;
    this.signal = signal;
  }

  done(): boolean {
    return this.#state !== 0;
  }

  cancelled(): boolean {
    return this.#state === 2;
  }

  setResult(_value: true): void {
    if (this.#state !== 0) return;
    this.#state = 1;
    this.#open(this);
  }

  cancel(): boolean {
    if (this.#state !== 0) return false;
    this.#state = 2;
    this.#open(this);
    return true;
  }

  /** Cancels the waiter when its signal aborts (nothing without a signal). */
  listen(): void {
    const signal = this.signal;
    if (signal === undefined) return;
    this.#onAbort = () => {
      this.cancel();
    };
    signal.addEventListener("abort", this.#onAbort);
  }

  /** Removes the listener {@link RunWaiter.listen} added, if any. */
  unlisten(): void {
    if (this.#onAbort === null) return;
    this.signal!.removeEventListener("abort", this.#onAbort);
    this.#onAbort = null;
  }
}

/** A `run()` waiter's gate opened: woken with a permit, or aborted. */
function runGranted<O extends { release(): void }, T>(
  waiter: RunWaiter<O, T>,
): Promise<Awaited<T>> {
  waiter.unlisten();
  const rules = waiter.permits.rules;
  if (waiter.cancelled()) {
    rules.abandoned(waiter.owner, waiter);
    throw waiter.signal!.reason;
  }
  rules.granted(waiter.owner, waiter);
  return runHeld(waiter.owner, waiter.fn);
}

async function runHeld<T>(
  owner: { release(): void },
  fn: () => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  try {
    return await fn();
  } finally {
    owner.release();
  }
}
