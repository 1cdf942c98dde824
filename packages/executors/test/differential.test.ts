/**
 * Differential tests: each scenario was run on CPython 3.11 with real worker
 * threads or child processes (`concurrent.futures` pools driven from asyncio:
 * `loop.run_in_executor`, `asyncio.to_thread`, `Executor.map`, `shutdown`),
 * and the event log it printed is the expected value here. The Python side is
 * sketched above each test. Only what is deterministic is compared: the order
 * of results, errors and callbacks, states and messages — a job that must be
 * running or blocked is held on shared memory (or a file, for processes),
 * never by timing.
 *
 * Deliberate differences (docs/porting/executors.md) are not compared: a job
 * sent ahead to a busy child process is still cancellable here, and
 * `terminateWorkers()` fails queued jobs instead of cancelling them.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FutureLike, getRunningLoop, isCancelledError } from "@aio/core";
import {
  type PoolExecutor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  toThread,
} from "@aio/executors";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";
import { sharedCounters, until } from "./helpers.js";

const pools: PoolExecutor[] = [];
function track<P extends PoolExecutor>(p: P): P {
  pools.push(p);
  return p;
}
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
});

/** A thrown value as the Python logs print it: `CancelledError`, `TimeoutError`, `ValueError(msg)`. */
function show(e: unknown): string {
  if (isCancelledError(e)) return "CancelledError";
  const err = e as Error;
  return err.name === "TimeoutError" ? "TimeoutError" : `${err.name}(${err.message})`;
}

/** Settled values as the Python logs print them. */
const shown = (values: unknown[]): string =>
  `[${values.map((v) => (v instanceof Error ? show(v) : String(v))).join(", ")}]`;

/** Python's `while True: next(it)` over the map() iterator, logging each value or error, then `end`. */
async function drain(it: AsyncIterator<unknown>, log: unknown[]): Promise<void> {
  for (;;) {
    try {
      const r = await it.next();
      if (r.done === true) {
        log.push("end");
        return;
      }
      log.push(r.value);
    } catch (e) {
      log.push(show(e));
    }
  }
}

/** Counts itself started in c[0], blocks until c[1] is set, then returns `v`. */
function blockUntilReleased(c: Int32Array, v: string): string {
  Atomics.add(c, 0, 1);
  Atomics.wait(c, 1, 0, 10_000);
  return v;
}
function release(c: Int32Array): void {
  Atomics.store(c, 1, 1);
  Atomics.notify(c, 1);
}
/** A cancellation posted to a worker (from a microtask) goes out before the worker is released. */
const flushPosts = () => new Promise((resolve) => setImmediate(resolve));

