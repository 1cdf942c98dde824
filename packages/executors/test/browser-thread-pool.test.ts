/**
 * `@aio/executors` in a browser (headless Chromium; the `browser` export
 * condition, `src/index.browser.ts`): `ThreadPoolExecutor` on Web Workers
 * with the Node pool's semantics — results and errors by structured clone,
 * cancellation of waiting and running jobs, `BrokenExecutorError` when a
 * worker dies, shutdown — `moduleFunction()` with a module served by vite's
 * dev server, and `ProcessPoolExecutor`'s `RuntimeError`. Listed in
 * `scripts/runtime-skips.ts` for the runtimes without a page.
 */
import {
  type FutureLike,
  isCancelledError,
  isRuntimeError,
  RuntimeError,
  ValueError,
} from "@aio/core";
import {
  BrokenExecutorError,
  isBrokenExecutorError,
  moduleFunction,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  toThread,
  type transfer as transferArg,
} from "@aio/executors";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";

// Injected by the worker into shipped functions (see jobSignal()).
declare const jobSignal: () => AbortSignal;
declare const transfer: typeof transferArg;

const fixture = new URL("./fixtures/browser-work.js", import.meta.url);
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

/**
 * What jobs report from their workers, through a BroadcastChannel (the page
 * is not cross-origin isolated: no SharedArrayBuffer). `until(name)` waits,
 * bounded, for a report.
 */
