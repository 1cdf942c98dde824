import {
  _currentTask,
  _getRunningLoop,
  describeValue,
  type EventLoop,
  getRunningLoop,
  getRuntime,
} from "@aio/core";
import { allTasks } from "@aio/futures";
import { escapeControl } from "./internal/escape.js";
import {
  awaitGraph,
  creationSite,
  type InspectableTask,
  startedTasks,
  taskId,
  tracking,
} from "./internal/graph.js";

/**
 * One pending task in a {@link TaskSnapshot}: what `aio-debug ps` prints as a
 * row and `aio-debug pstree` as a node.
 */
export interface TaskInfo {
  /** A process-wide number, stable for the task's lifetime. */
  id: number;
  /** `task.getName()`. */
  name: string;
  /** `"pending"`, or `"cancelling"` once `cancel()` was requested. */
  state: "pending" | "cancelling";
  /**
   * What the task waits for: the awaited future's `toString()`, or
   * `"running"`, `"scheduled"`, `"a foreign promise"`, or
   * `"scheduled or a foreign promise"` when the debug instruments were not
   * registered early enough to tell the two apart.
   */
  awaiting: string;
  /** Ids of the pending tasks this task awaits (directly or through gather/taskGroup/shield/wait). */
  awaits: number[];
  /** Ids of the pending tasks that await this one. */
  awaitedBy: number[];
  /** Where the task was created (`fn (file:line:col)`), when debug mode recorded it. */
  createdAt: string | null;
}

/** The pending tasks of one loop, with the await graph between them. */
export interface TaskSnapshot {
  /** The loop's `toString()`. */
  loop: string;
  /** Every pending task, in creation order. */
  tasks: TaskInfo[];
}

function checkLoop(where: string, loop: unknown): void {
  if (loop === undefined) return;
  if (
    typeof loop !== "object" ||
    loop === null ||
    typeof (loop as EventLoop).createTask !== "function"
  ) {
    throw new TypeError(`${where} loop must be an EventLoop, received ${describeValue(loop)}`);
  }
}

function describeWait(task: InspectableTask, current: unknown): string {
  const waiter = task._futWaiter ?? null;
  if (waiter !== null) return waiter.done() ? "scheduled" : String(waiter);
  if (task === current) return "running";
  if (!tracking.active) return "scheduled or a foreign promise";
  return startedTasks.has(task) ? "a foreign promise" : "scheduled";
}

/**
 * Takes a snapshot of the pending tasks of `loop` and the await graph between
 * them (the data behind {@link formatTaskTree} and `aio-debug ps`).
 *
 * A task awaiting a `gather()`, a task group's exit, a `shield()` or a
 * `wait()` awaits the tasks behind it; a task awaiting another task awaits
 * that task.
 *
 * @param loop - the loop; default: the running loop.
 * @returns the snapshot.
 * @throws {TypeError} when `loop` is not an event loop.
 * @throws {RuntimeError} `no running event loop` when no loop is given and none runs.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { snapshotTasks } from "@aio/debug";
 * await run(async () => {
 *   console.log(snapshotTasks().tasks.map((t) => `${t.name}: ${t.awaiting}`)); // [ "Task-1: running" ]
 * });
 * ```
 */
export function snapshotTasks(loop?: EventLoop): TaskSnapshot {
  checkLoop("snapshotTasks()", loop);
  const theLoop = loop ?? getRunningLoop();
  const current = _currentTask();
  const tasks = [...allTasks(theLoop)] as unknown as InspectableTask[];
  const infos = new Map<InspectableTask, TaskInfo>();
  for (const task of tasks) {
    infos.set(task, {
      id: taskId(task),
      name: task.getName(),
      state: task.cancelling() > 0 ? "cancelling" : "pending",
      awaiting: describeWait(task, current),
      awaits: [],
      awaitedBy: [],
      createdAt: creationSite(task),
    });
  }
  for (const [task, awaited] of awaitGraph(tasks).awaits) {
    const info = infos.get(task)!;
    for (const child of awaited) {
      const childInfo = infos.get(child);
      if (childInfo === undefined) continue;
      info.awaits.push(childInfo.id);
      childInfo.awaitedBy.push(info.id);
    }
  }
  return { loop: String(theLoop), tasks: [...infos.values()] };
}

/**
 * Snapshots of every loop running in this process (what the `aio-debug`
 * CLI asks a process for).
 *
 * @returns one snapshot per running loop (usually one).
 * @example
 * ```ts
 * import { snapshotRunningLoops } from "@aio/debug";
 * console.log(snapshotRunningLoops().length); // 0 outside run()
 * ```
 */
export function snapshotRunningLoops(): TaskSnapshot[] {
  return [...getRuntime().runningLoops].map((loop) => snapshotTasks(loop));
}

function nodeLine(info: TaskInfo): string {
  const wait =
    info.awaiting === "running" || info.awaiting === "scheduled"
      ? info.awaiting
      : `awaiting ${escapeControl(info.awaiting)}`;
  return `${escapeControl(info.name)} [${escapeControl(info.state)}] ${wait}`;
}

function checkSnapshot(where: string, snapshot: unknown): asserts snapshot is TaskSnapshot {
  const s = snapshot as Partial<TaskSnapshot> | null;
  if (typeof s !== "object" || s === null || !Array.isArray(s.tasks)) {
    throw new TypeError(
      `${where} snapshot must be a TaskSnapshot (with a tasks array), received ${describeValue(snapshot)}`,
    );
  }
}

