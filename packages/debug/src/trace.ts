import type * as Fs from "node:fs";
import {
  _checkInteger,
  _checkOptions,
  addInstrument,
  describeValue,
  type EventLoop,
  type FutureLike,
  type Instrument,
  RuntimeError,
  type TaskLike,
  ValueError,
} from "@aio/core";
import { awaitedTasks, taskId } from "./internal/graph.js";
import { nodeBuiltin, pid } from "./internal/host.js";
import { isInternalHandle } from "./internal/probe.js";

/**
 * One event of Chrome's Trace Event format (the subset `@aio/debug` writes):
 * `X` complete slices, `s`/`f` flow arrows, `M` metadata, `i` instants.
 */
export interface TraceEvent {
  /** Slice, flow or metadata name (`thread_name`, `process_name` for `M`). */
  name: string;
  /** The phase. */
  ph: "X" | "s" | "f" | "M" | "i";
  /** Microseconds since the trace started (absent for `M`). */
  ts?: number;
  /** Duration in microseconds (`X`). */
  dur?: number;
  /** The process id. */
  pid: number;
  /** The track: one per task, one for each loop's callbacks. */
  tid: number;
  /** Category (`callback`, `step`, `await`). */
  cat?: string;
  /** Flow id (`s`/`f`). */
  id?: number;
  /** Flow binding point (`e`: the enclosing slice). */
  bp?: "e";
  /** Instant scope (`t`: thread). */
  s?: "t" | "p" | "g";
  /** Extra data. */
  args?: Record<string, unknown>;
}

/** A recorded trace: open it in Perfetto, `chrome://tracing` or `@aio/debug`'s viewer. */
export interface Trace {
  /** The events. */
  traceEvents: TraceEvent[];
  /** How viewers display times. */
  displayTimeUnit: "ms";
  /** Recorder facts: the producer, events dropped over `maxEvents`. */
  otherData: {
    /** What wrote the trace: `"@aio/debug"`. */
    producer: string;
    /** How many events were not recorded because `maxEvents` was reached. */
    droppedEvents: number;
  };
}

/** Options of {@link startTrace}. */
export interface TraceOptions {
  /** Stop recording new events after this many (the trace says how many were dropped); default 1,000,000. */
  maxEvents?: number;
}

const DEFAULT_MAX_EVENTS = 1_000_000;

interface OpenStep {
  ts: number;
}

/** Records loop callbacks and task steps as Trace Events. */
class Recorder implements Instrument {
  readonly events: TraceEvent[] = [];
  readonly #t0 = performance.now();
  readonly #pid = pid;
  readonly #max: number;
  dropped = 0;
  #nextTid = 1;
  #nextFlow = 1;
  readonly #loopTids = new Map<EventLoop, number>();
  readonly #taskTids = new Map<TaskLike<unknown>, number>();
  readonly #open = new Map<TaskLike<unknown>, OpenStep>();
  /** Flows that start at a step end, waiting for the awaited task's next step. */
  readonly #flowsTo = new Map<TaskLike<unknown>, number[]>();
  readonly #flowStarts = new Map<number, TraceEvent>();

  constructor(max: number) {
    this.#max = max;
  }

  #now(): number {
    return (performance.now() - this.#t0) * 1000;
  }

