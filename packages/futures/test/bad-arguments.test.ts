/**
 * The error policy (docs/design/error-policy.md) at every entry point of the
 * helpers, called as plain JavaScript would call them: Promise-returning
 * helpers reject (never throw), Future-returning ones throw like
 * `createTask`; outside a loop every message starts with `no running event
 * loop` and names the helper and the fix.
 */
import { isExceptionGroup, RuntimeError, ValueError } from "@aio/core";
import {
  asCompleted,
  createTask,
  ensureFuture,
  gather,
  shield,
  sleep,
  Timeout,
  taskGroup,
  timeout,
  timeoutAt,
  wait,
  waitFor,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

/** Calls `f` and returns how it failed: "throws" or "rejects", with the error. */
async function howItFails(f: () => unknown): Promise<[string, unknown]> {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    return ["throws", e];
  }
  try {
    await result;
  } catch (e) {
    return ["rejects", e];
  }
  return ["resolves", result];
}

async function expectFailure(
  f: () => unknown,
  how: "throws" | "rejects",
  cls: new (...args: never[]) => Error,
  message: string | RegExp,
): Promise<void> {
  const [kind, err] = await howItFails(f);
  expect(kind).toBe(how);
  expect(err).toBeInstanceOf(cls);
  if (typeof message === "string") expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}

const FIX =
  "call it inside run() from @aio/loop, or make your library's entry point ensureLoop(() => …) from @aio/loop so it also works from plain Promise code";
const noLoop = (where: string) => `no running event loop: ${where} needs one — ${FIX}`;

describe("outside a loop", () => {
  it("every helper names itself and the fix; Promise-returning ones reject", async () => {
    const work = async () => 1;
    await expectFailure(() => timeout(10, work), "rejects", RuntimeError, noLoop("timeout()"));
    await expectFailure(() => timeout(null, work), "rejects", RuntimeError, noLoop("timeout()"));
    await expectFailure(() => timeoutAt(10, work), "rejects", RuntimeError, noLoop("timeoutAt()"));
    await expectFailure(() => waitFor(work, 10), "rejects", RuntimeError, noLoop("waitFor()"));
    await expectFailure(() => wait([work]), "rejects", RuntimeError, noLoop("wait()"));
    await expectFailure(() => taskGroup(work), "rejects", RuntimeError, noLoop("taskGroup()"));
    // Future-returning helpers are synchronous, like createTask(): a Future needs a loop.
    await expectFailure(() => sleep(10), "throws", RuntimeError, noLoop("sleep()"));
    await expectFailure(() => gather(work), "throws", RuntimeError, noLoop("gather()"));
    await expectFailure(() => gather(), "throws", RuntimeError, noLoop("gather()"));
    await expectFailure(() => shield(work), "throws", RuntimeError, noLoop("shield()"));
    await expectFailure(() => ensureFuture(work), "throws", RuntimeError, noLoop("ensureFuture()"));
    await expectFailure(() => createTask(work), "throws", RuntimeError, noLoop("createTask()"));
    await expectFailure(() => asCompleted([work]), "throws", RuntimeError, noLoop("asCompleted()"));
  });

  it("the message keeps getRunningLoop()'s pinned text at its start", async () => {
    const [, err] = await howItFails(() => sleep(1));
    expect((err as Error).message.startsWith("no running event loop")).toBe(true);
  });
});

