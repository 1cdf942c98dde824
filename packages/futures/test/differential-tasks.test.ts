/**
 * Differential checks of eager tasks, Future done callbacks and
 * cancelling()/uncancel() across timeout() against CPython's asyncio: each
 * case was run as a Python script (CPython 3.11) and as its TypeScript twin,
 * printing an event log; the expected logs here are Python's. Eager tasks
 * (3.12; options reaching the factory, 3.14) are not in 3.11: their logs
 * follow CPython's current `tasks.py` (`Task.__init__`, `__eager_start`).
 * Seconds become virtual milliseconds. The combinators are in
 * `differential-combinators.test.ts`.
 */
import { getRunningLoop } from "@aio/core";
import {
  allTasks,
  createTask,
  currentTask,
  eagerTaskFactory,
  Future,
  gather,
  shield,
  sleep,
  type Timeout,
  timeout,
  waitFor,
} from "@aio/futures";
import { newEventLoop, run } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { describeError, settle, ValueError } from "./differential-log.js";

describe("eager tasks", () => {
  /** `createTask(fn, { eagerStart: true, name })`. */
  const eager = <T>(fn: () => T, name?: string) =>
    createTask(fn, name === undefined ? { eagerStart: true } : { eagerStart: true, name });

  it("an eager task that finishes in its first step is done at once; callbacks added later are scheduled", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const main = currentTask();
      const t = eager(() => {
        const me = currentTask()!;
        log.push(`step: ${me.getName()}, in allTasks ${allTasks().has(me)}, main ${me === main}`);
        return 5;
      }, "eager-1");
      log.push(
        `after: done ${t.done()} result ${t.result()}, current is main ${currentTask() === main}`,
      );
      loop.callSoon(() => log.push("callSoon before"));
      t.addDoneCallback(() => log.push("done callback"));
      loop.callSoon(() => log.push("callSoon after"));
      await sleep(0);
      // Raising at once, and cancelling itself.
      const bad = eager(() => {
        throw new ValueError("now");
      });
      log.push(`raises: done ${bad.done()} ${describeError(bad.exception())}`);
      const selfCancel = eager(() => currentTask()!.cancel("self"));
      log.push(`cancels itself and returns: cancelled ${selfCancel.cancelled()}`);
      await settle(log, "result()", selfCancel);
      const selfCancel2 = eager(function* () {
        currentTask()!.cancel("self2");
        try {
          yield* sleep(0);
        } catch (e) {
          log.push(`caught ${describeError(e)}`);
          throw e;
        }
      });
      log.push(`cancels itself and waits: done ${selfCancel2.done()}`);
      await selfCancel2.catch(() => {});
      // Awaiting a done future does not suspend.
      const f = new Future<number>();
      f.setResult(7);
      const t3 = eager(function* () {
        log.push(`got ${yield* f}`);
        yield* sleep(0);
        log.push("resumed");
      });
      log.push(`suspended: done ${t3.done()}`);
      await t3;
      return log;
    });
    expect(log).toEqual([
      "step: eager-1, in allTasks true, main false",
      "after: done true result 5, current is main true",
      "callSoon before",
      "done callback",
      "callSoon after",
      "raises: done true ValueError(now)",
      "cancels itself and returns: cancelled true",
      "result() CancelledError(self)",
      "cancels itself and waits: done false",
      "caught CancelledError(self2)",
      "got 7",
      "suspended: done false",
      "resumed",
    ]);
  });

  it("eagerTaskFactory: nested eager tasks restore the current task; waitFor, shield and gather see finished children", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const main = currentTask();
      loop.setTaskFactory(eagerTaskFactory);
      try {
        const outer = createTask(
          () => {
            const me = currentTask()!;
            log.push(`outer step: ${me.getName()}`);
            me.addDoneCallback(() => log.push("outer done callback"));
            const inner = createTask(
              () => {
                log.push(`inner step: ${currentTask()!.getName()}`);
                return "i";
              },
              { name: "inner" },
            );
            log.push(`back in ${currentTask()!.getName()}, inner done ${inner.done()}`);
            return "o";
          },
          { name: "outer" },
        );
        log.push(`created: done ${outer.done()}, current is main ${currentTask() === main}`);
        loop.callSoon(() => log.push("callSoon"));
        await sleep(0);
        log.push(`waitFor(…, 0) ${await waitFor(() => "eager", 0)}`);
        await settle(
          log,
          "waitFor(…, 0) suspending",
          waitFor(function* () {
            yield* sleep(0);
          }, 0),
        );
        const s = shield(() => 3);
        log.push(`shield: ${s.constructor.name} done ${s.done()}`);
        const g = gather(
          () => 1,
          () => 2,
        );
        log.push(`gather done ${g.done()}`);
        log.push(`gather ${await g}`);
      } finally {
        loop.setTaskFactory(null);
      }
      return log;
    });
    expect(log).toEqual([
      "outer step: outer",
      "inner step: inner",
      "back in outer, inner done true",
      "created: done true, current is main true",
      "outer done callback",
      "callSoon",
      "waitFor(…, 0) eager",
      "waitFor(…, 0) suspending TimeoutError",
      "shield: Task done true",
      "gather done false",
      "gather 1,2",
    ]);
  });

  it("an eager task made while its loop is not running starts lazily, as `eager_start and loop.is_running()`", async () => {
    const log: string[] = [];
    const loop = new VirtualTimeLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const t = loop.createTask(() => {
      log.push(`first step, loop running ${loop.isRunning()}`);
      return 1;
    });
    const t2 = loop.createTask(
      () => {
        log.push(`eagerStart: first step, loop running ${loop.isRunning()}`);
        return 2;
      },
      { eagerStart: true },
    );
    log.push(`created: done ${t.done()} ${t2.done()}`);
    log.push(`runUntilComplete ${await loop.runUntilComplete(t)} ${t2.result()}`);
    loop.close();
    // run()'s main task, with the eager factory installed by loopFactory.
    const r = await run(
      function* () {
        log.push(`main, loop running ${getRunningLoop().isRunning()}`);
        yield* sleep(0);
        return "main done";
      },
      {
        loopFactory: () => {
          const l = newEventLoop();
          l.setTaskFactory(eagerTaskFactory);
          return l;
        },
      },
    );
    log.push(r);
    expect(log).toEqual([
      "created: done false false",
      "first step, loop running true",
      "eagerStart: first step, loop running true",
      "runUntilComplete 1 2",
      "main, loop running true",
      "main done",
    ]);
  });
});

