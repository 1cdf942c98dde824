import type { _ReadyItem } from "@aio/core";

/** Marks callbacks the debug tools schedule themselves, so reports and traces skip them. */
export const kDebugInternal = Symbol.for("@aio/debug.internal");

/** True when `handle` (a ready item, see `@aio/core`'s internal contract) runs a callback marked with {@link kDebugInternal}. */
export function isInternalHandle(handle: unknown): boolean {
  const cb = (handle as Partial<_ReadyItem> | null)?._callback;
  return typeof cb === "function" && (cb as { [kDebugInternal]?: true })[kDebugInternal] === true;
}
