import type { EventLoop, TaskLike } from "@aio/core";

/**
 * The small protocol between a task and the loop that runs it.
 *
 * A task step that was resumed by a loop callback continues in promise jobs
 * after that callback returns. A loop that implements these symbols waits for
 * the step to end (the task awaits an @aio awaitable again, or finishes)
 * before it runs the next callback, so steps and callbacks interleave in
 * exactly asyncio's order. A loop without them still works; it just runs the
 * next callbacks while the step's promise jobs are pending.
 */
export const kStepStarted: unique symbol = Symbol.for("@aio/loop.stepStarted") as never;
export const kStepEnded: unique symbol = Symbol.for("@aio/loop.stepEnded") as never;
/** A loop method scheduling a ready item without a Handle (see the loop). */
export const kScheduleItem: unique symbol = Symbol.for("@aio/loop.scheduleItem") as never;
/** The `_args` marker of such an item: run as `_callback(item)`. */
export const SELF: unique symbol = Symbol.for("@aio/loop.self") as never;

export interface StepAwareLoop extends EventLoop {
  [kStepStarted]?(task: TaskLike<unknown>): void;
  [kStepEnded]?(task: TaskLike<unknown>, sync: boolean): void;
  [kScheduleItem]?(item: object): void;
}