describe("Future done callbacks", () => {
  it("done callbacks: removing one while they run changes nothing; one added then runs after the loop's queue", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const f = new Future<number>();
      const cb2 = () => log.push("cb2");
      const cb3 = () => log.push("cb3");
      const cb4 = () => log.push("cb4");
      const cb1 = (fut: Future<number>) => {
        log.push(`cb1: remove cb2 -> ${fut.removeDoneCallback(cb2)}`);
        fut.addDoneCallback(cb4);
        loop.callSoon(() => log.push("callSoon from cb1"));
      };
      f.addDoneCallback(cb1);
      f.addDoneCallback(cb2);
      f.addDoneCallback(cb3);
      f.addDoneCallback(cb2);
      log.push(`remove cb3 before done -> ${f.removeDoneCallback(cb3)}`);
      f.addDoneCallback(cb3);
      loop.callSoon(() => log.push("callSoon before setResult"));
      f.setResult(1);
      loop.callSoon(() => log.push("callSoon after setResult"));
      log.push(`remove cb2 after done -> ${f.removeDoneCallback(cb2)}`);
      for (let i = 0; i < 3; i++) await sleep(0);
      return log;
    });
    expect(log).toEqual([
      "remove cb3 before done -> 1",
      "remove cb2 after done -> 0",
      "callSoon before setResult",
      "cb1: remove cb2 -> 0",
      "cb2",
      "cb2",
      "cb3",
      "callSoon after setResult",
      "cb4",
      "callSoon from cb1",
    ]);
  });
});

