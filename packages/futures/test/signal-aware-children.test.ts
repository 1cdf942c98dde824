/**
 * A task that passes its own `signal` to an AbortSignal-aware API
 * (`timers/promises`, `fetch`) and is cancelled fails with that API's error
 * (an AbortError caused by the CancelledError, or the CancelledError itself):
 * taskGroup, gather, wait and timeout count it as the cancellation it is.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { CancelledError, isCancelledError, isExceptionGroup, isTimeoutError } from "@aio/core";
import {
  createTask,
  currentTask,
  FIRST_EXCEPTION,
  gather,
  sleep,
  taskGroup,
  timeout,
  wait,
} from "@aio/futures";
import { run } from "@aio/loop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Waits a minute on a real host timer, stopped by the current task's signal. */
const hostTimer = () => delay(60_000, "late", { signal: currentTask()!.signal });

const failSoon = async (): Promise<never> => {
  await sleep(5);
  throw new Error("boom");
};

const messages = (err: unknown) =>
  isExceptionGroup(err) ? err.exceptions.map((e) => (e as Error).message) : err;

// A server that accepts requests and never answers: only an abort ends a fetch.
let server: Server;
let url: string;
const held = new Set<import("node:http").ServerResponse>();
beforeAll(async () => {
  server = createServer((_req, res) => void held.add(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("taskGroup()", () => {
  it("taskGroup(): a child cancelled inside timers/promises is not reported as a failure", async () => {
    const log: string[] = [];
    await run(async () => {
      const err = await taskGroup(async (tg) => {
        tg.createTask(async () => {
          try {
            return await hostTimer();
          } catch (e) {
            log.push(`child: ${(e as Error).name}, cause ${(e as Error).cause?.constructor.name}`);
            throw e;
          }
        });
        tg.createTask(failSoon);
      }).catch((e: unknown) => e);
      expect(messages(err)).toEqual(["boom"]);
    });
    expect(log).toEqual(["child: AbortError, cause CancelledError"]);
  });

  it("taskGroup(): a child cancelled inside fetch() (127.0.0.1) is not reported as a failure", async () => {
    await run(async () => {
      const err = await taskGroup(async (tg) => {
        tg.createTask(() => fetch(url, { signal: currentTask()!.signal }));
        tg.createTask(async () => {
          // Fail once the request is in flight (bounded: 10 s of 1 ms steps).
          for (let i = 0; i < 10_000 && held.size === 0; i++) await sleep(1);
          throw new Error("boom");
        });
      }).catch((e: unknown) => e);
      expect(messages(err)).toEqual(["boom"]);
    });
    expect(held.size).toBe(1); // the request did reach the server
  });

  it("taskGroup(): the body's own signal-aware await is its cancellation too (tg.cancel() resolves)", async () => {
    await run(async () => {
      const result = await taskGroup(async (tg) => {
        tg.createTask(async () => {
          await sleep(5);
          tg.cancel();
        });
        return await hostTimer();
      });
      expect(result).toBeUndefined();
      expect(currentTask()!.cancelling()).toBe(0);
    });
  });

  it("taskGroup(): an AbortError from a signal of the user's own stays a failure", async () => {
    await run(async () => {
      const err = await taskGroup(async (tg) => {
        tg.createTask(async () => {
          const own = new AbortController();
          own.abort(new CancelledError("not the task's"));
          await delay(10, undefined, { signal: own.signal });
        });
      }).catch((e: unknown) => e);
      expect(isExceptionGroup(err) && err.exceptions.map((e) => (e as Error).name)).toEqual([
        "AbortError",
      ]);
    });
  });
});

describe("gather()", () => {
  it("gather(): a child cancelled inside timers/promises makes the gather fail with CancelledError", async () => {
    await run(async () => {
      const child = createTask(hostTimer);
      const g = gather(child, () => sleep(1_000));
      await sleep(1);
      child.cancel();
      const err = await g.catch((e: unknown) => e);
      expect(isCancelledError(err)).toBe(true);
      g.cancel();
    });
  });

  it("gather(returnExceptions): cancelling the gather rejects with CancelledError, children in timers/promises included", async () => {
    await run(async () => {
      const g = gather(hostTimer, () => delay(60_000, 1, { signal: currentTask()!.signal }), {
        returnExceptions: true,
      });
      await sleep(1);
      g.cancel();
      const err = await g.catch((e: unknown) => e);
      expect(isCancelledError(err)).toBe(true);
    });
  });

  it("gather(returnExceptions): a child's own-signal AbortError shows as its CancelledError", async () => {
    await run(async () => {
      const child = createTask(hostTimer);
      const g = gather(child, () => sleep(5, "ok"), { returnExceptions: true });
      await sleep(1);
      child.cancel("stop");
      const [first, second] = await g;
      expect(isCancelledError(first) && first.message).toBe("stop");
      expect(second).toBe("ok");
    });
  });
});

describe("wait()", () => {
  it("wait(FIRST_EXCEPTION): a task cancelled inside timers/promises is not the first exception", async () => {
    await run(async () => {
      const cancelled = createTask(hostTimer);
      const slow = createTask(() => sleep(20, "slow"));
      const failing = createTask(async () => {
        await sleep(10);
        throw new Error("real");
      });
      const waiting = wait([cancelled, slow, failing], { returnWhen: FIRST_EXCEPTION });
      await sleep(1);
      cancelled.cancel();
      const [done, pending] = await waiting;
      // It returned for `failing`, not for the cancelled task's AbortError.
      expect([done.has(cancelled), done.has(failing), pending.has(slow)]).toEqual([
        true,
        true,
        true,
      ]);
      expect(failing.exception()).toEqual(new Error("real"));
      await slow;
    });
  });
});

describe("timeout()", () => {
  it("timeout(): a body waiting in timers/promises times out with TimeoutError, not AbortError", async () => {
    await run(async () => {
      const err = await timeout(5, hostTimer).catch((e: unknown) => e);
      expect(isTimeoutError(err)).toBe(true);
      expect((err as Error).message).toBe("timeout of 5 ms expired");
      expect(currentTask()!.cancelling()).toBe(0);
    });
  });
});
