/**
 * asyncio's error classes (exceptions.py), as real `Error` subclasses.
 *
 * Each class carries a `Symbol.for("@aio/core.<Name>")` brand on its
 * prototype, and `instanceof` on the class itself checks that brand, so an
 * error made by one installed copy of `@aio/core` is recognised by another
 * (two copies in one `node_modules` otherwise break `instanceof`).
 */

import type { NamedClass } from "./internal-contract.js";

type Ctor = abstract new (...args: never[]) => unknown;

function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * Brands an error class for use across installed copies of a package: sets
 * `name` on the prototype, installs a `Symbol.for(key)` brand, and makes
 * `instanceof cls` check that brand (subclasses keep the ordinary
 * prototype-chain check). Returns a guard that checks the brand, named
 * `is<name>`. The \@aio
 * packages use it for their own errors (`QueueEmpty`, `BrokenExecutorError`).
 *
 * @param cls - the error class.
 * @param name - the class name, e.g. "QueueEmpty".
 * @param key - the global brand key; default `@aio/core.<name>`.
 * @returns a type guard equivalent to a cross-copy `instanceof`.
 * @example
 * ```ts
 * import { brandError } from "@aio/core";
 * export class QueueEmpty extends Error {}
 * export const isQueueEmpty = brandError(QueueEmpty, "QueueEmpty", "@aio/sync.QueueEmpty");
 * ```
 */
export function brandError<T>(
  cls: abstract new (...args: never[]) => T,
  name: string,
  key: string = `@aio/core.${name}`,
): (value: unknown) => value is T {
  if (typeof cls !== "function") {
    throw new TypeError(`brandError() cls must be a class, received ${describeValue(cls)}`);
  }
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `brandError() name must be a non-empty string, received ${describeValue(name)}`,
    );
  }
  const sym = Symbol.for(key);
  Object.defineProperty(cls.prototype, sym, { value: true });
  Object.defineProperty(cls.prototype, "name", {
    value: name,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: Ctor, value: unknown): boolean {
      return this === cls
        ? hasBrand(value, sym)
        : Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
  const guard = (value: unknown): value is T => hasBrand(value, sym);
  // Named like the guards users import (`isQueueEmpty`): stack traces and `name` show it.
  return Object.defineProperty(guard, "name", { value: `is${name}` });
}

/**
 * The operation was cancelled: thrown into a task's code at the `await` it is
 * suspended on when the task is cancelled (asyncio `CancelledError`).
 *
 * @example
 * ```ts
 * import { CancelledError, isCancelledError } from "@aio/core";
 * const err = new CancelledError("shutting down");
 * console.log(err.message, isCancelledError(err)); // "shutting down" true
 * ```
 */
export class CancelledError extends Error {}

/**
 * An operation was attempted on an object in the wrong state, e.g. reading the
 * result of a Future that is not done (asyncio `InvalidStateError`).
 *
 * @example
 * ```ts
 * import { InvalidStateError } from "@aio/core";
 * throw new InvalidStateError("Result is not set.");
 * ```
 */
export class InvalidStateError extends Error {}

/**
 * A deadline passed: raised by `waitFor` and `timeout` (asyncio `TimeoutError`).
 *
 * @example
 * ```ts
 * import { TimeoutError, isTimeoutError } from "@aio/core";
 * console.log(isTimeoutError(new TimeoutError())); // true
 * ```
 */
export class TimeoutError extends Error {}

/**
 * What Python raises as `RuntimeError` in asyncio: a closed or already running
 * loop, a nested `run()`, no running loop.
 *
 * @example
 * ```ts
 * import { RuntimeError } from "@aio/core";
 * throw new RuntimeError("Event loop is closed");
 * ```
 */
export class RuntimeError extends Error {}

/**
 * What asyncio raises as `ValueError`: a value of the right type but out of
 * range (a BoundedSemaphore released too many times, an extra `taskDone()`).
 * It is a `RangeError`, so generic code catching range errors catches it too.
 *
 * @example
 * ```ts
 * import { ValueError } from "@aio/core";
 * const err = new ValueError("BoundedSemaphore released too many times");
 * console.log(err instanceof RangeError); // true
 * ```
 */
export class ValueError extends RangeError {}

/**
 * True when `value` is a {@link CancelledError} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isCancelledError } from "@aio/core";
 * async function work(): Promise<void> {}
 * try { await work(); } catch (e) { if (isCancelledError(e)) throw e; }
 * ```
 */
export const isCancelledError = brandError(CancelledError, "CancelledError");
/**
 * True when `value` is an {@link InvalidStateError} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isInvalidStateError } from "@aio/core";
 * console.log(isInvalidStateError(new Error())); // false
 * ```
 */
export const isInvalidStateError = brandError(InvalidStateError, "InvalidStateError");
/**
 * True when `value` is a {@link TimeoutError} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isTimeoutError } from "@aio/core";
 * console.log(isTimeoutError(new Error())); // false
 * ```
 */
export const isTimeoutError = brandError(TimeoutError, "TimeoutError");
/**
 * True when `value` is a {@link RuntimeError} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isRuntimeError } from "@aio/core";
 * console.log(isRuntimeError(new Error())); // false
 * ```
 */
export const isRuntimeError = brandError(RuntimeError, "RuntimeError");
/**
 * True when `value` is a {@link ValueError} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isValueError } from "@aio/core";
 * console.log(isValueError(new RangeError())); // false
 * ```
 */
export const isValueError = brandError(ValueError, "ValueError");

/**
 * Describes a received value for an argument error message, in the one style
 * every \@aio package uses: `-1`, `NaN`, `"abc"`, `function f`, `null`,
 * `an instance of Map`.
 *
 * @param value - the value an argument received.
 * @returns a short description.
 * @example
 * ```ts
 * import { describeValue } from "@aio/core";
 * throw new RangeError(`Semaphore value must be an integer >= 0, received ${describeValue(-1)}`);
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "function":
      return `function ${value.name || "(anonymous)"}`;
    case "object": {
      const name = _className(value as object);
      return name !== "Object" ? `an instance of ${name}` : "an object";
    }
    case "bigint":
      return `${value}n`;
    default:
      // numbers, booleans, undefined, and symbols (`Symbol(x)`, as their toString())
      return String(value);
  }
}

/**
 * The class name that reprs and messages show for `value`. A minifier
 * renames classes, so `constructor.name` reads `w` in a minified browser
 * bundle; each of \@aio's classes therefore declares its name in a
 * `_className` getter, and a subclass that declares none (a user's) shows
 * its own `name`, as asyncio shows `type(self).__name__`.
 *
 * @internal
 * @param value - the object to name.
 * @returns the name; `"Object"` for an object without a named constructor.
 * @example
 * ```ts
 * import { _className } from "@aio/core";
 * class Mine {}
 * console.log(_className(new Mine())); // "Mine"
 * ```
 */
export function _className(value: object): string {
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.hasOwn(proto, "_className")) return (value as NamedClass)._className;
  return (value.constructor as { name?: string } | undefined)?.name || "Object";
}
