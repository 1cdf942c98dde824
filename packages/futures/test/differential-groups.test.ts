/**
 * Differential checks of TaskGroup, wait() and timeout()/timeoutAt() against
 * CPython's asyncio: each case was run as a Python script (CPython 3.11, 3.12
 * and 3.13; where they differ, the expected log is the newest one's, which
 * the contract follows) and as its TypeScript twin, printing an event log;
 * the expected logs here are Python's. Seconds become virtual milliseconds.
 * `differential-structured.test.ts` covers eager tasks in groups, tg.cancel()
 * and a timeout expiring while a group aborts.
 */
import { CancelledError, getRunningLoop, isExceptionGroup } from "@aio/core";
import {
  createTask,
  currentTask,
  FIRST_EXCEPTION,
  Future,
  gather,
  sleep,
  type TaskGroup,
  type Timeout,
  taskGroup,
  timeout,
  timeoutAt,
  type WaitOptions,
  wait,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { describeError, MyExc } from "./differential-log.js";

const fail = (ms: number, msg: string) => async () => {
  await sleep(ms);
  throw new MyExc(msg);
};

describe("TaskGroup", () => {
  it("TaskGroup: several children failing, the body failing, the body swallowing the group's cancellation", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const me = currentTask()!;
      const cleanupFail = async () => {
        try {
          await sleep(10_000);
        } catch {
          log.push("cleanup_fail cancelled");
          throw new MyExc("cleanup");
        }
      };
      const cleanupFailLater = async () => {
        try {
          await sleep(10_000);
        } catch {
          await sleep(0);
          throw new MyExc("cleanup-later");
        }
      };
      // 1. Two children fail in one iteration, two more while cancelled.
      await taskGroup(async (tg) => {
        tg.createTask(fail(10, "b1"));
        tg.createTask(fail(10, "b2"));
        tg.createTask(cleanupFailLater);
        tg.createTask(cleanupFail);
        tg.createTask(fail(50, "b3"));
        try {
          await sleep(10_000);
        } catch (e) {
          log.push(`body ${describeError(e)} cancelling=${me.cancelling()} tg=${tg}`);
          throw e;
        }
      }).catch((e: unknown) => log.push(`1: ${describeError(e)} cancelling=${me.cancelling()}`));
      // 2. The body fails while children run: the child's error comes first.
      let t: ReturnType<TaskGroup["createTask"]> | undefined;
      await taskGroup(async (tg) => {
        tg.createTask(cleanupFailLater);
        t = tg.createTask(() => sleep(10_000));
        await sleep(0);
        throw new MyExc("body");
      }).catch((e: unknown) =>
        log.push(
          `2: ${describeError(e)} cancelling=${me.cancelling()} t.cancelled=${t!.cancelled()}`,
        ),
      );
      // 3. The body swallows the group's cancellation and goes on.
      await taskGroup(async (tg) => {
        tg.createTask(fail(0, "c"));
        try {
          await sleep(10_000);
        } catch {
          log.push(`3 body swallowed, cancelling=${me.cancelling()}`);
        }
        await sleep(0);
        log.push(`3 body after await, cancelling=${me.cancelling()}`);
        try {
          tg.createTask(() => sleep(1000));
        } catch (e) {
          log.push(`3 createTask: ${(e as Error).message}`);
        }
      }).catch((e: unknown) => log.push(`3: ${describeError(e)} cancelling=${me.cancelling()}`));
      await sleep(0);
      log.push("3 next await ok");
      // 4. A child fails after the body returned: the exit takes its request back.
      await taskGroup(async (tg) => {
        tg.createTask(fail(10, "d"));
        tg.createTask(() => sleep(10_000));
      }).catch((e: unknown) => log.push(`4: ${describeError(e)} cancelling=${me.cancelling()}`));
      await sleep(0);
      log.push("4 next await ok");
      return log;
    });
    expect(log).toEqual([
      "cleanup_fail cancelled",
      "body CancelledError cancelling=1 tg=<TaskGroup tasks=3 errors=2 cancelling>",
      "1: ExceptionGroup[MyExc(b1),MyExc(b2),MyExc(cleanup),MyExc(cleanup-later)] cancelling=0",
      "2: ExceptionGroup[MyExc(cleanup-later),MyExc(body)] cancelling=0 t.cancelled=true",
      "3 body swallowed, cancelling=1",
      "3 body after await, cancelling=1",
      "3 createTask: TaskGroup <TaskGroup errors=1 cancelling> is shutting down",
      "3: ExceptionGroup[MyExc(c)] cancelling=0",
      "3 next await ok",
      "4: ExceptionGroup[MyExc(d)] cancelling=0",
      "4 next await ok",
    ]);
  });

  it("TaskGroup.createTask(): allowed while the exit waits, refused once finished or shutting down", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      let saved: TaskGroup | undefined;
      await taskGroup(async (tg) => {
        saved = tg;
        tg.createTask(async () => {
          await sleep(10);
          tg.createTask(() => sleep(10, "late"));
          log.push(`5 spawned during exit, tg=${tg}`);
        });
      });
      log.push(`5 after: ${saved}`);
      try {
        saved!.createTask(() => sleep(0));
      } catch (e) {
        log.push(`5 finished: ${(e as Error).message}`);
      }
      let tg2: TaskGroup | undefined;
      await taskGroup(async (tg) => {
        tg2 = tg;
        tg.createTask(async () => {
          try {
            await sleep(10_000);
          } catch (e) {
            try {
              tg.createTask(() => sleep(0));
            } catch (e2) {
              log.push(`5 child while aborting: ${(e2 as Error).message}`);
            }
            throw e;
          }
        });
        tg.createTask(fail(10, "x"));
      }).catch((e: unknown) => log.push(`5 group: ${describeError(e)} ${tg2}`));
      return log;
    });
    expect(log).toEqual([
      "5 spawned during exit, tg=<TaskGroup tasks=2 entered>",
      "5 after: <TaskGroup entered>",
      "5 finished: TaskGroup <TaskGroup entered> is finished",
      "5 child while aborting: TaskGroup <TaskGroup tasks=1 errors=1 cancelling> is shutting down",
      "5 group: ExceptionGroup[MyExc(x)] <TaskGroup cancelling>",
    ]);
  });

  it("TaskGroup: nested groups — an inner child failing, an outer child failing while the inner group waits, both", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const me = currentTask()!;
      await taskGroup(async (outer) => {
        outer.createTask(() => sleep(10_000));
        await taskGroup(async (inner) => {
          inner.createTask(fail(10, "inner"));
          inner.createTask(() => sleep(10_000));
        });
        log.push("6 not reached");
      }).catch((e: unknown) => log.push(`6a: ${describeError(e)} cancelling=${me.cancelling()}`));
      await taskGroup(async (outer) => {
        outer.createTask(fail(10, "outer"));
        await taskGroup(async (inner) => {
          inner.createTask(async () => {
            try {
              await sleep(10_000);
            } catch (e) {
              log.push(`6b inner child ${describeError(e)}`);
              throw e;
            }
          });
        }).catch((e: unknown) => {
          log.push(`6b inner group: ${describeError(e)} cancelling=${me.cancelling()}`);
          throw e;
        });
      }).catch((e: unknown) => log.push(`6b: ${describeError(e)} cancelling=${me.cancelling()}`));
      await taskGroup(async (outer) => {
        outer.createTask(fail(10, "outer"));
        await taskGroup(async (inner) => {
          inner.createTask(fail(10, "inner"));
        });
      }).catch((e: unknown) => log.push(`6c: ${describeError(e)} cancelling=${me.cancelling()}`));
      await sleep(0);
      log.push("6 next await ok");
      return log;
    });
    expect(log).toEqual([
      "6a: ExceptionGroup[ExceptionGroup[MyExc(inner)]] cancelling=0",
      "6b inner child CancelledError",
      "6b inner group: CancelledError cancelling=1",
      "6b: ExceptionGroup[MyExc(outer)] cancelling=0",
      "6c: ExceptionGroup[MyExc(outer),ExceptionGroup[MyExc(inner)]] cancelling=0",
      "6 next await ok",
    ]);
  });

  it("TaskGroup inside timeout(): TimeoutError when the deadline cancels the group, the ExceptionGroup when a child fails", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const me = currentTask()!;
      let cm: Timeout | undefined;
      const within = (label: string, body: (tg: TaskGroup) => Promise<void>) =>
        timeout(20, (t) => {
          cm = t;
          return taskGroup(body);
        }).catch((e: unknown) =>
          log.push(
            `${label}: ${describeError(e)} expired=${cm!.expired()} cancelling=${me.cancelling()}`,
          ),
        );
      await within("7a", async (tg) => {
        tg.createTask(async () => {
          try {
            await sleep(10_000);
          } catch (e) {
            log.push(`7a child ${describeError(e)} parent cancelling=${me.cancelling()}`);
            throw e;
          }
        });
        await sleep(10_000);
      });
      await within("7b", async (tg) => {
        tg.createTask(() => sleep(10_000));
      });
      await within("7c", async (tg) => {
        tg.createTask(async () => {
          try {
            await sleep(10_000);
          } catch {
            throw new MyExc("cleanup");
          }
        });
        await sleep(10_000);
      });
      await sleep(0);
      log.push("7c next await ok");
      // The deadline and a child's failure in one iteration: the deadline came first.
      await within("7d", async (tg) => {
        tg.createTask(fail(20, "same"));
        await sleep(10_000);
      });
      await sleep(0);
      log.push("7d next await ok");
      let child: ReturnType<TaskGroup["createTask"]> | undefined;
      await taskGroup(async (tg) => {
        child = tg.createTask(() => sleep(50, "child"));
        await timeout(10, () => sleep(10_000)).catch((e: unknown) =>
          log.push(
            `7e body ${describeError(e)} cancelling=${me.cancelling()} child done=${child!.done()}`,
          ),
        );
      });
      log.push(`7e: ${child!.result()} cancelling=${me.cancelling()}`);
      return log;
    });
    expect(log).toEqual([
      "7a child CancelledError parent cancelling=1",
      "7a: TimeoutError expired=true cancelling=0",
      "7b: TimeoutError expired=true cancelling=0",
      "7c: ExceptionGroup[MyExc(cleanup)] expired=true cancelling=0",
      "7c next await ok",
      "7d: TimeoutError expired=true cancelling=0",
      "7d next await ok",
      "7e body TimeoutError cancelling=0 child done=false",
      "7e: child cancelling=0",
    ]);
  });

  it("TaskGroup: after absorbing its own cancellation the group leaves an outside cancellation pending", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const worker = createTask(async () => {
        const w = currentTask()!;
        await taskGroup(async (tg) => {
          tg.createTask(fail(10, "w"));
          try {
            await sleep(10_000);
          } catch (e) {
            log.push(`8 body cancelled, cancelling=${w.cancelling()}`);
            throw e;
          }
        }).catch((e: unknown) =>
          log.push(`8 group: ${describeError(e)} cancelling=${w.cancelling()}`),
        );
        try {
          await sleep(50);
          log.push(`8 after group: sleep ok cancelling=${w.cancelling()}`);
        } catch (e) {
          log.push(`8 after group: ${describeError(e)} cancelling=${w.cancelling()}`);
          throw e;
        }
      });
      await sleep(20);
      worker.cancel("outside");
      await worker.catch((e: unknown) =>
        log.push(`8 worker: ${describeError(e)} cancelled=${worker.cancelled()}`),
      );
      return log;
    });
    expect(log).toEqual([
      "8 body cancelled, cancelling=1",
      "8 group: ExceptionGroup[MyExc(w)] cancelling=0",
      "8 after group: CancelledError(outside) cancelling=1",
      "8 worker: CancelledError(outside) cancelled=true",
    ]);
  });
  it("TaskGroup: a body awaiting its failing child sees CancelledError; awaiting a gather of them, the child's error", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const me = currentTask()!;
      const same = (e: unknown) =>
        isExceptionGroup(e) && e.exceptions.length === 2 && e.exceptions[0] === e.exceptions[1];
      const body = (label: string, aw: () => PromiseLike<unknown>) =>
        Promise.resolve(aw()).catch((e: unknown) => {
          log.push(`${label} body got ${describeError(e)} cancelling=${me.cancelling()}`);
          throw e;
        });
      await taskGroup(async (tg) => {
        const t = tg.createTask(fail(10, "child"));
        await body("14a", () => t);
      }).catch((e: unknown) => log.push(`14a: ${describeError(e)} same=${same(e)}`));
      await taskGroup(async (tg) => {
        const t1 = tg.createTask(fail(10, "g1"));
        const t2 = tg.createTask(() => sleep(10_000));
        await body("14b", () => gather(t1, t2));
      }).catch((e: unknown) => log.push(`14b: ${describeError(e)} same=${same(e)}`));
      let child: ReturnType<TaskGroup["createTask"]> | undefined;
      await taskGroup(async (tg) => {
        child = tg.createTask(() => sleep(10_000));
        await sleep(0);
        throw new CancelledError("own");
      }).catch((e: unknown) =>
        log.push(
          `14c: ${describeError(e)} child cancelled=${child!.cancelled()} cancelling=${me.cancelling()}`,
        ),
      );
      await taskGroup(async (tg) => {
        const t1 = tg.createTask(fail(10, "w1"));
        const t2 = tg.createTask(() => sleep(10_000));
        await body("14d", async () => {
          const [done, pending] = await wait([t1, t2], { returnWhen: FIRST_EXCEPTION });
          log.push(`14d wait returned ${done.size} ${pending.size}`);
          await sleep(0);
          log.push("14d not cancelled");
        });
      }).catch((e: unknown) => log.push(`14d: ${describeError(e)}`));
      return log;
    });
    expect(log).toEqual([
      "14a body got CancelledError cancelling=1",
      "14a: ExceptionGroup[MyExc(child)] same=false",
      "14b body got MyExc(g1) cancelling=1",
      "14b: ExceptionGroup[MyExc(g1),MyExc(g1)] same=true",
      "14c: CancelledError(own) child cancelled=true cancelling=0",
      "14d body got CancelledError cancelling=1",
      "14d: ExceptionGroup[MyExc(w1)]",
    ]);
  });
});

