import { _checkInteger, brandError, describeValue } from "@aio/core";

/**
 * EOF arrived before a read could complete (asyncio
 * `IncompleteReadError`): raised by `readexactly()` and `readuntil()`.
 * The bytes read so far are in `partial` (they are no longer in the reader's
 * buffer); `expected` is the requested size, or `null` for `readuntil()`.
 *
 * @example
 * ```ts
 * import { IncompleteReadError, isIncompleteReadError } from "@aio/streams";
 * const err = new IncompleteReadError(Buffer.from("ab"), 4);
 * console.log(err.message, isIncompleteReadError(err)); // "2 bytes read on a total of 4 expected bytes" true
 * ```
 */
export class IncompleteReadError extends Error {
  /** The bytes read before EOF. */
  readonly partial: Buffer;
  /** How many bytes were expected; `null` when reading up to a separator. */
  readonly expected: number | null;

  /**
   * @param partial - the bytes read before EOF.
   * @param expected - the requested size, or `null` for `readuntil()`.
   * @throws {TypeError} when `partial` is not a Uint8Array or `expected` neither a number nor null.
   * @throws {RangeError} when `expected` is not an integer >= 0.
   */
  constructor(partial: Uint8Array, expected: number | null) {
    if (!(partial instanceof Uint8Array)) {
      throw new TypeError(
        `IncompleteReadError partial must be a Uint8Array, received ${describeValue(partial)}`,
      );
    }
    if (expected !== null) _checkInteger("IncompleteReadError", "expected", expected);
    super(
      `${partial.length} bytes read on a total of ${expected === null ? "undefined" : expected} expected bytes`,
    );
    this.partial = Buffer.isBuffer(partial) ? partial : Buffer.from(partial);
    this.expected = expected;
  }
}
const isIncompleteReadErrorBrand = brandError(
  IncompleteReadError,
  "IncompleteReadError",
  "@aio/streams.IncompleteReadError",
);

/**
 * The separator was not found within the reader's limit (asyncio
 * `LimitOverrunError`), raised by `readuntil()`. The buffer is left intact;
 * `consumed` is how many bytes have to be consumed to get past the overrun.
 *
 * @example
 * ```ts
 * import { LimitOverrunError, isLimitOverrunError } from "@aio/streams";
 * const err = new LimitOverrunError("Separator is not found, and chunk exceed the limit", 65537);
 * console.log(err.consumed, isLimitOverrunError(err)); // 65537 true
 * ```
 */
export class LimitOverrunError extends Error {
  /** The number of bytes to consume to get past the overrun. */
  readonly consumed: number;

  /**
   * @param message - what overran.
   * @param consumed - the number of bytes to consume.
   * @throws {TypeError} when `message` is not a string or `consumed` not a number.
   * @throws {RangeError} when `consumed` is not an integer >= 0.
   */
  constructor(message: string, consumed: number) {
    if (typeof message !== "string") {
      throw new TypeError(
        `LimitOverrunError message must be a string, received ${describeValue(message)}`,
      );
    }
    _checkInteger("LimitOverrunError", "consumed", consumed);
    super(message);
    this.consumed = consumed;
  }
}
const isLimitOverrunErrorBrand = brandError(
  LimitOverrunError,
  "LimitOverrunError",
  "@aio/streams.LimitOverrunError",
);

/**
 * True when `value` is an {@link IncompleteReadError} from any copy of `@aio/streams`.
 * @param value - anything.
 * @returns whether it is an IncompleteReadError.
 * @example
 * ```ts
 * import { isIncompleteReadError } from "@aio/streams";
 * console.log(isIncompleteReadError(new Error())); // false
 * ```
 */
export const isIncompleteReadError: (value: unknown) => value is IncompleteReadError =
  isIncompleteReadErrorBrand;

/**
 * True when `value` is a {@link LimitOverrunError} from any copy of `@aio/streams`.
 * @param value - anything.
 * @returns whether it is a LimitOverrunError.
 * @example
 * ```ts
 * import { isLimitOverrunError } from "@aio/streams";
 * console.log(isLimitOverrunError(new Error())); // false
 * ```
 */
export const isLimitOverrunError: (value: unknown) => value is LimitOverrunError =
  isLimitOverrunErrorBrand;
