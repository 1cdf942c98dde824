/**
 * Each `run()` makes a fresh event loop, runs `main` in a task on it, and
 * closes it at the end. Two calls in sequence use two distinct loops, and
 * outside `run()` there is no running loop.
 */
import { type EventLoop, getRunningLoop, isRuntimeError } from "@aio/core";
import { run } from "@aio/loop";

const first: EventLoop = await run(async () => getRunningLoop());
const second: EventLoop = await run(async () => getRunningLoop());

console.log("first loop :", String(first));
console.log("second loop:", String(second));
console.log("distinct loops:", first !== second);
console.log("both closed after run():", first.isClosed() && second.isClosed());

try {
  getRunningLoop();
} catch (err) {
  console.log(
    "outside run():",
    isRuntimeError(err) ? `RuntimeError('${(err as Error).message}')` : err,
  );
}
