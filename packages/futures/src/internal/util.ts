import { describeValue as describe, isCancelledError } from "@aio/core";
import type { Future } from "../future.js";

export { describe };

/** A short Python-repr-like rendering for toString(): `1`, `'abc'`, `Error('boom')`. */
export function formatValue(value: unknown, isException: boolean): string {
  if (isException && value instanceof Error) {
    return `${value.name}(${value.message ? `'${value.message}'` : ""})`;
  }
  if (typeof value === "string") return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `Array(${value.length})`;
  return `<${(value as object).constructor?.name ?? "Object"}>`;
}

/** Validates a duration or deadline argument: a number that is not NaN. */
export function checkMs(fn: string, arg: string, value: unknown, allowNull: boolean): void {
  if (value === null && allowNull) return;
  if (typeof value !== "number") {
    throw new TypeError(
      `${fn} ${arg} must be a number of milliseconds${allowNull ? " or null" : ""}, received ${describe(value)}`,
    );
  }
  if (Number.isNaN(value)) throw new RangeError(`${fn} ${arg} must not be NaN`);
}

/** `Object.getPrototypeOf(function* () {})`: the prototype of every generator function. */
export const GeneratorFunctionPrototype: object = Object.getPrototypeOf(function* () {});
/** %GeneratorPrototype%: the prototype of every generator function's `prototype`. */
const GeneratorPrototype: object = (GeneratorFunctionPrototype as { prototype: object }).prototype;

/** True for a generator object (what a `function*` returns). */
export function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto !== null && Object.getPrototypeOf(proto) === GeneratorPrototype;
}

/** True for an object or function with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * True when the done future `fut` ends in a CancelledError: it was cancelled,
 * or failed with one (a gather that was cancelled). Asked through the public
 * API: `fut` may be a Future of another copy of @aio/futures, whose state
 * this copy's `internals` cannot read. Reading the exception marks it retrieved.
 */
export function endsInCancelledError(fut: Future<unknown>): boolean {
  if (fut.cancelled()) return true;
  try {
    fut.result();
    return false;
  } catch (err) {
    return isCancelledError(err);
  }
}
