import type { CancelledError } from "@aio/core";

/**
 * What few tasks need, kept aside so a task is small: made by the first
 * `cancel()`, the first read of `signal`, or creation in debug mode.
 */
export class TaskCold {
  /** asyncio `_must_cancel`: a cancellation requested and not yet delivered. */
  mustCancel = false;
  numCancelsRequested = 0;
  /** asyncio `_cancel_message`: the message of the pending cancellation. */
  cancelMessage: string | undefined = undefined;
  /** The AbortController behind `signal` once read; before that, the reason it will abort with. */
  abort: AbortController | CancelledError | null = null;
  /**
   * Where the task was created (debug mode). The Error is kept and its
   * `stack` read only when asked for: V8 records the frames when the Error
   * is made and formats the text on first read, which costs several times
   * the capture and most tasks never need it.
   */
  created: Error | undefined = undefined;

  /** The task's name, or the N of `Task-N` (see `Task`'s `#meta`). */
  declare name: string | number;

  /** @param name - the task's name, or the N of `Task-N`. */
  constructor(name: string | number) {
    this.name = name;
  }
}
