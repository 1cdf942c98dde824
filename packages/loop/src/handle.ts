import {
  _className,
  type Handle as HandleLike,
  type TimerHandle as TimerHandleLike,
} from "@aio/core";

/** The parts of the loop a handle talks to when it is cancelled. */
export interface HandleOwner {
  /** @internal A scheduled timer was cancelled (lazy deletion bookkeeping). */
  _timerCancelled(handle: TimerHandle): void;
}

/** @internal A callback's name as asyncio shows it (`<anonymous>` for an unnamed one). */
export function callbackName(cb: unknown): string {
  return typeof cb === "function" ? cb.name || "<anonymous>" : String(cb);
}

/**
 * A callback scheduled with `callSoon` (asyncio `events.Handle`).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { getRunningLoop } from "@aio/core";
 * await run(() => {
 *   const h = getRunningLoop().callSoon(() => console.log("not printed"));
 *   h.cancel();
 *   console.log(String(h)); // "<Handle cancelled>"
 * });
 * ```
 */
export class Handle implements HandleLike {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "Handle";
  }

  /** @internal The callback; null once cancelled (no separate flag: handles stay small). */
  declare _callback: ((...args: any[]) => unknown) | null;
  /**
   * @internal The arguments; an own property only when there are some (the
   * prototype's `null` otherwise), so a `callSoon(cb)` handle is one field
   * smaller — a million pending callbacks are a million handles.
   */
  declare _args: unknown[] | null;

  /** @internal Made by the loop. */
  constructor(callback: (...args: any[]) => unknown, args: unknown[] | null) {
    this._callback = callback;
    if (args !== null) this._args = args;
  }

  /**
   * Cancels the callback: it will not run. Idempotent.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { getRunningLoop().callSoon(() => {}).cancel(); });
   * ```
   */
  cancel(): void {
    if (this._callback === null) return;
    this._callback = null;
    if (this._args !== null) this._args = null;
  }

  /**
   * True once cancelled.
   * @returns whether {@link Handle.cancel} was called.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { const h = getRunningLoop().callSoon(() => {}); h.cancel(); console.log(h.cancelled()); });
   * ```
   */
  cancelled(): boolean {
    return this._callback === null;
  }

  /**
   * asyncio's repr: `<Handle cb()>` or `<Handle cancelled>`.
   * @returns the description.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { console.log(String(getRunningLoop().callSoon(function tick() {}))); }); // <Handle tick()>
   * ```
   */
  toString(): string {
    return `<${_className(this)} ${this._info().join(" ")}>`;
  }

  /** @internal */
  _info(): string[] {
    if (this._callback === null) return ["cancelled"];
    return [this._callbackRepr()];
  }

  /** @internal The callback as asyncio shows it in messages: `name()`. */
  _callbackRepr(): string {
    return `${callbackName(this._callback)}()`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return _className(this);
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

Object.defineProperty(Handle.prototype, "_args", { value: null, writable: true });

/**
 * A callback scheduled for a time with `callLater`/`callAt` (asyncio
 * `events.TimerHandle`).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { getRunningLoop } from "@aio/core";
 * await run(() => {
 *   const loop = getRunningLoop();
 *   const t = loop.callLater(100, () => {});
 *   console.log(t.when() >= loop.time()); // true
 *   t.cancel();
 * });
 * ```
 */
export class TimerHandle extends Handle implements TimerHandleLike {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "TimerHandle";
  }

  // Declared, not defined: the constructor's stores make the fields, in this order.
  /** @internal */ declare readonly _when: number;
  /** @internal Insertion order: FIFO among equal deadlines. */ declare readonly _seq: number;
  /** @internal Still in the loop's heap. */ declare _scheduled: boolean;
  /** @internal */ declare _owner: HandleOwner | null;

  /** @internal Made by the loop. */
  constructor(
    when: number,
    seq: number,
    callback: (...args: any[]) => unknown,
    args: unknown[] | null,
    owner: HandleOwner,
  ) {
    super(callback, args);
    this._when = when;
    this._seq = seq;
    this._scheduled = true;
    this._owner = owner;
  }

  /**
   * The loop time (ms) at which the callback is scheduled.
   * @returns the deadline.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { const l = getRunningLoop(); console.log(l.callAt(l.time() + 5, () => {}).when()); });
   * ```
   */
  when(): number {
    return this._when;
  }

  /**
   * Cancels the timer. Idempotent.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { getRunningLoop().callLater(1000, () => {}).cancel(); });
   * ```
   */
  override cancel(): void {
    if (this._callback === null) return;
    super.cancel();
    if (this._scheduled) this._owner?._timerCancelled(this);
  }

  /** @internal asyncio `TimerHandle._repr_info`: `when=` after `cancelled`, before the callback. */
  override _info(): string[] {
    const when = `when=${this._when.toFixed(3)}`;
    return this._callback === null ? ["cancelled", when] : [when, this._callbackRepr()];
  }
}