describe("ThreadPoolExecutor through loop.runInExecutor()", () => {
  // ex = ThreadPoolExecutor(1); a = run_in_executor(ex, block, ev, "a");
  // b = run_in_executor(ex, boom, "b"); c = run_in_executor(ex, block, ev, "c")
  // each gets a done callback; a task awaits a; after one tick a second
  // callback is added to a, then c.cancel() twice; a tick; ev.set()
  test("a result, an exception and a queued job cancelled: done callbacks and the awaiting task in asyncio's order", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const loop = getRunningLoop();
      const ex = track(new ThreadPoolExecutor({ maxWorkers: 1 }));
      const c = sharedCounters();
      const boom = (m: string) => {
        const e = new Error(m);
        e.name = "ValueError";
        throw e;
      };
      const a = loop.runInExecutor(ex, blockUntilReleased, c, "a");
      const b = loop.runInExecutor(ex, boom, "b");
      const cc = loop.runInExecutor(ex, blockUntilReleased, c, "c");
      const cb = (name: string) => (f: FutureLike<unknown>) => {
        if (f.cancelled()) log.push(`cb ${name} cancelled`);
        else if (f.exception() !== undefined) log.push(`cb ${name} ${show(f.exception())}`);
        else log.push(`cb ${name} ${f.result()}`);
      };
      a.addDoneCallback(cb("a"));
      b.addDoneCallback(cb("b"));
      cc.addDoneCallback(cb("c"));
      const t = createTask(async () => {
        try {
          log.push(`task a ${await a}`);
        } catch (e) {
          log.push(`task a ${show(e)}`);
        }
      });
      await sleep(0);
      a.addDoneCallback(cb("a2"));
      log.push(`cancel c ${cc.cancel()}`);
      log.push(`cancel c again ${cc.cancel()}`);
      await sleep(0);
      log.push("tick");
      await flushPosts();
      release(c);
      await gather(a, b, cc, t, { returnExceptions: true });
      log.push(`cancel a after done ${a.cancel()} cancelled ${a.cancelled()}`);
      return log;
    });
    expect(log).toEqual([
      "cancel c true",
      "cancel c again false",
      "cb c cancelled",
      "tick",
      "cb a a",
      "task a a",
      "cb a2 a",
      "cb b ValueError(b)",
      "cancel a after done false cancelled false",
    ]);
  });

  // ex = ThreadPoolExecutor(1); futs = [run_in_executor(ex, job, i) for i in range(4)],
  // job 0 blocks; each future logs in a done callback; once job 0 runs:
  // ex.shutdown(wait=False, cancel_futures=True); ex.submit(...);
  // run_in_executor(ex, ...); then job 0 is released
  test("shutdown({ wait: false, cancelFutures: true }) cancels the jobs not started in submission order; the running one finishes", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const loop = getRunningLoop();
      // prefetch 1: job 1 is sent ahead to the busy worker, jobs 2 and 3 wait in the queue.
      const ex = track(new ThreadPoolExecutor({ maxWorkers: 1, prefetch: 1 }));
      const c = sharedCounters();
      const job = (x: Int32Array, n: number) => {
        if (n === 0) {
          Atomics.add(x, 0, 1);
          Atomics.wait(x, 1, 0, 10_000);
        }
        Atomics.or(x, 2, 1 << n);
        return n;
      };
      const futs = [0, 1, 2, 3].map((i) => loop.runInExecutor(ex, job, c, i));
      futs.forEach((f, i) => {
        f.addDoneCallback(() => log.push(`cb ${i} ${f.cancelled() ? "cancelled" : f.result()}`));
      });
      await until(() => Atomics.load(c, 0) === 1, "job 0 to start");
      await ex.shutdown({ wait: false, cancelFutures: true });
      log.push("shutdown returned");
      try {
        ex.submit(job, c, 9);
      } catch (e) {
        log.push(show(e));
      }
      try {
        loop.runInExecutor(ex, job, c, 9);
      } catch (e) {
        log.push(`run_in_executor ${show(e)}`);
      }
      await flushPosts();
      release(c);
      const res = await gather(...futs, { returnExceptions: true });
      const ran = [0, 1, 2, 3].filter((n) => Atomics.load(c, 2) & (1 << n));
      log.push(`results ${shown(res)} ran [${ran.join(", ")}]`);
      return log;
    });
    expect(log).toEqual([
      "shutdown returned",
      "RuntimeError(cannot schedule new futures after shutdown)",
      "run_in_executor RuntimeError(cannot schedule new futures after shutdown)",
      "cb 1 cancelled",
      "cb 2 cancelled",
      "cb 3 cancelled",
      "cb 0 0",
      "results [0, CancelledError, CancelledError, CancelledError] ran [0]",
    ]);
  });
});

describe("a failing initializer", () => {
  // for Pool in (ThreadPoolExecutor, ProcessPoolExecutor): ex = Pool(1, initializer=fail);
  // futs = [run_in_executor(ex, str, i) for i in range(4)], each with a done
  // callback; gather; then ex.submit(str, 1)
  test("every pending future fails with BrokenExecutorError in submission order, then submit() throws it", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const loop = getRunningLoop();
      const fail = () => {
        throw new Error("init");
      };
      for (const ex of [
        track(new ThreadPoolExecutor({ maxWorkers: 1, initializer: fail })),
        track(new ProcessPoolExecutor({ maxWorkers: 1, initializer: fail })),
      ]) {
        const futs = [0, 1, 2, 3].map((i) => loop.runInExecutor(ex, (n: number) => String(n), i));
        futs.forEach((f, i) => {
          f.addDoneCallback(() => log.push(`cb ${i} ${(f.exception() as Error).name}`));
        });
        await gather(...futs, { returnExceptions: true });
        try {
          ex.submit((n: number) => String(n), 1);
        } catch (e) {
          log.push(`submit ${(e as Error).name}`);
        }
      }
      return log;
    });
    const pool = ["cb 0", "cb 1", "cb 2", "cb 3", "submit"].map((x) => `${x} BrokenExecutorError`);
    expect(log).toEqual([...pool, ...pool]);
  });
});

