import { brandError } from "@aio/core";

/**
 * `getNowait()` was called on an empty queue (asyncio `QueueEmpty`).
 *
 * @example
 * ```ts
 * import { Queue, isQueueEmpty } from "@aio/sync";
 * try {
 *   new Queue<number>().getNowait();
 * } catch (e) {
 *   console.log(isQueueEmpty(e)); // true
 * }
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * @param message - default `Queue is empty`.
   */
  constructor(message = "Queue is empty") {
    super(message);
  }
}

/**
 * `putNowait()` was called on a full queue (asyncio `QueueFull`).
 *
 * @example
 * ```ts
 * import { Queue, isQueueFull } from "@aio/sync";
 * const q = new Queue<number>(1);
 * q.putNowait(1);
 * try {
 *   q.putNowait(2);
 * } catch (e) {
 *   console.log(isQueueFull(e)); // true
 * }
 * ```
 */
export class QueueFull extends Error {
  /**
   * @param message - default `Queue is full`.
   */
  constructor(message = "Queue is full") {
    super(message);
  }
}

/**
 * A put on a queue that was shut down, or a get on one that was shut down and
 * is empty (asyncio 3.13 `QueueShutDown`).
 *
 * @example
 * ```ts
 * import { Queue, isQueueShutDown } from "@aio/sync";
 * const q = new Queue<number>();
 * q.shutdown();
 * try {
 *   q.putNowait(1);
 * } catch (e) {
 *   console.log(isQueueShutDown(e)); // true
 * }
 * ```
 */
export class QueueShutDown extends Error {
  /**
   * @param message - default `Queue is shut down`.
   */
  constructor(message = "Queue is shut down") {
    super(message);
  }
}

/**
 * True when `value` is a {@link QueueEmpty} from any copy of `@aio/sync`.
 * @param value - anything.
 * @returns whether it is a QueueEmpty.
 * @example
 * ```ts
 * import { isQueueEmpty, QueueEmpty } from "@aio/sync";
 * console.log(isQueueEmpty(new QueueEmpty())); // true
 * ```
 */
export const isQueueEmpty: (value: unknown) => value is QueueEmpty = brandError(
  QueueEmpty,
  "QueueEmpty",
  "@aio/sync.QueueEmpty",
);

/**
 * True when `value` is a {@link QueueFull} from any copy of `@aio/sync`.
 * @param value - anything.
 * @returns whether it is a QueueFull.
 * @example
 * ```ts
 * import { isQueueFull, QueueFull } from "@aio/sync";
 * console.log(isQueueFull(new QueueFull())); // true
 * ```
 */
export const isQueueFull: (value: unknown) => value is QueueFull = brandError(
  QueueFull,
  "QueueFull",
  "@aio/sync.QueueFull",
);

/**
 * True when `value` is a {@link QueueShutDown} from any copy of `@aio/sync`.
 * @param value - anything.
 * @returns whether it is a QueueShutDown.
 * @example
 * ```ts
 * import { isQueueShutDown, QueueShutDown } from "@aio/sync";
 * console.log(isQueueShutDown(new QueueShutDown())); // true
 * ```
 */
export const isQueueShutDown: (value: unknown) => value is QueueShutDown = brandError(
  QueueShutDown,
  "QueueShutDown",
  "@aio/sync.QueueShutDown",
);
