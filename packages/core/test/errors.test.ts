import {
  brandError,
  CancelledError,
  describeValue,
  ExceptionGroup,
  InvalidStateError,
  isCancelledError,
  isExceptionGroup,
  isInvalidStateError,
  isRuntimeError,
  isTimeoutError,
  isValueError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "@aio/core";
import { describe, expect, test } from "vitest";

/**
 * Makes an error that looks like it came from another installed copy of
 * @aio/core: a distinct class whose prototype carries the same global brand.
 */
function foreignError(name: string, base: ErrorConstructor = Error): Error {
  class Foreign extends base {}
  Object.defineProperty(Foreign.prototype, Symbol.for(`@aio/core.${name}`), { value: true });
  Object.defineProperty(Foreign.prototype, "name", { value: name });
  return new Foreign("from another copy");
}

const branded = [
  ["CancelledError", CancelledError, isCancelledError],
  ["InvalidStateError", InvalidStateError, isInvalidStateError],
  ["TimeoutError", TimeoutError, isTimeoutError],
  ["RuntimeError", RuntimeError, isRuntimeError],
  ["ValueError", ValueError, isValueError],
] as const;

describe.each(branded)("%s", (name, Cls, guard) => {
  test(`${name} is a real Error subclass with a matching name`, () => {
    const err = new Cls("boom");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.message).toBe("boom");
    expect(String(err)).toBe(`${name}: boom`);
    expect(err.stack).toContain(`${name}: boom`);
  });

  test(`${name} instanceof and is${name}() accept an error branded by another copy`, () => {
    const other = foreignError(name, name === "ValueError" ? RangeError : Error);
    expect(other instanceof Cls).toBe(true);
    expect(guard(other)).toBe(true);
  });

  test(`${name} instanceof and is${name}() reject unbranded look-alikes`, () => {
    const plain = new Error("x");
    plain.name = name;
    const values: unknown[] = [
      plain,
      null,
      undefined,
      0,
      name,
      { name },
      foreignError("SomethingElse"),
    ];
    expect(values.map((v) => guard(v))).toEqual(values.map(() => false));
    expect(values.map((v) => v instanceof Cls)).toEqual(values.map(() => false));
  });
});

describe("isCancelledError", () => {
  test("isCancelledError() tells the brands apart", () => {
    const all = [
      new CancelledError(),
      new InvalidStateError(),
      new TimeoutError(),
      new RuntimeError(),
      new ValueError(),
    ];
    expect(
      all.map((e) => [
        isCancelledError(e),
        isInvalidStateError(e),
        isTimeoutError(e),
        isRuntimeError(e),
        isValueError(e),
      ]),
    ).toEqual([
      [true, false, false, false, false],
      [false, true, false, false, false],
      [false, false, true, false, false],
      [false, false, false, true, false],
      [false, false, false, false, true],
    ]);
  });
});

describe("TimeoutError", () => {
  test("TimeoutError is distinct from CancelledError and defaults to an empty message", () => {
    const err = new TimeoutError();
    expect(err instanceof CancelledError).toBe(false);
    expect(err.message).toBe("");
  });
});

describe("ValueError", () => {
  test("ValueError is a RangeError", () => {
    const err = new ValueError("BoundedSemaphore released too many times");
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toBeInstanceOf(ValueError);
    expect(new RangeError("x") instanceof ValueError).toBe(false);
    expect(isValueError(new RangeError("x"))).toBe(false);
  });
});

