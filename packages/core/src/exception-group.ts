/**
 * asyncio's `ExceptionGroup`, in its own module so that a bundle that never
 * groups errors drops the class and its brand (docs/design/size-budget.md).
 */
import { brandError, describeValue } from "./errors.js";

/**
 * Several errors raised together, e.g. by the tasks of a `taskGroup`
 * (Python's `ExceptionGroup`). `exceptions` holds them in the order they
 * occurred; it is the same array as `AggregateError.errors`.
 *
 * @example
 * ```ts
 * import { ExceptionGroup } from "@aio/core";
 * const group = new ExceptionGroup("unhandled errors in a TaskGroup", [new Error("a"), new Error("b")]);
 * console.log(group.exceptions.length); // 2
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /** The collected errors, in the order they occurred. */
  readonly exceptions: unknown[];

  /**
   * @param message - what failed, e.g. "unhandled errors in a TaskGroup".
   * @param exceptions - the errors (at least one).
   * @throws {TypeError} when `exceptions` is not an array.
   */
  constructor(message: string, exceptions: readonly unknown[]) {
    if (!Array.isArray(exceptions)) {
      throw new TypeError(
        `ExceptionGroup exceptions must be an array, received ${describeValue(exceptions)}`,
      );
    }
    const list = [...exceptions];
    super(list, `${message} (${list.length} sub-exception${list.length === 1 ? "" : "s"})`);
    this.exceptions = list;
  }
}

/**
 * True when `value` is an {@link ExceptionGroup} from any copy of `@aio/core`.
 * @example
 * ```ts
 * import { isExceptionGroup } from "@aio/core";
 * console.log(isExceptionGroup(new AggregateError([]))); // false
 * ```
 */
export const isExceptionGroup = brandError(ExceptionGroup, "ExceptionGroup");
