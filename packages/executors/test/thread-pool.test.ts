import { inspect } from "node:util";
import { CancelledError, isRuntimeError, RuntimeError, TimeoutError, ValueError } from "@aio/core";
import {
  BrokenExecutorError,
  ExecutorFullError,
  isBrokenExecutorError,
  moduleFunction,
  ThreadPoolExecutor,
  transfer as transferArg,
} from "@aio/executors";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";
import { sharedCounters, threadCount, until } from "./helpers.js";

// Injected by the worker into shipped functions (see jobSignal()).
declare const jobSignal: () => AbortSignal;
declare const transfer: typeof transferArg;

const fixture = new URL("./fixtures/work.mjs", import.meta.url);
const pools: ThreadPoolExecutor[] = [];
function pool(
  options: ConstructorParameters<typeof ThreadPoolExecutor>[0] = {},
): ThreadPoolExecutor {
  const p = new ThreadPoolExecutor({ maxWorkers: 2, ...options });
  pools.push(p);
  return p;
}

afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
});

/** Counts itself started in c[0], then blocks until the main thread sets c[idx]. */
function blockUntil(c: Int32Array, idx: number): string {
  Atomics.add(c, 0, 1);
  Atomics.wait(c, idx, 0, 10_000);
  return `released ${idx}`;
}
function release(c: Int32Array, idx: number): void {
  Atomics.store(c, idx, 1);
  Atomics.notify(c, idx);
}
const threadId = () => process.getBuiltinModule("node:worker_threads").threadId;