describe("ExceptionGroup", () => {
  test("ExceptionGroup is an AggregateError whose exceptions are its errors, in order", () => {
    const a = new Error("a");
    const b = new TypeError("b");
    const group = new ExceptionGroup("unhandled errors in a TaskGroup", [a, b]);
    expect(group).toBeInstanceOf(AggregateError);
    expect(group).toBeInstanceOf(Error);
    expect(group.name).toBe("ExceptionGroup");
    expect(group.exceptions).toEqual([a, b]);
    expect(group.exceptions[0]).toBe(a);
    expect(group.errors).toEqual([a, b]);
    expect(group.message).toBe("unhandled errors in a TaskGroup (2 sub-exceptions)");
    expect(isExceptionGroup(group)).toBe(true);
  });

  test("ExceptionGroup copies the array it is given", () => {
    const list: unknown[] = [new Error("a")];
    const group = new ExceptionGroup("one", list);
    list.push(new Error("late"));
    expect(group.exceptions).toHaveLength(1);
    expect(group.message).toBe("one (1 sub-exception)");
  });

  test("ExceptionGroup rejects a non-array with a TypeError", () => {
    expect(() => new ExceptionGroup("x", "nope" as never)).toThrow(
      new TypeError('ExceptionGroup exceptions must be an array, received "nope"'),
    );
  });

  test("ExceptionGroup instanceof accepts a group branded by another copy", () => {
    class Foreign extends AggregateError {}
    Object.defineProperty(Foreign.prototype, Symbol.for("@aio/core.ExceptionGroup"), {
      value: true,
    });
    const other = new Foreign([]);
    expect(other instanceof ExceptionGroup).toBe(true);
    expect(isExceptionGroup(other)).toBe(true);
    expect(isExceptionGroup(new AggregateError([]))).toBe(false);
  });
});

describe("brandError", () => {
  test("brandError() names the class, brands it and returns a guard", () => {
    class QueueEmpty extends Error {}
    const isQueueEmpty = brandError(QueueEmpty, "QueueEmpty", "@aio/test.QueueEmpty");
    const err = new QueueEmpty();
    expect(err.name).toBe("QueueEmpty");
    expect(isQueueEmpty(err)).toBe(true);
    expect(isQueueEmpty(new Error())).toBe(false);
    expect(isQueueEmpty.name).toBe("isQueueEmpty");
    expect(
      (QueueEmpty.prototype as unknown as Record<symbol, unknown>)[
        Symbol.for("@aio/test.QueueEmpty")
      ],
    ).toBe(true);
  });

  test("brandError() keeps the ordinary instanceof for subclasses of a branded class", () => {
    class Base extends Error {}
    brandError(Base, "Base", "@aio/test.Base");
    class Sub extends Base {}
    expect(new Sub() instanceof Base).toBe(true);
    expect(new Sub() instanceof Sub).toBe(true);
    expect(new Base() instanceof Sub).toBe(false);
  });

  test("brandError() defaults the key to @aio/core.<name>", () => {
    class Mine extends Error {}
    const isMine = brandError(Mine, "MineForTest");
    const twin = Object.create({ [Symbol.for("@aio/core.MineForTest")]: true });
    expect(isMine(twin)).toBe(true);
    expect(twin instanceof Mine).toBe(true);
  });
});

describe("describeValue", () => {
  test("describeValue() renders each kind of value in one style", () => {
    class Widget {}
    const samples: unknown[] = [
      -1,
      Number.NaN,
      "abc",
      "x".repeat(50),
      function named() {},
      () => {},
      null,
      undefined,
      new Map(),
      new Widget(),
      {},
      10n,
      Symbol("s"),
      true,
    ];
    expect(samples.map(describeValue)).toEqual([
      "-1",
      "NaN",
      '"abc"',
      JSON.stringify(`${"x".repeat(40)}…`),
      "function named",
      "function (anonymous)",
      "null",
      "undefined",
      "an instance of Map",
      "an instance of Widget",
      "an object",
      "10n",
      "Symbol(s)",
      "true",
    ]);
  });
});

describe("brandError with wrong argument types", () => {
  test("brandError() refuses a non-class and an empty name", () => {
    expect(() => brandError("x" as never, "X")).toThrow(
      new TypeError('brandError() cls must be a class, received "x"'),
    );
    expect(() => brandError(class extends Error {}, "")).toThrow(
      new TypeError('brandError() name must be a non-empty string, received ""'),
    );
  });
});
