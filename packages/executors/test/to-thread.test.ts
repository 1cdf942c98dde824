import { CancelledError, type EventLoop, getRunningLoop, RuntimeError } from "@aio/core";
import { ProcessPoolExecutor, ThreadPoolExecutor, toThread } from "@aio/executors";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";
import { sharedCounters, threadCount, until } from "./helpers.js";

const blockingSleep = (ms: number) =>
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe("loop.runInExecutor()", () => {
  test("loop.runInExecutor(null, …) runs a blocking call in the default executor while a ticker keeps ticking", async () => {
    const events: string[] = [];
    const result = await run(async () => {
      const loop = getRunningLoop();
      let ticking = true;
      let ticks = 0;
      const ticker = createTask(async () => {
        while (ticking) {
          ticks++;
          await sleep(1);
        }
      });
      const c = sharedCounters();
      const job = loop.runInExecutor(
        null,
        (x: Int32Array) => {
          Atomics.add(x, 0, 1);
          Atomics.wait(x, 1, 0, 10_000); // blocks its thread, not the loop
          return "unblocked";
        },
        c,
      );
      await until(() => Atomics.load(c, 0) === 1, "the blocking job to start");
      const ticksWhileBlocked = ticks;
      while (ticks < ticksWhileBlocked + 5) await sleep(1);
      events.push("ticker ran while the job blocked");
      Atomics.store(c, 1, 1);
      Atomics.notify(c, 1);
      const value = await job;
      events.push(`job: ${value}`);
      ticking = false;
      await ticker;
      return value;
    });
    expect(result).toBe("unblocked");
    expect(events).toEqual(["ticker ran while the job blocked", "job: unblocked"]);
  });

  test("loop.runInExecutor() uses a given executor, and cancelling the Future cancels a job not started", async () => {
    const c = sharedCounters();
    await run(async () => {
      const loop = getRunningLoop();
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1, prefetch: 0 });
      const first = loop.runInExecutor(
        pool,
        (x: Int32Array) => {
          Atomics.add(x, 0, 1);
          Atomics.wait(x, 1, 0, 10_000);
          return 1;
        },
        c,
      );
      const second = loop.runInExecutor(pool, (x: Int32Array) => Atomics.add(x, 2, 1), c);
      await until(() => Atomics.load(c, 0) === 1, "the first job to start");
      second.cancel();
      Atomics.store(c, 1, 1);
      Atomics.notify(c, 1);
      expect(await first).toBe(1);
      await expect(second).rejects.toBeInstanceOf(CancelledError);
      expect(await loop.runInExecutor(pool, () => "after")).toBe("after");
    });
    expect(Atomics.load(c, 2)).toBe(0);
  });

  test("loop.setDefaultExecutor() replaces the default pool and run() shuts it down on exit", async () => {
    let pool: ThreadPoolExecutor | null = null;
    await run(async () => {
      const loop = getRunningLoop();
      pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      loop.setDefaultExecutor(pool);
      expect(await toThread((a: number) => a + 1, 1)).toBe(2);
    });
    expect(String(pool)).toMatch(
      /^<ThreadPoolExecutor \[shutdown\] maxWorkers=1 workers=0 busy=0 pending=0>$/,
    );
  });

  test("the default executor's threads are gone once run() resolves", async () => {
    const before = threadCount();
    await run(async () => {
      await gather(
        toThread(() => 1),
        toThread(() => 2),
      );
    });
    await until(() => threadCount() <= before, "default executor threads to exit");
    expect(threadCount()).toBeLessThanOrEqual(before);
  });
});

describe("toThread()", () => {
  test("toThread() returns a Future of the running loop with the result", async () => {
    await run(async () => {
      const fut = toThread(blockingSleep, 5);
      expect(fut.getLoop()).toBe(getRunningLoop() as EventLoop);
      expect(await fut).toBe("timed-out");
    });
  });

  test("toThread() outside a loop throws RuntimeError", () => {
    expect(() => toThread(() => 1)).toThrow(new RuntimeError("no running event loop"));
  });

  test("toThread() rejects a closure over a local variable with a plain message", async () => {
    await run(async () => {
      const local = 5;
      await expect(toThread(() => local)).rejects.toThrow(
        /uses "local", which is not defined in the worker: closures do not cross threads/,
      );
    });
  });

  test("a task awaiting toThread() can be cancelled; the loop does not wait for the job", async () => {
    const c = sharedCounters();
    await run(async () => {
      const task = createTask(async () =>
        toThread((x: Int32Array) => {
          Atomics.add(x, 0, 1);
          Atomics.wait(x, 1, 0, 10_000);
          return "late";
        }, c),
      );
      await until(() => Atomics.load(c, 0) === 1, "the job to start");
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      Atomics.store(c, 1, 1);
      Atomics.notify(c, 1);
    });
  });
});

describe("ProcessPoolExecutor via runInExecutor", () => {
  test("loop.runInExecutor() runs a CPU-bound sum in a process pool", async () => {
    const total = await run(async () => {
      await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
      const sum = (from: number, to: number) => {
        let s = 0;
        for (let i = from; i < to; i++) s += i;
        return s;
      };
      const loop = getRunningLoop();
      const parts = await gather(
        loop.runInExecutor(pool, sum, 0, 500_000),
        loop.runInExecutor(pool, sum, 500_000, 1_000_000),
      );
      return (parts as number[]).reduce((a, b) => a + b, 0);
    });
    expect(total).toBe(499_999_500_000);
  });
});
