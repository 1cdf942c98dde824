import { ValueError } from "@aio/core";
import {
  BrokenBarrierError,
  isBrokenBarrierError,
  isQueueEmpty,
  isQueueFull,
  isQueueShutDown,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "@aio/sync";
import { describe, expect, test } from "vitest";

describe("errors", () => {
  const cases = [
    [QueueEmpty, isQueueEmpty, "QueueEmpty", "Queue is empty"],
    [QueueFull, isQueueFull, "QueueFull", "Queue is full"],
    [QueueShutDown, isQueueShutDown, "QueueShutDown", "Queue is shut down"],
    [BrokenBarrierError, isBrokenBarrierError, "BrokenBarrierError", "Barrier aborted"],
  ] as const;

  for (const [Cls, guard, name, message] of cases) {
    test(`${name} is a named Error with a default message and a cross-copy guard`, () => {
      const err = new Cls();
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(err.message).toBe(message);
      expect(guard(err)).toBe(true);
      expect(guard(new Error(message))).toBe(false);
      // An error made by another installed copy carries the same global brand.
      const foreign = Object.create(Error.prototype, {
        [Symbol.for(`@aio/sync.${name}`)]: { value: true },
      }) as unknown;
      expect(guard(foreign)).toBe(true);
      expect(foreign instanceof Cls).toBe(true);
    });
  }

  test("ValueError cases are RangeErrors", () => {
    expect(new ValueError("x")).toBeInstanceOf(RangeError);
  });
});