describe("ThreadPoolExecutor.submit()", () => {
  test("ThreadPoolExecutor.submit() runs a self-contained function with cloned arguments", async () => {
    const p = pool();
    const fut = p.submit(
      (a: { x: number }, b: number[]) => ({ total: a.x + b.reduce((s, v) => s + v, 0) }),
      { x: 1 },
      [2, 3],
    );
    expect(await fut).toEqual({ total: 6 });
    expect(fut.done()).toBe(true);
    expect(fut.result()).toEqual({ total: 6 });
  });

  test("ThreadPoolExecutor.submit() runs async functions and method shorthands", async () => {
    const p = pool();
    const obj = {
      twice(x: number) {
        return x * 2;
      },
    };
    expect(await p.submit(async (x: number) => x + 1, 1)).toBe(2);
    expect(await p.submit(obj.twice, 21)).toBe(42);
    expect(
      await p.submit(function named(s: string) {
        return s.toUpperCase();
      }, "ok"),
    ).toBe("OK");
  });

  test("ThreadPoolExecutor.submit() returns a Future of the running loop inside run()", async () => {
    await run(async () => {
      const p = pool();
      const fut = p.submit(() => 7);
      expect(typeof fut.getLoop).toBe("function");
      fut.getLoop(); // bound to this loop: does not throw
      expect(String(fut)).toMatch(/^<Future pending/);
      expect(await fut).toBe(7);
    });
  });

  test("ThreadPoolExecutor.submit() outside a loop returns a loop-less future", async () => {
    const p = pool();
    const fut = p.submit(() => 1);
    expect(() => fut.getLoop()).toThrow(RuntimeError);
    expect(await fut).toBe(1);
    expect(String(fut)).toBe("<Future finished>");
  });

  test("ThreadPoolExecutor.submit() delivers a job's error with its class, name, message, stack and cause", async () => {
    const p = pool();
    const err = await p
      .submit(() => {
        function deepInWorker() {
          const e = new RangeError("out of range", { cause: new Error("inner") });
          (e as RangeError & { code: string }).code = "E_RANGE";
          throw e;
        }
        deepInWorker();
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toBe("out of range");
    expect((err as Error).stack).toMatch(/deepInWorker/);
    expect((err as Error & { code: string }).code).toBe("E_RANGE");
    expect(((err as Error).cause as Error).message).toBe("inner");
    const custom = await p
      .submit(() => {
        class ParseError extends Error {
          override name = "ParseError";
        }
        throw new ParseError("bad token");
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect([custom?.name, custom?.message]).toEqual(["ParseError", "bad token"]);
    await expect(p.submit(() => Promise.reject("a string"))).rejects.toBe("a string");
  });

  test("ThreadPoolExecutor.submit() says plainly that closures do not cross threads", async () => {
    const p = pool();
    const factor = 3;
    await expect(p.submit((x: number) => x * factor, 2)).rejects.toThrow(
      'the job function uses "factor", which is not defined in the worker: closures do not cross threads — pass "factor" as an argument, or use moduleFunction()',
    );
    await expect(p.submit((x: number) => x * factor, 2)).rejects.toBeInstanceOf(ReferenceError);
  });

  test("ThreadPoolExecutor.submit() rejects bad input before sending anything", async () => {
    const p = pool();
    expect(() => p.submit(42 as never)).toThrow(
      new TypeError("submit() fn must be a function or moduleFunction(), received 42"),
    );
    expect(() => p.submit(Math.max, 1, 2)).toThrow(
      /submit\(\) fn cannot be shipped to a worker: function max is native or bound/,
    );
    expect(() => p.submit(((x: number) => x).bind(null), 1)).toThrow(/is native or bound/);
    expect(() => p.submit(class Foo {} as never)).toThrow(
      new TypeError("submit() fn must be a function, received class Foo"),
    );
    expect(() =>
      p.submit(
        (f: unknown) => f,
        () => 1,
      ),
    ).toThrow(
      new TypeError(
        "submit() arguments must be structured-cloneable to reach a worker: args[0] is function (anonymous) (functions, symbols, promises and weak collections do not cross threads)",
      ),
    );
    expect(() => p.submit((o: unknown) => o, { deep: [1, { cb: Symbol("s") }] })).toThrow(
      /args\[0\]\.deep\[1\]\.cb is Symbol\(s\)/,
    );
    expect(p.toString()).toMatch(/workers=0 busy=0 pending=0/);
  });

  test("ThreadPoolExecutor.submit() after shutdown throws RuntimeError", async () => {
    const p = pool();
    await p.shutdown();
    expect(() => p.submit(() => 1)).toThrow(
      new RuntimeError("cannot schedule new futures after shutdown"),
    );
    let caught: unknown;
    try {
      p.submit(() => 1);
    } catch (e) {
      caught = e;
    }
    expect(isRuntimeError(caught)).toBe(true);
  });
});

describe("ThreadPoolExecutor constructor", () => {
  test("ThreadPoolExecutor rejects invalid options with named errors", () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(
      new ValueError("ThreadPoolExecutor maxWorkers must be an integer >= 1, received 0"),
    );
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 1.5 })).toThrow(/received 1.5/);
    expect(() => new ThreadPoolExecutor({ maxPending: -1 })).toThrow(
      new RangeError(
        "ThreadPoolExecutor maxPending must be an integer >= 0 or Infinity, received -1",
      ),
    );
    expect(() => new ThreadPoolExecutor({ idleTimeoutMs: Number.NaN })).toThrow(
      /idleTimeoutMs must be a number of milliseconds >= 0/,
    );
    expect(() => new ThreadPoolExecutor({ cancelRunning: "kill" as never })).toThrow(
      new RangeError(
        'ThreadPoolExecutor cancelRunning must be "finish" or "abort", received "kill"',
      ),
    );
    expect(() => new ThreadPoolExecutor({ initializer: "init" as never })).toThrow(
      /ThreadPoolExecutor initializer fn must be a function or moduleFunction\(\), received "init"/,
    );
    expect(() => new ThreadPoolExecutor({ initargs: [() => 1] })).toThrow(
      /initargs arguments must be structured-cloneable/,
    );
  });

  test("ThreadPoolExecutor.maxWorkers defaults to the available parallelism", async () => {
    const { availableParallelism } = await import("node:os");
    const p = pool({ maxWorkers: undefined as never });
    expect(new ThreadPoolExecutor().maxWorkers).toBe(availableParallelism());
    expect(p.maxWorkers).toBe(2);
  });

  test("ThreadPoolExecutor describes itself in asyncio's repr shape", async () => {
    const p = pool();
    expect(String(p)).toMatch(
      /^<ThreadPoolExecutor \[running\] maxWorkers=2 workers=0 busy=0 pending=0>$/,
    );
    expect(Object.prototype.toString.call(p)).toBe("[object ThreadPoolExecutor]");
    expect(inspect(p)).toBe(String(p));
    await p.shutdown();
    expect(String(p)).toMatch(/\[shutdown\]/);
  });
});

