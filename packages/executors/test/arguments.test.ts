import { ValueError } from "@aio/core";
import {
  moduleFunction,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  toThread,
  transfer,
} from "@aio/executors";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";

// Every public entry point called with wrong types, as plain JavaScript
// would call it: the class and the message are part of the contract
// (docs/design/error-policy.md). Synchronous calls throw; Promise-returning
// ones reject.

const bad = (x: unknown) => x as any;
const pools: { shutdown(): Promise<void> }[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown();
});

describe.each([
  ["ThreadPoolExecutor", (o?: unknown) => new ThreadPoolExecutor(bad(o))],
  ["ProcessPoolExecutor", (o?: unknown) => new ProcessPoolExecutor(bad(o))],
] as const)("%s constructor", (kind, make) => {
  test(`new ${kind}() throws TypeError for wrong types and RangeError/ValueError out of range`, () => {
    const cases: [unknown, new (...a: any[]) => Error, string][] = [
      [null, TypeError, "options must be an object, received null"],
      [5, TypeError, "options must be an object, received 5"],
      [{ maxWorkers: "2" }, TypeError, 'maxWorkers must be an integer >= 1, received "2"'],
      [{ maxWorkers: 0 }, ValueError, "maxWorkers must be an integer >= 1, received 0"],
      [{ maxWorkers: 1.5 }, ValueError, "maxWorkers must be an integer >= 1, received 1.5"],
      [
        { idleTimeoutMs: "10" },
        TypeError,
        'idleTimeoutMs must be a number of milliseconds >= 0, received "10"',
      ],
      [
        { idleTimeoutMs: Number.NaN },
        RangeError,
        "idleTimeoutMs must be a number of milliseconds >= 0, received NaN",
      ],
      [
        { idleTimeoutMs: -1 },
        RangeError,
        "idleTimeoutMs must be a number of milliseconds >= 0, received -1",
      ],
      [
        { abortGraceMs: null },
        TypeError,
        "abortGraceMs must be a number of milliseconds >= 0, received null",
      ],
      [
        { abortGraceMs: Number.POSITIVE_INFINITY },
        RangeError,
        "abortGraceMs must be a finite number of milliseconds >= 0, received Infinity",
      ],
      [
        { maxPending: "1" },
        TypeError,
        'maxPending must be an integer >= 0 or Infinity, received "1"',
      ],
      [
        { maxPending: -1 },
        RangeError,
        "maxPending must be an integer >= 0 or Infinity, received -1",
      ],
      [
        { prefetch: "lots" },
        TypeError,
        'prefetch must be "auto" or an integer >= 0, received "lots"',
      ],
      [{ prefetch: -1 }, RangeError, "prefetch must be an integer >= 0, received -1"],
      [
        { cancelRunning: true },
        TypeError,
        'cancelRunning must be "finish" or "abort", received true',
      ],
      [
        { cancelRunning: "kill" },
        RangeError,
        'cancelRunning must be "finish" or "abort", received "kill"',
      ],
      [
        { initializer: "init" },
        TypeError,
        'initializer fn must be a function or moduleFunction(), received "init"',
      ],
      [{ initargs: "a" }, TypeError, 'initargs must be an array, received "a"'],
    ];
    for (const [options, Cls, message] of cases) {
      let caught: unknown;
      try {
        pools.push(make(options));
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(options) ?? String(options)).toBeInstanceOf(Cls);
      expect((caught as Error).message).toBe(`${kind} ${message}`);
    }
  });
});

describe("pool options of one kind", () => {
  test("new ThreadPoolExecutor({ resourceLimits }) and new ProcessPoolExecutor({ execArgv, env }) check their types", () => {
    expect(() => new ThreadPoolExecutor(bad({ resourceLimits: 64 }))).toThrow(
      new TypeError("ThreadPoolExecutor resourceLimits must be an object, received 64"),
    );
    expect(() => new ProcessPoolExecutor(bad({ execArgv: "--inspect" }))).toThrow(
      new TypeError(
        'ProcessPoolExecutor execArgv must be an array of strings, received "--inspect"',
      ),
    );
    expect(() => new ProcessPoolExecutor(bad({ env: "PATH=/bin" }))).toThrow(
      new TypeError('ProcessPoolExecutor env must be an object, received "PATH=/bin"'),
    );
  });
});

