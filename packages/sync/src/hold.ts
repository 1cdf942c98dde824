/**
 * One acquisition of a Lock, Semaphore or Condition, as a disposable: what
 * `hold()` resolves to, so `await using _ = await lock.hold()` releases at the
 * end of the block (asyncio `async with lock:`). Releasing is idempotent: the
 * block's exit after an explicit `release()` does nothing.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { Lock } from "@aio/sync";
 * await run(async () => {
 *   const lock = new Lock();
 *   {
 *     await using _ = await lock.hold();
 *     console.log(lock.locked()); // true
 *   }
 *   console.log(lock.locked()); // false
 * });
 * ```
 */
export class Hold {
  #owner: { release(): void } | null;

  /** @internal Made by `hold()`. */
  constructor(owner: { release(): void }) {
    this.#owner = owner;
  }

  /**
   * True until this hold is released.
   * @returns whether the acquisition is still held.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Lock } from "@aio/sync";
   * await run(async () => {
   *   const hold = await new Lock().hold();
   *   hold.release();
   *   console.log(hold.held()); // false
   * });
   * ```
   */
  held(): boolean {
    return this.#owner !== null;
  }

  /**
   * Releases the acquisition; later calls do nothing.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Semaphore } from "@aio/sync";
   * await run(async () => {
   *   const sem = new Semaphore(1);
   *   const hold = await sem.hold();
   *   hold.release();
   *   hold.release(); // no effect: the permit was returned once
   * });
   * ```
   */
  release(): void {
    const owner = this.#owner;
    if (owner === null) return;
    this.#owner = null;
    owner.release();
  }

  /** Releases (the `using` protocol). */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Releases (the `await using` protocol).
   * @returns a settled promise.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  /** `<Hold [held]>` or `<Hold [released]>`. */
  toString(): string {
    return `<Hold [${this.#owner === null ? "released" : "held"}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "Hold";
  }

  /** Node's `util.inspect` hook. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
