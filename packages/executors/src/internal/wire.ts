import type { TransferListItem } from "node:worker_threads";
import { describeValue } from "@aio/core";
import { type SerializedError, TRANSFER_BRAND } from "./protocol.js";

const TRANSFER = Symbol.for(TRANSFER_BRAND);

/** A value wrapped by `transfer()`. */
export interface TransferMarker<T> {
  readonly [TRANSFER]: true;
  readonly value: T;
  readonly list: TransferListItem[];
}

/** True when `value` was made by `transfer()`. */
export function isTransferMarker(value: unknown): value is TransferMarker<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[TRANSFER] === true
  );
}

/** Makes a transfer marker (see the public `transfer()`). */
export function makeTransferMarker<T>(value: T, list: TransferListItem[]): TransferMarker<T> {
  return { [TRANSFER]: true, value, list } as TransferMarker<T>;
}

// How deep the pre-send check looks for values that cannot be cloned; deeper
// values are left to the structured clone itself (which throws DataCloneError).
const MAX_CHECK_DEPTH = 4;
// Arrays and objects larger than this are not scanned element by element.
const MAX_CHECK_WIDTH = 64;

/** Where in `value` a function, symbol, promise or weak collection sits (e.g. `.a[2]`), or null. */
function findUncloneable(
  value: unknown,
  depth: number,
  seen: Set<object>,
): { at: string; value: unknown } | null {
  const t = typeof value;
  if (t === "function" || t === "symbol") return { at: "", value };
  if (t !== "object" || value === null || depth >= MAX_CHECK_DEPTH) return null;
  const obj = value as object;
  if (seen.has(obj) || ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return null;
  seen.add(obj);
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet)
    return { at: "", value };
  if (Array.isArray(obj)) {
    const n = Math.min(obj.length, MAX_CHECK_WIDTH);
    for (let i = 0; i < n; i++) {
      const found = findUncloneable(obj[i], depth + 1, seen);
      if (found !== null) return { at: `[${i}]${found.at}`, value: found.value };
    }
    return null;
  }
  if (obj instanceof Map) {
    let i = 0;
    for (const [k, v] of obj) {
      if (i++ >= MAX_CHECK_WIDTH) break;
      const found = findUncloneable(k, depth + 1, seen) ?? findUncloneable(v, depth + 1, seen);
      if (found !== null) return { at: `.get(…)${found.at}`, value: found.value };
    }
    return null;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) return null;
  const keys = Object.keys(obj);
  const n = Math.min(keys.length, MAX_CHECK_WIDTH);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const found = findUncloneable((obj as Record<string, unknown>)[key], depth + 1, seen);
    if (found !== null) return { at: `.${key}${found.at}`, value: found.value };
  }
  return null;
}

/**
 * Prepares a job's arguments for the wire: unwraps `transfer()` markers
 * (collecting their transfer lists) and rejects values a structured clone
 * cannot carry — before anything is sent.
 *
 * @throws {TypeError} naming the argument, e.g. `args[1] is function f`.
 */
export function prepareArgs(
  what: string,
  args: readonly unknown[],
  allowTransfer: boolean,
): { args: unknown[]; transfer: TransferListItem[] | null } {
  let out: unknown[] | null = null;
  let transfer: TransferListItem[] | null = null;
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (isTransferMarker(arg)) {
      out ??= args.slice();
      arg = out[i] = arg.value;
      if (allowTransfer) (transfer ??= []).push(...(args[i] as TransferMarker<unknown>).list);
    }
    const t = typeof arg;
    if (t !== "object" && t !== "function" && t !== "symbol") continue;
    const bad = findUncloneable(arg, 0, new Set());
    if (bad !== null) {
      throw new TypeError(
        `${what} arguments must be structured-cloneable to reach a worker: args[${i}]${bad.at} is ${describeValue(bad.value)} (functions, symbols, promises and weak collections do not cross threads)`,
      );
    }
  }
  return { args: out ?? (args as unknown[]), transfer };
}

/** Collects the buffers of a value passed to `transfer()` without a list. */
export function defaultTransferList(value: unknown): TransferListItem[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value)) return [value.buffer as ArrayBuffer];
  return [];
}

const ERROR_CLASSES: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds an error thrown in a worker: the built-in class when its name is
 * one (`TypeError`…), else an `Error` with the worker's `name`; the message,
 * the worker's stack, own cloneable properties (`code`…) and `cause` (a
 * cause chain that loops loops again here).
 */
export function deserializeError(s: SerializedError, chain: unknown[] = []): unknown {
  if (!s.isError) return s.value;
  const Cls = ERROR_CLASSES[s.name] ?? Error;
  const err = new Cls(s.message);
  if (err.name !== s.name) {
    Object.defineProperty(err, "name", {
      value: s.name,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (s.stack !== undefined) {
    Object.defineProperty(err, "stack", {
      value: s.stack,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (s.props !== undefined) Object.assign(err, s.props);
  chain.push(err);
  if (s.causeRef !== undefined || s.cause !== undefined) {
    Object.defineProperty(err, "cause", {
      value: s.causeRef !== undefined ? chain[s.causeRef] : deserializeError(s.cause!, chain),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return err;
}
