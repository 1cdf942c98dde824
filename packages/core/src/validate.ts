import { describeValue } from "./errors.js";
import type { FutureLike } from "./interfaces.js";

/*
 * The one set of argument validators every @aio package uses (the policy is
 * docs/design/error-policy.md):
 *
 * - wrong type → `TypeError`; right type, out of range → `RangeError` (or
 *   `ValueError`, a `RangeError`, where asyncio raises ValueError — callers
 *   that need it pass `ValueError` as `rangeError`);
 * - one message shape: `<where> <name> must be <expectation>, received <value>`;
 * - they throw. A function that returns a Promise calls them inside its async
 *   body (or catches and rejects), so it never throws synchronously.
 *
 * They are exported under core's `_` internal names: a contract between the
 * packages, not a user API.
 */

/** What the validators throw for "right type, out of range". */
type RangeErrorClass = new (message: string) => RangeError;

function fail(
  ErrorClass: new (message: string) => Error,
  where: string,
  name: string,
  expectation: string,
  value: unknown,
): never {
  throw new ErrorClass(`${where} ${name} must be ${expectation}, received ${describeValue(value)}`);
}

/**
 * @internal Checks that `value` is a function.
 * @throws {TypeError} `<where> <name> must be a function, received …`.
 */
export function _checkFunction(
  where: string,
  name: string,
  value: unknown,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") fail(TypeError, where, name, "a function", value);
}

/** @internal Options of {@link _checkMs}. */
export interface CheckMsOptions {
  /** `null` is accepted (asyncio's `None`: no deadline). */
  nullable?: boolean;
  /** The smallest accepted value (inclusive); default: any number. */
  min?: number;
  /** Accept `Infinity` (default true). */
  infinite?: boolean;
  /** The class for an out-of-range value (default `RangeError`). */
  rangeError?: RangeErrorClass;
}

/**
 * @internal Checks a duration or deadline in milliseconds: a number, never
 * NaN; `null` too when `nullable`; at least `min` when given.
 * @throws {TypeError} not a number (nor null when allowed).
 * @throws {RangeError} NaN, below `min`, or Infinity when `infinite: false`.
 */
export function _checkMs(
  where: string,
  name: string,
  value: unknown,
  options: CheckMsOptions = {},
): asserts value is number {
  const { nullable = false, min, infinite = true, rangeError = RangeError } = options;
  if (value === null && nullable) return;
  const expectation = `a number of milliseconds${min === undefined ? "" : ` >= ${min}`}${nullable ? " or null" : ""}`;
  if (typeof value !== "number") fail(TypeError, where, name, expectation, value);
  if (
    Number.isNaN(value) ||
    value < (min as number) || // false when min is undefined
    (!infinite && !Number.isFinite(value))
  ) {
    fail(
      rangeError,
      where,
      name,
      infinite ? expectation : `a finite ${expectation.slice(2)}`,
      value,
    );
  }
}

/** @internal Options of {@link _checkInteger}. */
export interface CheckIntegerOptions {
  /** The smallest accepted value (inclusive); default 0. */
  min?: number;
  /** The largest accepted value (inclusive); default none. */
  max?: number;
  /** Accept `Infinity` (default false). */
  infinite?: boolean;
  /** The class for an out-of-range value (default `RangeError`). */
  rangeError?: RangeErrorClass;
}

/**
 * @internal Checks an integer count or size.
 * @throws {TypeError} not a number.
 * @throws {RangeError} not an integer, or outside `[min, max]`.
 */
export function _checkInteger(
  where: string,
  name: string,
  value: unknown,
  options: CheckIntegerOptions = {},
): asserts value is number {
  const { min = 0, max, infinite = false, rangeError = RangeError } = options;
  const expectation = `an integer >= ${min}${max === undefined ? "" : ` and <= ${max}`}${infinite ? " or Infinity" : ""}`;
  if (typeof value !== "number") fail(TypeError, where, name, expectation, value);
  const ok =
    (Number.isInteger(value) || (infinite && value === Number.POSITIVE_INFINITY)) &&
    value >= min &&
    (max === undefined || value <= max);
  if (!ok) fail(rangeError, where, name, expectation, value);
}

/**
 * @internal Checks an optional `AbortSignal` (anything with `aborted`,
 * `reason`, `addEventListener` and `removeEventListener`, so a signal from
 * another realm or a polyfill passes).
 * @throws {TypeError} neither undefined nor a signal.
 */
export function _checkSignal(
  where: string,
  name: string,
  value: unknown,
): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  const s = value as Partial<AbortSignal> | null;
  if (
    typeof s !== "object" ||
    s === null ||
    typeof s.aborted !== "boolean" ||
    typeof s.addEventListener !== "function" ||
    typeof s.removeEventListener !== "function"
  ) {
    fail(TypeError, where, name, "an AbortSignal", value);
  }
}

/**
 * @internal Checks an optional options bag: `undefined` becomes `{}`; a
 * plain object (not an array, function or null) is returned as it is.
 * @throws {TypeError} anything else.
 */
export function _checkOptions<T extends object>(where: string, value: T | undefined): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(TypeError, where, "options", "an object", value);
  }
  return value;
}

/**
 * @internal Checks that `value` is one of `choices`.
 * @throws {TypeError} not of the choices' type.
 * @throws {RangeError} of their type, but none of them.
 */
export function _checkOneOf<const C extends readonly (string | number | boolean)[]>(
  where: string,
  name: string,
  value: unknown,
  choices: C,
): asserts value is C[number] {
  if (choices.includes(value as C[number])) return;
  const expectation = choices
    .map((c) => JSON.stringify(c))
    .join(", ")
    .replace(/, ([^,]*)$/, " or $1");
  const sameType = choices.some((c) => typeof c === typeof value);
  fail(sameType ? RangeError : TypeError, where, name, expectation, value);
}

/**
 * True when `future` is done with an exception — whatever was thrown,
 * `undefined`, `null`, `0`, `""` and `false` included. Cancelled and pending
 * futures are not failed.
 *
 * `future.exception() !== undefined` cannot answer this, since `throw
 * undefined` is legal JavaScript: a future that failed with `undefined`
 * reports `undefined` as its exception. Every \@aio package asks through this
 * function instead.
 *
 * @param future - any asyncio-style future (a `Future` or `Task` of any copy
 *   of \@aio).
 * @returns whether it failed.
 * @throws {TypeError} when `future` is not a Future or Task.
 * @example
 * ```ts
 * import { isFailed } from "@aio/core";
 * import { createTask, sleep } from "@aio/futures";
 * import { run } from "@aio/loop";
 *
 * await run(async () => {
 *   const task = createTask(async () => {
 *     throw undefined;
 *   });
 *   await sleep(0);
 *   console.log(task.exception(), isFailed(task)); // undefined true
 * });
 * ```
 */
export function isFailed(future: FutureLike<unknown>): boolean {
  const f = future as Partial<FutureLike<unknown>> | null;
  if (typeof f?.done !== "function" || typeof f.cancelled !== "function") {
    fail(TypeError, "isFailed()", "future", "a Future or Task", future);
  }
  if (!future.done() || future.cancelled()) return false;
  // result() throws exactly when the future holds an exception: the one
  // question every FutureLike answers, whichever copy of @aio made it.
  try {
    future.result();
    return false;
  } catch {
    return true;
  }
}
