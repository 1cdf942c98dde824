import * as sync from "@aio/sync";
import { expect, test } from "vitest";

test("@aio/sync exports exactly its public names", () => {
  expect(Object.keys(sync).sort()).toEqual([
    "Barrier",
    "BoundedSemaphore",
    "BrokenBarrierError",
    "Condition",
    "Event",
    "LifoQueue",
    "Lock",
    "PriorityQueue",
    "Queue",
    "QueueEmpty",
    "QueueFull",
    "QueueShutDown",
    "Semaphore",
    "isBrokenBarrierError",
    "isQueueEmpty",
    "isQueueFull",
    "isQueueShutDown",
  ]);
});
