/**
 * Issue 14 for @aio/sync: every public class reports its own name (also in
 * the built package, where a bundler may rename a class that refers to
 * itself), and every public entry point checks its arguments by the error
 * policy (`docs/design/error-policy.md`): a call returning a Promise or a
 * Waitable rejects, never throws; constructors and synchronous methods throw.
 * Arguments are passed as plain JavaScript would pass them.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ValueError } from "@aio/core";
import { createTask } from "@aio/futures";
import * as sync from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

type SyncModule = typeof sync;

const distIndex = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");

/** One instance of every public stateful class, with the repr it must print. */
function instances(m: SyncModule): [string, () => object, RegExp][] {
  return [
    ["Lock", () => new m.Lock(), /^<Lock \[unlocked\]>$/],
    ["Event", () => new m.Event(), /^<Event \[unset\]>$/],
    ["Condition", () => new m.Condition(), /^<Condition \[unlocked\]>$/],
    ["Semaphore", () => new m.Semaphore(2), /^<Semaphore \[unlocked, value:2\]>$/],
    [
      "BoundedSemaphore",
      () => new m.BoundedSemaphore(2),
      /^<BoundedSemaphore \[unlocked, value:2\]>$/,
    ],
    ["Barrier", () => new m.Barrier(2), /^<Barrier \[filling, waiters:0\/2\]>$/],
    ["Queue", () => new m.Queue(1), /^<Queue maxsize=1>$/],
    ["PriorityQueue", () => new m.PriorityQueue(), /^<PriorityQueue maxsize=0>$/],
    ["LifoQueue", () => new m.LifoQueue(), /^<LifoQueue maxsize=0>$/],
  ];
}

function checkNames(m: SyncModule): void {
  for (const [name, make, repr] of instances(m)) {
    const Cls = (m as unknown as Record<string, { name: string }>)[name]!;
    expect(Cls.name, `${name}.name`).toBe(name);
    const obj = make();
    expect(String(obj), `String(new ${name}())`).toMatch(repr);
    expect(Object.prototype.toString.call(obj)).toBe(`[object ${name}]`);
  }
  for (const name of ["QueueEmpty", "QueueFull", "QueueShutDown", "BrokenBarrierError"]) {
    const Cls = (m as unknown as Record<string, new () => Error>)[name]!;
    expect(Cls.name).toBe(name);
    expect(new Cls().name).toBe(name);
  }
}

describe("public class names", () => {
  test("every public class of @aio/sync has its own name and asyncio's repr", () => {
    checkNames(sync);
  });

  test("the built package keeps every class name (no bundler-made _Semaphore)", async () => {
    expect(existsSync(distIndex), "packages/sync/dist is missing: build before testing").toBe(true);
    const built = (await import(pathToFileURL(distIndex).href)) as SyncModule;
    checkNames(built);
    expect(() => new built.Semaphore(-1)).toThrow(
      "Semaphore value must be an integer >= 0, received -1",
    );
    expect(() => new built.BoundedSemaphore(1.5)).toThrow(
      "BoundedSemaphore value must be an integer >= 0, received 1.5",
    );
  });
});