  #push(e: TraceEvent): void {
    if (this.events.length >= this.#max) {
      this.dropped++;
      return;
    }
    this.events.push(e);
  }

  #loopTid(loop: EventLoop): number {
    let tid = this.#loopTids.get(loop);
    if (tid === undefined) this.#loopTids.set(loop, (tid = this.#nextTid++));
    return tid;
  }

  #taskTid(task: TaskLike<unknown>): number {
    let tid = this.#taskTids.get(task);
    if (tid === undefined) {
      this.#loopTid(task.getLoop());
      this.#taskTids.set(task, (tid = this.#nextTid++));
    }
    return tid;
  }

  callbackEnd(loop: EventLoop, handle: object, durationMs: number): void {
    if (isInternalHandle(handle)) return;
    const end = this.#now();
    const dur = durationMs * 1000;
    this.#push({
      name: String(handle),
      cat: "callback",
      ph: "X",
      ts: Math.max(0, end - dur),
      dur,
      pid: this.#pid,
      tid: this.#loopTid(loop),
    });
  }

  taskCreated(task: TaskLike<unknown>): void {
    this.#push({
      name: "created",
      cat: "task",
      ph: "i",
      s: "t",
      ts: this.#now(),
      pid: this.#pid,
      tid: this.#taskTid(task),
    });
  }

  taskStep(task: TaskLike<unknown>): void {
    const ts = this.#now();
    this.#open.set(task, { ts });
    const flows = this.#flowsTo.get(task);
    if (flows === undefined) return;
    this.#flowsTo.delete(task);
    const tid = this.#taskTid(task);
    for (const id of flows) {
      this.#push({ name: "await", cat: "await", ph: "f", id, ts, pid: this.#pid, tid });
    }
  }

  taskStepEnd(task: TaskLike<unknown>, awaiting: FutureLike<unknown> | null): void {
    const open = this.#open.get(task);
    if (open === undefined) return;
    this.#open.delete(task);
    const end = this.#now();
    const tid = this.#taskTid(task);
    const dur = Math.max(0, end - open.ts);
    const args: Record<string, unknown> = { task: task.getName(), id: taskId(task) };
    if (awaiting !== null) args.awaiting = String(awaiting);
    this.#push({ name: "step", cat: "step", ph: "X", ts: open.ts, dur, pid: this.#pid, tid, args });
    if (awaiting === null || awaiting.done()) return;
    // The arrow starts inside the step's slice, just before it ends.
    const at = end - Math.min(1, dur / 2);
    for (const child of awaitedTasks(awaiting)) {
      const id = this.#nextFlow++;
      const start: TraceEvent = {
        name: "await",
        cat: "await",
        ph: "s",
        id,
        ts: at,
        pid: this.#pid,
        tid,
      };
      this.#flowStarts.set(id, start);
      this.#push(start);
      let list = this.#flowsTo.get(child);
      if (list === undefined) this.#flowsTo.set(child, (list = []));
      list.push(id);
    }
  }

  taskDone(task: TaskLike<unknown>): void {
    this.#flowsTo.delete(task);
  }

  finish(): Trace {
    const end = this.#now();
    for (const [task, open] of this.#open) {
      this.#push({
        name: "step",
        cat: "step",
        ph: "X",
        ts: open.ts,
        dur: Math.max(0, end - open.ts),
        pid: this.#pid,
        tid: this.#taskTid(task),
        args: { task: task.getName(), id: taskId(task), unfinished: true },
      });
    }
    // Arrows whose awaited task never ran again have no end: drop their start.
    const unmatched = new Set<TraceEvent>();
    for (const ids of this.#flowsTo.values())
      for (const id of ids) unmatched.add(this.#flowStarts.get(id)!);
    const events =
      unmatched.size === 0 ? this.events : this.events.filter((e) => !unmatched.has(e));
    const meta: TraceEvent[] = [
      {
        name: "process_name",
        ph: "M",
        pid: this.#pid,
        tid: 0,
        args: { name: `aio (pid ${this.#pid})` },
      },
    ];
    let n = 0;
    for (const [, tid] of this.#loopTids) {
      n++;
      meta.push({
        name: "thread_name",
        ph: "M",
        pid: this.#pid,
        tid,
        args: { name: this.#loopTids.size === 1 ? "event loop" : `event loop ${n}` },
      });
      meta.push({
        name: "thread_sort_index",
        ph: "M",
        pid: this.#pid,
        tid,
        args: { sort_index: tid },
      });
    }
    for (const [task, tid] of this.#taskTids) {
      meta.push({
        name: "thread_name",
        ph: "M",
        pid: this.#pid,
        tid,
        args: { name: `${task.getName()} (#${taskId(task)})` },
      });
      meta.push({
        name: "thread_sort_index",
        ph: "M",
        pid: this.#pid,
        tid,
        args: { sort_index: tid },
      });
    }
    return {
      traceEvents: [...meta, ...events],
      displayTimeUnit: "ms",
      otherData: { producer: "@aio/debug", droppedEvents: this.dropped },
    };
  }
}

let recorder: Recorder | null = null;
let removeRecorder: (() => void) | null = null;

/**
 * Starts recording a trace of every loop in this process: each task gets a
 * track with its steps as slices, each loop a track with its callbacks, and
 * an arrow (a flow event) goes from the step where a task starts awaiting
 * another task (directly, or through `gather`/`taskGroup`/`shield`/`wait`)
 * to that task's next step. Stop with {@link stopTrace} or {@link writeTrace}.
 *
 * @param options - `maxEvents`.
 * @throws {RuntimeError} `a trace is already being recorded`.
 * @throws {TypeError} when `options` is not an object or `maxEvents` not a number.
 * @throws {RangeError} when `maxEvents` is not an integer >= 1.
 * @example
 * ```ts
 * import { startTrace, stopTrace } from "@aio/debug";
 * import { run } from "@aio/loop";
 * import { sleep } from "@aio/futures";
 * startTrace();
 * await run(() => sleep(10));
 * console.log(stopTrace().traceEvents.length > 0); // true
 * ```
 */
export function startTrace(options?: TraceOptions): void {
  const opts = _checkOptions("startTrace()", options);
  const max = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  _checkInteger("startTrace()", "maxEvents", max, { min: 1 });
  if (recorder !== null) throw new RuntimeError("a trace is already being recorded");
  recorder = new Recorder(max);
  removeRecorder = addInstrument(recorder);
}

/**
 * Stops recording and returns the trace as Chrome Trace Event JSON
 * (`{ traceEvents: [...] }`), ready for `JSON.stringify`.
 *
 * @returns the trace.
 * @throws {RuntimeError} `no trace is being recorded` without {@link startTrace}.
 * @example
 * ```ts
 * import { startTrace, stopTrace } from "@aio/debug";
 * startTrace();
 * const trace = stopTrace();
 * console.log(trace.traceEvents[0]?.name); // "process_name"
 * ```
 */
export function stopTrace(): Trace {
  if (recorder === null) throw new RuntimeError("no trace is being recorded");
  removeRecorder?.();
  const trace = recorder.finish();
  recorder = null;
  removeRecorder = null;
  return trace;
}

/**
 * Whether a trace is being recorded.
 *
 * @returns true between {@link startTrace} and {@link stopTrace}.
 * @example
 * ```ts
 * import { isTracing } from "@aio/debug";
 * console.log(isTracing()); // false
 * ```
 */
export function isTracing(): boolean {
  return recorder !== null;
}

/**
 * Writes a trace to `path` as JSON; without `trace`, stops the recording
 * first ({@link stopTrace}). Open the file in https://ui.perfetto.dev,
 * `chrome://tracing`, or `@aio/debug`'s `viewer/index.html`.
 *
 * @param path - the file to write.
 * @param trace - the trace; default: `stopTrace()`.
 * @returns the trace written.
 * @throws {RuntimeError} `no trace is being recorded` when no trace is given and none runs.
 * @throws {TypeError} when `path` is not a non-empty string, or `trace` not a trace.
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { startTrace, writeTrace } from "@aio/debug";
 * import { run } from "@aio/loop";
 * startTrace();
 * await run(async () => {});
 * writeTrace(join(tmpdir(), "aio-trace.json"));
 * ```
 */
export function writeTrace(path: string, trace?: Trace): Trace {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(
      `writeTrace() path must be a non-empty string, received ${describeValue(path)}`,
    );
  }
  if (
    trace !== undefined &&
    (typeof trace !== "object" || trace === null || !Array.isArray(trace.traceEvents))
  ) {
    throw new TypeError(
      `writeTrace() trace must be a trace (an object with a traceEvents array), received ${describeValue(trace)}`,
    );
  }
  const t = trace ?? stopTrace();
  nodeBuiltin<typeof Fs>("node:fs", "writeTrace()").writeFileSync(path, `${JSON.stringify(t)}\n`);
  return t;
}

