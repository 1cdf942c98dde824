import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, TimeoutError } from "@aio/core";
import { type PoolExecutor, ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";
import { childPids, sharedCounters, until } from "./helpers.js";

// Injected by the worker into shipped functions (see jobSignal()).
declare const jobSignal: () => AbortSignal;

const pools: PoolExecutor[] = [];
function pool<P extends PoolExecutor>(p: P): P {
  pools.push(p);
  return p;
}
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

/** Counts itself started in c[0], blocks until c[1] is set (bounded), then counts itself finished in c[2]. */
function blockUntilReleased(c: Int32Array): string {
  Atomics.add(c, 0, 1);
  Atomics.wait(c, 1, 0, 10_000);
  Atomics.add(c, 2, 1);
  return "finished";
}
function release(c: Int32Array): void {
  Atomics.store(c, 1, 1);
  Atomics.notify(c, 1);
}
const threadId = () => process.getBuiltinModule("node:worker_threads").threadId;

async function failure(fut: PromiseLike<unknown>): Promise<unknown> {
  return fut.then(
    () => "no failure",
    (e: unknown) => e,
  );
}

describe("PoolExecutor.submitWith({ timeout })", () => {
  test("submitWith({ timeout }): the future fails with TimeoutError; by default (cancelRunning 'finish') the job runs to its end", async () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1 }));
    const c = sharedCounters();
    const worker = await p.submit(threadId);
    await run(async () => {
      const fut = p.submitWith({ timeout: 300 }, blockUntilReleased, c);
      const err = await failure(fut);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toBe("the job did not finish within 300 ms");
      expect(fut.done() && !fut.cancelled()).toBe(true);
    });
    expect([Atomics.load(c, 0), Atomics.load(c, 2)]).toEqual([1, 0]); // started, still running
    release(c);
    expect(await p.submit(threadId)).toBe(worker); // the same worker, after the job finished
    expect(Atomics.load(c, 2)).toBe(1);
  });

  test("submitWith({ timeout }) with cancelRunning 'abort': the running job's jobSignal() aborts", async () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1, cancelRunning: "abort" }));
    const c = sharedCounters();
    await p.submit(() => "warm"); // the worker is up: the job starts well before its timeout
    const fut = p.submitWith(
      { timeout: 300 },
      async (counters: Int32Array) => {
        Atomics.add(counters, 0, 1);
        const signal = jobSignal();
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        Atomics.store(counters, 3, 1); // saw the abort
        return "stopped";
      },
      c,
    );
    expect(await failure(fut)).toBeInstanceOf(TimeoutError);
    expect(Atomics.load(c, 0)).toBe(1); // it had started
    await until(() => Atomics.load(c, 3) === 1, "the job to see its signal abort");
    expect(await p.submit(() => "next")).toBe("next");
  });

  test("submitWith({ timeout }) with cancelRunning 'abort': a job that ignores its signal loses its worker, and only it", async () => {
    const p = pool(
      new ProcessPoolExecutor({ maxWorkers: 2, cancelRunning: "abort", abortGraceMs: 30 }),
    );
    const file = join(mkdtempSync(join(tmpdir(), "aio-submit-with-")), "started");
    const getpid = () => process.pid;
    await Promise.all([p.submit(getpid), p.submit(getpid)]); // both children are up
    const other = p.submit(async () => {
      await new Promise((r) => setTimeout(r, 500));
      return process.pid;
    });
    const stuck = p.submitWith(
      { timeout: 300 },
      (f: string) => {
        process.getBuiltinModule("node:fs").writeFileSync(f, String(process.pid));
        for (;;) {}
      },
      file,
    );
    expect(await failure(stuck)).toBeInstanceOf(TimeoutError);
    const otherPid = await other;
    await until(() => existsSync(file) && childPids().length === 1, "the stuck child to be killed");
    expect(childPids()).toEqual([otherPid]);
  });

  test("submitWith({ timeout }): a job still waiting in the queue when it expires never runs", async () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1, prefetch: 0 }));
    const c = sharedCounters();
    const first = p.submit(blockUntilReleased, c);
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    const queued = p.submitWith({ timeout: 20 }, (x: Int32Array) => Atomics.add(x, 3, 1), c);
    expect(await failure(queued)).toBeInstanceOf(TimeoutError);
    expect(String(p)).toMatch(/pending=0/);
    release(c);
    expect(await first).toBe("finished");
    expect(await p.submit(() => "after")).toBe("after");
    expect(Atomics.load(c, 3)).toBe(0); // never ran
  });

  test("submitWith({ timeout }) outside a loop fails a loop-less future; a job in time is unaffected", async () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1 }));
    const c = sharedCounters();
    expect(await failure(p.submitWith({ timeout: 20 }, blockUntilReleased, c))).toBeInstanceOf(
      TimeoutError,
    );
    release(c);
    expect(await p.submitWith({ timeout: 10_000 }, (a: number) => a + 1, 1)).toBe(2);
    expect(await p.submitWith({ timeout: null }, () => "none")).toBe("none");
    expect(await p.submitWith({}, () => "empty")).toBe("empty");
  });
});

describe("PoolExecutor.submitWith({ signal })", () => {
  test("submitWith({ signal }): aborting the signal cancels the job; an aborted signal cancels it before it runs", async () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1, prefetch: 0 }));
    const c = sharedCounters();
    const first = p.submit(blockUntilReleased, c);
    await until(() => Atomics.load(c, 0) === 1, "the first job to start");
    const controller = new AbortController();
    const queued = p.submitWith(
      { signal: controller.signal },
      (x: Int32Array) => Atomics.add(x, 3, 1),
      c,
    );
    controller.abort();
    expect(await failure(queued)).toBeInstanceOf(CancelledError);
    const early = p.submitWith(
      { signal: AbortSignal.abort() },
      (x: Int32Array) => Atomics.add(x, 3, 1),
      c,
    );
    expect(early.cancelled()).toBe(true);
    release(c);
    await first;
    expect(await p.submit(() => "after")).toBe("after");
    expect(Atomics.load(c, 3)).toBe(0);
  });

  test("submitWith() checks its options: TypeError for wrong types, RangeError out of range", () => {
    const p = pool(new ThreadPoolExecutor({ maxWorkers: 1 }));
    const bad = (x: unknown) => x as any;
    expect(() => p.submitWith(bad(5), () => 1)).toThrow(
      new TypeError("submitWith() options must be an object, received 5"),
    );
    expect(() => p.submitWith(bad({ timeout: "1s" }), () => 1)).toThrow(
      new TypeError(
        'submitWith() timeout must be a number of milliseconds >= 0 or null, received "1s"',
      ),
    );
    expect(() => p.submitWith({ timeout: -1 }, () => 1)).toThrow(
      new RangeError(
        "submitWith() timeout must be a number of milliseconds >= 0 or null, received -1",
      ),
    );
    expect(() => p.submitWith(bad({ signal: {} }), () => 1)).toThrow(
      new TypeError("submitWith() signal must be an AbortSignal, received an object"),
    );
    expect(() => p.submitWith({}, bad(42))).toThrow(
      new TypeError("submitWith() fn must be a function or moduleFunction(), received 42"),
    );
    expect(String(p)).toMatch(/workers=0 busy=0 pending=0/);
  });
});