describe("wait()", () => {
  it("wait(FIRST_EXCEPTION): a cancelled future is not an exception; empty input is a ValueError; duplicates count once", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const names = (set: Set<Future<unknown>>, all: Record<string, Future<unknown>>) =>
        Object.entries(all)
          .filter(([, f]) => set.has(f))
          .map(([n]) => n)
          .join(",");
      const a = createTask(() => sleep(10_000));
      const b = createTask(() => sleep(20, "b"));
      loop.callLater(10, () => a.cancel());
      /** wait() on futures of any result type. */
      const waitAny = (aws: Iterable<Future<unknown>>, options?: WaitOptions) => wait(aws, options);
      let [done, pending] = await waitAny([a, b], { returnWhen: FIRST_EXCEPTION });
      log.push(`9a done=${names(done, { a, b })} pending=${pending.size} at ${loop.time()}`);
      const [f, g, h] = [0, 1, 2].map(() => new Future<unknown>()) as [
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
      ];
      loop.callSoon(() => f.cancel());
      loop.callLater(10, () => g.setException(new MyExc("g")));
      [done, pending] = await waitAny([f, g, h], { returnWhen: FIRST_EXCEPTION });
      log.push(`9b done=${names(done, { f, g, h })} pending=${names(pending, { f, g, h })}`);
      g.exception();
      h.cancel();
      const failed = new Future<unknown>();
      failed.setException(new MyExc("f"));
      const open = new Future<unknown>();
      [done, pending] = await waitAny([failed, open], { returnWhen: FIRST_EXCEPTION });
      log.push(`9c done=${done.size} pending=${pending.size}`);
      failed.exception();
      open.cancel();
      const c1 = new Future<unknown>();
      const c2 = new Future<unknown>();
      loop.callSoon(() => c1.cancel());
      loop.callLater(10, () => c2.cancel());
      [done, pending] = await waitAny([c1, c2], { returnWhen: FIRST_EXCEPTION });
      log.push(`9d done=${done.size} pending=${pending.size}`);
      for (const empty of [[], new Set<Future<unknown>>(), [].values()]) {
        await wait(empty).catch((e: unknown) => log.push(`10 ${describeError(e)}`));
      }
      const d = new Future<number>();
      loop.callSoon(() => d.setResult(1));
      [done, pending] = await waitAny([d, d, d]);
      log.push(`11 done=${done.size} pending=${pending.size}`);
      const t = createTask(() => sleep(10, "t"));
      [done, pending] = await waitAny([t, t], { timeout: 1 });
      log.push(`11 timeout done=${done.size} pending=${pending.size}`);
      [done, pending] = await waitAny(new Set([...pending, t]));
      log.push(`11 again done=${done.size} pending=${pending.size}`);
      const x = new Future<unknown>();
      [done, pending] = await waitAny([x], { timeout: 0 });
      log.push(`12 timeout=0 done=${done.size} pending=${pending.size}`);
      x.cancel();
      return log;
    });
    expect(log).toEqual([
      "9a done=a,b pending=0 at 20",
      "9b done=f,g pending=h",
      "9c done=1 pending=1",
      "9d done=2 pending=0",
      "10 ValueError(Set of Tasks/Futures is empty.)",
      "10 ValueError(Set of Tasks/Futures is empty.)",
      // asyncio: an empty iterator passes the emptiness check and fails an assert.
      "10 ValueError(Set of Tasks/Futures is empty.)",
      "11 done=1 pending=0",
      "11 timeout done=0 pending=1",
      "11 again done=1 pending=0",
      "12 timeout=0 done=0 pending=1",
    ]);
  });
});

