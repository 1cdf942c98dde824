import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import { _setImmediate, CancelledError, getRunningLoop } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { LifoQueue, PriorityQueue, Queue, QueueShutDown } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

describe("Queue", () => {
  test("a task whose first step waits in get() lets the loop go on at once, as in asyncio (no host turn per wait)", () =>
    aio(async () => {
      const loop = getRunningLoop();
      const out: string[] = [];
      const q = new Queue<number>();
      _setImmediate(() => out.push("host turn"));
      const t = createTask(async () => {
        out.push(`got ${await q.get()}`);
      });
      loop.callSoon(() => out.push("callback"));
      loop.callSoon(() => q.putNowait(1));
      await t;
      // The host's turn has not come yet: the wait cost no macrotask.
      expect(out).toEqual(["callback", "got 1"]);
    }));

  test("Queue rejects a bad maxsize with named errors", () => {
    expect(() => new Queue(Number.NaN)).toThrow(RangeError);
    expect(() => new Queue(Number.NaN)).toThrow(
      "Queue maxsize must be an integer (0 or less: unbounded), received NaN",
    );
    // @ts-expect-error wrong type
    expect(() => new Queue("2")).toThrow(TypeError);
    expect(() => new LifoQueue(0.5)).toThrow("LifoQueue maxsize must be an integer");
    expect(new Queue(Number.POSITIVE_INFINITY).full()).toBe(false);
    expect(new Queue(-1).maxsize).toBe(-1);
  });

  test("Queue.get() serves waiting consumers in FIFO order", () =>
    aio(async () => {
      const q = new Queue<number>();
      const got: string[] = [];
      const consumers = ["a", "b", "c"].map((name) =>
        createTask(async () => {
          got.push(`${name}:${await q.get()}`);
        }),
      );
      await sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      q.putNowait(3);
      await gather(...consumers);
      expect(got).toEqual(["a:1", "b:2", "c:3"]);
    }));

  test("Queue.get() does not let a newcomer take the item meant for a woken consumer", () =>
    aio(async () => {
      const q = new Queue<string>();
      const got: string[] = [];
      const waiter = createTask(async () => {
        got.push(`waiter:${await q.get()}`);
      });
      await sleep(0);
      q.putNowait("x"); // wakes `waiter`
      const newcomer = createTask(async () => {
        got.push(`newcomer:${await q.get()}`);
      });
      await sleep(0);
      q.putNowait("y");
      await gather(waiter, newcomer);
      expect(got).toEqual(["waiter:x", "newcomer:y"]);
    }));

  test("Queue.get(): a woken consumer that lost its item to getNowait() keeps its place", () =>
    aio(async () => {
      const q = new Queue<string>();
      const got: string[] = [];
      const a = createTask(async () => got.push(`a:${await q.get()}`));
      const b = createTask(async () => got.push(`b:${await q.get()}`));
      await sleep(0);
      q.putNowait("x"); // wakes a
      expect(q.getNowait()).toBe("x"); // a non-blocking call takes it first
      await sleep(0);
      q.putNowait("y");
      q.putNowait("z");
      await gather(a, b);
      expect(got).toEqual(["a:y", "b:z"]);
    }));

  test("Queue.get(): cancellation after wake-up passes the item on", () =>
    aio(async () => {
      const q = new Queue<string>();
      const a = createTask(() => q.get());
      const b = createTask(() => q.get());
      await sleep(0);
      q.putNowait("item"); // wakes a
      a.cancel(); // a is cancelled before it runs
      await expect(a).rejects.toBeInstanceOf(CancelledError);
      expect(await b).toBe("item");
      expect(String(q)).toBe("<Queue maxsize=0 tasks=1>");
    }));

  test("Queue.put(): cancellation after wake-up passes the free slot on", () =>
    aio(async () => {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const a = createTask(() => q.put("a"));
      const b = createTask(() => q.put("b"));
      await sleep(0);
      expect(q.getNowait()).toBe("first"); // wakes a
      a.cancel();
      await expect(a).rejects.toBeInstanceOf(CancelledError);
      await b;
      expect(q.getNowait()).toBe("b");
      expect(q.empty()).toBe(true);
    }));

  test("Queue.get({ signal }) and put({ signal }) reject with the reason and lose nothing", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      await expect(q.get({ signal: AbortSignal.abort("now") })).rejects.toBe("now");
      const ctrl = new AbortController();
      const getting = q.get({ signal: ctrl.signal });
      await sleep(0);
      ctrl.abort("stop");
      await expect(getting).rejects.toBe("stop");
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(0);
      q.putNowait(1);
      const ctrl2 = new AbortController();
      const putting = q.put(2, { signal: ctrl2.signal });
      await sleep(0);
      ctrl2.abort("full");
      await expect(putting).rejects.toBe("full");
      expect(String(q)).toBe("<Queue maxsize=1 _queue=[1] tasks=1>");
      await expect(q.put(3, { signal: AbortSignal.abort("x") })).rejects.toBe("x");
      expect(q.getNowait()).toBe(1);
      q.taskDone();
      await expect(q.join({ signal: AbortSignal.abort("j") })).rejects.toBe("j");
    }));

  test("Queue.join() waits for taskDone() of every item; a cancelled join leaves nothing", () =>
    aio(async () => {
      const q = new Queue<number>();
      const log: string[] = [];
      q.putNowait(1);
      q.putNowait(2);
      const joiner = createTask(async () => {
        await q.join();
        log.push("joined");
      });
      const cancelled = createTask(() => q.join());
      await sleep(0);
      cancelled.cancel();
      await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
      q.getNowait();
      q.taskDone();
      log.push("one done");
      await sleep(0);
      q.getNowait();
      q.taskDone();
      log.push("two done");
      await joiner;
      expect(log).toEqual(["one done", "two done", "joined"]);
    }));

  test("Queue is an async iterable that drains, then ends on shutdown", () =>
    aio(async () => {
      const q = new Queue<number>(2);
      const got: number[] = [];
      const consumer = createTask(async () => {
        for await (const n of q) got.push(n);
        return "ended";
      });
      for (let i = 0; i < 5; i++) await q.put(i);
      q.shutdown();
      expect(await consumer).toBe("ended");
      expect(got).toEqual([0, 1, 2, 3, 4]);
    }));

  test("Queue async iteration is cancellable while waiting", () =>
    aio(async () => {
      const q = new Queue<number>();
      const consumer = createTask(async () => {
        for await (const _ of q) {
          /* nothing arrives */
        }
      });
      await sleep(0);
      consumer.cancel();
      await expect(consumer).rejects.toBeInstanceOf(CancelledError);
      expect(String(q)).toBe("<Queue maxsize=0>");
    }));

  test("Queue.shutdown(true) discards items, releases join() and every blocked call", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const putter = createTask(() => q.put(2));
      const joiner = createTask(() => q.join());
      await sleep(0);
      q.shutdown(true);
      await expect(putter).rejects.toBeInstanceOf(QueueShutDown);
      await joiner;
      expect(q.qsize()).toBe(0);
      const empty = new Queue<number>();
      const getter = createTask(() => empty.get());
      await sleep(0);
      empty.shutdown();
      await expect(getter).rejects.toThrow(new QueueShutDown("Queue is shut down"));
      empty.shutdown(); // harmless twice
      expect(String(empty)).toBe("<Queue maxsize=0 shutdown>");
    }));

  test("Queue describes itself", () => {
    const q = new Queue<unknown>(2);
    q.putNowait(1);
    q.putNowait("a");
    expect(inspect(q)).toBe("<Queue maxsize=2 _queue=[1, 'a'] tasks=2>");
    expect(Object.prototype.toString.call(q)).toBe("[object Queue]");
    const big = new Queue<number>();
    for (let i = 0; i < 25; i++) big.putNowait(i);
    expect(String(big)).toMatch(/_queue=\[0, 1, .*, 19, … 5 more\] tasks=25>$/);
  });
});

