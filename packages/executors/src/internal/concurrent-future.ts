import {
  CancelledError,
  type EventLoop,
  type FutureLike,
  InvalidStateError,
  RuntimeError,
} from "@aio/core";

const PENDING = 0;
const RESOLVED = Promise.resolve();
const FINISHED = 1;
const CANCELLED = 2;

/**
 * The future `submit()` returns when no event loop is running
 * (`concurrent.futures.Future`): it is not bound to a loop, so `getLoop()`
 * throws, and done callbacks run in a microtask instead of through a loop.
 * Awaiting it, `result()`, `exception()` and `cancel()` behave as on a loop
 * Future.
 *
 * Invariant: `#promise` settles exactly once, when the state leaves PENDING.
 *
 * @internal Exported from the package as `_ConcurrentFuture` for other \@aio
 * executors (`@aio/bullmq`), not for users.
 */
export class ConcurrentFuture<T> implements FutureLike<T> {
  #state: typeof PENDING | typeof FINISHED | typeof CANCELLED = PENDING;
  #value: unknown;
  #hasException = false;
  #cancelMessage: string | undefined;
  #callbacks: ((f: this) => void)[] | null = null;
  #promise: Promise<T> | null = null;
  #resolve: ((v: T) => void) | null = null;
  #reject: ((e: unknown) => void) | null = null;

  done(): boolean {
    return this.#state !== PENDING;
  }

  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  result(): T {
    if (this.#state === CANCELLED) throw this.#cancelledError();
    if (this.#state === PENDING) throw new InvalidStateError("Result is not ready.");
    if (this.#hasException) throw this.#value;
    return this.#value as T;
  }

  exception(): unknown {
    if (this.#state === CANCELLED) throw this.#cancelledError();
    if (this.#state === PENDING) throw new InvalidStateError("Exception is not set.");
    return this.#hasException ? this.#value : undefined;
  }

  setResult(value: T): void {
    if (this.#state !== PENDING) throw new InvalidStateError(`invalid state: ${this.toString()}`);
    this.#value = value;
    this.#finish(FINISHED);
  }

  setException(exception: unknown): void {
    if (this.#state !== PENDING) throw new InvalidStateError(`invalid state: ${this.toString()}`);
    this.#value = exception;
    this.#hasException = true;
    this.#finish(FINISHED);
  }

  cancel(msg?: string): boolean {
    if (this.#state !== PENDING) return false;
    this.#cancelMessage = msg;
    this.#finish(CANCELLED);
    return true;
  }

  addDoneCallback(cb: (future: this) => void): void {
    if (this.#state === PENDING) (this.#callbacks ??= []).push(cb);
    else queueMicrotask(() => cb(this));
  }

  removeDoneCallback(cb: (future: this) => void): number {
    const callbacks = this.#callbacks;
    if (callbacks === null) return 0;
    const kept = callbacks.filter((c) => c !== cb);
    this.#callbacks = kept;
    return callbacks.length - kept.length;
  }

  getLoop(): EventLoop {
    throw new RuntimeError("this future was made outside an event loop and is not bound to one");
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#getPromise().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#getPromise().then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#getPromise().finally(onFinally);
  }

  toString(): string {
    const state =
      this.#state === PENDING ? "pending" : this.#state === CANCELLED ? "cancelled" : "finished";
    return `<Future ${state}>`;
  }

  get [Symbol.toStringTag](): string {
    return "Future";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #cancelledError(): CancelledError {
    return new CancelledError(this.#cancelMessage ?? "");
  }

  #getPromise(): Promise<T> {
    if (this.#promise === null) {
      this.#promise = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
      if (this.#state !== PENDING) this.#settlePromise();
    }
    return this.#promise;
  }

  #settlePromise(): void {
    if (this.#state === CANCELLED) this.#reject!(this.#cancelledError());
    else if (this.#hasException) this.#reject!(this.#value);
    else this.#resolve!(this.#value as T);
  }

  #finish(state: typeof FINISHED | typeof CANCELLED): void {
    this.#state = state;
    if (this.#promise !== null) this.#settlePromise();
    const callbacks = this.#callbacks;
    if (callbacks === null) return;
    this.#callbacks = null;
    // One promise job for all of them (Node's queueMicrotask makes an
    // AsyncResource per call); a throwing callback is reported as uncaught,
    // as it was from queueMicrotask, and the others still run.
    void RESOLVED.then(() => {
      for (const cb of callbacks) {
        try {
          cb(this);
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    });
  }
}
