import {
  getRuntime,
  _kStepEnded as kStepEnded,
  _kStepStarted as kStepStarted,
  type _StepAwareLoop as StepAwareLoop,
} from "@aio/core";
import type { TaskInternals } from "./task-state.js";

// A task's side of the step protocol (declared in @aio/core's internal contract).

const rt = getRuntime();

/** The task whose code is awaiting right now, if any. */
export function awaitingTask(): TaskInternals | null {
  if (rt.loop !== null) return rt.task as TaskInternals | null;
  const task = rt.taskContext.getStore() as TaskInternals | undefined;
  return task === undefined || task.done() ? null : task;
}

/**
 * Tells the task's loop that its step is over. `sync` when called from a
 * promise job with nothing left to run after us (an `await`'s then-job, a
 * task's settlement): the loop may resume right here instead of a microtask.
 */
export function stepEnded(task: TaskInternals, sync: boolean): void {
  if (rt.instruments.length !== 0)
    for (const i of rt.instruments) i.taskStepEnd?.(task, task._futWaiter);
  const loop = task.getLoop() as StepAwareLoop;
  loop[kStepEnded]?.(task, sync);
}

/** Marks the start of a step on the task's loop: the loop waits for `stepEnded`. */
export function stepStarted(task: TaskInternals): void {
  const loop = task.getLoop() as StepAwareLoop;
  loop[kStepStarted]?.(task);
}