describe("cancelling() and uncancel() across timeout()", () => {
  it("nested timeouts: each converts only its own cancellation and leaves cancelling() as it found it", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const me = currentTask()!;
      const handles: Record<string, Timeout> = {};
      const nested = (outerMs: number, innerMs: number, catchInner: boolean) =>
        timeout(outerMs, async (outer) => {
          handles.outer = outer;
          try {
            await timeout(innerMs, async (inner) => {
              handles.inner = inner;
              await sleep(1000);
            });
          } catch (e) {
            log.push(
              `  inner: ${describeError(e)} cancelling=${me.cancelling()} expired=${handles.inner!.expired()}`,
            );
            if (!catchInner || describeError(e) !== "TimeoutError") throw e;
          }
          await sleep(1000);
        }).catch((e: unknown) =>
          log.push(
            `  outer: ${describeError(e)} cancelling=${me.cancelling()} expired=${handles.outer!.expired()}`,
          ),
        );
      for (const [label, outerMs, innerMs] of [
        ["inner first", 50, 10],
        ["same deadline", 10, 10],
        ["outer first", 10, 20],
      ] as const) {
        log.push(label);
        await nested(outerMs, innerMs, true);
      }
      // The body swallows the cancellation: no TimeoutError, the request is withdrawn.
      let t: Timeout | undefined;
      await timeout(10, async (cm) => {
        t = cm;
        try {
          await sleep(1000);
        } catch {
          log.push(`swallowed, cancelling=${me.cancelling()}`);
        }
      });
      log.push(`after: expired=${t!.expired()} cancelling=${me.cancelling()}`);
      return log;
    });
    expect(log).toEqual([
      "inner first",
      "  inner: TimeoutError cancelling=0 expired=true",
      "  outer: TimeoutError cancelling=0 expired=true",
      "same deadline",
      "  inner: CancelledError cancelling=1 expired=true",
      "  outer: TimeoutError cancelling=0 expired=true",
      "outer first",
      "  inner: CancelledError cancelling=1 expired=false",
      "  outer: TimeoutError cancelling=0 expired=true",
      "swallowed, cancelling=1",
      "after: expired=true cancelling=0",
    ]);
  });

  it("timeout() in a task cancelled from outside: an uncancel() in the body lets the deadline count; two requests stay two", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const worker = createTask(async () => {
        const me = currentTask()!;
        try {
          await timeout(50, async () => {
            try {
              await sleep(1000);
            } catch {
              log.push(`caught, cancelling=${me.cancelling()}, uncancel -> ${me.uncancel()}`);
            }
            await sleep(100);
          });
        } catch (e) {
          log.push(`timeout block: ${describeError(e)} cancelling=${me.cancelling()}`);
          throw e;
        }
      });
      await sleep(10);
      worker.cancel("x");
      await settle(log, "worker", worker);
      const twice = createTask(async () => {
        const me = currentTask()!;
        try {
          await timeout(10, () => sleep(1000));
        } catch (e) {
          log.push(`twice: ${describeError(e)} cancelling=${me.cancelling()}`);
          throw e;
        }
      });
      await sleep(0);
      twice.cancel("a");
      twice.cancel("b");
      await settle(log, "twice", twice);
      log.push(`cancelling=${twice.cancelling()}`);
      // An error from the cleanup after the deadline passes through, unconverted.
      let t: Timeout | undefined;
      const err = await timeout(10, async (cm) => {
        t = cm;
        try {
          await sleep(1000);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case under test
          throw new ValueError("cleanup");
        }
      }).catch((e: unknown) => e);
      log.push(
        `${describeError(err)} expired=${t!.expired()} cancelling=${currentTask()!.cancelling()}`,
      );
      return log;
    });
    expect(log).toEqual([
      "caught, cancelling=1, uncancel -> 0",
      "timeout block: TimeoutError cancelling=0",
      "worker TimeoutError",
      "twice: CancelledError(a) cancelling=2",
      "twice CancelledError(a)",
      "cancelling=2",
      "ValueError(cleanup) expired=true cancelling=0",
    ]);
  });
});
