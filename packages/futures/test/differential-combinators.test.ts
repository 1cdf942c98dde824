/**
 * Differential checks of asCompleted(), shield(), waitFor() and
 * ensureFuture() against CPython's asyncio: each case was run as a Python
 * script and as its TypeScript twin, printing an event log; the expected
 * logs here are Python's. The scripts ran on CPython 3.11 with the newer code
 * the contract pins put in place: `wait_for()` and `_cancel_and_wait()` of
 * 3.12 (on `timeout()`), `as_completed()`'s 3.13 `_AsCompletedIterator`.
 * Seconds become virtual milliseconds. `differential-structured.test.ts`
 * covers gather cancellation, `Task.cancel()` message precedence, `wait()`'s
 * loop turn and TaskGroup; `differential-tasks.test.ts` eager tasks, done
 * callbacks and cancelling() across timeout().
 */
import { type EventLoop, getRunningLoop } from "@aio/core";
import {
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  Future,
  gather,
  shield,
  sleep,
  waitFor,
} from "@aio/futures";
import { newEventLoop } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { describeError, settle, ValueError } from "./differential-log.js";

function futures<T>(loop: EventLoop, n: number): Future<T>[] {
  return Array.from({ length: n }, () => new Future<T>({ loop }));
}

describe("asCompleted()", () => {
  it("asCompleted(): a timeout of 0 fires before the done callbacks of tasks that finish in their first step", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const ts = [0, 1].map((i) => ensureFuture(async () => i));
      for (const aw of asCompleted(ts, { timeout: 0 })) await settle(log, "got", aw);
      log.push(`tasks done ${ts.map((t) => t.done())}`);
      return log;
    });
    expect(log).toEqual(["got TimeoutError", "got TimeoutError", "tasks done true,true"]);
  });

  it("asCompleted(): futures finishing in one callback come out in the order they finished", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b, c] = futures<string>(loop, 3) as [
        Future<string>,
        Future<string>,
        Future<string>,
      ];
      const log: string[] = [];
      loop.callSoon(() => {
        b.setResult("b");
        a.setResult("a");
        c.setException(new ValueError("c"));
      });
      for (const aw of asCompleted([a, b, c])) await settle(log, "got", aw);
      // An input already cancelled comes out first, with its message.
      const [d, e] = futures<string>(loop, 2) as [Future<string>, Future<string>];
      d.cancel("why");
      loop.callSoon(() => e.setResult("e"));
      for (const aw of asCompleted([d, e])) await settle(log, "then", aw);
      return log;
    });
    expect(log).toEqual([
      "got b",
      "got a",
      "got ValueError(c)",
      "then CancelledError(why)",
      "then e",
    ]);
  });

  it("asCompleted(): after the timeout every remaining wait throws, the inputs are left running, later completions are ignored", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b, c] = futures<string>(loop, 3) as [
        Future<string>,
        Future<string>,
        Future<string>,
      ];
      const log: string[] = [];
      loop.callLater(10, () => a.setResult("a"));
      loop.callLater(50, () => b.setResult("b"));
      const it = asCompleted([a, b, c], { timeout: 30 });
      for (const round of [1, 2, 3]) {
        try {
          for await (const f of it) log.push(`${round}: got ${f === a} ${f.result()}`);
          log.push(`${round}: exhausted`);
        } catch (e) {
          log.push(`${round}: ${describeError(e)} at ${loop.time()}`);
        }
      }
      await sleep(50);
      log.push(`b done ${b.done()}, c done ${c.done()} cancelled ${c.cancelled()}`);
      c.cancel();
      // Nobody waiting when it expires: the finished inputs first, then the timeouts.
      const [d, e, f] = futures<string>(loop, 3) as [
        Future<string>,
        Future<string>,
        Future<string>,
      ];
      const iter = asCompleted([d, e, f], { timeout: 10 })[Symbol.iterator]();
      const first = iter.next().value!;
      d.setResult("d");
      await sleep(30);
      e.setResult("e");
      const rest: PromiseLike<string>[] = [];
      for (let r = iter.next(); r.done !== true; r = iter.next()) rest.push(r.value);
      for (const aw of [first, ...rest]) await settle(log, "late", aw);
      f.cancel();
      return log;
    });
    expect(log).toEqual([
      "1: got true a",
      "1: TimeoutError at 30",
      "2: TimeoutError at 30",
      "3: exhausted",
      "b done true, c done false cancelled false",
      "late d",
      "late TimeoutError",
      "late TimeoutError",
    ]);
  });

  it("asCompleted(): a consumer cancelled while waiting uses up its turn; the item is kept for the next one", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b] = futures<string>(loop, 2) as [Future<string>, Future<string>];
      const log: string[] = [];
      const it = asCompleted([a, b]);
      const consumer = createTask(async () => {
        for await (const f of it) log.push(`consumer got ${f.result()}`);
      });
      await sleep(0);
      a.setResult("a");
      consumer.cancel();
      await consumer.catch(() => log.push("consumer cancelled"));
      b.setResult("b");
      for await (const f of it) log.push(`next got ${f.result()}`);
      // Awaitables of the iterable form are served in the order they are awaited.
      const [c, d] = futures<string>(loop, 2) as [Future<string>, Future<string>];
      const aws = [...asCompleted([c, d], { timeout: 20 })];
      const t1 = createTask(() => settle(log, "second awaitable", aws[1]!));
      const t2 = createTask(() => settle(log, "first awaitable", aws[0]!));
      await sleep(0);
      c.setResult("c");
      await gather(t1, t2);
      d.cancel();
      return log;
    });
    expect(log).toEqual([
      "consumer cancelled",
      "next got a",
      "second awaitable c",
      "first awaitable TimeoutError",
    ]);
  });
});

