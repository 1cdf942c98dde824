/**
 * Futures of another copy of @aio/futures (two installed copies in one
 * program, see docs/design/esm-only-packages.md): `isFuture()` accepts them,
 * `instanceof Future` does not, and their state is in that copy's private
 * fields. The rule: a foreign future behaves exactly like an own one. Every
 * case runs with both, and the expected outcomes are CPython 3.11's for the
 * same program with one kind of future.
 */
import { CancelledError, type ExceptionContext, getRunningLoop } from "@aio/core";
import * as futures from "@aio/futures";
import { createTask, Future, gather, sleep } from "@aio/futures";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it, vi } from "vitest";

/**
 * A real second copy: the static imports above were evaluated once; after
 * `vi.resetModules()` importing the package evaluates every module of it
 * (and of @aio/core) again, giving new classes with their own private fields.
 * The runtime state (running loop, current task) is on `globalThis`, shared.
 */
vi.resetModules();
const copy = (await import("@aio/futures")) as typeof futures;

const kinds = [
  { kind: "an own Future", NewFuture: Future },
  { kind: "a Future of another copy", NewFuture: copy.Future as typeof Future },
];

/** Runs `main` on a virtual-time loop and collects what reached the loop's exception handler. */
async function runCollecting<T>(
  main: () => Promise<T>,
): Promise<{ value: T; reported: ExceptionContext[] }> {
  const reported: ExceptionContext[] = [];
  const value = await runVirtual(() => {
    getRunningLoop().setExceptionHandler((_loop, ctx) => {
      reported.push(ctx);
    });
    return main();
  });
  return { value, reported };
}

/** What `promise` rejects with (it must reject). */
async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("the second copy", () => {
  it("is another copy of @aio/futures: other classes, one brand", () => {
    expect(copy.Future).not.toBe(Future);
    expect(new copy.Future({ loop: {} as never }) instanceof Future).toBe(false);
    expect(futures.isFuture(new copy.Future({ loop: {} as never }))).toBe(true);
  });
});

describe.each(kinds)("gather() over $kind", ({ NewFuture }) => {
  it("gather() fails with the CancelledError of a child that ends cancelled, with its message", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const g = gather(fut);
      getRunningLoop().callSoon(() => fut.cancel("m"));
      const err = await rejection(g);
      return {
        isCancelledError: err instanceof CancelledError,
        message: (err as Error).message,
        sameError: err === (await rejection(fut)),
        gatherCancelled: g.cancelled(),
      };
    });
    expect(value).toEqual({
      isCancelledError: true,
      message: "m",
      sameError: true,
      gatherCancelled: false,
    });
    expect(reported).toEqual([]);
  });

  it("gather(…, { returnExceptions: true }) puts a cancelled child's CancelledError in the results", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const done = new NewFuture<number>();
      done.setResult(1);
      const g = gather(fut, done, { returnExceptions: true });
      getRunningLoop().callSoon(() => fut.cancel("m"));
      const [first, second] = await g;
      return {
        isCancelledError: first instanceof CancelledError,
        message: (first as Error).message,
        second,
      };
    });
    expect(value).toEqual({ isCancelledError: true, message: "m", second: 1 });
    expect(reported).toEqual([]);
  });

  for (const returnExceptions of [false, true]) {
    it(`cancelling gather() cancels a pending child and fails with its CancelledError (returnExceptions: ${returnExceptions})`, async () => {
      const { value, reported } = await runCollecting(async () => {
        const fut = new NewFuture<number>();
        const done = new NewFuture<number>();
        done.setResult(1);
        const g = gather(done, fut, { returnExceptions });
        await sleep(0);
        const cancelReturned = g.cancel("stop");
        const err = await rejection(g);
        return {
          cancelReturned,
          childCancelled: fut.cancelled(),
          isCancelledError: err instanceof CancelledError,
          message: (err as Error).message,
          gatherCancelled: g.cancelled(),
        };
      });
      expect(value).toEqual({
        cancelReturned: true,
        childCancelled: true,
        isCancelledError: true,
        message: "stop",
        gatherCancelled: false,
      });
      expect(reported).toEqual([]);
    });
  }
});