describe("ProcessPoolExecutor through loop.runInExecutor()", () => {
  // ex = ProcessPoolExecutor(1); futs = [run_in_executor(ex, pwork, i, path) for i in range(5)]:
  // job 0 waits for a file, job 1 raises ValueError("one"); once job 0 runs,
  // futs[0].cancel() (running) and futs[4].cancel() (queued)
  test("a running job's Future and a queued one cancel (True); the rest give results and errors; cancel() after done is False", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aio-diff-"));
    const log = await run(async () => {
      const log: string[] = [];
      const loop = getRunningLoop();
      const ex = track(new ProcessPoolExecutor({ maxWorkers: 1, prefetch: 0 }));
      const work = async (n: number, path: string) => {
        const fs = process.getBuiltinModule("node:fs");
        if (n === 0) {
          fs.writeFileSync(path, "");
          while (!fs.existsSync(`${path}.go`)) await new Promise((r) => setTimeout(r, 5));
        }
        if (n === 1) {
          const e = new Error("one");
          e.name = "ValueError";
          throw e;
        }
        return n * 2;
      };
      const path = join(dir, "m");
      const futs = [0, 1, 2, 3, 4].map((i) => loop.runInExecutor(ex, work, i, path));
      while (!existsSync(path)) await sleep(10);
      log.push(`cancel running ${futs[0]!.cancel()}`);
      log.push(`cancel queued ${futs[4]!.cancel()}`);
      writeFileSync(`${path}.go`, "");
      const res = await gather(...futs, { returnExceptions: true });
      log.push(`results ${shown(res)}`);
      log.push(`cancel after done ${futs[2]!.cancel()}`);
      return log;
    });
    expect(log).toEqual([
      "cancel running true",
      "cancel queued true",
      "results [CancelledError, ValueError(one), 4, 6, CancelledError]",
      "cancel after done false",
    ]);
  });
});

describe("Executor.map()", () => {
  // ex = ThreadPoolExecutor(1); it = ex.map(job, range(4), timeout=0.05): job 1
  // blocks; once job 0 is done and the deadline has passed, drain(it); then job 1 is released
  test("map() with a timeout: the results in before the deadline, TimeoutError at the first late one, the iterator ends, the queued jobs never run", async () => {
    const log = await run(async () => {
      const log: unknown[] = [];
      const ex = track(new ThreadPoolExecutor({ maxWorkers: 1 }));
      const c = sharedCounters();
      const job = ([x, n]: [Int32Array, number]) => {
        if (n === 1) Atomics.wait(x, 1, 0, 10_000);
        Atomics.or(x, 2, 1 << n);
        return n * 10;
      };
      const items = [0, 1, 2, 3].map((n) => [c, n] as [Int32Array, number]);
      const it = ex.map(job, items, { timeout: 50 });
      const start = getRunningLoop().time(); // the deadline is at most start + 50
      await until(() => (Atomics.load(c, 2) & 1) === 1, "job 0 to finish");
      while (getRunningLoop().time() <= start + 50) await sleep(10); // past the deadline
      await drain(it, log);
      await flushPosts();
      release(c);
      await ex.shutdown({ wait: true });
      log.push(`ran [${[0, 1, 2, 3].filter((n) => Atomics.load(c, 2) & (1 << n)).join(", ")}]`);
      return log;
    });
    expect(log).toEqual([0, "TimeoutError", "end", "ran [0, 1]"]);
  });

  // it = ex.map(ev.wait, [10, 10], timeout=0); drain(it)
  test("map() with timeout 0 and no result ready: TimeoutError at once, then the end", async () => {
    const log: unknown[] = [];
    const ex = track(new ThreadPoolExecutor({ maxWorkers: 1 }));
    const c = sharedCounters();
    await drain(
      ex.map((x: Int32Array) => Atomics.wait(x, 1, 0, 10_000), [c, c], { timeout: 0 }),
      log,
    );
    release(c);
    expect(log).toEqual(["TimeoutError", "end"]);
  });

  // ex = ThreadPoolExecutor(3); job 2 raises ValueError("item 2") first, jobs 0
  // and 1 wait for that; drain(ex.map(job, range(3)))
  test("map(): a job that fails before the earlier ones finish raises at its own position", async () => {
    const log: unknown[] = [];
    const ex = track(new ThreadPoolExecutor({ maxWorkers: 3 }));
    const c = sharedCounters();
    const job = ([x, n]: [Int32Array, number]) => {
      if (n === 2) {
        Atomics.store(x, 1, 1);
        Atomics.notify(x, 1);
        const e = new Error("item 2");
        e.name = "ValueError";
        throw e;
      }
      Atomics.wait(x, 1, 0, 10_000);
      return n;
    };
    await drain(
      ex.map(
        job,
        [0, 1, 2].map((n) => [c, n] as [Int32Array, number]),
      ),
      log,
    );
    expect(log).toEqual([0, 1, "ValueError(item 2)", "end"]);
  });

  // with ProcessPoolExecutor(1) as pp: drain(pp.map(pfail, range(6), chunksize=2)), item 1 raises
  test("ProcessPoolExecutor.map() with chunksize: a failing item fails its whole chunk, the results before it in the chunk too", async () => {
    const log: unknown[] = [];
    const pp = track(new ProcessPoolExecutor({ maxWorkers: 1 }));
    const fail = (n: number) => {
      if (n === 1) {
        const e = new Error(`item ${n}`);
        e.name = "ValueError";
        throw e;
      }
      return n;
    };
    await drain(pp.map(fail, [0, 1, 2, 3, 4, 5], { chunksize: 2 }), log);
    expect(log).toEqual(["ValueError(item 1)", "end"]);
  });

  // ex.shutdown(); for items in ([], [1]): ex.map(str, items) — the same for
  // ProcessPoolExecutor(1).map(str, items, chunksize=2)
  test("map() after shutdown: over an empty iterable it just ends; with an item, RuntimeError at the call", async () => {
    const log: unknown[] = [];
    const str = (x: number) => String(x);
    for (const [name, ex, options] of [
      ["map", track(new ThreadPoolExecutor({ maxWorkers: 1 })), {}],
      ["pmap", track(new ProcessPoolExecutor({ maxWorkers: 1 })), { chunksize: 2 }],
    ] as const) {
      await ex.shutdown();
      for (const items of [[], [1]]) {
        try {
          const it = ex.map(str, items, options);
          log.push(`${name} ok`);
          await drain(it, log);
        } catch (e) {
          log.push(`${name} raised ${show(e)}`);
        }
      }
    }
    expect(log).toEqual([
      "map ok",
      "end",
      "map raised RuntimeError(cannot schedule new futures after shutdown)",
      "pmap ok",
      "end",
      "pmap raised RuntimeError(cannot schedule new futures after shutdown)",
    ]);
  });
});

