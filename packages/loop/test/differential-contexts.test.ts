/**
 * Differential checks of the exception handler's contexts and of `Runner`
 * against CPython's asyncio (3.11 and 3.13; where they differ, the expected
 * value is 3.13's): each case was run as a Python script and as its
 * TypeScript twin, and the expected values here are what Python recorded.
 * A context is compared as its key set with each value's class (asyncio's
 * messages add the callback's source line, which JavaScript has no
 * counterpart for). `differential.test.ts` covers failing
 * `callSoon`/`callLater` callbacks and `run()`'s shutdown.
 */
import { type ExceptionContext, type Executor, getRunningLoop } from "@aio/core";
import { createTask, Future, sleep, Task } from "@aio/futures";
import { Runner } from "@aio/loop";
import { VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

/**
 * A context as `{ key: kind }`, the message kept as is: a Handle-shaped
 * object (a done callback is scheduled as a smaller item with the Handle's
 * methods and repr) is "Handle", a Task "Task", any other Future "Future",
 * an async generator "AsyncGenerator", anything else its constructor's name.
 */
function shape(context: ExceptionContext): Record<string, unknown> {
  const kind = (v: unknown) => {
    if (v instanceof Task) return "Task";
    if (v instanceof Future) return "Future";
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === "AsyncGenerator") return tag;
    if (/^<Handle /.test(String(v))) return "Handle";
    return (v as object | null)?.constructor?.name;
  };
  return Object.fromEntries(
    Object.entries(context).map(([k, v]) => [k, k === "message" ? v : kind(v)]),
  );
}

class ValueError extends Error {
  override name = "ValueError";
}

describe("exception handler contexts", () => {
  it("never-retrieved task, failing done callback, callback from a task step: asyncio's keys", async () => {
    const log: unknown[] = [];
    // Held until the end, so that the report comes from the loop's close
    // (with the task), not from a garbage collection that ran first (Bun's may).
    let unretrieved: Task<unknown> | undefined;
    const runner = new Runner({ loopFactory: () => new VirtualTimeLoop() });
    await runner.run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => log.push(shape(ctx)));
      // a: a task's exception nobody retrieves (reported when the loop closes)
      unretrieved = createTask(async () => {
        throw new ValueError("t");
      });
      await sleep(0);
      await sleep(0);
      log.push("--a");
      // b: a done callback failing
      const f = loop.createFuture<number>();
      f.addDoneCallback(function cb() {
        throw new ValueError("cb");
      });
      f.setResult(1);
      await sleep(0);
      log.push("--b");
      // b2: a callback scheduled from a task step, failing
      function cb2() {
        throw new ValueError("cb");
      }
      await createTask(async () => {
        loop.callSoon(cb2);
        await sleep(0);
      });
      log.push("--b2");
    });
    log.push("--main done");
    await runner.close();
    log.push("--closed");
    expect(log).toEqual([
      "--a",
      { message: "Exception in callback cb()", exception: "ValueError", handle: "Handle" },
      "--b",
      { message: "Exception in callback cb2()", exception: "ValueError", handle: "Handle" },
      "--b2",
      "--main done",
      { message: "Task exception was never retrieved", exception: "ValueError", future: "Task" },
      "--closed",
    ]);
    expect(unretrieved?.done()).toBe(true);
  });

  it("a signal handler failing: asyncio's keys", async () => {
    const log: unknown[] = [];
    const runner = new Runner({ loopFactory: () => new VirtualTimeLoop() });
    await runner.run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => log.push(shape(ctx)));
      // The host's signal event, emitted in-process: no real signal reaches the runner.
      loop.addSignalHandler("SIGUSR2", function onSig() {
        throw new ValueError("sig");
      });
      (process as unknown as { emit(name: string): boolean }).emit("SIGUSR2");
      await sleep(0);
      await sleep(0);
      loop.removeSignalHandler("SIGUSR2");
      log.push("--c");
    });
    await runner.close();
    expect(log).toEqual([
      { message: "Exception in callback onSig()", exception: "ValueError", handle: "Handle" },
      "--c",
    ]);
  });

  it("an async generator failing in shutdownAsyncgens(), an executor job failing while the default executor shuts down", async () => {
    const log: unknown[] = [];
    const runner = new Runner({ loopFactory: () => new VirtualTimeLoop() });
    const jobs: Promise<unknown>[] = [];
    const executor: Executor = {
      submit(fn: (...args: unknown[]) => unknown, ...args: unknown[]) {
        const job = new Promise((resolve) => setTimeout(resolve, 0)).then(() => fn(...args));
        jobs.push(job.catch(() => {}));
        return job;
      },
      async shutdown() {
        await Promise.all(jobs);
      },
    } as unknown as Executor;
    let fut: Future<unknown> | null = null;
    await runner.run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => log.push(shape(ctx)));
      async function* agen() {
        try {
          yield 1;
          yield 2;
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case under test
          throw new ValueError("agen");
        }
      }
      const g = agen();
      await g.next();
      (loop as unknown as { trackAsyncgen(g: AsyncGenerator): void }).trackAsyncgen(g);
      loop.setDefaultExecutor(executor);
      fut = loop.runInExecutor(null, () => {
        throw new ValueError("job");
      }) as unknown as Future<unknown>;
      fut = null;
    });
    log.push("--main done");
    await runner.close();
    log.push("--closed");
    expect(log).toEqual([
      "--main done",
      {
        message: "an error occurred during closing of asynchronous generator",
        exception: "ValueError",
        asyncgen: "AsyncGenerator",
      },
      {
        message: "Future exception was never retrieved",
        exception: "ValueError",
        future: "Future",
      },
      "--closed",
    ]);
    expect(fut).toBe(null);
  });
});