describe("PoolExecutor methods", () => {
  test("submit() and map() throw TypeError/RangeError for wrong arguments", () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 1 });
    pools.push(p);
    expect(() => p.submit(bad("x => x"))).toThrow(
      new TypeError('submit() fn must be a function or moduleFunction(), received "x => x"'),
    );
    expect(() => p.map(bad(null), [1])).toThrow(
      new TypeError("map() fn must be a function or moduleFunction(), received null"),
    );
    expect(() => p.map((x: number) => x, bad(undefined))).toThrow(
      new TypeError("map() iterable must be iterable, received undefined"),
    );
    expect(() => p.map((x: number) => x, [1], bad(3))).toThrow(
      new TypeError("map() options must be an object, received 3"),
    );
    expect(() => p.map((x: number) => x, [1], bad({ chunksize: "2" }))).toThrow(
      new TypeError('map() chunksize must be an integer >= 1, received "2"'),
    );
    expect(() => p.map((x: number) => x, [1], { chunksize: 0 })).toThrow(
      new RangeError("map() chunksize must be an integer >= 1, received 0"),
    );
    expect(() => p.map((x: number) => x, [1], bad({ timeout: "1s" }))).toThrow(
      new TypeError('map() timeout must be a number of milliseconds >= 0 or null, received "1s"'),
    );
    expect(() => p.map((x: number) => x, [1], { timeout: -1 })).toThrow(
      new RangeError("map() timeout must be a number of milliseconds >= 0 or null, received -1"),
    );
    expect(String(p)).toMatch(/workers=0 busy=0 pending=0/); // nothing was started
  });

  test("shutdown() rejects (never throws) for wrong options", async () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 1 });
    pools.push(p);
    let thrown = false;
    let calls: Promise<void>[] = [];
    try {
      calls = [
        p.shutdown(bad("now")),
        p.shutdown(bad({ wait: "yes" })),
        p.shutdown(bad({ cancelFutures: 1 })),
      ];
    } catch {
      thrown = true;
    }
    expect(thrown).toBe(false);
    const errors = await Promise.all(
      calls.map((c) =>
        c.then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    expect(errors).toEqual([
      new TypeError('shutdown() options must be an object, received "now"'),
      new TypeError('shutdown() wait must be true or false, received "yes"'),
      new TypeError("shutdown() cancelFutures must be true or false, received 1"),
    ]);
    expect(errors.every((e) => e instanceof TypeError)).toBe(true);
    expect(String(p)).toMatch(/\[running\]/); // a rejected call changed nothing
  });

  test("ready() returns an awaitable and never throws", async () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 1 });
    await p.shutdown();
    const r = p.ready();
    await expect(r).rejects.toThrow("cannot schedule new futures after shutdown");
  });
});

describe("helpers", () => {
  test("moduleFunction(), transfer() and toThread() throw TypeError for wrong types", async () => {
    expect(() => moduleFunction(bad(42))).toThrow(
      new TypeError("moduleFunction() module must be a URL or a non-empty string, received 42"),
    );
    expect(() => moduleFunction(new URL(import.meta.url), bad(7))).toThrow(
      new TypeError("moduleFunction() exportName must be a non-empty string, received 7"),
    );
    expect(() => transfer(new ArrayBuffer(1), bad("all"))).toThrow(
      new TypeError('transfer() list must be an array, received "all"'),
    );
    await run(async () => {
      expect(() => toThread(bad("not a function"))).toThrow(TypeError);
    });
  });
});
