/**
 * asyncio 3.14's call-graph introspection (`asyncio/graph.py`):
 * `captureCallGraph`, `formatCallGraph`, `printCallGraph`.
 *
 * What a JavaScript engine lets us see differs from CPython's frames:
 *
 * - the current task's call stack is the live stack (V8's stack trace, with
 *   its `async` frames and the generator frames of `yield*` chains), from
 *   the caller of `captureCallGraph` down to where the task's step began;
 * - a suspended task exposes no frames (neither a suspended `async`
 *   function nor a suspended generator can be asked for its position), so
 *   its stack is where it was created, when debug mode recorded it;
 * - "awaited by" is the same await graph the task trees draw
 *   (`awaitGraph()` in `internal/graph.ts`): a task awaiting a future
 *   directly, or through `gather`, a task group's exit, `shield` or `wait`.
 */
import {
  _checkInteger,
  _checkOptions,
  _currentTask,
  _getRunningLoop,
  _suspensionSites,
  type _TaskInternals,
  describeValue,
  type FutureLike,
  RuntimeError,
} from "@aio/core";
import { allTasks } from "@aio/futures";
import { escapeControl } from "./internal/escape.js";
import {
  awaitGraph,
  creationSite,
  INTERNAL_FRAME,
  type InspectableTask,
  isTask,
  taskId,
} from "./internal/graph.js";

/**
 * One entry of a call stack in a {@link FutureCallGraph} (asyncio's
 * `FrameCallGraphEntry`, which holds a frame object; here, what a stack
 * trace line says about the frame).
 */
export interface FrameCallGraphEntry {
  /**
   * `"sync"` a plain function, `"async"` an `async` function V8 shows as
   * awaiting, `"generator"` a generator function (a step of a `yield*`
   * chain), `"created"` not a live frame but where a suspended task was
   * created.
   */
  kind: "sync" | "async" | "generator" | "created";
  /** The function's name (`""` for an anonymous function). */
  name: string;
  /** The file (a path or URL), or null when the engine gives none. */
  fileName: string | null;
  /** 1-based line, or null. */
  lineNumber: number | null;
  /** 1-based column, or null. */
  columnNumber: number | null;
  /** The stack line as the engine wrote it, without `at `. */
  frame: string;
}

/** The call graph of one future (asyncio's `FutureCallGraph`). */
export interface FutureCallGraph {
  /** The Future or Task. */
  future: FutureLike<unknown>;
  /** Its call stack, innermost (top) frame first. */
  callStack: FrameCallGraphEntry[];
  /**
   * The graphs of the tasks awaiting it. A task awaited along several paths
   * appears once, as the same object (so the structure is a DAG, cyclic
   * only for tasks that await each other).
   */
  awaitedBy: FutureCallGraph[];
}

/** Options of {@link captureCallGraph}, {@link formatCallGraph}, {@link printCallGraph}. */
export interface CallGraphOptions {
  /**
   * Frames to skip from the top of the current task's stack: 1 (default)
   * starts at the caller of `captureCallGraph`.
   */
  depth?: number;
  /**
   * Truncate each call stack to `abs(limit)` entries: a positive limit keeps
   * the entries closest to where the task began (the bottom), a negative one
   * the topmost; 0 leaves every stack empty; null or absent keeps all.
   */
  limit?: number | null;
}

/** Deep enough for any real await chain, bounded so a runaway recursion cannot cost much. */
const MAX_STACK_FRAMES = 200;

/** `at [async ]name (location)` or `at [async ]location`. */
const FRAME_LINE = /^\s*at (?:(async) )?(?:(.*?) \((.*)\)|(.*))$/;
/** The frame V8 puts under a generator frame: the `next`/`throw` that resumed it. */
const GENERATOR_RESUME = /^\s*at (?:\S+\.)?(?:next|throw|return) \(<anonymous>\)$/;
/**
 * The frame of a task step's `runInAsyncScope` (Node's `AsyncResource`, or
 * `@aio/core`'s stand-in where there are no async hooks). A method name:
 * bundlers and minifiers keep it, unlike file names (one URL for the whole
 * bundle) and `#private` or module-level function names.
 */
