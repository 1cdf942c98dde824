import { _kModuleRef, type _ModuleRef, describeValue } from "@aio/core";
import type { FnSpec } from "./protocol.js";

/** Marks a function made by `moduleFunction()`; holds its `ModuleRef` (declared in core's internal contract). */
export const MODULE_REF: typeof _kModuleRef = _kModuleRef;

/** A module URL and an export name. */
export type ModuleRef = _ModuleRef;

/** A function ready for the wire: a process-wide key and how to rebuild it. */
export interface ShippedFn {
  key: number;
  spec: FnSpec;
}

let nextKey = 1;
const byFunction = new WeakMap<Function, ShippedFn>();
const bySource = new Map<string, ShippedFn>();
// Distinct sources remembered; beyond this the cache starts over (programs
// that generate sources should not grow it forever).
const MAX_SOURCES = 1024;

/**
 * How `fn` crosses to a worker: a module reference, or its source. Cached per
 * function and per source text, so re-created arrows (`submit((x) => x * 2)`
 * in a loop) are compiled once per worker.
 *
 * @throws {TypeError} for a non-function, a native or bound function, or a class.
 */
export function shipFunction(what: string, fn: unknown): ShippedFn {
  if (typeof fn !== "function") {
    throw new TypeError(
      `${what} fn must be a function or moduleFunction(), received ${describeValue(fn)}`,
    );
  }
  const cached = byFunction.get(fn);
  if (cached !== undefined) return cached;
  let shipped: ShippedFn;
  const ref = (fn as unknown as Record<symbol, ModuleRef | undefined>)[MODULE_REF];
  if (ref !== undefined) {
    const key = `\0module:${ref.mod}#${ref.name}`;
    shipped = bySource.get(key) ?? { key: nextKey++, spec: { mod: ref.mod, name: ref.name } };
    bySource.set(key, shipped);
  } else {
    const src = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
      throw new TypeError(
        `${what} fn cannot be shipped to a worker: ${describeValue(fn)} is native or bound (its source is not available); wrap it in a self-contained function or use moduleFunction()`,
      );
    }
    if (/^class[\s{]/.test(src)) {
      throw new TypeError(
        `${what} fn must be a function, received class ${fn.name || "(anonymous)"}`,
      );
    }
    shipped = bySource.get(src) as ShippedFn;
    if (shipped === undefined) {
      if (bySource.size >= MAX_SOURCES) bySource.clear();
      shipped = { key: nextKey++, spec: { src } };
      bySource.set(src, shipped);
    }
  }
  byFunction.set(fn, shipped);
  return shipped;
}
