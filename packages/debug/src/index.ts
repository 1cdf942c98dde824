/**
 * asyncio's debug mode for TypeScript: instruments that report slow
 * callbacks and task steps, event-loop lag, lost tasks and resources left
 * open; task trees of the running loops (`formatTaskTree`, and the
 * `aio-debug ps|pstree PID` CLI for a live process); and a trace of a run in
 * Chrome's Trace Event format.
 *
 * @packageDocumentation
 */
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