const STEP_FRAME = /^\s*at (?:\S+\.)?runInAsyncScope \(/;
/**
 * @aio's frames between a step's `runInAsyncScope` and the user's code: an
 * async task's first step runs `enterTask` → `callInTask` → the function, a
 * generator task's step `#coroResume` → the generator's `next`/`throw` → the
 * generator (`packages/futures/src/task.ts` and `internal/task-scope.ts`, the
 * other side of this count; `test/call-graph-bundle.test.ts` checks it in a
 * minified bundle, where nothing else recognises them).
 */
const STEP_DRIVER_FRAMES = 2;
/** A host's own frame (a `runInAsyncScope` implemented in layers). */
const HOST_FRAME = /\((?:node|ext):|^\s*at (?:node|ext):|\(native\)$/;
/** An absolute URL: its query and fragment (a dev server's `?v=…`, `?import`) are not part of the file. */
const URL_WITH_QUERY = /^([a-z][\w+.-]*:\/\/[^?#]*)[?#].*$/i;

function parseFrame(line: string, kind: FrameCallGraphEntry["kind"]): FrameCallGraphEntry | null {
  const m = FRAME_LINE.exec(line);
  if (m === null) return null;
  const isAsync = m[1] !== undefined;
  // (@aio/futures calls a task's function without a receiver, so the frame
  // carries the name the user wrote.)
  const name = m[2] ?? "";
  const location = m[3] ?? m[4] ?? "";
  const loc = /^(.*):(\d+):(\d+)$/.exec(location);
  const file = loc !== null ? loc[1]! : location === "" ? null : location;
  return {
    kind: kind === "sync" && isAsync ? "async" : kind,
    name,
    fileName: file === null ? null : file.replace(URL_WITH_QUERY, "$1"),
    lineNumber: loc !== null ? Number(loc[2]) : null,
    columnNumber: loc !== null ? Number(loc[3]) : null,
    frame: line.trim().slice(3),
  };
}

type StackHolder = { stack?: unknown };
type CaptureStackTrace = (holder: object, cut?: (...args: never[]) => unknown) => void;

/**
 * The stack as text (locations as the host maps them: TypeScript lines under
 * tsx or vitest) and, where the engine offers V8's structured call sites,
 * which frames are `async` (a host's source-map rewriting can drop the
 * `async` marker from the text). Where the engine has
 * `Error.captureStackTrace` (V8: Node, Deno, Chromium; Bun), the stack
 * starts at the caller of `entry` (`cut` is true): the public function's
 * own frames are gone whatever their file is called.
 */
function captureFrames(entry: (...args: never[]) => unknown): {
  lines: string[];
  isAsync: boolean[] | null;
  cut: boolean;
} {
  const capture = (Error as { captureStackTrace?: CaptureStackTrace }).captureStackTrace;
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  let text: unknown;
  let sites: unknown;
  try {
    Error.stackTraceLimit = MAX_STACK_FRAMES;
    if (typeof capture === "function") {
      const holder: StackHolder = {};
      capture(holder, entry);
      text = holder.stack;
      Error.prepareStackTrace = (_err, callSites) => callSites;
      const raw: StackHolder = {};
      capture(raw, entry);
      sites = raw.stack;
    } else {
      text = new Error().stack;
    }
  } catch {
    sites = null;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  let cut = typeof capture === "function";
  // The first text line is the message; without the cut, the first frame is this function.
  let lines = typeof text === "string" ? text.split("\n").slice(cut ? 1 : 2) : [];
  if (cut && lines.length === 0) {
    // `entry` was not on the stack (an engine's tail call took its frame): no cut.
    cut = false;
    sites = null;
    lines = (new Error().stack ?? "").split("\n").slice(2);
  }
  let isAsync: boolean[] | null = null;
  if (Array.isArray(sites) && sites.length === lines.length) {
    isAsync = sites.map((cs: { isAsync?: () => boolean }) =>
      typeof cs?.isAsync === "function" ? cs.isAsync() : false,
    );
  }
  return { lines, isAsync, cut };
}

/**
 * Where the user's frames of a task step end: the index of @aio's first
 * driver frame above the step's (outermost) `runInAsyncScope`, and whether
 * that frame resumed a generator (then the frame above it is a generator
 * frame). Without a step on the stack (an `async` function resumed by a
 * promise job), every frame is the user's.
 */
function stepEnd(lines: readonly string[], from: number): { end: number; resumed: boolean } {
  for (let b = lines.length - 1; b >= from; b--) {
    if (!STEP_FRAME.test(lines[b]!)) continue;
    let end = b;
    while (end > from && HOST_FRAME.test(lines[end - 1]!)) end--;
    if (end > from && INTERNAL_FRAME.test(lines[end - 1]!)) {
      // The host shows @aio's files apart: they say where the driver ends
      // (on JavaScriptCore, whose tail calls leave no frame, the count differs).
      while (end > from && INTERNAL_FRAME.test(lines[end - 1]!)) end--;
    } else {
      end = Math.max(from, end - STEP_DRIVER_FRAMES);
    }
    return { end, resumed: GENERATOR_RESUME.test(lines[end] ?? "") };
  }
  return { end: lines.length, resumed: false };
}

/** The frames `from`..`end` as entries: generator resumptions mark the frame above, @aio's and the host's go. */
function entries(
  lines: readonly string[],
  from: number,
  kindOf: (i: number) => FrameCallGraphEntry["kind"],
): FrameCallGraphEntry[] {
  const { end, resumed } = stepEnd(lines, from);
  const out: FrameCallGraphEntry[] = [];
  for (let i = from; i < end; i++) {
    const line = lines[i]!;
    if (GENERATOR_RESUME.test(line)) {
      const last = out[out.length - 1];
      if (last !== undefined) last.kind = "generator";
      continue;
    }
    // @aio's own frames between the user's (a timeout() body, a sync
    // primitive's generator form) are not the user's code: recognised by
    // their file where the host shows @aio's files apart.
    if (INTERNAL_FRAME.test(line)) continue;
    const entry = parseFrame(line, kindOf(i));
    if (entry !== null) out.push(entry);
  }
  const last = out[out.length - 1];
  if (resumed && last !== undefined) last.kind = "generator";
  return out;
}

/** The live stack of the current task, from `depth` frames above the caller down to the task's step. */
function liveStack(depth: number, entry: (...args: never[]) => unknown): FrameCallGraphEntry[] {
  const { lines, isAsync, cut } = captureFrames(entry);
  let i = 0;
  // Without the engine's cut: our own frames, recognised by their file.
  if (!cut) while (i < lines.length && INTERNAL_FRAME.test(lines[i]!)) i++;
  i += depth - 1;
  return entries(lines, Math.min(i, lines.length), (k) =>
    isAsync?.[k] === true ? "async" : "sync",
  );
}

/**
 * A suspended task's stack: in debug mode, a generator task's frames at the
 * `yield*` it waits on (innermost first, as a live stack), then where the
 * task was created, when known.
 */
function suspendedStack(future: FutureLike<unknown>): FrameCallGraphEntry[] {
  if (!isTask(future)) return [];
  const out: FrameCallGraphEntry[] = [];
  const site = _suspensionSites.get(future);
  if (site !== undefined && (future as unknown as _TaskInternals)._futWaiter === site.future) {
    // The message, then the frame that recorded it (the future's iterator's
    // `next`, which the innermost `yield*` called), then the user's frames
    // down to the task's step.
    out.push(...entries(site.stack.split("\n"), 2, () => "generator"));
  }
  const created = creationSite(future);
  if (created !== null) {
    const entry = parseFrame(`    at ${created}`, "created");
    if (entry !== null) out.push(entry);
  }
  return out;
}

function applyLimit(stack: FrameCallGraphEntry[], limit: number | null): FrameCallGraphEntry[] {
  if (limit === null) return stack;
  if (limit === 0) return [];
  return limit > 0 ? stack.slice(-limit) : stack.slice(0, -limit);
}

function checkFuture(where: string, future: unknown): asserts future is FutureLike<unknown> {
  const f = future as Partial<FutureLike<unknown>> | null;
  if (
    typeof f !== "object" ||
    f === null ||
    typeof f.done !== "function" ||
    typeof f.getLoop !== "function"
  ) {
    throw new TypeError(
      `${where} future must be a Future or Task, received ${describeValue(future)}`,
    );
  }
}

function checkOptions(
  where: string,
  options: CallGraphOptions | undefined,
): {
  depth: number;
  limit: number | null;
} {
  const opts = _checkOptions(where, options);
  const depth = opts.depth ?? 1;
  _checkInteger(where, "depth", depth, { min: 1 });
  const limit = opts.limit ?? null;
  if (limit !== null) {
    if (typeof limit !== "number")
      throw new TypeError(
        `${where} limit must be an integer or null, received ${describeValue(limit)}`,
      );
    if (!Number.isInteger(limit))
      throw new RangeError(
        `${where} limit must be an integer or null, received ${describeValue(limit)}`,
      );
  }
  return { depth, limit };
}

/** The target future, or null for "no current task"; throws outside a loop without one. */
function target(where: string, future: unknown): FutureLike<unknown> | null {
  if (future !== undefined && future !== null) {
    checkFuture(where, future);
    return future;
  }
  if (_getRunningLoop() === null) {
    throw new RuntimeError(
      `${where} is called outside of a running event loop and no future to introspect was provided`,
    );
  }
  return _currentTask() as FutureLike<unknown> | null;
}

function capture(
  where: string,
  entry: (...args: never[]) => unknown,
  future: unknown,
  options: CallGraphOptions | undefined,
): FutureCallGraph | null {
  const { depth, limit } = checkOptions(where, options);
  const fut = target(where, future);
  if (fut === null) return null;
  const isCurrent = fut === _currentTask();
  const graph = awaitGraph(allTasks(fut.getLoop()) as unknown as Iterable<InspectableTask>);
  const built = new Map<object, FutureCallGraph>();
  const build = (f: FutureLike<unknown>, stack: FrameCallGraphEntry[]): FutureCallGraph => {
    const node: FutureCallGraph = { future: f, callStack: applyLimit(stack, limit), awaitedBy: [] };
    built.set(f, node);
    for (const parent of graph.awaitedBy.get(f) ?? []) {
      node.awaitedBy.push(built.get(parent) ?? build(parent, suspendedStack(parent)));
    }
    return node;
  };
  // Each future is built once (memoised before its awaiters are visited):
  // shared awaiters are the same node, and a cycle closes on its ancestor.
  return build(fut, isCurrent ? liveStack(depth, entry) : suspendedStack(fut));
}

/**
 * Captures the async call graph of `future`, or of the current task:
 * its call stack and, recursively, the tasks awaiting it (asyncio 3.14's
 * `asyncio.capture_call_graph()`).
 *
 * For the current task the call stack is the live stack, innermost frame
 * first, from the caller (`depth` 1) down to where the task's step began,
 * `async` and generator frames included. A suspended task shows where it
 * was created (with debug mode on: `enableDebug()` or the loop's debug mode);
 * a plain Future has no stack. "Awaited by" follows awaits through
 * `gather`, task groups, `shield` and `wait` — the graph `formatTaskTree()`
 * and `aio-debug pstree` draw.
 *
 * @param future - a Future or Task; default: the current task.
 * @param options - `depth` (frames to skip, default 1), `limit` (entries kept per stack).
 * @returns the graph, or null when no future is given and no task is running.
 * @throws {TypeError} when `future` is not a Future or Task, `options` not an object, `depth` or `limit` not a number.
 * @throws {RangeError} when `depth` is not an integer >= 1 or `limit` not an integer.
 * @throws {RuntimeError} when no future is given and no loop is running.
 * @example
 * ```ts
 * import { captureCallGraph } from "@aio/debug";
 * import { createTask, gather, sleep } from "@aio/futures";
 * import { run } from "@aio/loop";
 *
 * await run(async () => {
 *   async function leaf() {
 *     await sleep(0);
 *     const g = captureCallGraph()!;
 *     console.log(g.callStack[0]?.name, g.awaitedBy.length); // leaf 1
 *   }
 *   await gather(createTask(leaf));
 * });
 * ```
 */
export function captureCallGraph(
  future?: FutureLike<unknown> | null,
  options?: CallGraphOptions,
): FutureCallGraph | null {
  // Not `return capture(…)`: a proper tail call (JavaScriptCore) would take
  // this frame off the stack, and the stack is cut at it.
  const graph = capture("captureCallGraph()", captureCallGraph, future, options);
  return graph;
}

function describeFuture(f: FutureLike<unknown>): string {
  if (isTask(f)) return `Task(name='${escapeControl(f.getName())}', id=${taskId(f)})`;
  return `Future(id=${taskId(f)})`;
}

function describeEntry(e: FrameCallGraphEntry): string {
  const where =
    e.fileName === null
      ? escapeControl(e.frame)
      : `File '${escapeControl(e.fileName)}'${e.lineNumber === null ? "" : `, line ${e.lineNumber}`}`;
  const name = escapeControl(e.name === "" ? "<anonymous>" : e.name);
  switch (e.kind) {
    case "async":
      return `${where}, in async ${name}()`;
    case "generator":
      return `${where}, in generator ${name}()`;
    case "created":
      return `${where}, in ${name}() (task created here)`;
    default:
      return `${where}, in ${name}()`;
  }
}

/** asyncio's `print_call_graph` layout; a graph reached twice is drawn once, then referred to. */
function render(graph: FutureCallGraph): string {
  const lines: string[] = [];
  const shown = new Set<FutureCallGraph>();
  const stack: [FutureCallGraph, number][] = [[graph, 0]];
  while (stack.length !== 0) {
    const [node, level] = stack.pop()!;
    const pad = "    ".repeat(level);
    if (shown.has(node)) {
      lines.push(`${pad}* ${describeFuture(node.future)} (shown above)`);
      continue;
    }
    shown.add(node);
    lines.push(`${pad}* ${describeFuture(node.future)}`);
    if (node.callStack.length !== 0) {
      lines.push(`${pad}  + Call stack:`);
      for (const e of node.callStack) lines.push(`${pad}  |   ${describeEntry(e)}`);
    }
    if (node.awaitedBy.length !== 0) {
      lines.push(`${pad}  + Awaited by:`);
      for (let i = node.awaitedBy.length - 1; i >= 0; i--)
        stack.push([node.awaitedBy[i]!, level + 1]);
    }
  }
  return lines.join("\n");
}

/**
 * {@link captureCallGraph} as text, in asyncio's `print_call_graph()` layout:
 * `* Task(name='…', id=…)`, `+ Call stack:` with one `File '…', line N, in
 * [async] fn()` line per entry, `+ Awaited by:` with the awaiting tasks
 * indented below. A task reached along several paths is drawn once and
 * then shown as `* Task(…) (shown above)`. Control characters are escaped.
 *
 * @param future - a Future or Task; default: the current task.
 * @param options - `depth`, `limit`.
 * @returns the text (no trailing newline); `""` when no future is given and no task is running.
 * @throws {TypeError} when `future` is not a Future or Task, `options` not an object, `depth` or `limit` not a number.
 * @throws {RangeError} when `depth` is not an integer >= 1 or `limit` not an integer.
 * @throws {RuntimeError} when no future is given and no loop is running.
 * @example
 * ```ts
 * import { formatCallGraph } from "@aio/debug";
 * import { createTask, sleep } from "@aio/futures";
 * import { run } from "@aio/loop";
 *
 * await run(async () => {
 *   const worker = createTask(async () => {
 *     await sleep(0);
 *     console.log(formatCallGraph());
 *   }, { name: "worker" });
 *   await worker;
 * });
 * // * Task(name='worker', id=2)
 * //   + Call stack:
 * //   |   File '…', line 7, in <anonymous>()
 * //   + Awaited by:
 * //       * Task(name='Task-1', id=1)
 * ```
 */
export function formatCallGraph(
  future?: FutureLike<unknown> | null,
  options?: CallGraphOptions,
): string {
  const graph = capture("formatCallGraph()", formatCallGraph, future, options);
  return graph === null ? "" : render(graph);
}

/**
 * Prints {@link formatCallGraph} to stdout (nothing when no future is given
 * and no task is running).
 *
 * @param future - a Future or Task; default: the current task.
 * @param options - `depth`, `limit`.
 * @throws {TypeError} when `future` is not a Future or Task, `options` not an object, `depth` or `limit` not a number.
 * @throws {RangeError} when `depth` is not an integer >= 1 or `limit` not an integer.
 * @throws {RuntimeError} when no future is given and no loop is running.
 * @example
 * ```ts
 * import { printCallGraph } from "@aio/debug";
 * import { run } from "@aio/loop";
 *
 * await run(async () => {
 *   printCallGraph(); // * Task(name='Task-1', id=1) …
 * });
 * ```
 */
export function printCallGraph(
  future?: FutureLike<unknown> | null,
  options?: CallGraphOptions,
): void {
  const graph = capture("printCallGraph()", printCallGraph, future, options);
  if (graph !== null) console.log(render(graph));
}