describe("shield()", () => {
  it("shield(): the awaiting task is cancelled, the inner task runs on", async () => {
    const log = await runVirtual(async () => {
      const log: string[] = [];
      const inner = createTask(async () => {
        await sleep(20);
        log.push("inner finished");
        return "r";
      });
      const waiter = createTask(async () => {
        try {
          return await shield(inner);
        } catch (e) {
          log.push(`waiter ${describeError(e)} cancelling=${currentTask()!.cancelling()}`);
          throw e;
        }
      });
      await sleep(0);
      log.push(`cancel ${waiter.cancel("stop")}`);
      await sleep(0);
      log.push(`waiter cancelled ${waiter.cancelled()}, inner done ${inner.done()}`);
      log.push(`result ${await inner}`);
      return log;
    });
    expect(log).toEqual([
      "cancel true",
      "waiter CancelledError(stop) cancelling=1",
      "waiter cancelled true, inner done false",
      "inner finished",
      "result r",
    ]);
  });

  it("shield(): an inner task failing after the outer was cancelled is reported as never retrieved", async () => {
    const log: string[] = [];
    let inner: Future<unknown> | undefined;
    await runVirtual(async () => {
      getRunningLoop().setExceptionHandler((_loop, ctx) => {
        const keys = Object.keys(ctx).filter((k) => k !== "message");
        log.push(`${ctx.message} [${keys.sort()}] ${describeError(ctx.exception)}`);
        log.push(`future is the inner task: ${ctx.future === inner}`);
      });
      inner = createTask(async () => {
        await sleep(10);
        throw new ValueError("late");
      });
      const outer = shield(inner);
      await sleep(0);
      outer.cancel();
      await sleep(20);
      log.push(`inner done ${inner.done()}`);
    });
    // asyncio reports it when the inner task is collected; @aio at the latest when the loop closes.
    expect(log).toEqual([
      "inner done true",
      "Task exception was never retrieved [exception,future] ValueError(late)",
      "future is the inner task: true",
    ]);
  });

  it("shield(): a done future is returned as it is; an inner cancelled with a message cancels the outer without it", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const [f, g, h] = futures<number>(loop, 3) as [
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      f.setResult(1);
      g.setException(new ValueError("x"));
      h.cancel("m");
      for (const x of [f, g, h]) {
        const s = shield(x);
        log.push(`same ${s === x}`);
        await settle(log, "await", s);
      }
      const inner = loop.createFuture<number>();
      const outer = shield(inner);
      inner.addDoneCallback(() => log.push("inner cb"));
      outer.addDoneCallback(() => log.push("outer cb"));
      inner.cancel("inner-msg");
      await settle(log, "outer", outer);
      log.push(`outer cancelled ${outer.cancelled()}`);
      return log;
    });
    expect(log).toEqual([
      "same true",
      "await 1",
      "same true",
      "await ValueError(x)",
      "same true",
      "await CancelledError(m)",
      "inner cb",
      "outer cb",
      "outer CancelledError",
      "outer cancelled true",
    ]);
  });
});

