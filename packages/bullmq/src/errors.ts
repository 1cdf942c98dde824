import { brandError } from "@aio/core";

/**
 * A worker refused a job because its function's module is not under any of
 * the paths the worker was started with (`allow`, `--allow`), or because the
 * job ships function source and the worker does not accept source. Nothing of
 * the job ran. The future of the job fails with this error (rebuilt from the
 * worker's, so `stack` is the worker's).
 *
 * @example
 * ```ts
 * import { isModuleNotAllowedError } from "@aio/bullmq";
 * const err: unknown = new Error("…");
 * if (isModuleNotAllowedError(err)) console.log("start the worker with --allow for that path");
 * ```
 */
export class ModuleNotAllowedError extends Error {}

/**
 * True when `value` is a {@link ModuleNotAllowedError} (from any copy of
 * `@aio/bullmq`, or rebuilt from a worker's).
 *
 * @param value - anything.
 * @returns whether it is a `ModuleNotAllowedError`.
 * @example
 * ```ts
 * import { isModuleNotAllowedError } from "@aio/bullmq";
 * console.log(isModuleNotAllowedError(new Error())); // false
 * ```
 */
export const isModuleNotAllowedError: (value: unknown) => value is ModuleNotAllowedError =
  brandError(ModuleNotAllowedError, "ModuleNotAllowedError", "@aio/bullmq.ModuleNotAllowedError");