const PHASES = new Set(["X", "s", "f", "M", "i", "B", "E", "t", "b", "e", "n", "C"]);

/**
 * Checks a value against the Trace Event format (the JSON object form):
 * every event has `name`, `ph`, `pid`, `tid`; timed events a numeric `ts`;
 * `X` a `dur >= 0`; `s`/`f` an `id` and `cat`, and every flow start has an
 * end; `M` an `args` object with a string `name` (or `sort_index`).
 *
 * @param value - parsed JSON.
 * @returns the problems found (empty when valid), at most 20.
 * @example
 * ```ts
 * import { validateTrace } from "@aio/debug";
 * console.log(validateTrace({ traceEvents: [] })); // []
 * console.log(validateTrace([])); // [ "a trace must be an object with a traceEvents array" ]
 * ```
 */
export function validateTrace(value: unknown): string[] {
  const problems: string[] = [];
  const add = (p: string): boolean => {
    problems.push(p);
    return problems.length >= 20;
  };
  const events = (value as { traceEvents?: unknown } | null)?.traceEvents;
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    !Array.isArray(events)
  ) {
    return ["a trace must be an object with a traceEvents array"];
  }
  const flows = new Map<unknown, { s: number; f: number }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Record<string, unknown> | null;
    const at = `traceEvents[${i}]`;
    if (typeof e !== "object" || e === null) {
      if (add(`${at} is not an object`)) break;
      continue;
    }
    if (typeof e.ph !== "string" || !PHASES.has(e.ph)) {
      if (add(`${at}.ph must be a Trace Event phase, received ${describeValue(e.ph)}`)) break;
      continue;
    }
    if (typeof e.name !== "string") if (add(`${at}.name must be a string`)) break;
    if (!Number.isInteger(e.pid)) if (add(`${at}.pid must be an integer`)) break;
    if (!Number.isInteger(e.tid)) if (add(`${at}.tid must be an integer`)) break;
    if (e.ph !== "M" && (typeof e.ts !== "number" || !Number.isFinite(e.ts))) {
      if (add(`${at}.ts must be a number of microseconds`)) break;
    }
    if (e.ph === "X" && (typeof e.dur !== "number" || !(e.dur >= 0))) {
      if (add(`${at}.dur must be a number >= 0 for a complete ("X") event`)) break;
    }
    if (e.ph === "s" || e.ph === "f") {
      if (typeof e.id !== "number" && typeof e.id !== "string")
        if (add(`${at}.id is required for a flow event`)) break;
      if (typeof e.cat !== "string") if (add(`${at}.cat is required for a flow event`)) break;
      const f = flows.get(e.id) ?? { s: 0, f: 0 };
      f[e.ph]++;
      flows.set(e.id, f);
    }
    if (e.ph === "M") {
      const args = e.args as Record<string, unknown> | undefined;
      if (
        typeof args !== "object" ||
        args === null ||
        (typeof args.name !== "string" && typeof args.sort_index !== "number")
      ) {
        if (add(`${at}.args must carry a name (or sort_index) for a metadata ("M") event`)) break;
      }
    }
  }
  for (const [id, f] of flows) {
    if (problems.length >= 20) break;
    if (f.s !== 1 || f.f < 1)
      problems.push(`flow ${String(id)} must have one start ("s") and an end ("f")`);
  }
  return problems;
}

/**
 * Reads and checks a trace file written by {@link writeTrace} (or any Trace
 * Event JSON object).
 *
 * @param path - the file.
 * @returns the trace.
 * @throws {TypeError} when `path` is not a non-empty string.
 * @throws {ValueError} when the file is not complete JSON (a truncated trace) or not a valid trace.
 * @throws {Error} the file system's error when it cannot be read (`ENOENT`).
 * @example
 * ```ts
 * import { readTrace } from "@aio/debug";
 * try { readTrace("trace.json"); } catch (e) { console.error((e as Error).message); }
 * ```
 */
export function readTrace(path: string): Trace {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(
      `readTrace() path must be a non-empty string, received ${describeValue(path)}`,
    );
  }
  const text = nodeBuiltin<typeof Fs>("node:fs", "readTrace()").readFileSync(path, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ValueError(
      `${path} is not a complete trace (${(err as Error).message}); was it truncated while being written?`,
    );
  }
  const problems = validateTrace(value);
  if (problems.length !== 0)
    throw new ValueError(`${path} is not a valid trace: ${problems.join("; ")}`);
  return value as Trace;
}