describe("moduleFunction()", () => {
  test("moduleFunction() runs an export of a module in the worker", async () => {
    const p = pool();
    const sum = moduleFunction<(n: number) => number>(fixture, "sum");
    expect(await p.submit(sum, 10)).toBe(45);
    expect(await sum(10)).toBe(45); // called directly: runs here
  });

  test("moduleFunction() reports a missing file at once and a missing export from the worker", async () => {
    const p = pool();
    expect(() => moduleFunction(new URL("./fixtures/nope.mjs", import.meta.url), "x")).toThrow(
      /^moduleFunction\(\) module does not exist: file:.*nope\.mjs$/,
    );
    expect(() => moduleFunction("./relative.js", "x")).toThrow(/must be absolute/);
    expect(() => moduleFunction(fixture, "")).toThrow(
      new TypeError('moduleFunction() exportName must be a non-empty string, received ""'),
    );
    await expect(p.submit(moduleFunction(fixture, "missing"))).rejects.toThrow(
      /^module file:.*work\.mjs has no export "missing" \(its exports: getInit, init, notAFunction, sum, waitForAbort\)$/,
    );
    await expect(p.submit(moduleFunction(fixture, "notAFunction"))).rejects.toThrow(
      /export "notAFunction" of module .* is not a function, received number/,
    );
  });
});

describe("ThreadPoolExecutor initializer", () => {
  test("ThreadPoolExecutor runs the initializer with initargs once per worker before its jobs", async () => {
    const p = pool({
      maxWorkers: 1,
      initializer: moduleFunction(fixture, "init"),
      initargs: ["ready"],
    });
    expect(await p.submit(moduleFunction(fixture, "getInit"))).toBe("ready");
  });

  test("ThreadPoolExecutor breaks when an initializer fails and fails every job with BrokenExecutorError", async () => {
    const p = pool({
      maxWorkers: 1,
      initializer: () => {
        throw new Error("no config");
      },
    });
    const a = p.submit(() => 1);
    const b = p.submit(() => 2);
    const errs = await Promise.all(
      [a, b].map((f) =>
        f.then(
          () => null,
          (e: unknown) => e as BrokenExecutorError,
        ),
      ),
    );
    for (const e of errs) {
      expect(isBrokenExecutorError(e)).toBe(true);
      expect(e?.message).toBe("A worker initializer failed, the pool is not usable anymore");
      expect((e!.cause as Error).message).toBe("no config");
    }
    expect(() => p.submit(() => 3)).toThrow(BrokenExecutorError);
    expect(String(p)).toMatch(/\[broken\]/);
  });
});

describe("ThreadPoolExecutor.map()", () => {
  test("ThreadPoolExecutor.map() yields results in input order, with and without chunks", async () => {
    const p = pool();
    const slowFirst = async (x: number) => {
      await new Promise((r) => setTimeout(r, x === 0 ? 20 : 0));
      return x * 10;
    };
    const out: number[] = [];
    for await (const v of p.map(slowFirst, [0, 1, 2, 3, 4])) out.push(v);
    const chunked: number[] = [];
    for await (const v of p.map((x: number) => x + 1, new Set([1, 2, 3, 4, 5]), { chunksize: 2 }))
      chunked.push(v);
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(chunked).toEqual([2, 3, 4, 5, 6]);
  });

  test("ThreadPoolExecutor.map() throws a job's error when its result is reached and cancels the rest", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 0 });
    const c = sharedCounters();
    const out: unknown[] = [];
    const it = p.map(
      (x: [Int32Array, number]) => {
        Atomics.add(x[0], 1, 1);
        if (x[1] === 1) throw new Error("item 1");
        return x[1];
      },
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [c, i] as [Int32Array, number]),
    );
    await expect(
      (async () => {
        for await (const v of it) out.push(v);
      })(),
    ).rejects.toThrow("item 1");
    await p.shutdown();
    expect(out).toEqual([0]);
    expect(Atomics.load(c, 1)).toBeLessThan(8); // the cancelled rest did not all run
  });

  test("ThreadPoolExecutor.map() raises TimeoutError when results are late", async () => {
    const p = pool({ maxWorkers: 1 });
    const c = sharedCounters();
    const it = p.map((x: Int32Array) => Atomics.wait(x, 1, 0, 5_000), [c], { timeout: 20 });
    await expect(it.next()).rejects.toBeInstanceOf(TimeoutError);
    release(c, 1);
  });

  test("ThreadPoolExecutor.map() rejects bad options", () => {
    const p = pool();
    expect(() => p.map((x: number) => x, 5 as never)).toThrow(
      new TypeError("map() iterable must be iterable, received 5"),
    );
    expect(() => p.map((x: number) => x, [1], { chunksize: 0 })).toThrow(
      new RangeError("map() chunksize must be an integer >= 1, received 0"),
    );
    expect(() => p.map((x: number) => x, [1], { timeout: -1 })).toThrow(
      /timeout must be a number of milliseconds >= 0 or null/,
    );
  });
});