/**
 * Renders a snapshot as a `pstree`-like text tree: roots are the tasks
 * nobody awaits; under each task, the tasks it awaits.
 *
 * Each task is drawn once. A task awaited by several others (a shared
 * task, a diamond) is drawn under the first of them; later ones show a
 * one-line reference `name (task <id>, shown above)`, so the output grows
 * with the number of tasks and awaits, never with the number of paths.
 * A cycle shows `name (await cycle)` where it closes. Control characters
 * in names and reprs are escaped (`\x1b`).
 *
 * @param snapshot - from {@link snapshotTasks}.
 * @returns the tree, one task per line (no trailing newline); `(no pending tasks)` when empty.
 * @throws {TypeError} when `snapshot` is not a snapshot.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { renderTaskTree, snapshotTasks } from "@aio/debug";
 * await run(async () => { console.log(renderTaskTree(snapshotTasks())); }); // Task-1 [pending] running
 * ```
 */
export function renderTaskTree(snapshot: TaskSnapshot): string {
  checkSnapshot("renderTaskTree()", snapshot);
  const byId = new Map(snapshot.tasks.map((t) => [t.id, t]));
  const lines: string[] = [];
  const shown = new Set<number>();
  // Iterative, so a chain of 100,000 awaits cannot overflow the stack.
  type Frame = { info: TaskInfo; prefix: string; childPrefix: string };
  const walk = (root: TaskInfo): void => {
    const path = new Set<number>();
    const stack: (Frame | number)[] = [{ info: root, prefix: "", childPrefix: "" }];
    while (stack.length !== 0) {
      const top = stack.pop()!;
      if (typeof top === "number") {
        path.delete(top);
        continue;
      }
      const { info, prefix, childPrefix } = top;
      if (path.has(info.id)) {
        lines.push(`${prefix}${escapeControl(info.name)} (await cycle)`);
        continue;
      }
      if (shown.has(info.id)) {
        lines.push(`${prefix}${escapeControl(info.name)} (task ${info.id}, shown above)`);
        continue;
      }
      shown.add(info.id);
      lines.push(`${prefix}${nodeLine(info)}`);
      path.add(info.id);
      stack.push(info.id);
      const children = info.awaits
        .map((id) => byId.get(id))
        .filter((c): c is TaskInfo => c !== undefined);
      for (let i = children.length - 1; i >= 0; i--) {
        const last = i === children.length - 1;
        stack.push({
          info: children[i]!,
          prefix: `${childPrefix}${last ? "└── " : "├── "}`,
          childPrefix: `${childPrefix}${last ? "    " : "│   "}`,
        });
      }
    }
  };
  for (const info of snapshot.tasks) if (info.awaitedBy.length === 0) walk(info);
  // Tasks only reachable through a cycle have no root: show them too.
  for (const info of snapshot.tasks) if (!shown.has(info.id)) walk(info);
  return lines.length === 0 ? "(no pending tasks)" : lines.join("\n");
}

/**
 * Renders a snapshot as a flat table (what `aio-debug ps` prints): id, name,
 * state, what the task awaits, and which tasks await it.
 *
 * Control characters in names and reprs are escaped (`\x1b`).
 *
 * @param snapshot - from {@link snapshotTasks}.
 * @returns the table, header first (no trailing newline).
 * @throws {TypeError} when `snapshot` is not a snapshot.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { renderTaskTable, snapshotTasks } from "@aio/debug";
 * await run(async () => { console.log(renderTaskTable(snapshotTasks())); });
 * ```
 */
export function renderTaskTable(snapshot: TaskSnapshot): string {
  checkSnapshot("renderTaskTable()", snapshot);
  const rows = [["ID", "NAME", "STATE", "AWAITED BY", "AWAITING"]];
  for (const t of snapshot.tasks) {
    rows.push([
      String(t.id),
      escapeControl(t.name),
      escapeControl(t.state),
      t.awaitedBy.join(",") || "-",
      escapeControl(t.awaiting),
    ]);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * The pending tasks of a loop as a `pstree`-like text tree: each task's
 * name, state and what it awaits (the awaited future's `toString()`,
 * `running`, `scheduled`, or `a foreign promise`); a task awaiting
 * `gather()`, a task group or another task shows those tasks as its
 * children. Roots are the tasks nobody awaits. asyncio 3.14's
 * `python -m asyncio pstree`, for the current process.
 *
 * Called outside a loop, it shows every running loop, each under a header line.
 *
 * @param loop - the loop; default: the running loop (or every running loop outside one).
 * @returns the tree (no trailing newline).
 * @throws {TypeError} when `loop` is not an event loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { gather, sleep } from "@aio/futures";
 * import { formatTaskTree } from "@aio/debug";
 * await run(async () => {
 *   const g = gather(() => sleep(10), () => sleep(10));
 *   await sleep(0);
 *   setTimeout(() => console.log(formatTaskTree()), 0);
 *   await g;
 * });
 * ```
 */
export function formatTaskTree(loop?: EventLoop): string {
  checkLoop("formatTaskTree()", loop);
  const target = loop ?? _getRunningLoop();
  if (target !== null) return renderTaskTree(snapshotTasks(target));
  const snaps = snapshotRunningLoops();
  if (snaps.length === 0) return "(no running event loop)";
  return snaps.map((s) => `${escapeControl(s.loop)}\n${renderTaskTree(s)}`).join("\n\n");
}

/**
 * Prints {@link formatTaskTree} to stdout.
 *
 * @param loop - the loop; default: the running loop (or every running loop outside one).
 * @throws {TypeError} when `loop` is not an event loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { printTaskTree } from "@aio/debug";
 * await run(async () => { printTaskTree(); }); // Task-1 [pending] running
 * ```
 */
export function printTaskTree(loop?: EventLoop): void {
  checkLoop("printTaskTree()", loop);
  console.log(formatTaskTree(loop));
}