describe("waitFor()", () => {
  /** `waitFor(aw, ms)`, logged with the loop time and the task's cancelling(). */
  async function attempt(
    log: string[],
    label: string,
    aw: PromiseLike<unknown>,
    ms: number | null,
  ) {
    const loop = getRunningLoop();
    const t0 = loop.time();
    try {
      log.push(`${label}: ${await waitFor(aw, ms)} after ${loop.time() - t0}`);
    } catch (e) {
      const cancelling = currentTask()!.cancelling();
      log.push(`${label}: ${describeError(e)} after ${loop.time() - t0} cancelling=${cancelling}`);
    }
  }

  it("waitFor() with a timeout of 0 or less: cancels and waits for the inner work, which may still finish", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      for (const ms of [0, -10]) {
        const f = loop.createFuture();
        createTask(() => sleep(0)).addDoneCallback(() => log.push("other task ran"));
        await attempt(log, `future ms=${ms}`, f, ms);
        log.push(`future cancelled ${f.cancelled()}`);
      }
      const stubborn = createTask(async () => {
        try {
          await sleep(1000);
          return "not cancelled";
        } catch {
          await sleep(20);
          return "kept";
        }
      });
      await sleep(0);
      await attempt(log, "stubborn", stubborn, 0);
      const started: string[] = [];
      const unstarted = createTask(async () => started.push("started"));
      await attempt(log, "unstarted", unstarted, 0);
      log.push(`body ran: ${started.length > 0}, cancelled ${unstarted.cancelled()}`);
      return log;
    });
    expect(log).toEqual([
      "future ms=0: TimeoutError after 0 cancelling=0",
      "future cancelled true",
      "other task ran",
      "future ms=-10: TimeoutError after 0 cancelling=0",
      "future cancelled true",
      "other task ran",
      "stubborn: kept after 20",
      "unstarted: TimeoutError after 0 cancelling=0",
      "body ran: false, cancelled true",
    ]);
  });

  it("waitFor(): on timeout the inner task is cancelled and awaited; what it ends with decides", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      for (const mode of ["reraise", "value", "error"]) {
        const t0 = loop.time();
        const inner = createTask(async () => {
          try {
            await sleep(1000);
            return "not cancelled";
          } catch (e) {
            log.push(`inner ${mode} caught after ${loop.time() - t0}`);
            await sleep(20);
            if (mode === "reraise") throw e;
            if (mode === "value") return "swallowed";
            throw new ValueError("cleanup failed");
          }
        });
        await attempt(log, mode, inner, 10);
        log.push(`inner cancelled ${inner.cancelled()}`);
      }
      await attempt(log, "null", sleep(50, "slept"), null);
      return log;
    });
    expect(log).toEqual([
      "inner reraise caught after 10",
      "reraise: TimeoutError after 30 cancelling=0",
      "inner cancelled true",
      "inner value caught after 10",
      "value: swallowed after 30",
      "inner cancelled false",
      "inner error caught after 10",
      "error: ValueError(cleanup failed) after 30 cancelling=0",
      "inner cancelled false",
      "null: slept after 50",
    ]);
  });

  it("waitFor(): inner work finishing in the iteration of the deadline loses to the timeout (3.12)", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      // The result arrives first, but the waiting task has not resumed yet.
      const f = loop.createFuture<string>();
      loop.callLater(10, () => f.setResult("early timer"));
      await attempt(log, "result timer first", f, 10);
      // The deadline first: the result comes too late.
      const g = loop.createFuture<string>();
      createTask(async () => {
        await sleep(0);
        loop.callLater(10, () => log.push(`setter: future done ${g.done()}`));
      });
      await attempt(log, "deadline first", g, 10);
      const t = createTask(() => sleep(10, "task"));
      await attempt(log, "task with the same deadline", t, 10);
      log.push(`task cancelled ${t.cancelled()}`);
      return log;
    });
    expect(log).toEqual([
      "result timer first: TimeoutError after 10 cancelling=0",
      "setter: future done true",
      "deadline first: TimeoutError after 10 cancelling=0",
      "task with the same deadline: TimeoutError after 10 cancelling=0",
      "task cancelled true",
    ]);
  });

  it("waitFor(): a cancellation from outside propagates, also when it comes with the deadline", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      const body = async () => {
        try {
          await sleep(1000);
        } catch (e) {
          log.push(`inner caught ${describeError(e)}`);
          throw e;
        }
      };
      for (const [label, delay] of [
        ["before", 10],
        ["at the deadline", 30],
      ] as const) {
        const inner = createTask(body);
        const w = createTask(() => attempt(log, label, inner, 30));
        await sleep(0);
        loop.callLater(delay, () => w.cancel("ext"));
        await w;
        log.push(`inner cancelled ${inner.cancelled()}`);
      }
      // Cancelled while waitFor(…, 0) waits for the inner task's slow cleanup.
      const slow = createTask(async () => {
        try {
          await sleep(1000);
        } catch (e) {
          await sleep(20);
          log.push("slow cleanup done");
          throw e;
        }
      });
      await sleep(0);
      const w = createTask(() => attempt(log, "ms=0", slow, 0));
      await sleep(10);
      w.cancel("ext");
      await w;
      await sleep(30);
      log.push(`slow cancelled ${slow.cancelled()}`);
      return log;
    });
    expect(log).toEqual([
      "inner caught CancelledError(ext)",
      "before: CancelledError(ext) after 10 cancelling=1",
      "inner cancelled true",
      "inner caught CancelledError",
      "at the deadline: CancelledError after 30 cancelling=1",
      "inner cancelled true",
      "ms=0: CancelledError(ext) after 10 cancelling=1",
      "slow cleanup done",
      "slow cancelled true",
    ]);
  });

  it("waitFor() on a done future gives its outcome at once, whatever the timeout", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      for (const ms of [10, 0, null]) {
        const [f, g, h] = futures<number>(loop, 3) as [
          Future<number>,
          Future<number>,
          Future<number>,
        ];
        f.setResult(1);
        g.setException(new ValueError("x"));
        h.cancel("m");
        for (const [name, x] of [
          ["done", f],
          ["failed", g],
          ["cancelled", h],
        ] as const)
          await attempt(log, `${name} ms=${ms}`, x, ms);
      }
      return log;
    });
    expect(log).toEqual(
      ["10", "0", "null"].flatMap((ms) => [
        `done ms=${ms}: 1 after 0`,
        `failed ms=${ms}: ValueError(x) after 0 cancelling=0`,
        `cancelled ms=${ms}: CancelledError(m) after 0 cancelling=0`,
      ]),
    );
  });
});