describe("arguments", () => {
  const notSignal = [{}, "signal", 1, null];
  const notOptions = [1, "x", null, [1]];

  test("Promise-returning calls reject a bad options bag or signal (never throw)", () =>
    aio(async () => {
      const lock = new sync.Lock();
      const sem = new sync.Semaphore(1);
      const ev = new sync.Event();
      const cond = new sync.Condition();
      const barrier = new sync.Barrier(1);
      const q = new sync.Queue<number>();
      const calls: [string, (options: unknown) => PromiseLike<unknown>][] = [
        ["Lock.acquire()", (o) => lock.acquire(o as never)],
        ["Lock.hold()", (o) => lock.hold(o as never)],
        ["Lock.run()", (o) => lock.run(() => 1, o as never)],
        ["Semaphore.acquire()", (o) => sem.acquire(o as never)],
        ["Semaphore.hold()", (o) => sem.hold(o as never)],
        ["Semaphore.run()", (o) => sem.run(() => 1, o as never)],
        ["Event.wait()", (o) => ev.wait(o as never)],
        ["Condition.wait()", (o) => cond.wait(o as never)],
        ["Barrier.wait()", (o) => barrier.wait(o as never)],
        ["Queue.put()", (o) => q.put(1, o as never)],
        ["Queue.get()", (o) => q.get(o as never)],
        ["Queue.join()", (o) => q.join(o as never)],
      ];
      for (const [method, call] of calls) {
        for (const bad of notSignal) {
          let p: PromiseLike<unknown> | undefined;
          expect(() => {
            p = call({ signal: bad });
          }, `${method} throws synchronously`).not.toThrow();
          await expect(p, method).rejects.toThrow(
            new TypeError(
              `${method} options.signal must be an AbortSignal, received ${sync_describe(bad)}`,
            ),
          );
        }
        for (const bad of notOptions) {
          await expect(call(bad), method).rejects.toThrow(
            new TypeError(`${method} options must be an object, received ${sync_describe(bad)}`),
          );
        }
      }
      // Nothing was taken or left waiting by the rejected calls.
      expect(String(lock)).toBe("<Lock [unlocked]>");
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      expect(String(q)).toBe("<Queue maxsize=0>");
    }));

  test("Queue.join() validates its options also when nothing is unfinished", () =>
    aio(async () => {
      const q = new sync.Queue<number>();
      await expect(q.join({ signal: 5 } as never)).rejects.toThrow(TypeError);
      await expect(q.join()).resolves.toBeUndefined();
    }));

  test("the generator forms fail at the yield* with the same TypeError", () =>
    aio(async () => {
      const lock = new sync.Lock();
      const q = new sync.Queue<number>();
      const got: string[] = [];
      await createTask(function* () {
        for (const call of [
          () => lock.acquire({ signal: {} } as never),
          () => lock.hold(1 as never),
          () => q.get({ signal: "x" } as never),
          () => q.put(1, { signal: null } as never),
          () => q.join({ signal: 1 } as never),
        ]) {
          const op = call(); // the call itself never throws
          try {
            yield* op;
            got.push("no error");
          } catch (err) {
            got.push(`${(err as Error).name}: ${(err as Error).message}`);
          }
        }
      });
      expect(got).toEqual([
        "TypeError: Lock.acquire() options.signal must be an AbortSignal, received an object",
        "TypeError: Lock.hold() options must be an object, received 1",
        'TypeError: Queue.get() options.signal must be an AbortSignal, received "x"',
        "TypeError: Queue.put() options.signal must be an AbortSignal, received null",
        "TypeError: Queue.join() options.signal must be an AbortSignal, received 1",
      ]);
    }));

  test("run() rejects a callback that is not a function", () =>
    aio(async () => {
      await expect(new sync.Lock().run(42 as never)).rejects.toThrow(
        new TypeError("Lock.run() fn must be a function, received 42"),
      );
      await expect(new sync.BoundedSemaphore(1).run("f" as never)).rejects.toThrow(
        new TypeError('BoundedSemaphore.run() fn must be a function, received "f"'),
      );
      await expect(new sync.Condition().waitFor(undefined as never)).rejects.toThrow(
        new TypeError("Condition.waitFor() predicate must be a function, received undefined"),
      );
    }));

  test("constructors and synchronous methods throw TypeError or ValueError", () => {
    const cases: [() => unknown, ErrorConstructor | typeof ValueError, string][] = [
      [
        () => new sync.Semaphore("2" as never),
        TypeError,
        'Semaphore value must be an integer >= 0, received "2"',
      ],
      [
        () => new sync.Semaphore(-1),
        ValueError,
        "Semaphore value must be an integer >= 0, received -1",
      ],
      [
        () => new sync.Barrier(0),
        ValueError,
        "Barrier parties must be an integer >= 1, received 0",
      ],
      [
        () => new sync.Barrier(null as never),
        TypeError,
        "Barrier parties must be an integer >= 1, received null",
      ],
      [
        () => new sync.Condition({} as never),
        TypeError,
        "Condition lock must be a Lock, received an object",
      ],
      [
        () => new sync.Queue("1" as never),
        TypeError,
        'Queue maxsize must be an integer (0 or less: unbounded), received "1"',
      ],
      [
        () => new sync.PriorityQueue(0, { compare: 1 as never }),
        TypeError,
        "PriorityQueue compare must be a function, received 1",
      ],
      [
        () => new sync.Condition().notify("1" as never),
        TypeError,
        'Condition.notify() n must be a number >= 0, received "1"',
      ],
      [
        () => new sync.Condition().notify(-1),
        RangeError,
        "Condition.notify() n must be a number >= 0, received -1",
      ],
    ];
    for (const [make, Cls, message] of cases) {
      expect(make).toThrow(Cls);
      expect(make).toThrow(message);
    }
  });
});

/** The value rendering of the error messages (core's `describeValue`). */
function sync_describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an instance of Array";
  if (typeof value === "object") return "an object";
  return String(value);
}