describe.each(kinds)("a generator task's yield* on $kind", ({ NewFuture }) => {
  it("yield* evaluates to the result the future gets later", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const task = createTask(function* () {
        const v: number = yield* fut;
        return v + 1;
      });
      await sleep(0);
      fut.setResult(41);
      return await task;
    });
    expect(value).toBe(42);
    expect(reported).toEqual([]);
  });

  it("yield* throws the exception the future gets later, which counts as retrieved", async () => {
    const boom = new Error("boom");
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const task = createTask(function* () {
        try {
          return yield* fut;
        } catch (err) {
          return err;
        }
      });
      await sleep(0);
      fut.setException(boom);
      return await task;
    });
    expect(value).toBe(boom);
    expect(reported).toEqual([]);
  });

  it("cancelling the task cancels the pending future; its CancelledError, with the message, lands at the yield*", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const task = createTask(function* () {
        try {
          return yield* fut;
        } catch (err) {
          yield* sleep(0); // the task goes on after catching it
          return `caught ${(err as Error).name}: ${(err as Error).message}`;
        }
      });
      await sleep(0);
      const cancelReturned = task.cancel("bye");
      return { cancelReturned, futCancelled: fut.cancelled(), outcome: await task };
    });
    expect(value).toEqual({
      cancelReturned: true,
      futCancelled: true,
      outcome: "caught CancelledError: bye",
    });
    expect(reported).toEqual([]);
  });

  it("yield* on a future of another loop throws RuntimeError naming both", async () => {
    const other = new VirtualTimeLoop();
    try {
      const { value } = await runCollecting(async () => {
        const fut = new NewFuture<number>({ loop: other });
        return await createTask(function* () {
          try {
            yield* fut;
            return "";
          } catch (err) {
            return `${(err as Error).name}: ${(err as Error).message}`;
          }
        });
      });
      expect(value).toMatch(
        /^RuntimeError: Task <Task pending name='Task-\d+'.*> got Future <Future pending> attached to a different loop$/,
      );
    } finally {
      other.close();
    }
  });

  it("a cancellation requested after the future got its result lands at the yield* (asyncio: must_cancel)", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new NewFuture<number>();
      const task = createTask(function* () {
        try {
          return yield* fut;
        } catch (err) {
          return `caught ${(err as Error).name}: ${(err as Error).message}`;
        }
      });
      await sleep(0);
      fut.setResult(5);
      task.cancel("late");
      return await task;
    });
    expect(value).toBe("caught CancelledError: late");
    expect(reported).toEqual([]);
  });
});

describe("a generator task's yield* on a Task of another copy", () => {
  it("cancelling the task cancels the awaited task, and the outcome it then ends with is what the yield* gives", async () => {
    const { value, reported } = await runCollecting(async () => {
      // `new copy.Task`: `copy.createTask()` asks the running loop, whose task factory makes own Tasks.
      const inner = new copy.Task(async () => {
        try {
          await copy.sleep(1000);
          return "slept";
        } catch {
          return "suppressed";
        }
      });
      const task = createTask(function* () {
        return yield* inner;
      });
      await sleep(0);
      task.cancel();
      return {
        foreign: !(inner instanceof Future),
        outcome: await task,
        innerCancelling: inner.cancelling(),
      };
    });
    expect(value).toEqual({ foreign: true, outcome: "suppressed", innerCancelling: 1 });
    expect(reported).toEqual([]);
  });
});

describe("an async task's await of a Future of another copy", () => {
  it("a cancellation requested after the future got its result lands at the await", async () => {
    const { value, reported } = await runCollecting(async () => {
      const fut = new copy.Future<number>();
      const task = createTask(async () => {
        try {
          return await fut;
        } catch (err) {
          return `caught ${(err as Error).name}: ${(err as Error).message}`;
        }
      });
      await sleep(0);
      fut.setResult(5);
      task.cancel("late");
      return await task;
    });
    expect(value).toBe("caught CancelledError: late");
    expect(reported).toEqual([]);
  });
});