describe("transfer()", () => {
  test("transfer() moves an ArrayBuffer to the worker and back without copying", async () => {
    const p = pool();
    const bytes = new Uint8Array(1024 * 1024).fill(7);
    const back = await p.submit((b: Uint8Array) => {
      b[0] = 1;
      return transfer(b);
    }, transferArg(bytes));
    expect(bytes.byteLength).toBe(0); // detached: it moved
    expect(back.byteLength).toBe(1024 * 1024);
    expect([back[0], back[1]]).toEqual([1, 7]);
  });
});

describe("ThreadPoolExecutor cancellation", () => {
  test("a job cancelled before it starts never runs", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 1 });
    const c = sharedCounters();
    const first = p.submit(blockUntil, c, 1);
    const prefetched = p.submit((x: Int32Array) => Atomics.add(x, 2, 1), c);
    const queued = p.submit((x: Int32Array) => Atomics.add(x, 2, 1), c);
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    expect([prefetched.cancel(), queued.cancel()]).toEqual([true, true]);
    // The job sent ahead is cancelled in the worker's inbox; let that message
    // go out before the worker becomes free (it is posted from a microtask).
    await new Promise((resolve) => setImmediate(resolve));
    release(c, 1);
    expect(await first).toBe("released 1");
    expect(await p.submit(() => "after")).toBe("after");
    expect(Atomics.load(c, 2)).toBe(0);
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
  });

  test("a function whose first job was cancelled before it started still runs its later jobs", async () => {
    // The first job of a function carries its source to the worker; later ones do not.
    const p = pool({ maxWorkers: 1, prefetch: 2 });
    const c = sharedCounters();
    const first = p.submit(blockUntil, c, 1);
    const add = (x: Int32Array, n: number) => Atomics.add(x, 2, n) + n;
    const carrier = p.submit(add, c, 1);
    const later = p.submit(add, c, 10);
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    expect(carrier.cancel()).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    release(c, 1);
    expect(await first).toBe("released 1");
    expect(await later).toBe(10);
    await expect(carrier).rejects.toBeInstanceOf(CancelledError);
  });

  test("a cancellation that crosses its job's reply leaves nothing behind in the worker", async () => {
    const p = pool({ maxWorkers: 1 });
    await p.submit(() => 0); // the worker is up
    const done = p.submit(() => "ran");
    await null; // the job is posted
    // The worker runs it and replies while this thread reads nothing…
    const end = Date.now() + 200;
    while (Date.now() < end) {}
    // …so the pool still thinks it is running, and sends a cancellation.
    expect(done.cancel()).toBe(true);
    const held = await p.submit(() =>
      (globalThis as unknown as Record<symbol, { heldSkips(): number }>)[
        Symbol.for("@aio/executors.worker")
      ]!.heldSkips(),
    );
    expect(held).toBe(0);
    await expect(done).rejects.toBeInstanceOf(CancelledError);
  });

  test('prefetch "auto" sends tiny jobs ahead in depth, and every result comes back in place', async () => {
    const p = pool({ maxWorkers: 2 });
    const results = await Promise.all(
      Array.from({ length: 5_000 }, (_, i) => p.submit((n: number) => n * 3, i)),
    );
    expect(results).toEqual(Array.from({ length: 5_000 }, (_, i) => i * 3));
    expect(String(p)).toMatch(/busy=0 pending=0>$/);
  });

  test("a running job cancelled by default finishes and its result is discarded", async () => {
    const p = pool({ maxWorkers: 1 });
    const c = sharedCounters();
    const job = p.submit((x: Int32Array) => {
      Atomics.add(x, 0, 1);
      Atomics.wait(x, 1, 0, 10_000);
      Atomics.store(x, 2, 42);
      return "discarded";
    }, c);
    await until(() => Atomics.load(c, 0) === 1, "the job to start");
    job.cancel();
    release(c, 1);
    expect(await p.submit(() => "next")).toBe("next");
    expect([job.cancelled(), Atomics.load(c, 2)]).toEqual([true, 42]);
  });

  test("with cancelRunning 'abort' a running job sees jobSignal() abort and stops", async () => {
    const p = pool({ maxWorkers: 1, cancelRunning: "abort" });
    const c = sharedCounters();
    const job = p.submit(async (x: Int32Array) => {
      const signal = jobSignal();
      Atomics.add(x, 0, 1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      Atomics.store(x, 2, signal.reason.name === "AbortError" ? 1 : 2);
    }, c);
    await until(() => Atomics.load(c, 0) === 1, "the job to start");
    job.cancel();
    await until(() => Atomics.load(c, 2) !== 0, "the job to see its abort");
    expect(Atomics.load(c, 2)).toBe(1);
    expect(await p.submit(() => "same worker goes on")).toBe("same worker goes on");
  });

  test("a module function reads jobSignal() from @aio/executors", async () => {
    const p = pool({ maxWorkers: 1, cancelRunning: "abort" });
    const job = p.submit(moduleFunction(fixture, "waitForAbort"));
    await new Promise((r) => setTimeout(r, 50));
    job.cancel();
    expect(await p.submit(() => "next")).toBe("next");
    await expect(job).rejects.toBeInstanceOf(CancelledError);
  });

  test("a job that ignores its abort has its own worker terminated after the grace period, and no other", async () => {
    const p = pool({ maxWorkers: 2, cancelRunning: "abort", abortGraceMs: 30, prefetch: 1 });
    const c = sharedCounters(8);
    const stubborn = p.submit((x: Int32Array) => {
      Atomics.store(x, 4, process.getBuiltinModule("node:worker_threads").threadId);
      Atomics.add(x, 0, 1);
      Atomics.wait(x, 7, 0, 10_000); // never released
    }, c);
    const other = p.submit((x: Int32Array) => {
      Atomics.store(x, 5, process.getBuiltinModule("node:worker_threads").threadId);
      Atomics.add(x, 0, 1);
      Atomics.wait(x, 1, 0, 10_000);
      return "other finished";
    }, c);
    await until(() => Atomics.load(c, 0) === 2, "both jobs to start");
    // Queued behind the stubborn one (prefetch): must not be lost with its worker.
    const behind = p.submit(threadId);
    const behind2 = p.submit(threadId);
    stubborn.cancel();
    const ids = await Promise.all([behind, behind2]);
    release(c, 1);
    expect(await other).toBe("other finished");
    expect(stubborn.cancelled()).toBe(true);
    expect(ids).not.toContain(Atomics.load(c, 4));
  });

  test("a busy main thread past the grace period never gets another job's worker terminated", async () => {
    // The aborted job returns soon after its cancellation, then the main
    // thread is blocked well past the grace period: its grace timer fires
    // before the job's reply is read. The worker must not have started the
    // job sent ahead behind it, and must not be terminated for a finished job.
    const p = pool({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 20, prefetch: 1 });
    const c = sharedCounters(8);
    const aborted = p.submit((x: Int32Array) => {
      Atomics.store(x, 4, process.getBuiltinModule("node:worker_threads").threadId);
      Atomics.add(x, 0, 1);
      Atomics.wait(x, 1, 0, 10_000); // ignores its signal
      return "ignored";
    }, c);
    const behind = p.submit((x: Int32Array) => {
      Atomics.store(x, 5, process.getBuiltinModule("node:worker_threads").threadId);
      Atomics.add(x, 0, 1);
      Atomics.wait(x, 2, 0, 10_000);
      return "behind finished";
    }, c);
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    aborted.cancel();
    await new Promise((r) => setImmediate(r)); // the cancellation reaches the worker's port
    release(c, 1);
    const end = Date.now() + 200;
    while (Date.now() < end) {} // the main thread is busy: no message is read
    await until(() => Atomics.load(c, 0) === 2, "the job behind to start");
    await new Promise((r) => setTimeout(r, 100)); // a termination would land meanwhile
    release(c, 2);
    expect(await behind).toBe("behind finished");
    await expect(aborted).rejects.toBeInstanceOf(CancelledError);
    expect(Atomics.load(c, 5)).toBe(Atomics.load(c, 4)); // same worker: nobody was terminated
  });

  test("cancelling the awaiting task cancels the job", async () => {
    const c = sharedCounters();
    await run(async () => {
      const p = pool({ maxWorkers: 1 });
      const loop = (await import("@aio/core")).getRunningLoop();
      const first = p.submit(blockUntil, c, 1);
      const task = loop.createTask(async () =>
        p.submit((x: Int32Array) => Atomics.add(x, 2, 1), c),
      );
      await until(() => Atomics.load(c, 0) === 1, "the first job to start");
      await new Promise((r) => setTimeout(r, 0));
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      release(c, 1);
      expect(await first).toBe("released 1");
    });
    expect(Atomics.load(c, 2)).toBe(0);
  });
});