describe("Runner", () => {
  it("Runner: lazy getLoop(), two runs on one loop, close() twice, run() and getLoop() after close()", async () => {
    const log: string[] = [];
    const main = (x: number) => async () => [x, getRunningLoop()] as const;
    const runner = new Runner();
    const l1 = runner.getLoop();
    log.push(`getLoop before run: closed=${l1.isClosed()} running=${l1.isRunning()}`);
    const [a, la] = await runner.run(main(1));
    const [b, lb] = await runner.run(main(2));
    log.push(`run twice: ${a} ${b} same loop=${la === lb && lb === l1}`);
    await runner.close();
    log.push(`closed: loop closed=${l1.isClosed()}`);
    await runner.close();
    log.push("close twice ok");
    await runner
      .run(main(3))
      .catch((e: Error) => log.push(`run after close: ${e.name}(${e.message})`));
    try {
      runner.getLoop();
    } catch (e) {
      log.push(`getLoop after close: ${(e as Error).name}(${(e as Error).message})`);
    }
    // A runner closed before it was ever used has nothing to close (asyncio's
    // close() returns at once unless initialised).
    const unused = new Runner();
    await unused.close();
    await unused
      .run(main(4))
      .then(([c]) => log.push(`run after close of unused runner: ${c}`))
      .catch((e: Error) => log.push(`run after close of unused runner: ${e.name}(${e.message})`));
    await unused.close();
    let lo: ReturnType<Runner["getLoop"]> | undefined;
    let r3: Runner | undefined;
    {
      await using r = new Runner();
      r3 = r;
      lo = r.getLoop();
      log.push(`with: ${(await r.run(main(5)))[0]}`);
    }
    log.push(`with: closed=${lo.isClosed()}`);
    await r3.run(main(6)).catch((e: Error) => log.push(`with: after: ${e.name}(${e.message})`));
    // `with Runner():` initialises the runner on entry, so even an unused one is closed after it.
    let r4: Runner | undefined;
    {
      await using r = new Runner();
      r4 = r;
    }
    await r4
      .run(main(7))
      .catch((e: Error) => log.push(`with, unused: after: ${e.name}(${e.message})`));
    expect(log).toEqual([
      "getLoop before run: closed=false running=false",
      "run twice: 1 2 same loop=true",
      "closed: loop closed=true",
      "close twice ok",
      "run after close: RuntimeError(Runner is closed)",
      "getLoop after close: RuntimeError(Runner is closed)",
      "run after close of unused runner: 4",
      "with: 5",
      "with: closed=true",
      "with: after: RuntimeError(Runner is closed)",
      "with, unused: after: RuntimeError(Runner is closed)",
    ]);
  });

  it("Runner: a task left by one run() is still pending in the next and cancelled by close(); a failed run() leaves the runner usable", async () => {
    const log: string[] = [];
    const runner = new Runner({ loopFactory: () => new VirtualTimeLoop() });
    let bg: Task<void> | undefined;
    log.push(
      await runner.run(async () => {
        bg = createTask(async () => {
          try {
            await sleep(10_000);
          } catch (e) {
            log.push("bg cancelled");
            throw e;
          }
        });
        return "spawned";
      }),
    );
    log.push(
      await runner.run(async () => {
        await sleep(0);
        return `bg still pending=${!bg!.done()}`;
      }),
    );
    await runner.close();
    log.push("r4 closed");
    const r5 = new Runner({ loopFactory: () => new VirtualTimeLoop() });
    await r5
      .run(async () => {
        throw new ValueError("x");
      })
      .catch((e: Error) => log.push(`run failed: ${e.message}`));
    log.push(`run after failure: ${await r5.run(async () => 7)}`);
    await r5.close();
    expect(log).toEqual([
      "spawned",
      "bg still pending=true",
      "bg cancelled",
      "r4 closed",
      "run failed: x",
      "run after failure: 7",
    ]);
  });
});