describe("wrong types, as plain JavaScript passes them", () => {
  it("timeout(), timeoutAt(), waitFor(): reject", async () => {
    await runVirtual(async () => {
      const work = async () => 1;
      await expectFailure(
        () => timeout(Number.NaN, work),
        "rejects",
        RangeError,
        "timeout() ms must be a number of milliseconds or null, received NaN",
      );
      await expectFailure(
        () => timeout("10" as never, work),
        "rejects",
        TypeError,
        'timeout() ms must be a number of milliseconds or null, received "10"',
      );
      await expectFailure(
        () => timeout(10, "x" as never),
        "rejects",
        TypeError,
        'timeout() fn must be a function, received "x"',
      );
      await expectFailure(
        () => timeoutAt(undefined as never, work),
        "rejects",
        TypeError,
        "timeoutAt() when must be a number of milliseconds or null, received undefined",
      );
      await expectFailure(
        () => timeoutAt(5, null as never),
        "rejects",
        TypeError,
        "timeoutAt() fn must be a function, received null",
      );
      await expectFailure(
        () => waitFor(work, "1" as never),
        "rejects",
        TypeError,
        'waitFor() ms must be a number of milliseconds or null, received "1"',
      );
      await expectFailure(
        () => waitFor(42 as never, 10),
        "rejects",
        TypeError,
        "waitFor() expects a Future, a thenable, a generator or a function, received 42",
      );
    });
  });

  it("wait(), taskGroup(): reject", async () => {
    await runVirtual(async () => {
      const work = async () => 1;
      await expectFailure(
        () => wait(5 as never),
        "rejects",
        TypeError,
        "wait() expects an iterable of futures, tasks or functions, received 5",
      );
      await expectFailure(
        () => wait([work], "fast" as never),
        "rejects",
        TypeError,
        'wait() options must be an object, received "fast"',
      );
      await expectFailure(
        () => wait([work], { timeout: "1" as never }),
        "rejects",
        TypeError,
        'wait() options.timeout must be a number of milliseconds or null, received "1"',
      );
      await expectFailure(
        () => wait([work], { returnWhen: "SOMETIMES" as never }),
        "rejects",
        ValueError,
        'wait() options.returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", received "SOMETIMES"',
      );
      await expectFailure(
        () => wait([1] as never),
        "rejects",
        TypeError,
        "wait() expects a Future, a thenable, a generator or a function, received 1",
      );
      await expectFailure(
        () => taskGroup({} as never),
        "rejects",
        TypeError,
        "taskGroup() fn must be a function, received an object",
      );
      // tg.createTask() is synchronous: it throws in the body, and the group
      // reports the body's error in its ExceptionGroup (asyncio's shape).
      const [kind, err] = await howItFails(() =>
        taskGroup(async (tg) => {
          expect(() => tg.createTask(7 as never)).toThrow(
            new TypeError("createTask() fn must be a function, received 7"),
          );
          tg.createTask(7 as never);
        }),
      );
      expect(kind).toBe("rejects");
      expect(isExceptionGroup(err) && err.exceptions).toEqual([
        new TypeError("createTask() fn must be a function, received 7"),
      ]);
    });
  });

  it("sleep(), gather(), shield(), ensureFuture(), asCompleted(), Timeout: throw (synchronous, like createTask)", async () => {
    await runVirtual(async () => {
      await expectFailure(
        () => sleep("5" as never),
        "throws",
        TypeError,
        'sleep() ms must be a number of milliseconds, received "5"',
      );
      await expectFailure(
        () => gather(async () => 1, 2 as never),
        "throws",
        TypeError,
        "gather() expects a Future, a thenable, a generator or a function, received 2",
      );
      await expectFailure(
        () => shield("x" as never),
        "throws",
        TypeError,
        'shield() expects a Future, a thenable, a generator or a function, received "x"',
      );
      await expectFailure(
        () => ensureFuture(undefined as never),
        "throws",
        TypeError,
        "ensureFuture() expects a Future, a thenable, a generator or a function, received undefined",
      );
      await expectFailure(
        () => asCompleted([], { timeout: Number.NaN }),
        "throws",
        RangeError,
        "asCompleted() options.timeout must be a number of milliseconds or null, received NaN",
      );
      await expectFailure(
        () => asCompleted([], 3 as never),
        "throws",
        TypeError,
        "asCompleted() options must be an object, received 3",
      );
      await expectFailure(
        () => new Timeout("1" as never),
        "throws",
        TypeError,
        'Timeout when must be a number of milliseconds or null, received "1"',
      );
      await timeout(100, async (t) => {
        await expectFailure(
          () => t.reschedule(Number.NaN),
          "throws",
          RangeError,
          "Timeout.reschedule() when must be a number of milliseconds or null, received NaN",
        );
      });
    });
  });
});