describe("ThreadPoolExecutor failures", () => {
  test("a worker that exits fails exactly its running job with BrokenExecutorError and is replaced", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 1 });
    const dying = p.submit(() => process.exit(3));
    const behind = p.submit(() => "ran on the replacement");
    const err = await dying.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(BrokenExecutorError);
    expect(err?.message).toBe(
      "A worker thread terminated abruptly (exit code 3) while running a job",
    );
    expect(await behind).toBe("ran on the replacement");
    expect(String(p)).toMatch(/\[running\]/);
  });

  test("a crash outside a job kills the worker; the pool replaces it", async () => {
    const p = pool({ maxWorkers: 1 });
    const c = sharedCounters();
    await p.submit((x: Int32Array) => {
      setTimeout(() => {
        Atomics.store(x, 1, 1);
        throw new Error("late crash");
      }, 0);
    }, c);
    await until(() => Atomics.load(c, 1) === 1, "the crash");
    await until(() => /workers=0/.test(String(p)), "the worker to be gone");
    expect(await p.submit(() => "fine")).toBe("fine");
  });

  test("on Deno 2 and Bun 1, resourceLimits throws RuntimeError naming the runtime and the alternative", () => {
    // Run on Deno and Bun only (scripts/runtime-skips.ts): on Node the limits work.
    const expected =
      (globalThis as { Deno?: unknown }).Deno !== undefined
        ? "ThreadPoolExecutor resourceLimits is not supported on Deno 2: a worker thread over its heap limit can hang instead of ending; " +
          'use a ProcessPoolExecutor with execArgv: ["--v8-flags=--max-old-space-size=N"]'
        : "ThreadPoolExecutor resourceLimits is not supported on Bun 1: it does not enforce a worker thread's heap limits; " +
          "use a ProcessPoolExecutor and bound its children's memory from outside (ulimit -v, a cgroup)";
    expect(
      () => new ThreadPoolExecutor({ resourceLimits: { maxOldGenerationSizeMb: 16 } }),
    ).toThrow(new RuntimeError(expected));
    pool({ maxWorkers: 1 }); // without resourceLimits a pool is made as usual
  });

  test("a worker over its resourceLimits fails its job with BrokenExecutorError", async () => {
    const p = pool({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const err = await p
      .submit(() => {
        // 1 MiB arrays of doubles: the 16 MiB old generation fills in a few
        // steps (small arrays made V8 grind through near-limit GCs for
        // seconds before giving up, on Node 24).
        const hog: number[][] = [];
        for (let i = 0; i < 10_000; i++) hog.push(new Array(1 << 17).fill(i + 0.5));
        return hog.length;
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(err).toBeInstanceOf(BrokenExecutorError);
    expect((err!.cause as { code?: string }).code).toBe("ERR_WORKER_OUT_OF_MEMORY");
    expect(await p.submit(() => "recovered")).toBe("recovered");
  });
});

describe("ThreadPoolExecutor.shutdown()", () => {
  test("ThreadPoolExecutor.shutdown() waits for the jobs already submitted", async () => {
    const p = pool({ maxWorkers: 1 });
    const jobs = [1, 2, 3].map((i) => p.submit((x: number) => x * 2, i));
    await p.shutdown({ wait: true });
    expect(jobs.map((j) => j.result())).toEqual([2, 4, 6]);
    expect(String(p)).toMatch(/workers=0/);
  });

  test("ThreadPoolExecutor.shutdown({ cancelFutures: true }) cancels the jobs that have not started", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 1 });
    const c = sharedCounters();
    const running = p.submit(blockUntil, c, 1);
    const rest = [1, 2, 3].map(() => p.submit((x: Int32Array) => Atomics.add(x, 2, 1), c));
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    const done = p.shutdown({ wait: true, cancelFutures: true });
    expect(rest.map((j) => j.cancelled())).toEqual([true, true, true]);
    // One of them was sent ahead to the worker; its cancellation is posted
    // from a microtask: let it go out before the worker becomes free.
    await new Promise((resolve) => setImmediate(resolve));
    release(c, 1);
    await done;
    expect(await running).toBe("released 1");
    expect(Atomics.load(c, 2)).toBe(0);
  });

  test("ThreadPoolExecutor.shutdown({ wait: false }) returns at once and still runs the jobs", async () => {
    const p = pool({ maxWorkers: 1 });
    const c = sharedCounters();
    const job = p.submit(blockUntil, c, 1);
    await p.shutdown({ wait: false });
    expect(job.done()).toBe(false);
    release(c, 1);
    expect(await job).toBe("released 1");
    await p.shutdown();
  });

  test("await using shuts the pool down and its threads are gone", async () => {
    const before = threadCount();
    {
      await using p = new ThreadPoolExecutor({ maxWorkers: 2 });
      await Promise.all([p.submit(() => 1), p.submit(() => 2)]);
    }
    await until(() => threadCount() <= before, "worker threads to exit");
    expect(threadCount()).toBeLessThanOrEqual(before);
  });
});

