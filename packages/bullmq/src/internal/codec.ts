import { deserialize, serialize } from "node:v8";
import { describeValue, RuntimeError } from "@aio/core";
import { ModuleNotAllowedError } from "../errors.js";

/**
 * How values cross Redis. BullMQ stores job data and return values as JSON,
 * which would turn a Date into a string and drop a Map; so arguments and
 * results travel as the bytes of `node:v8`'s structured clone (the same
 * algorithm the local pools use), base64-encoded inside the JSON.
 *
 * A thrown error is first turned into a {@link WireError} (V8's clone keeps
 * only the built-in error names and drops own properties), so a remote
 * `ValidationError` arrives with its name, message, stack, `cause` and `code`.
 *
 * Values JSON carries exactly (see {@link jsonExact}) travel as `j:` and
 * their JSON instead (wire version 2): a clone of them is the same value
 * either way, and `v8.serialize` plus base64 costs ten times as much CPU as
 * `JSON.stringify` for the small arguments and results most jobs have. A
 * base64 text never contains `:`, so the two cannot be confused.
 */

/**
 * Whether `node:v8` writes V8's serialization format here (its first byte is
 * the version tag 0xFF). Node and Deno do; Bun 1 implements `node:v8` over
 * JavaScriptCore's structured clone, whose bytes (a little-endian version
 * number first) neither side can read of the other: Node says `Unable to
 * deserialize cloned data due to invalid or unsupported version`, Bun
 * `Unable to deserialize data`. Decided by what `serialize` writes, not by
 * the runtime's name.
 */
const V8_FORMAT = serialize(null)[0] === 0xff;

/** The engine family whose `node:v8` wrote `bytes`. */
function writer(bytes: Uint8Array): string {
  return bytes[0] === 0xff
    ? "Node or Deno (V8's serialization format)"
    : "Bun (JavaScriptCore's serialization format)";
}

/** Why bytes another engine family wrote cannot be read here, or `null` when they can. */
function foreign(bytes: Uint8Array): string | null {
  if ((bytes[0] === 0xff) === V8_FORMAT) return null;
  return `was encoded by ${writer(bytes)} and cannot be read on ${writer(serialize(null))}: node:v8's formats differ between the two engines`;
}

/**
 * The clone in `bytes`, or a {@link RuntimeError} naming both engines and the
 * way out when another engine family wrote them (never the engine's own
 * obscure deserialize error).
 */
function readClone(bytes: Buffer, what: string): unknown {
  const why = foreign(bytes);
  if (why !== null) {
    throw new RuntimeError(
      `${what} ${why}. Run the executor and its workers on the same engine family (Node and Deno mix freely), ` +
        "or pass and return only values JSON carries exactly (plain objects and arrays of strings, finite numbers, booleans and null), which travel as JSON",
    );
  }
  return deserialize(bytes);
}

/** Marks a value encoded as JSON (wire version 2). */
const JSON_MARK = "j:";
/** Values with more nodes than this take the V8 path without a full walk. */
const MAX_JSON_NODES = 256;
/** Nesting deeper than this takes the V8 path (it also ends the walk of a cycle). */
const MAX_JSON_DEPTH = 16;

/**
 * Whether `JSON.parse(JSON.stringify(value))` is the structured clone of
 * `value`: finite numbers other than -0, strings, booleans, null, and plain
 * arrays (no holes, no extra properties) and plain objects (prototype
 * `Object.prototype`, no `undefined` values) of those. Anything else
 * (undefined, NaN, -0, BigInt, Date, Map, typed arrays, class instances,
 * cycles, very large values) is left to `v8.serialize`.
 */
