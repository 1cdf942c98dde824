/**
 * The tour's scenarios as tests: gather, wait with FIRST_COMPLETED and a
 * timeout, asCompleted in both iteration forms, cancellation with cleanup,
 * waitFor timing out, shield, ensureFuture, tasks sharing one loop.
 */
import { getRunningLoop, TimeoutError } from "@aio/core";
import {
  asCompleted,
  createTask,
  ensureFuture,
  FIRST_COMPLETED,
  gather,
  shield,
  sleep,
  wait,
  waitFor,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const now = () => getRunningLoop().time();

describe("gather()", () => {
  it("gather() returns results in argument order, not completion order", async () => {
    await runVirtual(async () => {
      expect(
        await gather(
          () => sleep(30, "a"),
          () => sleep(10, "b"),
          () => sleep(20, "c"),
        ),
      ).toEqual(["a", "b", "c"]);
      expect(now()).toBe(30);
    });
  });

  it("gather() without returnExceptions fails with the first error while siblings keep running", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const sibling = createTask(async () => {
        await sleep(20);
        log.push("sibling finished");
      });
      await expect(
        gather(async () => {
          await sleep(10);
          throw new Error("first");
        }, sibling),
      ).rejects.toThrow("first");
      expect(sibling.done()).toBe(false);
      await sibling;
    });
    expect(log).toEqual(["sibling finished"]);
  });

  it("gather() with returnExceptions puts errors in place", async () => {
    await runVirtual(async () => {
      const err = new RangeError("x");
      expect(
        await gather(
          async () => 1,
          async () => {
            throw err;
          },
          { returnExceptions: true },
        ),
      ).toEqual([1, err]);
    });
  });
});

describe("wait()", () => {
  it("wait() with FIRST_COMPLETED and a timeout returns [done, pending] and cancels nothing", async () => {
    await runVirtual(async () => {
      const fast = createTask(() => sleep(10, "fast"));
      const slow = createTask(() => sleep(1000, "slow"));
      const [done, pending] = await wait([fast, slow], {
        returnWhen: FIRST_COMPLETED,
        timeout: 500,
      });
      expect([...done]).toEqual([fast]);
      expect([...pending]).toEqual([slow]);
      const [done2, pending2] = await wait(pending, { timeout: 50 });
      expect(done2.size).toBe(0);
      expect(pending2).toEqual(new Set([slow]));
      expect(slow.cancelled()).toBe(false);
      expect(now()).toBe(60);
      slow.cancel();
      await wait([slow]);
    });
  });

  it("wait() rejects a NaN timeout", async () => {
    await runVirtual(async () => {
      await expect(wait([() => sleep(1)], { timeout: Number.NaN })).rejects.toThrow(
        new RangeError(
          "wait() options.timeout must be a number of milliseconds or null, received NaN",
        ),
      );
    });
  });
});

describe("asCompleted()", () => {
  it("asCompleted() yields awaitables in completion order (for ... of)", async () => {
    await runVirtual(async () => {
      const seen: number[] = [];
      for (const next of asCompleted([
        () => sleep(30, 3),
        () => sleep(10, 1),
        () => sleep(20, 2),
      ])) {
        seen.push(await next);
      }
      expect(seen).toEqual([1, 2, 3]);
    });
  });

  it("asCompleted() yields the finished tasks themselves (for await ... of)", async () => {
    await runVirtual(async () => {
      const tasks = [createTask(() => sleep(20, "b")), createTask(() => sleep(10, "a"))];
      const seen: unknown[] = [];
      for await (const done of asCompleted(tasks)) seen.push(done);
      expect(seen).toEqual([tasks[1], tasks[0]]);
    });
  });

  it("asCompleted() rejects a NaN timeout", async () => {
    await runVirtual(async () => {
      expect(() => asCompleted([], { timeout: Number.NaN })).toThrow(
        new RangeError(
          "asCompleted() options.timeout must be a number of milliseconds or null, received NaN",
        ),
      );
    });
  });
});

describe("cancellation, waitFor, shield", () => {
  it("a cancelled task runs its cleanup and its awaiter sees CancelledError", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const worker = createTask(async () => {
        try {
          await sleep(10_000);
        } finally {
          log.push("cleanup");
        }
      });
      await sleep(10);
      worker.cancel("shutting down");
      const err = (await worker.catch((e: unknown) => e)) as Error;
      log.push(`${err.name}: ${err.message}`);
    });
    expect(log).toEqual(["cleanup", "CancelledError: shutting down"]);
  });

  it("waitFor() timing out cancels the work, waits for it, then throws TimeoutError", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const err = await waitFor(async () => {
        try {
          await sleep(1000);
        } finally {
          await sleep(5);
          log.push(`inner cleanup at ${now()}`);
        }
      }, 20).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      log.push(`timeout seen at ${now()}`);
    });
    expect(log).toEqual(["inner cleanup at 25", "timeout seen at 25"]);
  });

  it("shield() keeps the inner work running when the waiter gives up", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const save = createTask(async () => {
        await sleep(30);
        log.push("saved");
      });
      await expect(waitFor(shield(save), 10)).rejects.toThrow(TimeoutError);
      log.push("gave up waiting");
      await save;
    });
    expect(log).toEqual(["gave up waiting", "saved"]);
  });

  it("ensureFuture() runs a function in a new task", async () => {
    await runVirtual(async () => {
      const fut = ensureFuture(async () => 5);
      expect(String(fut)).toMatch(/^<Task pending name='Task-\d+'>$/);
      expect(await fut).toBe(5);
    });
  });

  it("tasks share one loop and interleave at each sleep(0)", async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const worker = (name: string) => async () => {
        for (let i = 0; i < 3; i++) {
          log.push(`${name}${i}`);
          await sleep(0);
        }
        return getRunningLoop();
      };
      const [la, lb] = await gather(worker("a"), worker("b"));
      expect(la).toBe(lb);
    });
    expect(log).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
  });
});
