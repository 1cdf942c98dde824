import {
  _checkFunction,
  _checkOptions,
  _getRunningLoop,
  describeValue,
  type EventLoop,
} from "@aio/core";
import { tracking, userFrame } from "./internal/graph.js";

/** Options of {@link trackResource}. */
export interface TrackResourceOptions {
  /** What the resource is, for the report: `"StreamWriter"`, `"Server"`, `"ThreadPoolExecutor"`. */
  kind: string;
  /**
   * Closes the resource. When given, a resource still open at loop close is
   * reported and then closed with it, so it cannot keep the process alive.
   */
  close?: () => unknown;
  /** The loop whose closing it must not outlive; default: the running loop. */
  loop?: EventLoop;
}

/**
 * The handle {@link trackResource} returns: call `closed()` when the resource
 * is closed, so it is not reported.
 */
export interface TrackedResource {
  /** The kind given to `trackResource`. */
  readonly kind: string;
  /** Where the resource was created (`fn (file:line:col)`), or null when debug mode was off. */
  readonly createdAt: string | null;
  /** Marks the resource closed. Idempotent. */
  closed(): void;
}

/** @internal A resource still open. */
export interface ResourceRecord {
  resource: object;
  kind: string;
  close: (() => unknown) | undefined;
  error: Error;
  handle: TrackedResource;
}

const openResources = new WeakMap<EventLoop, Set<ResourceRecord>>();

const NOOP: TrackedResource = Object.freeze({ kind: "", createdAt: null, closed() {} });

/**
 * Records that `resource` was opened, with where it was created, so debug
 * mode can report it when its loop closes while it is still open (asyncio's
 * `ResourceWarning: unclosed transport`). Resource implementations call it
 * when they open, and `closed()` on the returned handle when they close.
 *
 * With debug mode off (no `enableDebug()`), it records nothing and costs one
 * branch.
 *
 * @param resource - the resource (its `toString()` appears in the report).
 * @param options - `kind`, optional `close`, optional `loop`.
 * @returns the handle to mark the resource closed.
 * @throws {TypeError} when `resource` is not an object, `options` not an
 *   object, `kind` not a non-empty string, `close` not a function or `loop`
 *   not an event loop.
 * @example
 * ```ts
 * import { enableDebug, trackResource } from "@aio/debug";
 * import { run } from "@aio/loop";
 * enableDebug();
 * await run(async () => {
 *   const conn = { close() {} };
 *   const tracked = trackResource(conn, { kind: "Connection", close: () => conn.close() });
 *   conn.close();
 *   tracked.closed(); // not reported at loop close
 * });
 * ```
 */
export function trackResource(resource: object, options: TrackResourceOptions): TrackedResource {
  if ((typeof resource !== "object" && typeof resource !== "function") || resource === null) {
    throw new TypeError(
      `trackResource() resource must be an object, received ${describeValue(resource)}`,
    );
  }
  const opts = _checkOptions("trackResource()", options as TrackResourceOptions | undefined);
  const kind = opts.kind;
  if (typeof kind !== "string" || kind === "") {
    throw new TypeError(
      `trackResource() options.kind must be a non-empty string, received ${describeValue(kind)}`,
    );
  }
  if (opts.close !== undefined) _checkFunction("trackResource()", "options.close", opts.close);
  if (
    opts.loop !== undefined &&
    (typeof opts.loop !== "object" ||
      opts.loop === null ||
      typeof (opts.loop as EventLoop).isClosed !== "function")
  ) {
    throw new TypeError(
      `trackResource() options.loop must be an EventLoop, received ${describeValue(opts.loop)}`,
    );
  }
  if (!tracking.active) return NOOP;
  const loop = opts.loop ?? _getRunningLoop();
  if (loop === null) return NOOP;
  const error = new Error();
  let set = openResources.get(loop);
  if (set === undefined) openResources.set(loop, (set = new Set()));
  const records = set;
  const record: ResourceRecord = {
    resource,
    kind,
    close: opts.close,
    error,
    handle: {
      kind,
      get createdAt() {
        return userFrame((error.stack ?? "").split("\n").slice(1));
      },
      closed() {
        records.delete(record);
      },
    },
  };
  records.add(record);
  return record.handle;
}

/** @internal The resources of `loop` still open; forgets them. */
export function takeOpenResources(loop: EventLoop): ResourceRecord[] {
  const set = openResources.get(loop);
  if (set === undefined) return [];
  openResources.delete(loop);
  return [...set];
}
