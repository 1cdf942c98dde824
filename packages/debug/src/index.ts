/**
 * asyncio's debug mode for TypeScript: instruments that report slow
 * callbacks and task steps, event-loop lag, lost tasks and resources left
 * open; task trees of the running loops (`formatTaskTree`, and the
 * `aio-debug ps|pstree PID` CLI for a live process); asyncio 3.14's call
 * graphs (`captureCallGraph`, `formatCallGraph`); and a trace of a run in
 * Chrome's Trace Event format.
 *
 * @packageDocumentation
 */

export {
  type CallGraphOptions,
  captureCallGraph,
  type FrameCallGraphEntry,
  type FutureCallGraph,
  formatCallGraph,
  printCallGraph,
} from "./call-graph.js";
export { INSPECT_PROTOCOL, type InspectReply, inspectSocketPath } from "./inspect.js";
export {
  type DebugOptions,
  type DebugReport,
  type DebugReportKind,
  disableDebug,
  enableDebug,
  isDebugEnabled,
  printReport,
} from "./instruments.js";
export { type TrackedResource, type TrackResourceOptions, trackResource } from "./resources.js";
export {
  formatTaskTree,
  printTaskTree,
  renderTaskTable,
  renderTaskTree,
  snapshotRunningLoops,
  snapshotTasks,
  type TaskInfo,
  type TaskSnapshot,
} from "./task-tree.js";
export {
  isTracing,
  readTrace,
  startTrace,
  stopTrace,
  type Trace,
  type TraceEvent,
  type TraceOptions,
  validateTrace,
  writeTrace,
} from "./trace.js";
export { viewerHtml, viewerUrl } from "./viewer.js";