describe("timeout() and timeoutAt()", () => {
  it("timeoutAt() in the past, timeout(0) and timeout(-1) expire at the body's first await; without one nothing happens", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const me = currentTask()!;
      const st = (cm: Timeout) => `${cm} expired=${cm.expired()}`;
      let cm: Timeout | undefined;
      for (const [label, enter] of [
        ["at-past", (fn: (t: Timeout) => Promise<void>) => timeoutAt(loop.time() - 1, fn)],
        ["zero", (fn: (t: Timeout) => Promise<void>) => timeout(0, fn)],
        ["negative", (fn: (t: Timeout) => Promise<void>) => timeout(-1, fn)],
      ] as const) {
        await enter(async (t) => {
          cm = t;
          log.push(`${label} body runs: ${st(t).split(" when")[0]}`);
          loop.callSoon(() => log.push(`${label} callSoon from body`));
          await sleep(0);
          log.push(`${label} not reached`);
        }).catch((e: unknown) =>
          log.push(`${label}: ${describeError(e)} ${st(cm!)} cancelling=${me.cancelling()}`),
        );
      }
      await timeout(0, async (t) => {
        cm = t;
        const f = loop.createFuture<number>();
        f.setResult(1);
        await f;
      });
      log.push(`no await: ${st(cm!)}`);
      await sleep(0);
      log.push(`no await: next await ok cancelling=${me.cancelling()}`);
      await timeout(0, async (t) => {
        cm = t;
        try {
          await sleep(0);
        } catch {
          log.push(`caught: ${st(t)} cancelling=${me.cancelling()}`);
          try {
            t.reschedule(null);
          } catch (e) {
            log.push(`reschedule while expiring: ${(e as Error).message}`);
          }
        }
        await sleep(0);
        log.push("second await ok");
      });
      log.push(`swallowed: ${st(cm!)} cancelling=${me.cancelling()}`);
      for (const [label, ms] of [
        ["finished", 10_000],
        ["expired", 0],
      ] as const) {
        await timeout(ms, async (t) => {
          cm = t;
          await sleep(0);
        }).catch(() => {});
        try {
          cm!.reschedule(loop.time() + 1000);
        } catch (e) {
          log.push(`${label}: ${st(cm!)} reschedule: ${(e as Error).message}`);
        }
      }
      await timeout(null, async (t) => {
        cm = t;
        log.push(`none: ${t}`);
        t.reschedule(loop.time() - 5000);
        log.push(`rescheduled past: expired=${t.expired()}`);
        await sleep(0);
      }).catch((e: unknown) => log.push(`none: ${describeError(e)} ${st(cm!)}`));
      return log;
    });
    expect(log).toEqual([
      "at-past body runs: <Timeout [active]",
      "at-past callSoon from body",
      "at-past: TimeoutError <Timeout [expired]> expired=true cancelling=0",
      "zero body runs: <Timeout [active]",
      "zero callSoon from body",
      "zero: TimeoutError <Timeout [expired]> expired=true cancelling=0",
      "negative body runs: <Timeout [active]",
      "negative callSoon from body",
      "negative: TimeoutError <Timeout [expired]> expired=true cancelling=0",
      "no await: <Timeout [finished]> expired=false",
      "no await: next await ok cancelling=0",
      "caught: <Timeout [expiring]> expired=true cancelling=1",
      "reschedule while expiring: Cannot change state of expiring Timeout",
      "second await ok",
      "swallowed: <Timeout [expired]> expired=true cancelling=0",
      "finished: <Timeout [finished]> expired=false reschedule: Cannot change state of finished Timeout",
      "expired: <Timeout [expired]> expired=true reschedule: Cannot change state of expired Timeout",
      // asyncio: `when=None`.
      "none: <Timeout [active] when=null>",
      "rescheduled past: expired=false",
      "none: TimeoutError <Timeout [expired]> expired=true",
    ]);
  });
});