describe("PriorityQueue", () => {
  test("PriorityQueue orders [priority, data] tuples as Python does", () => {
    const q = new PriorityQueue<[number, string]>();
    q.putNowait([3, "c"]);
    q.putNowait([1, "b"]);
    q.putNowait([1, "a"]);
    q.putNowait([2, "x"]);
    expect([q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([
      [1, "a"],
      [1, "b"],
      [2, "x"],
      [3, "c"],
    ]);
  });

  test("PriorityQueue takes a compare option, and rejects unorderable items", () => {
    const q = new PriorityQueue<{ p: number }>(0, { compare: (a, b) => b.p - a.p });
    for (const p of [1, 5, 3]) q.putNowait({ p });
    expect([q.getNowait().p, q.getNowait().p, q.getNowait().p]).toEqual([5, 3, 1]);
    const bad = new PriorityQueue<object>();
    bad.putNowait({});
    expect(() => bad.putNowait({})).toThrow(TypeError);
    // @ts-expect-error wrong type
    expect(() => new PriorityQueue(0, { compare: 1 })).toThrow(TypeError);
    expect(String(new PriorityQueue(3))).toBe("<PriorityQueue maxsize=3>");
  });
});

describe("LifoQueue", () => {
  test("LifoQueue hands out the newest item first, with blocking get", () =>
    aio(async () => {
      const q = new LifoQueue<number>();
      const getter = createTask(() => q.get());
      await sleep(0);
      q.putNowait(1);
      expect(await getter).toBe(1);
      q.putNowait(2);
      q.putNowait(3);
      expect(await q.get()).toBe(3);
      expect(String(q)).toBe("<LifoQueue maxsize=0 _queue=[2] tasks=3>");
    }));
});