describe("ensureFuture()", () => {
  it("ensureFuture(): a thenable runs in a new task; a Future of another loop is returned, or refused with a loop", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const log: string[] = [];
      /** A bare thenable (no Promise): asyncio's awaitable with `__await__`. */
      const thenable = (v: number, fail = false) =>
        ({
          then(resolve: (v: number) => void) {
            log.push(`then() in a task: ${currentTask() !== null && currentTask() !== main}`);
            if (fail) throw new ValueError("sync fail");
            resolve(v);
          },
        }) as unknown as PromiseLike<number>;
      const main = currentTask();
      const f = ensureFuture(thenable(7));
      log.push(`${f.constructor.name} done=${f.done()}`);
      loop.callSoon(() => log.push("callSoon after ensureFuture"));
      log.push(`result ${await f}, ensureFuture(task) is the task: ${ensureFuture(f) === f}`);
      await settle(log, "throwing then()", ensureFuture(thenable(0, true)));
      const other = newEventLoop();
      const foreign = other.createFuture();
      log.push(`other loop's future returned: ${ensureFuture(foreign) === foreign}`);
      try {
        ensureFuture(foreign, loop);
      } catch (e) {
        log.push(`with loop: ${describeError(e)}`);
      }
      const t = ensureFuture(async () => {
        await foreign;
      });
      await t.catch((e: unknown) =>
        log.push(`awaited: ${(e as Error).name} ${/attached to a different loop/.test(`${e}`)}`),
      );
      other.close();
      return log;
    });
    expect(log).toEqual([
      "Task done=false",
      "then() in a task: true",
      "callSoon after ensureFuture",
      "result 7, ensureFuture(task) is the task: true",
      "then() in a task: true",
      "throwing then() ValueError(sync fail)",
      "other loop's future returned: true",
      "with loop: ValueError(The future belongs to a different loop than the one specified as the loop argument)",
      "awaited: RuntimeError true",
    ]);
  });
});
