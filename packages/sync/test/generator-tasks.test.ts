/**
 * The primitives from generator tasks (`function*`): their Promise-returning
 * waits run in a task of their own (`yield* ensureFuture(() => …)`), so the
 * generator task's cancellation reaches them and the repair logic runs.
 */
import { createTask, ensureFuture, wait } from "@aio/futures";
import { run } from "@aio/loop";
import { Lock, Queue } from "@aio/sync";
import { describe, expect, it } from "vitest";

describe("primitives in generator tasks", () => {
  it("yield* ensureFuture(() => lock.acquire()): a cancelled wait leaves no waiter and the lock goes to the next task", async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* ensureFuture(() => lock.acquire());
      const waiter = createTask(function* () {
        try {
          yield* ensureFuture(() => lock.acquire());
          log.push("waiter got the lock (wrong)");
        } catch (err) {
          log.push(`waiter: ${(err as Error).name}`);
          throw err;
        }
      });
      const next = createTask(function* () {
        yield* ensureFuture(() => lock.acquire());
        log.push("next got the lock");
        lock.release();
      });
      yield;
      waiter.cancel();
      yield* ensureFuture(() => wait([waiter]));
      lock.release();
      yield* next;
      expect(lock.locked()).toBe(false);
      expect(lock.toString()).toBe("<Lock [unlocked]>");
    });
    expect(log).toEqual(["waiter: CancelledError", "next got the lock"]);
  });

  it("a generator consumer cancelled in queue.get() loses no item: the next consumer gets it", async () => {
    const got: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      const first = createTask(function* () {
        got.push(`first ${yield* ensureFuture(() => q.get())}`);
      });
      const second = createTask(function* () {
        got.push(`second ${yield* ensureFuture(() => q.get())}`);
      });
      yield;
      first.cancel();
      q.putNowait("item");
      yield* ensureFuture(() => wait([first, second]));
      expect(first.cancelled()).toBe(true);
      expect(q.qsize()).toBe(0);
    });
    expect(got).toEqual(["second item"]);
  });
});
