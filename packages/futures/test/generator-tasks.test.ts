/**
 * Generator tasks: a `function*` run by a Task with asyncio's coroutine
 * protocol (`yield* fut`, bare `yield`, yielded promises). Orderings were
 * checked against CPython 3.11 running the same programs with `await`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  CancelledError,
  ExceptionGroup,
  getRunningLoop,
  RuntimeError,
  TimeoutError,
} from "@aio/core";
import {
  type Coroutine,
  createTask,
  currentTask,
  ensureFuture,
  Future,
  gather,
  sleep,
  type Task,
  taskGroup,
  wait,
  waitFor,
} from "@aio/futures";
import { newEventLoop, Runner, run } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const now = () => getRunningLoop().time();

describe("generator tasks: waiting", () => {
  it("yield* on a pending Future suspends until it is done and evaluates to its result", async () => {
    const result = await run(function* () {
      const fut = new Future<number>();
      getRunningLoop().callLater(5, () => fut.setResult(41));
      const v: number = yield* fut;
      return v + 1;
    });
    expect(result).toBe(42);
  });

  it("yield* on a done Future returns at once: no loop iteration (as `await` of a done future in asyncio)", async () => {
    const log = await run(function* () {
      const out: string[] = [];
      getRunningLoop().callSoon(() => out.push("callback"));
      const fut = new Future<string>();
      fut.setResult("done");
      for (let i = 0; i < 3; i++) out.push(yield* fut);
      out.push("before yield");
      yield;
      out.push("after yield");
      return out;
    });
    expect(log).toEqual(["done", "done", "done", "before yield", "callback", "after yield"]);
  });

  it("yield* on a Future already failed or cancelled throws at once, without a loop iteration", async () => {
    const log = await run(function* () {
      const out: string[] = [];
      getRunningLoop().callSoon(() => out.push("callback"));
      const failed = new Future<number>();
      failed.setException(new Error("boom"));
      const cancelled = new Future<number>();
      cancelled.cancel("gone");
      const undef = new Future<undefined>();
      undef.setResult(undefined);
      for (const fut of [failed, cancelled]) {
        try {
          yield* fut;
          out.push("not reached");
        } catch (err) {
          out.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      out.push(`result ${String(yield* undef)}`);
      yield;
      return out;
    });
    expect(log).toEqual(["Error: boom", "CancelledError: gone", "result undefined", "callback"]);
  });

  it("a bare yield gives exactly one loop iteration, interleaving like asyncio.sleep(0)", async () => {
    const log: string[] = [];
    await run(function* () {
      function* worker(name: string): Coroutine<void> {
        for (let i = 0; i < 3; i++) {
          log.push(`${name}${i}`);
          yield;
        }
      }
      const a = createTask(() => worker("a"));
      const b = createTask(() => worker("b"));
      getRunningLoop().callSoon(() => log.push("cb"));
      yield* gather(a, b);
    });
    // CPython: a0 b0 cb a1 b1 a2 b2 (the callback was scheduled after both tasks' first steps).
    expect(log).toEqual(["a0", "b0", "cb", "a1", "b1", "a2", "b2"]);
  });

  it("yield* sleep(ms), gather and a promise-mode task all work from a generator task", async () => {
    await runVirtual(async () => {
      const t = createTask(function* () {
        const word = yield* sleep(20, "awake");
        const [x, y] = yield* gather(
          createTask(function* () {
            yield* sleep(10);
            return 1;
          }),
          createTask(async () => {
            await sleep(5);
            return 2;
          }),
        );
        return `${word} ${x + y} at ${now()}`;
      });
      expect(await t).toBe("awake 3 at 30");
    });
  });

  it("the exception of a Future is thrown at the yield* and can be caught", async () => {
    const seen = await run(function* () {
      const fut = new Future<number>();
      getRunningLoop().callSoon(() => fut.setException(new Error("boom")));
      try {
        yield* fut;
        return "not reached";
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(seen).toBe("boom");
  });

  it("a yielded promise is followed: its value is sent in, its rejection thrown in", async () => {
    const out = await run(function* () {
      const v = (yield Promise.resolve("value")) as string;
      let msg = "";
      try {
        yield Promise.reject(new Error("rejected"));
      } catch (err) {
        msg = (err as Error).message;
      }
      return [v, msg];
    });
    expect(out).toEqual(["value", "rejected"]);
  });

  it("yield* of a generator helper runs it inside the same task (its yields are the task's)", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      function* inner(): Coroutine<string> {
        try {
          yield* sleep(1000);
          return "slept";
        } finally {
          log.push(`inner finally in ${currentTask()?.getName()}`);
        }
      }
      const t = createTask(
        function* () {
          return yield* inner();
        },
        { name: "outer" },
      );
      await sleep(10);
      t.cancel("stop");
      await expect(t).rejects.toThrow(CancelledError);
    });
    expect(log).toEqual(["inner finally in outer"]);
  });

  it("ensureFuture(generator) runs it in a new generator task", async () => {
    const v = await run(async () => {
      function* twice(n: number): Coroutine<number> {
        yield;
        return n * 2;
      }
      const fut = ensureFuture(twice(21));
      expect(fut.toString()).toMatch(/^<Task pending name='Task-\d+'/);
      return await fut;
    });
    expect(v).toBe(42);
  });

  it("a plain function returning a generator makes a generator task too", async () => {
    const v = await run(async () => {
      function* gen(): Coroutine<string> {
        yield* sleep(1);
        return "from gen";
      }
      return await createTask(() => gen());
    });
    expect(v).toBe("from gen");
  });
});

describe("generator tasks: cancellation", () => {
  it("cancel() lands at the yield* the task is suspended on; finally runs once; the task ends cancelled", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const t = createTask(function* () {
        try {
          yield* sleep(10_000);
          log.push("not reached");
        } finally {
          log.push(`cleanup at ${now()}`);
        }
      });
      await sleep(10);
      expect(t.cancel("enough")).toBe(true);
      const err = await t.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("enough");
      expect(t.cancelled()).toBe(true);
    });
    expect(log).toEqual(["cleanup at 10"]);
  });

  it("a generator may suppress the cancellation and go on; cancelling()/uncancel() count as asyncio 3.11", async () => {
    const out = await runVirtual(async () => {
      const t = createTask(function* () {
        const me = currentTask()!;
        try {
          yield* sleep(100);
        } catch (err) {
          if (!(err instanceof CancelledError)) throw err;
          const pending = me.cancelling();
          me.uncancel();
          yield* sleep(5);
          return `suppressed with ${pending} pending, now ${me.cancelling()}`;
        }
        return "not cancelled";
      });
      await sleep(1);
      t.cancel();
      return await t;
    });
    expect(out).toBe("suppressed with 1 pending, now 0");
  });

  it("a generator task cancelled before its first step never runs (the generator is not even made)", async () => {
    let made = 0;
    await run(async () => {
      const t = createTask(function* () {
        made++;
        yield;
      });
      t.cancel();
      await expect(t).rejects.toThrow(CancelledError);
    });
    expect(made).toBe(0);
  });

  it("a task cancelling itself gets the CancelledError at its next yield, not before", async () => {
    const log: string[] = [];
    await run(function* () {
      const self = createTask(function* () {
        currentTask()!.cancel("self");
        log.push("still running");
        try {
          yield;
        } catch (err) {
          log.push(`caught ${(err as Error).message}`);
          throw err;
        }
      });
      try {
        yield* self;
      } catch (err) {
        log.push(`awaiter sees ${(err as Error).name}`);
      }
    });
    expect(log).toEqual(["still running", "caught self", "awaiter sees CancelledError"]);
  });

  it("a task waiting on a yielded promise is cancelled at once (the promise goes on; signal aborts)", async () => {
    const log: string[] = [];
    await run(async () => {
      let release!: (v: string) => void;
      const foreign = new Promise<string>((resolve) => {
        release = resolve;
      });
      const t = createTask(function* () {
        const signal = currentTask()!.signal;
        try {
          yield foreign;
        } finally {
          log.push(`cleanup, aborted=${signal.aborted}`);
        }
      });
      await sleep(1);
      t.cancel();
      await expect(t).rejects.toThrow(CancelledError);
      log.push("task done before the promise");
      release("late");
      log.push(await foreign);
    });
    expect(log).toEqual(["cleanup, aborted=true", "task done before the promise", "late"]);
  });

  it("waitFor() on a generator task: the timeout cancels it, waits for its cleanup, then throws TimeoutError", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const slow = createTask(function* () {
        try {
          yield* sleep(1000);
        } finally {
          log.push(`cleanup at ${now()}`);
          yield* sleep(5); // cleanup that itself waits
          log.push(`cleanup done at ${now()}`);
        }
      });
      await expect(waitFor(slow, 10)).rejects.toThrow(TimeoutError);
      log.push(`timeout seen at ${now()}`);
      expect(slow.cancelled()).toBe(true);
    });
    expect(log).toEqual(["cleanup at 10", "cleanup done at 15", "timeout seen at 15"]);
  });

  it("taskGroup with generator children: the first failure cancels the siblings (finally runs) → ExceptionGroup", async () => {
    const log: string[] = [];
    const err = await runVirtual(async () =>
      taskGroup(async (tg) => {
        tg.createTask(function* () {
          try {
            yield* sleep(1000);
          } finally {
            log.push("sibling cleaned up");
          }
        });
        tg.createTask(function* () {
          yield* sleep(5);
          throw new Error("child failed");
        });
      }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).exceptions.map((e) => (e as Error).message)).toEqual([
      "child failed",
    ]);
    expect(log).toEqual(["sibling cleaned up"]);
  });
});

describe("generator tasks: promise-style code inside", () => {
  it("an await/then() on an @aio Future inside a generator task is refused with a RuntimeError naming the fix", async () => {
    const err = await run(function* () {
      const fut = new Future<number>();
      try {
        yield fut.then((v) => v);
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(
      /^<Future pending> awaited with then\(\) inside generator task <Task pending name='Task-\d+'.*yield\* ensureFuture\(\(\) => …\)$/,
    );
  });

  it("an async helper called directly from a generator task has its @aio awaits refused, not silently detached", async () => {
    const err = await run(function* () {
      const helper = async () => {
        await sleep(1);
        return "helper";
      };
      try {
        yield helper();
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(RuntimeError);
  });
});

describe("generator tasks: the task's context", () => {
  it("currentTask() is the task in every step, and the creator's AsyncLocalStorage store is seen in every step", async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: unknown[] = [];
    await run(async () => {
      const t = als.run("req-1", () =>
        createTask(
          function* () {
            seen.push(als.getStore(), currentTask()?.getName());
            yield* sleep(1);
            seen.push(als.getStore(), currentTask()?.getName());
            yield;
            seen.push(als.getStore());
          },
          { name: "g" },
        ),
      );
      als.enterWith("changed later");
      await t;
    });
    expect(seen).toEqual(["req-1", "g", "req-1", "g", "req-1"]);
  });

  it("an eager generator task runs its first step inside createTask()", async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(
        function* () {
          log.push("first step");
          yield;
          log.push("second step");
        },
        { eagerStart: true },
      );
      log.push("createTask returned");
      yield* t;
    });
    expect(log).toEqual(["first step", "createTask returned", "second step"]);
  });

  it("run() and Runner accept a generator function as main", async () => {
    expect(
      await run(function* () {
        yield* sleep(1);
        return "run";
      }),
    ).toBe("run");
    const runner = new Runner();
    try {
      expect(
        await runner.run(function* () {
          yield;
          return "runner";
        }),
      ).toBe("runner");
    } finally {
      await runner.close();
    }
  });

  it("an exception nobody retrieved from a generator task is reported when the loop closes", async () => {
    const contexts: { message: string; exception?: unknown }[] = [];
    await run(function* () {
      getRunningLoop().setExceptionHandler((_loop, ctx) => contexts.push(ctx));
      createTask(function* () {
        yield;
        throw new Error("lost");
      });
      yield* sleep(1);
    });
    expect(contexts.map((c) => [c.message, (c.exception as Error).message])).toEqual([
      ["Task exception was never retrieved", "lost"],
    ]);
  });
});

describe("generator tasks: bad yields", () => {
  it("yielding something that is neither a Future, a promise nor nothing throws RuntimeError at the yield", async () => {
    const msg = await run(function* () {
      try {
        yield 42;
        return "";
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    expect(msg).toBe(
      "RuntimeError: Task got bad yield: 42 (use yield* with a Future, or yield a promise)",
    );
  });

  it("yield* on a Future of another loop throws RuntimeError naming both", async () => {
    const other = newEventLoop();
    try {
      const msg = await run(function* () {
        const foreign = new Future<number>({ loop: other });
        try {
          yield* foreign;
          return "";
        } catch (err) {
          return (err as Error).message;
        }
      });
      expect(msg).toMatch(
        /^Task <Task pending name='Task-\d+'.*> got Future <Future pending.*> attached to a different loop$/,
      );
    } finally {
      other.close();
    }
  });

  it("a generator task that yields itself gets RuntimeError('Task cannot await on itself')", async () => {
    const msg = await run(function* () {
      const t: Task<string> = createTask(function* (): Coroutine<string> {
        yield;
        try {
          yield* t;
          return "";
        } catch (err) {
          return (err as Error).message;
        }
      });
      return yield* t;
    });
    expect(msg).toMatch(/^Task cannot await on itself: <Task pending name='Task-\d+'/);
  });

  it("outside a generator task a Future iterates as nothing; wait() refuses a single Future", async () => {
    await run(async () => {
      const fut = new Future<number>();
      expect([...fut]).toEqual([]);
      await expect(wait(fut as never)).rejects.toThrow(TypeError);
      fut.cancel();
    });
  });
});