function jsonExact(value: unknown): boolean {
  let budget = MAX_JSON_NODES;
  const walk = (v: unknown, depth: number): boolean => {
    if (--budget < 0) return false;
    switch (typeof v) {
      case "string":
      case "boolean":
        return true;
      case "number":
        return Number.isFinite(v) && !Object.is(v, -0);
      case "object": {
        if (v === null) return true;
        if (depth >= MAX_JSON_DEPTH) return false;
        const proto = Object.getPrototypeOf(v);
        if (proto === Array.prototype) {
          const a = v as unknown[];
          if (Object.keys(a).length !== a.length) return false; // holes or extra properties
          for (let i = 0; i < a.length; i++) if (!walk(a[i], depth + 1)) return false;
          return true;
        }
        if (proto !== Object.prototype) return false;
        for (const key in v) {
          if (!Object.hasOwn(v, key)) return false; // an enumerable inherited property
          if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  };
  return walk(value, 0);
}

/** An error as it crosses the wire. */
export interface WireError {
  /** False when something other than an Error was thrown; then `value` holds it. */
  isError: boolean;
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties that could be cloned (e.g. `code`). */
  props: Record<string, unknown> | undefined;
  cause: WireError | undefined;
  value: unknown;
}

/** Marks the encoded error at the end of a failed job's `failedReason`. */
export const ERROR_MARK = "\naio-error:v8:";

/**
 * Encodes job arguments or a result.
 *
 * @throws {TypeError} naming the argument when it cannot be cloned (nothing is sent).
 */
export function encodeArgs(what: string, args: readonly unknown[]): string {
  if (jsonExact(args)) return JSON_MARK + JSON.stringify(args);
  try {
    return serialize(args).toString("base64");
  } catch (err) {
    for (let i = 0; i < args.length; i++) {
      try {
        serialize(args[i]);
      } catch {
        throw new TypeError(
          `${what} arguments must be structured-cloneable to reach a worker: args[${i}] ${describeValue(args[i])} cannot be cloned (${(err as Error).message})`,
        );
      }
    }
    throw new TypeError(
      `${what} arguments must be structured-cloneable to reach a worker (${(err as Error).message})`,
    );
  }
}

/**
 * Encodes any value (a job's result); `json` false for a producer of wire
 * version 1, which reads only V8's encoding.
 *
 * @throws {Error} from `v8.serialize` when it cannot be cloned.
 */
export function encodeValue(value: unknown, json = true): string {
  if (json && jsonExact(value)) return JSON_MARK + JSON.stringify(value);
  return serialize(value).toString("base64");
}

/**
 * Decodes what {@link encodeArgs} or {@link encodeValue} made.
 *
 * @throws {RuntimeError} when an engine of the other family (V8: Node and
 *   Deno; JavaScriptCore: Bun) encoded it as a structured clone.
 */
export function decodeValue(text: string, what = "the value"): unknown {
  if (text.startsWith(JSON_MARK)) return JSON.parse(text.slice(JSON_MARK.length));
  return readClone(Buffer.from(text, "base64"), what);
}

const MAX_CAUSE_DEPTH = 8;

/** Turns a thrown value into a {@link WireError}. */
export function toWireError(err: unknown, depth = 0): WireError {
  if (!(err instanceof Error)) {
    let value: unknown = err;
    try {
      serialize(err);
    } catch {
      value = String(err);
    }
    return {
      isError: false,
      name: "Error",
      message: String(err),
      stack: undefined,
      props: undefined,
      cause: undefined,
      value,
    };
  }
  let props: Record<string, unknown> | undefined;
  for (const key of Object.keys(err)) {
    if (key === "cause" || key === "name" || key === "message" || key === "stack") continue;
    const v = (err as unknown as Record<string, unknown>)[key];
    try {
      serialize(v);
      (props ??= {})[key] = v;
    } catch {
      // a property that cannot cross is left behind
    }
  }
  const cause =
    "cause" in err && err.cause !== undefined && depth < MAX_CAUSE_DEPTH
      ? toWireError(err.cause, depth + 1)
      : undefined;
  return {
    isError: true,
    name: err.name,
    message: err.message,
    stack: err.stack,
    props,
    cause,
    value: undefined,
  };
}

const ERROR_CLASSES: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  ModuleNotAllowedError,
};

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Rebuilds a remote error: the built-in class when its name is one
 * (`TypeError`…), else an `Error` carrying the remote `name`; the message, the
 * remote stack, own cloneable properties and `cause`.
 */
export function fromWireError(w: WireError): unknown {
  if (!w.isError) return w.value;
  const Cls = ERROR_CLASSES[w.name] ?? Error;
  const err = new Cls(w.message);
  if (err.name !== w.name) define(err, "name", w.name);
  if (w.stack !== undefined) define(err, "stack", w.stack);
  if (w.props !== undefined) Object.assign(err, w.props);
  if (w.cause !== undefined) define(err, "cause", fromWireError(w.cause));
  return err;
}

/**
 * A failed job's `failedReason`: a first line people can read in any Redis
 * tool (`TypeError: boom`), then the encoded error after {@link ERROR_MARK}.
 */
export function encodeFailure(err: unknown): string {
  const w = toWireError(err);
  const head = w.isError ? `${w.name}: ${w.message}` : `thrown: ${w.message}`;
  return `${head.split("\n")[0]}${ERROR_MARK}${serialize(w).toString("base64")}`;
}

/**
 * Decodes a `failedReason`: the remote error when the worker encoded one,
 * else `null` (BullMQ's own reasons, e.g. a job that stalled too often). A
 * worker on the other engine family wrote bytes this one cannot read: then
 * a {@link RuntimeError} carrying the reason's readable first line.
 */
export function decodeFailure(reason: string): unknown {
  const at = reason.lastIndexOf(ERROR_MARK);
  if (at === -1) return null;
  const bytes = Buffer.from(reason.slice(at + ERROR_MARK.length), "base64");
  const why = foreign(bytes);
  if (why !== null) {
    return new RuntimeError(
      `the job failed on its worker with ${JSON.stringify(reason.slice(0, at))}; the rest of its error ` +
        `(class, stack, properties, cause) ${why}. A job's error always travels as a clone: ` +
        "run the executor and its workers on the same engine family (Node and Deno mix freely) to receive it whole",
    );
  }
  try {
    return fromWireError(deserialize(bytes) as WireError);
  } catch {
    return null;
  }
}