describe("the default executor", () => {
  // set_default_executor(ThreadPoolExecutor(1)); task a awaits to_thread(block),
  // task b awaits to_thread(mark); once block runs: b.cancel(), a.cancel(); a
  // tick; block is released; await to_thread(lambda: "c")
  test("cancelling tasks that await toThread(): the queued job never runs, the running one finishes unseen", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      getRunningLoop().setDefaultExecutor(new ThreadPoolExecutor({ maxWorkers: 1 }));
      const c = sharedCounters();
      const waiter = (name: string, job: () => PromiseLike<string>) =>
        createTask(async () => {
          try {
            log.push(`${name} ${await job()}`);
          } catch (e) {
            log.push(`${name} ${isCancelledError(e) ? "cancelled" : show(e)}`);
            throw e;
          }
        });
      const a = waiter("a", () =>
        toThread((x: Int32Array) => {
          Atomics.add(x, 0, 1);
          Atomics.wait(x, 1, 0, 10_000);
          Atomics.or(x, 2, 1);
          return "a";
        }, c),
      );
      const b = waiter("b", () =>
        toThread((x: Int32Array) => {
          Atomics.or(x, 2, 2);
          return "b";
        }, c),
      );
      await sleep(0);
      await until(() => Atomics.load(c, 0) === 1, "job a to start");
      b.cancel();
      a.cancel();
      await sleep(0);
      log.push(`a cancelled ${a.cancelled()} b cancelled ${b.cancelled()}`);
      await flushPosts();
      release(c);
      log.push(`c ${await toThread(() => "c")}`);
      const ran = ["a", "b"].filter((_, i) => Atomics.load(c, 2) & (1 << i));
      log.push(`ran [${ran.join(", ")}]`);
      return log;
    });
    expect(log).toEqual([
      "b cancelled",
      "a cancelled",
      "a cancelled true b cancelled true",
      "c c",
      "ran [a]",
    ]);
  });

  // f = run_in_executor(None, slow); await to_thread(quick); a task awaits
  // shutdown_default_executor(); two ticks; the slow job is released; await the task
  test("runInExecutor(null, …) and toThread() share it; shutdownDefaultExecutor() waits for the running job", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const loop = getRunningLoop();
      const c = sharedCounters();
      const f = loop.runInExecutor(null, blockUntilReleased, c, "slow");
      log.push(`to_thread ${await toThread(() => "quick")}`);
      const t = createTask(async () => {
        await loop.shutdownDefaultExecutor();
        log.push(`shutdown_default_executor done, slow done=${f.done()}`);
      });
      await sleep(0);
      await sleep(0);
      log.push(`tick slow done=${f.done()} shutdown done=${t.done()}`);
      release(c);
      // Not `await f` first: which of the two waiters resumes first when the
      // job's reply and its worker's exit arrive in one host turn (Deno) is
      // not what this compares.
      await t;
      log.push(`slow ${f.result()}`);
      return log;
    });
    expect(log).toEqual([
      "to_thread quick",
      "tick slow done=false shutdown done=false",
      "shutdown_default_executor done, slow done=true",
      "slow slow",
    ]);
  });
});