describe("ThreadPoolExecutor backpressure", () => {
  test("ThreadPoolExecutor.submit() beyond maxPending throws ExecutorFullError; ready() waits for room", async () => {
    const p = pool({ maxWorkers: 1, maxPending: 2, prefetch: 0 });
    const c = sharedCounters();
    const running = p.submit(blockUntil, c, 1);
    const queued = [p.submit(() => "a"), p.submit(() => "b")];
    expect(() => p.submit(() => "c")).toThrow(ExecutorFullError);
    expect(() => p.submit(() => "c")).toThrow(
      "the executor's pending queue is full (maxPending=2): await executor.ready() before submit()",
    );
    let ready = false;
    const room = Promise.resolve(p.ready()).then(() => {
      ready = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(ready).toBe(false);
    release(c, 1);
    await room;
    const late = p.submit(() => "c");
    expect(await Promise.all([running, ...queued, late])).toEqual(["released 1", "a", "b", "c"]);
  });

  test("ThreadPoolExecutor.map() with maxPending submits as results are consumed", async () => {
    const p = pool({ maxWorkers: 2, maxPending: 3 });
    const out: number[] = [];
    for await (const v of p.map(
      (x: number) => x * x,
      Array.from({ length: 20 }, (_, i) => i),
    ))
      out.push(v);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
  });
});

describe("ThreadPoolExecutor idle workers", () => {
  test("idle workers exit after idleTimeoutMs and come back on demand", async () => {
    const p = pool({ maxWorkers: 2, idleTimeoutMs: 20 });
    await Promise.all([p.submit(() => 1), p.submit(() => 2)]);
    await until(() => /workers=0/.test(String(p)), "idle workers to be reaped");
    expect(await p.submit(() => "again")).toBe("again");
  });
});
