/**
 * The await graph, read from the objects themselves: a Task's `_futWaiter`
 * is the @aio Future it is suspended on, and futures that stand for other
 * futures (gather, a task group's exit, shield, wait) list them under
 * `kAwaits`. Both are declared in `@aio/core`'s internal contract. Nothing
 * here is exported to users.
 */
import {
  type _TaskInternals,
  type FutureLike,
  _kAwaits as kAwaits,
  _kTaskBrand as kTaskBrand,
  type TaskLike,
} from "@aio/core";

/** The fields of an @aio Task the debug tools read (all optional: other task implementations). */
export type InspectableTask = TaskLike<unknown> &
  Partial<Pick<_TaskInternals, "_futWaiter">> & {
    getStack?: () => string[];
    cancelling(): number;
  };

type Awaiting = FutureLike<unknown> & { [kAwaits]?: Iterable<FutureLike<unknown>> };

/** True for an @aio Task (from any copy of `@aio/futures`). */
export function isTask(value: unknown): value is InspectableTask {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [kTaskBrand]?: true })[kTaskBrand] === true
  );
}

/**
 * The pending tasks `future` stands for: itself when it is a task, else the
 * tasks behind its `kAwaits` list, recursively (a gather of gathers).
 */
export function awaitedTasks(future: FutureLike<unknown> | null | undefined): InspectableTask[] {
  const out: InspectableTask[] = [];
  if (future != null) expand(future as Awaiting, out, new Set());
  return out;
}

function expand(future: Awaiting, out: InspectableTask[], seen: Set<unknown>): void {
  if (seen.has(future)) return;
  seen.add(future);
  if (isTask(future)) {
    if (!future.done()) out.push(future);
    return;
  }
  let inner: Iterable<FutureLike<unknown>> | undefined;
  try {
    inner = future[kAwaits];
  } catch {
    return;
  }
  if (inner == null) return;
  for (const f of inner) if (typeof f === "object" && f !== null) expand(f as Awaiting, out, seen);
}

/**
 * The await graph of `tasks` (the pending tasks of one loop), read once for
 * every view of it — task trees, `aio-debug`, call graphs:
 *
 * - `awaits`: for each task, the pending tasks it awaits (directly, or
 *   through gather/taskGroup/shield/wait futures), in order;
 * - `awaitedBy`: for every future on the way (the awaited task, the gather
 *   future, a plain Future), the tasks awaiting it, in task order.
 */
export interface AwaitGraph {
  awaits: Map<InspectableTask, InspectableTask[]>;
  awaitedBy: Map<object, InspectableTask[]>;
}

export function awaitGraph(tasks: Iterable<InspectableTask>): AwaitGraph {
  const graph: AwaitGraph = { awaits: new Map(), awaitedBy: new Map() };
  for (const task of tasks) {
    const waiter = task._futWaiter ?? null;
    const awaited: InspectableTask[] = [];
    graph.awaits.set(task, awaited);
    if (waiter === null || waiter.done()) continue;
    const seen = new Set<unknown>();
    const out: InspectableTask[] = [];
    expand(waiter as Awaiting, out, seen);
    for (const f of seen) {
      if (f === task) continue;
      let by = graph.awaitedBy.get(f as object);
      if (by === undefined) graph.awaitedBy.set(f as object, (by = []));
      by.push(task);
    }
    for (const child of out) if (child !== task) awaited.push(child);
  }
  return graph;
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A small process-wide number for a task or future, stable for its lifetime (asyncio's `id()`). */
export function taskId(task: object): number {
  let id = ids.get(task);
  if (id === undefined) ids.set(task, (id = nextId++));
  return id;
}

/** Where each task was created, when the debug instruments saw it being created. */
export const creationErrors = new WeakMap<object, Error>();

/** Tasks whose first step the debug instruments saw begin. */
export const startedTasks = new WeakSet<object>();

/** Whether the debug instruments were registered (then `startedTasks` is reliable). */
export const tracking = { active: false };

/**
 * Stack lines of @aio's own packages and of Node itself (never the user's
 * code), recognised by their file: a package's directory (`@aio/<pkg>` in
 * `node_modules`, `packages/<pkg>/src|dist` in this repository, also behind a
 * dev server's `/@fs/` URLs) or a dev server's pre-bundled copy
 * (`.vite/deps/@aio_<pkg>.js`; code Vite moves into a shared chunk is not
 * recognised). A bundle has one URL for everything: there
 * the call graphs recognise @aio's frames by the stack's shape instead
 * (`call-graph.ts`, `docs/design/call-graph-frames.md`).
 */
export const INTERNAL_FRAME =
  /[\\/](?:@aio[\\/](?:core|loop|futures|sync|executors|streams|debug)|packages[\\/](?:core|loop|futures|sync|executors|streams|debug)[\\/](?:src|dist))[\\/]|[\\/]\.vite[\\/]deps[\\/]@aio_(?:core|loop|futures|sync|executors|streams|debug)(?:_[\w-]+)?\.js\b|\(node:|^\s*at node:|^\s*at (?:new )?Promise\b/;

/** The first stack line outside @aio's own packages and Node's internals: the user's call site. */
export function userFrame(stackLines: readonly string[]): string | null {
  for (const raw of stackLines) {
    const line = raw.trim();
    if (!line.startsWith("at ")) continue;
    if (INTERNAL_FRAME.test(line)) continue;
    return line.slice(3);
  }
  return null;
}

/** A constructor's frame (`new Task`, a subclass's; minifiers rename the class, not the `new`). */
const NEW_FRAME = /^\s*at new /;
/** The public ways to create a task (`createTask()`, `TaskGroup.createTask()`, `loop.createTask()`). */
const CREATE_TASK_FRAME = /^\s*at (?:\S+\.)?createTask \(/;
/** `Runner.run()` creating its main task, and the `run()` that called it. */
const RUNNER_FRAME = /^\s*at \S+\.run \(/;
const RUN_FRAME = /^\s*at (?:async )?run \(/;

/**
 * The user's frame of a task's creation stack, recognised by its shape as
 * well as by file (a bundle shows one URL for every frame): the frames up to
 * the task's constructor (`new Task`, where the stack was taken or under the
 * debug instrument that took it), then the `createTask` calls (and, for
 * the main task, `Runner.run` and `run`), are @aio's. A minifier renames the
 * module-level `createTask` and `run`: in a minified bundle the site is then
 * that renamed frame (docs/design/call-graph-frames.md).
 */
function creationFrame(lines: readonly string[]): string | null {
  let i = lines.findIndex((line) => NEW_FRAME.test(line));
  if (i < 0) return userFrame(lines);
  while (i < lines.length && NEW_FRAME.test(lines[i]!)) i++;
  while (i < lines.length && CREATE_TASK_FRAME.test(lines[i]!)) i++;
  if (i < lines.length && RUNNER_FRAME.test(lines[i]!)) {
    i++;
    if (i < lines.length && RUN_FRAME.test(lines[i]!)) i++;
  }
  return userFrame(lines.slice(i));
}

/** Where `task` was created (`fn (file:line:col)`), or null when nobody recorded it. */
export function creationSite(task: InspectableTask): string | null {
  const err = creationErrors.get(task);
  if (err !== undefined) return creationFrame((err.stack ?? "").split("\n").slice(1));
  const stack = typeof task.getStack === "function" ? task.getStack() : [];
  return stack.length === 0 ? null : creationFrame(stack);
}
