import type { EventLoop, ExceptionContext } from "@aio/core";
import type { Future } from "../future.js";

/**
 * Unretrieved-exception bookkeeping (asyncio `Future.__del__`): a record per
 * future that finished with an exception nobody has looked at yet. It is
 * reported when the future is garbage-collected or, at the latest, when its
 * loop closes. The record holds the future weakly, so it never keeps it alive.
 */
export interface LogRecord {
  readonly loop: EventLoop;
  readonly exception: unknown;
  readonly message: string;
  readonly ref: WeakRef<Future<unknown>>;
}

const pendingLogs = new WeakMap<EventLoop, Set<LogRecord>>();

/**
 * asyncio's context: `{ message, exception, future }`, the future under
 * `future` for a Task too (`Future.__del__`, which `Task` inherits); `task`
 * is only for "Task was destroyed but it is pending!".
 */
function reportLog(record: LogRecord, future?: Future<unknown>): void {
  const context: ExceptionContext = { message: record.message, exception: record.exception };
  if (future !== undefined) context.future = future;
  const loop = record.loop;
  if (loop.isClosed()) loop.defaultExceptionHandler(context);
  else loop.callExceptionHandler(context);
}

const collected = new FinalizationRegistry<LogRecord>((record) => {
  const set = pendingLogs.get(record.loop);
  if (set === undefined || !set.delete(record)) return;
  reportLog(record);
});

/** Starts tracking `exception`, with which `future` (a Task when `isTask`) just failed. */
export function trackUnretrieved(
  future: Future<unknown>,
  loop: EventLoop,
  exception: unknown,
  isTask: boolean,
): LogRecord {
  const record: LogRecord = {
    loop,
    exception,
    message: `${isTask ? "Task" : "Future"} exception was never retrieved`,
    ref: new WeakRef(future),
  };
  let set = pendingLogs.get(loop);
  if (set === undefined) pendingLogs.set(loop, (set = new Set()));
  set.add(record);
  collected.register(future, record, record);
  return record;
}

/** Someone looked at the exception: it is not reported. */
export function untrack(record: LogRecord): void {
  pendingLogs.get(record.loop)?.delete(record);
  collected.unregister(record);
}

/**
 * Reports (once) every exception still unretrieved on `loop`; called by the
 * loop when it closes.
 */
export function flushUnretrieved(loop: EventLoop): void {
  const set = pendingLogs.get(loop);
  if (set === undefined) return;
  pendingLogs.delete(loop);
  for (const record of set) {
    collected.unregister(record);
    reportLog(record, record.ref.deref());
  }
}
