import {
  _checkFunction,
  _checkInteger,
  _checkMs,
  _checkOneOf,
  _checkOptions,
  _checkSignal,
  isFailed,
  ValueError,
} from "@aio/core";
import { createTask, Future, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";

describe("the validators", () => {
  test("_checkFunction() throws a TypeError naming the argument and the value", () => {
    expect(() => _checkFunction("f()", "cb", 1)).toThrow(
      new TypeError("f() cb must be a function, received 1"),
    );
    expect(() => _checkFunction("f()", "cb", () => 1)).not.toThrow();
  });

  test("_checkMs(): TypeError for a non-number, RangeError for NaN or below min", () => {
    expect(() => _checkMs("sleep()", "ms", "5")).toThrow(
      new TypeError('sleep() ms must be a number of milliseconds, received "5"'),
    );
    expect(() => _checkMs("sleep()", "ms", Number.NaN)).toThrow(RangeError);
    expect(() => _checkMs("x()", "ms", -5, { min: 0 })).toThrow(
      new RangeError("x() ms must be a number of milliseconds >= 0, received -5"),
    );
    expect(() => _checkMs("x()", "ms", Number.POSITIVE_INFINITY, { infinite: false })).toThrow(
      RangeError,
    );
    expect(() => _checkMs("x()", "ms", null)).toThrow(TypeError);
    expect(() => _checkMs("x()", "ms", null, { nullable: true })).not.toThrow();
    expect(() => _checkMs("x()", "ms", -1)).not.toThrow();
    expect(() => _checkMs("x()", "ms", -1, { min: 0, rangeError: ValueError })).toThrow(ValueError);
  });

  test("_checkInteger(): TypeError for a non-number, RangeError outside the range", () => {
    expect(() => _checkInteger("Semaphore", "value", "x")).toThrow(TypeError);
    expect(() => _checkInteger("Semaphore", "value", -1)).toThrow(
      new RangeError("Semaphore value must be an integer >= 0, received -1"),
    );
    expect(() => _checkInteger("Semaphore", "value", 1.5)).toThrow(RangeError);
    expect(() => _checkInteger("p", "n", 5, { min: 1, max: 4 })).toThrow(
      "p n must be an integer >= 1 and <= 4, received 5",
    );
    expect(() => _checkInteger("p", "n", Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() =>
      _checkInteger("p", "n", Number.POSITIVE_INFINITY, { infinite: true }),
    ).not.toThrow();
  });

  test("_checkSignal() accepts undefined and signals, and names anything else", () => {
    expect(() => _checkSignal("acquire()", "signal", undefined)).not.toThrow();
    expect(() => _checkSignal("acquire()", "signal", new AbortController().signal)).not.toThrow();
    expect(() => _checkSignal("acquire()", "signal", "x")).toThrow(
      new TypeError('acquire() signal must be an AbortSignal, received "x"'),
    );
    expect(() => _checkSignal("acquire()", "signal", {})).toThrow(TypeError);
    expect(() => _checkSignal("acquire()", "signal", null)).toThrow(TypeError);
  });

  test("_checkOptions() turns undefined into {} and refuses non-objects", () => {
    expect(_checkOptions("f()", undefined)).toEqual({});
    const o = { a: 1 };
    expect(_checkOptions("f()", o)).toBe(o);
    expect(() => _checkOptions("f()", null as unknown as object)).toThrow(
      new TypeError("f() options must be an object, received null"),
    );
    expect(() => _checkOptions("f()", [] as object)).toThrow(TypeError);
  });

  test("_checkOneOf(): RangeError for a wrong choice, TypeError for a wrong type", () => {
    const choices = ["finish", "abort"] as const;
    expect(() => _checkOneOf("pool", "cancelRunning", "x", choices)).toThrow(
      new RangeError('pool cancelRunning must be "finish" or "abort", received "x"'),
    );
    expect(() => _checkOneOf("pool", "cancelRunning", 1, choices)).toThrow(TypeError);
    expect(() => _checkOneOf("pool", "cancelRunning", "abort", choices)).not.toThrow();
  });
});

describe("isFailed", () => {
  test.each([
    ["undefined", undefined],
    ["null", null],
    ["0", 0],
    ['""', ""],
    ["false", false],
    ["an Error", new Error("boom")],
  ])("isFailed() is true for a task that threw %s", async (_label, thrown) => {
    await run(async () => {
      const task = createTask(async () => {
        throw thrown;
      });
      await sleep(0);
      expect(task.done()).toBe(true);
      expect(isFailed(task)).toBe(true);
    });
  });

  test("isFailed() is false for pending, successful and cancelled futures", async () => {
    await run(async () => {
      const f = new Future<number>();
      expect(isFailed(f)).toBe(false);
      f.setResult(1);
      expect(isFailed(f)).toBe(false);
      const c = new Future<number>();
      c.cancel();
      expect(isFailed(c)).toBe(false);
    });
  });

  test("isFailed() refuses what is not a future", () => {
    expect(() => isFailed("x" as never)).toThrow(
      new TypeError('isFailed() future must be a Future or Task, received "x"'),
    );
    expect(() => isFailed(null as never)).toThrow(TypeError);
  });
});