function reports(channelName: string) {
  const seen: string[] = [];
  const waiters: { name: string; resolve: () => void }[] = [];
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (e) => {
    seen.push(e.data as string);
    for (const w of waiters.filter((x) => x.name === e.data)) w.resolve();
  };
  return {
    seen,
    until(name: string, limitMs = 10_000): Promise<void> {
      if (seen.includes(name)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report "${name}"`)), limitMs);
        waiters.push({
          name,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => channel.close(),
  };
}

describe("ThreadPoolExecutor in a browser", () => {
  test("ThreadPoolExecutor.submit() runs a self-contained function in a Web Worker with cloned arguments", async () => {
    const p = pool();
    const fut = p.submit(
      (a: { x: number }, b: number[]) => ({
        total: a.x + b.reduce((s, v) => s + v, 0),
        inWorker: typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope,
        hasDocument: typeof (globalThis as { document?: unknown }).document,
      }),
      { x: 1 },
      [2, 3],
    );
    expect(await fut).toEqual({ total: 6, inWorker: "function", hasDocument: "undefined" });
    expect(fut.result()).toEqual({ total: 6, inWorker: "function", hasDocument: "undefined" });
    expect(String(p)).toMatch(/^<ThreadPoolExecutor \[running\] maxWorkers=2 workers=1 /);
  });

  test("ThreadPoolExecutor.submit() runs async functions, and transfer() moves a buffer both ways", async () => {
    const p = pool();
    expect(
      await p.submit(async (n: number) => {
        await new Promise((r) => setTimeout(r, 1));
        return n + 1;
      }, 41),
    ).toBe(42);
    const bytes = new Uint8Array(1024).fill(7);
    const { transfer: move } = await import("@aio/executors");
    const back = await p.submit((b: Uint8Array) => transfer(b.map((x) => x * 2)), move(bytes));
    expect(bytes.length).toBe(0); // detached: it was moved, not copied
    expect(back.length).toBe(1024);
    expect(back[0]).toBe(14);
  });

  test("ThreadPoolExecutor.map() yields results in input order, also in chunks", async () => {
    const p = pool();
    const out: number[] = [];
    for await (const v of p.map((x: number) => x * x, [1, 2, 3, 4, 5], { chunksize: 2 })) {
      out.push(v);
    }
    expect(out).toEqual([1, 4, 9, 16, 25]);
  });

  test("ThreadPoolExecutor: a job's error crosses with its class, name, message and properties", async () => {
    const p = pool();
    const range = await p
      .submit(() => {
        throw new RangeError("too far");
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(range).toBeInstanceOf(RangeError);
    expect((range as Error).message).toBe("too far");
    const custom = (await p
      .submit(() => {
        const e = new Error("no such thing") as Error & { code: string };
        e.name = "LookupError";
        e.code = "E_LOOKUP";
        throw e;
      })
      .then(
        () => null,
        (e: unknown) => e,
      )) as Error & { code: string };
    expect([custom.name, custom.message, custom.code]).toEqual([
      "LookupError",
      "no such thing",
      "E_LOOKUP",
    ]);
    const outer = 3;
    const closure = (await p
      .submit(() => outer * 2)
      .then(
        () => null,
        (e: unknown) => e,
      )) as Error;
    expect(closure.name).toBe("ReferenceError");
    expect(closure.message).toMatch(/uses "outer".*closures do not cross threads/);
  });

  test("ThreadPoolExecutor: a job cancelled while it waits never runs", async () => {
    const r = reports("aio-test-waiting");
    try {
      await run(async () => {
        const p = pool({ maxWorkers: 1, prefetch: 0 });
        const report = (name: string, ms: number) =>
          new Promise((resolve) => {
            const c = new BroadcastChannel("aio-test-waiting");
            c.postMessage(name);
            setTimeout(() => {
              c.close();
              resolve(name);
            }, ms);
          });
        const first = p.submit(report, "first", 200);
        const second = p.submit(report, "second", 0);
        await r.until("first");
        expect(second.cancel()).toBe(true);
        expect(await first).toBe("first");
        expect(await p.submit(report, "third", 0)).toBe("third");
        await r.until("third");
        expect(second.cancelled()).toBe(true);
        expect(r.seen).toEqual(["first", "third"]);
      });
    } finally {
      r.close();
    }
  });

  test('ThreadPoolExecutor: cancelling a running job aborts its jobSignal() (cancelRunning: "abort")', async () => {
    const r = reports("aio-test-abort");
    try {
      await run(async () => {
        const p = pool({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 5_000 });
        const job = p.submit(async () => {
          const c = new BroadcastChannel("aio-test-abort");
          c.postMessage("started");
          const signal = jobSignal();
          for (let i = 0; i < 1000 && !signal.aborted; i++) {
            await new Promise((res) => setTimeout(res, 10));
          }
          c.postMessage(signal.aborted ? `aborted: ${signal.reason?.name}` : "never aborted");
          c.close();
          return "stopped";
        });
        await r.until("started");
        expect(job.cancel()).toBe(true);
        await r.until("aborted: AbortError");
        // The worker stopped the job itself: it lives on and runs the next one.
        const counter = () => {
          const g = globalThis as { jobsHere?: number };
          g.jobsHere = (g.jobsHere ?? 0) + 1;
          return g.jobsHere;
        };
        expect(await p.submit(counter)).toBe(1);
        expect(await p.submit(counter)).toBe(2);
        expect(job.cancelled()).toBe(true);
      });
    } finally {
      r.close();
    }
  });

  test("ThreadPoolExecutor: a running job that ignores its signal has its Web Worker terminated after abortGraceMs", async () => {
    const r = reports("aio-test-grace");
    try {
      await run(async () => {
        const p = pool({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 50 });
        const counter = () => {
          const g = globalThis as { jobsHere?: number };
          g.jobsHere = (g.jobsHere ?? 0) + 1;
          return g.jobsHere;
        };
        expect(await p.submit(counter)).toBe(1);
        const stuck = p.submit(() => {
          new BroadcastChannel("aio-test-grace").postMessage("spinning");
          for (;;) {}
        });
        await r.until("spinning");
        stuck.cancel();
        // A fresh worker (its counter starts again) runs the next job.
        expect(await p.submit(counter)).toBe(1);
        expect(stuck.cancelled()).toBe(true);
      });
    } finally {
      r.close();
    }
  });

  test("ThreadPoolExecutor: an uncaught error in a Web Worker fails its running job with BrokenExecutorError", async () => {
    const p = pool({ maxWorkers: 1 });
    const err = await p
      .submit(() => {
        setTimeout(() => {
          throw new Error("boom outside the job");
        }, 0);
        return new Promise(() => {}); // never settles: the worker's death must end it
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(BrokenExecutorError);
    expect(isBrokenExecutorError(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /A Web Worker terminated abruptly .* while running a job/,
    );
    expect(String((err as Error).cause)).toMatch(/boom outside the job/);
    // The pool is not broken: a replacement worker runs the next job.
    expect(await p.submit(() => "still working")).toBe("still working");
  });

  test("ThreadPoolExecutor: an unhandled rejection or close() in a Web Worker fails its running job with BrokenExecutorError", async () => {
    const p = pool({ maxWorkers: 1 });
    const rejection = (await p
      .submit(() => {
        void Promise.reject(new Error("nobody handles this"));
        return new Promise(() => {});
      })
      .then(
        () => null,
        (e: unknown) => e,
      )) as Error;
    expect(isBrokenExecutorError(rejection)).toBe(true);
    expect(String(rejection.cause)).toMatch(/nobody handles this/);
    const closed = (await p
      .submit(() => {
        (globalThis as unknown as { close(): void }).close();
        return new Promise(() => {});
      })
      .then(
        () => null,
        (e: unknown) => e,
      )) as Error;
    expect(isBrokenExecutorError(closed)).toBe(true);
    expect(String(closed.cause)).toMatch(/close\(\) was called in a pool worker/);
    expect(await p.submit(() => "still working")).toBe("still working");
  });

  test("ThreadPoolExecutor.terminateWorkers() fails running and waiting jobs with BrokenExecutorError", async () => {
    const r = reports("aio-test-terminate");
    try {
      const p = pool({ maxWorkers: 1 });
      const running = p.submit(() => {
        new BroadcastChannel("aio-test-terminate").postMessage("spinning");
        for (;;) {}
      });
      const waiting = p.submit(() => "never");
      await r.until("spinning");
      p.terminateWorkers();
      for (const fut of [running, waiting]) {
        const e = await fut.then(
          () => null,
          (x: unknown) => x,
        );
        expect(isBrokenExecutorError(e)).toBe(true);
      }
      await p.shutdown({ wait: true });
      expect(String(p)).toMatch(/\[shutdown\].* workers=0 /);
      expect(() => p.submit(() => 1)).toThrow(RuntimeError);
    } finally {
      r.close();
    }
  });

  test("ThreadPoolExecutor.shutdown() lets submitted jobs finish, cancelFutures cancels those not started", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 0 });
    const slow = p.submit(() => new Promise((res) => setTimeout(() => res("slow done"), 100)));
    const queued = p.submit(() => "queued done");
    await p.shutdown({ wait: true });
    expect([slow.result(), queued.result()]).toEqual(["slow done", "queued done"]);
    expect(() => p.submit(() => 1)).toThrow("cannot schedule new futures after shutdown");

    const q = pool({ maxWorkers: 1, prefetch: 0 });
    const first = q.submit(() => new Promise((res) => setTimeout(() => res("first"), 100)));
    const never = q.submit(() => "never");
    await q.shutdown({ wait: true, cancelFutures: true });
    expect(first.result()).toBe("first");
    expect(never.cancelled()).toBe(true);
    expect(String(q)).toMatch(/\[shutdown\].* workers=0 /);
  });

  test("ThreadPoolExecutor: await using shuts the pool down and waits", async () => {
    let p: ThreadPoolExecutor;
    let job: FutureLike<unknown>;
    {
      await using pool2 = new ThreadPoolExecutor({ maxWorkers: 1 });
      p = pool2;
      job = pool2.submit(() => new Promise((res) => setTimeout(() => res("done"), 50)));
    }
    expect(job.result()).toBe("done");
    expect(String(p)).toMatch(/\[shutdown\].* workers=0 /);
  });

  test("ThreadPoolExecutor: idle Web Workers exit after idleTimeoutMs and come back on demand", async () => {
    const p = pool({ maxWorkers: 1, idleTimeoutMs: 20 });
    const counter = () => {
      const g = globalThis as { jobsHere?: number };
      g.jobsHere = (g.jobsHere ?? 0) + 1;
      return g.jobsHere;
    };
    expect(await p.submit(counter)).toBe(1);
    expect(await p.submit(counter)).toBe(2);
    for (let i = 0; i < 500 && !/ workers=0 /.test(String(p)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(String(p)).toMatch(/\[running\] maxWorkers=1 workers=0 /);
    expect(await p.submit(counter)).toBe(1); // a fresh worker
  });

  test("ThreadPoolExecutor: resourceLimits is a RuntimeError in a browser", () => {
    expect(
      () => new ThreadPoolExecutor({ resourceLimits: { maxOldGenerationSizeMb: 64 } }),
    ).toThrow(/resourceLimits is not supported in a browser/);
    expect(() => new ThreadPoolExecutor({ resourceLimits: 5 as never })).toThrow(TypeError);
  });

  test("toThread() runs on the loop's default executor, a pool of Web Workers", async () => {
    const result = await run(async () => {
      return await toThread((a: number, b: number) => a * b, 6, 7);
    });
    expect(result).toBe(42);
  });
});

describe("ThreadPoolExecutor arguments in a browser (as plain JavaScript calls them)", () => {
  test("ThreadPoolExecutor: wrong option types and ranges throw TypeError, ValueError, RangeError", () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: "2" as never })).toThrow(TypeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(ValueError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(
      "ThreadPoolExecutor maxWorkers must be an integer >= 1, received 0",
    );
    expect(() => new ThreadPoolExecutor({ idleTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ cancelRunning: "kill" as never })).toThrow(
      /cancelRunning must be/,
    );
    // The default is the page's parallelism.
    const p = pool({ maxWorkers: undefined as never });
    expect(p.maxWorkers).toBe(
      (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
        ?.hardwareConcurrency,
    );
  });

  test("ThreadPoolExecutor.submit() and map() throw TypeError for what cannot cross; shutdown() rejects", async () => {
    const p = pool();
    expect(() => p.submit(42 as never)).toThrow(
      "submit() fn must be a function or moduleFunction(), received 42",
    );
    expect(() =>
      p.submit(
        (f: unknown) => f,
        () => 1,
      ),
    ).toThrow(/submit\(\) arguments must be structured-cloneable to reach a worker: args\[0\] is/);
    expect(() => p.map((x: number) => x, 5 as never)).toThrow(TypeError);
    let rejected: unknown;
    const pending = p.shutdown({ wait: "yes" as never });
    expect(pending).toBeInstanceOf(Promise);
    await pending.catch((e: unknown) => {
      rejected = e;
    });
    expect(rejected).toBeInstanceOf(TypeError);
  });
});

describe("moduleFunction() in a browser", () => {
  test("moduleFunction() runs an export of a module served by the dev server, in a Web Worker", async () => {
    const p = pool();
    expect(await p.submit(moduleFunction<(n: number) => number>(fixture, "square"), 12)).toBe(144);
    expect(await p.submit(moduleFunction<() => boolean>(fixture.href, "where"))).toBe(true);
    // A path from the page's origin works too.
    expect(
      await p.submit(moduleFunction<(n: number) => number>(fixture.pathname, "square"), 3),
    ).toBe(9);
    // Called directly it imports the module in the page.
    expect(await moduleFunction<() => boolean>(fixture, "where")()).toBe(false);
  });

  test("moduleFunction(): a module's jobSignal() import sees the job's abort", async () => {
    const r = reports("aio-test-module-abort");
    try {
      await run(async () => {
        const p = pool({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 5_000 });
        const untilAborted = moduleFunction<(channel: string) => Promise<string>>(
          fixture,
          "untilAborted",
        );
        const job = p.submit(untilAborted, "aio-test-module-abort");
        await r.until("started");
        expect(job.cancel()).toBe(true);
        await r.until("aborted");
        expect(await p.submit(moduleFunction<(n: number) => number>(fixture, "square"), 5)).toBe(
          25,
        );
        expect(r.seen).toEqual(["started", "aborted"]);
      });
    } finally {
      r.close();
    }
  });

  test("moduleFunction(): a missing export rejects the job with a TypeError naming it", async () => {
    const p = pool();
    const err = (await p.submit(moduleFunction(fixture, "notAFunction")).then(
      () => null,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(
      /export "notAFunction" of module .*browser-work\.js is not a function/,
    );
  });

  test("moduleFunction() refuses specifiers a worker cannot resolve", () => {
    expect(() => moduleFunction("./work.js", "f")).toThrow(TypeError);
    expect(() => moduleFunction("./work.js", "f")).toThrow(
      /absolute URL or a path from the page's origin/,
    );
    expect(() => moduleFunction("some-package", "f")).toThrow(TypeError);
    expect(() => moduleFunction(42 as never, "f")).toThrow(
      "moduleFunction() module must be a URL or a non-empty string, received 42",
    );
  });
});

describe("ProcessPoolExecutor in a browser", () => {
  test("new ProcessPoolExecutor() throws a RuntimeError naming the browser and ThreadPoolExecutor", () => {
    let err: unknown;
    try {
      new ProcessPoolExecutor({ maxWorkers: 1 });
    } catch (e) {
      err = e;
    }
    expect(isRuntimeError(err)).toBe(true);
    expect((err as Error).message).toBe(
      "ProcessPoolExecutor is not available in a browser: a page cannot start processes; use ThreadPoolExecutor, which runs on Web Workers there",
    );
    expect(isCancelledError(err)).toBe(false);
  });
});
