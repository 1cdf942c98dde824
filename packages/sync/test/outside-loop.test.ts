// What happens when the primitives are used from code not started by run():
// calls that need not wait work anywhere; a call that has to wait throws a
// RuntimeError that names the fix; a primitive is bound to the loop of its
// first wait, and rebinds once that loop is closed.
import { CancelledError, RuntimeError } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { newEventLoop, run } from "@aio/loop";
import { Barrier, Condition, Event, Lock, Queue, Semaphore } from "@aio/sync";
import { describe, expect, test } from "vitest";

const needsLoop = (method: string) =>
  new RuntimeError(
    `${method} has to wait, but no event loop is running: call it from code started by run() or, in a library, ensureLoop() (@aio/loop)`,
  );

describe("outside run()", () => {
  test("non-blocking calls and uncontended acquisitions work without a loop", async () => {
    const lock = new Lock();
    expect(await lock.acquire()).toBe(true);
    lock.release();
    const sem = new Semaphore(1);
    await sem.acquire();
    sem.release();
    const ev = new Event();
    ev.set();
    await ev.wait();
    const q = new Queue<number>();
    q.putNowait(1);
    await q.put(2);
    expect(await q.get()).toBe(1);
    expect(q.getNowait()).toBe(2);
    q.taskDone();
    q.taskDone();
    await q.join();
    expect(await new Barrier(1).wait()).toBe(0);
    expect(await lock.run(() => "ran")).toBe("ran");
  });

  test("a call that has to wait rejects with a RuntimeError naming the fix", async () => {
    const lock = new Lock();
    await lock.acquire();
    await expect(lock.acquire()).rejects.toThrow(needsLoop("Lock.acquire()"));
    expect(String(lock)).toBe("<Lock [locked]>"); // nothing left behind
    await expect(new Semaphore(0).acquire()).rejects.toThrow(needsLoop("Semaphore.acquire()"));
    await expect(new Event().wait()).rejects.toThrow(needsLoop("Event.wait()"));
    await expect(new Queue().get()).rejects.toThrow(needsLoop("Queue.get()"));
    const full = new Queue<number>(1);
    full.putNowait(1);
    await expect(full.put(2)).rejects.toThrow(needsLoop("Queue.put()"));
    await expect(full.join()).rejects.toThrow(needsLoop("Queue.join()"));
    const cond = new Condition();
    await cond.acquire();
    await expect(cond.wait()).rejects.toThrow(needsLoop("Condition.wait()"));
    expect(cond.locked()).toBe(true);
    await expect(new Barrier(2).wait()).rejects.toThrow(RuntimeError);
  });

  test("a primitive is bound to the loop of its first wait (asyncio's rule)", async () => {
    const lock = new Lock();
    const loopA = newEventLoop();
    const loopB = newEventLoop();
    try {
      const gate = new Event();
      const a = loopA.runUntilComplete(async () => {
        await lock.acquire();
        const waiter = createTask(() => lock.acquire());
        await sleep(0);
        await gate.wait();
        waiter.cancel();
        await waiter.catch(() => undefined);
        lock.release();
      });
      await new Promise((r) => setImmediate(r));
      await loopB.runUntilComplete(async () => {
        await expect(lock.acquire()).rejects.toThrow(
          new RuntimeError("<Lock [locked, waiters:1]> is bound to a different event loop"),
        );
      });
      gate.set();
      await a;
    } finally {
      loopA.close();
      loopB.close();
    }
  });

  test("a module-level primitive works across sequential run() calls", async () => {
    const q = new Queue<number>();
    for (let round = 0; round < 2; round++) {
      const got = await run(async () => {
        const consumer = createTask(() => q.get());
        await sleep(0);
        q.putNowait(round);
        return consumer;
      });
      expect(got).toBe(round);
    }
  });

  test("run() cancels a task left waiting on a primitive, which leaves nothing behind", async () => {
    const lock = new Lock();
    await lock.acquire();
    let caught: unknown = null;
    await run(async () => {
      createTask(async () => {
        try {
          await lock.acquire();
        } catch (e) {
          caught = e;
          throw e;
        }
      });
      await sleep(0);
    });
    expect(caught).toBeInstanceOf(CancelledError);
    expect(String(lock)).toBe("<Lock [locked]>");
    lock.release();
  });
});
