import { deserialize, serialize } from "node:v8";
import { describeValue } from "@aio/core";
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
 */

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

/** Encodes any value (a job's result). @throws {Error} from `v8.serialize` when it cannot be cloned. */
export function encodeValue(value: unknown): string {
  return serialize(value).toString("base64");
}

/** Decodes what {@link encodeArgs} or {@link encodeValue} made. */
export function decodeValue(text: string): unknown {
  return deserialize(Buffer.from(text, "base64"));
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
 * else `null` (BullMQ's own reasons, e.g. a job that stalled too often).
 */
export function decodeFailure(reason: string): unknown {
  const at = reason.lastIndexOf(ERROR_MARK);
  if (at === -1) return null;
  try {
    const w = deserialize(Buffer.from(reason.slice(at + ERROR_MARK.length), "base64")) as WireError;
    return fromWireError(w);
  } catch {
    return null;
  }
}
