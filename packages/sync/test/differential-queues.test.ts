/**
 * Differential cases for the promise forms of Queue, PriorityQueue and
 * LifoQueue: each scenario was run on CPython's asyncio and its event log is
 * the expected value here (see differential-primitives.test.ts for how).
 */
import { createTask, sleep } from "@aio/futures";
import { LifoQueue, PriorityQueue, Queue } from "@aio/sync";
import { describe, expect, it } from "vitest";
import { fmt, py, settle, show, ticks } from "./differential-log.js";
import { aio } from "./helpers.js";

describe("Queue, PriorityQueue, LifoQueue", () => {
  const qp = (q: Queue<unknown>): string =>
    `${q} qsize=${q.qsize()} empty=${py(q.empty())} full=${py(q.full())}`;

  const putter = (q: Queue<string>, log: string[]) => (x: string) => async () => {
    try {
      await q.put(x);
      log.push(`put ${x} ${q}`);
    } catch (e) {
      log.push(`put ${x} ${show(e)} ${q}`);
      throw e;
    }
  };

  it("Queue.shutdown(true) with join() waiters: the discarded items count as done, the one taken still holds join()", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>();
      for (const x of "abcd") q.putNowait(x);
      log.push(`got ${q.getNowait()}`);
      const j = (n: number) => async () => {
        await q.join();
        log.push(`join${n} done ${q}`);
      };
      const js = [0, 1].map((i) => createTask(j(i)));
      await sleep(0);
      log.push(qp(q));
      q.shutdown(true);
      log.push(qp(q));
      await ticks(log, 1, () => qp(q));
      q.taskDone();
      log.push(`task_done ${q}`);
      await ticks(log, 1, () => qp(q));
      try {
        q.taskDone();
      } catch (e) {
        log.push(show(e));
      }
      await settle(js);
      await settle([
        createTask(async () => {
          await q.join();
          log.push("join after done");
        }),
      ]);
      for (const f of [() => q.putNowait("1"), () => q.getNowait()]) {
        try {
          f();
        } catch (e) {
          log.push(show(e));
        }
      }
      expect(log).toEqual([
        "got a",
        "<Queue maxsize=0 _queue=['b', 'c', 'd'] tasks=4> qsize=3 empty=False full=False",
        "<Queue maxsize=0 tasks=1 shutdown> qsize=0 empty=True full=False",
        "tick0 <Queue maxsize=0 tasks=1 shutdown> qsize=0 empty=True full=False",
        "task_done <Queue maxsize=0 shutdown>",
        "join0 done <Queue maxsize=0 shutdown>",
        "join1 done <Queue maxsize=0 shutdown>",
        "tick0 <Queue maxsize=0 shutdown> qsize=0 empty=True full=False",
        "ValueError: taskDone() called too many times",
        "join after done",
        "QueueShutDown",
        "QueueShutDown",
      ]);
    }));

  it("Queue.shutdown(true) on a full queue: the blocked putter fails, and join() returns at once", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<number>(2);
      q.putNowait(1);
      q.putNowait(2);
      const ts = [
        createTask(async () => {
          try {
            await q.put(3);
            log.push("put 3");
          } catch (e) {
            log.push(`put 3 ${show(e)}`);
          }
        }),
      ];
      await sleep(0);
      log.push(qp(q));
      q.shutdown(true);
      log.push(qp(q));
      ts.push(
        createTask(async () => {
          try {
            log.push(`g got ${await q.get()}`);
          } catch (e) {
            log.push(`g ${show(e)}`);
          }
        }),
      );
      await settle(ts);
      log.push(qp(q));
      await settle([
        createTask(async () => {
          await q.join();
          log.push("join done");
        }),
      ]);
      expect(log).toEqual([
        "<Queue maxsize=2 _queue=[1, 2] _putters[1] tasks=2> qsize=2 empty=False full=True",
        "<Queue maxsize=2 shutdown> qsize=0 empty=True full=False",
        "put 3 QueueShutDown",
        "g QueueShutDown",
        "<Queue maxsize=2 shutdown> qsize=0 empty=True full=False",
        "join done",
      ]);
    }));

  it("Queue: a putter cancelled after getNowait() woke it passes the slot to the next putter; its item never enters", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>(1);
      q.putNowait("a");
      const p = putter(q, log);
      const ts = [createTask(p("b")), createTask(p("c"))];
      await sleep(0);
      log.push(String(q));
      log.push(`got ${q.getNowait()}`);
      ts[0]!.cancel();
      log.push(String(q));
      await ticks(log, 2, () => qp(q));
      log.push(`got ${await q.get()}`);
      log.push(qp(q));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "<Queue maxsize=1 _queue=['a'] _putters[2] tasks=1>",
        "got a",
        "<Queue maxsize=1 _putters[1] tasks=1>",
        "put b CancelledError() <Queue maxsize=1 tasks=1>",
        "tick0 <Queue maxsize=1 tasks=1> qsize=0 empty=True full=False",
        "put c <Queue maxsize=1 _queue=['c'] tasks=2>",
        "tick1 <Queue maxsize=1 _queue=['c'] tasks=2> qsize=1 empty=False full=True",
        "got c",
        "<Queue maxsize=1 tasks=2> qsize=0 empty=True full=False",
        "results CancelledError(), None",
      ]);
    }));

  it("Queue: a putter cancelled before a slot frees leaves the line; the slot goes to the next putter", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>(1);
      q.putNowait("a");
      const p = putter(q, log);
      const ts = [createTask(p("b")), createTask(p("c"))];
      await sleep(0);
      ts[0]!.cancel();
      await sleep(0);
      log.push(String(q));
      log.push(`got ${await q.get()}`);
      await ticks(log, 1, () => qp(q));
      log.push(`got ${await q.get()}`);
      log.push(qp(q));
      log.push(fmt(await settle(ts)));
      expect(log).toEqual([
        "put b CancelledError() <Queue maxsize=1 _queue=['a'] _putters[1] tasks=1>",
        "<Queue maxsize=1 _queue=['a'] _putters[1] tasks=1>",
        "got a",
        "put c <Queue maxsize=1 _queue=['c'] tasks=2>",
        "tick0 <Queue maxsize=1 _queue=['c'] tasks=2> qsize=1 empty=False full=True",
        "got c",
        "<Queue maxsize=1 tasks=2> qsize=0 empty=True full=False",
        "results CancelledError(), None",
      ]);
    }));

  it("Queue(maxsize <= 0) is unbounded: full() is never true and put() never waits", () =>
    aio(async () => {
      const log: string[] = [];
      for (const m of [0, -1, -5]) {
        const q = new Queue<number>(m);
        for (let i = 0; i < 50; i++) q.putNowait(i);
        log.push(`maxsize=${q.maxsize} qsize=${q.qsize()} full=${py(q.full())}`);
        await q.put(99);
        log.push(`put ok full=${py(q.full())}`);
      }
      log.push(String(new Queue(-1)));
      expect(log).toEqual([
        "maxsize=0 qsize=50 full=False",
        "put ok full=False",
        "maxsize=-1 qsize=50 full=False",
        "put ok full=False",
        "maxsize=-5 qsize=50 full=False",
        "put ok full=False",
        "<Queue maxsize=-1>",
      ]);
    }));

  it("Queue.shutdown(): qsize/full/empty still describe the items, get()/getNowait() drain them, then throw QueueShutDown", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>(3);
      for (const x of "abc") q.putNowait(x);
      q.shutdown();
      log.push(qp(q));
      try {
        q.putNowait("d");
      } catch (e) {
        log.push(show(e));
      }
      try {
        await q.put("e");
      } catch (e) {
        log.push(`put ${show(e)}`);
      }
      log.push(`got ${q.getNowait()} ${qp(q)}`);
      log.push(`got ${await q.get()} ${qp(q)}`);
      log.push(`got ${q.getNowait()} ${qp(q)}`);
      try {
        q.getNowait();
      } catch (e) {
        log.push(`get_nowait ${show(e)}`);
      }
      try {
        await q.get();
      } catch (e) {
        log.push(`get ${show(e)}`);
      }
      q.shutdown();
      q.shutdown(true);
      log.push(qp(q));
      for (let i = 0; i < 3; i++) q.taskDone();
      await q.join();
      log.push("joined");
      expect(log).toEqual([
        "<Queue maxsize=3 _queue=['a', 'b', 'c'] tasks=3 shutdown> qsize=3 empty=False full=True",
        "QueueShutDown",
        "put QueueShutDown",
        "got a <Queue maxsize=3 _queue=['b', 'c'] tasks=3 shutdown> qsize=2 empty=False full=False",
        "got b <Queue maxsize=3 _queue=['c'] tasks=3 shutdown> qsize=1 empty=False full=False",
        "got c <Queue maxsize=3 tasks=3 shutdown> qsize=0 empty=True full=False",
        "get_nowait QueueShutDown",
        "get QueueShutDown",
        "<Queue maxsize=3 tasks=3 shutdown> qsize=0 empty=True full=False",
        "joined",
      ]);
    }));

  it("Queue.shutdown(): a getter already woken keeps its item, the other waiting getter and putter fail", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new Queue<string>(1);
      const g = (n: number) => async () => {
        try {
          log.push(`${n} got ${await q.get()}`);
        } catch (e) {
          log.push(`${n} ${show(e)}`);
        }
      };
      const p = (x: string) => async () => {
        try {
          await q.put(x);
          log.push(`put ${x}`);
        } catch (e) {
          log.push(`put ${x} ${show(e)}`);
        }
      };
      const ts = [0, 1, 2].map((i) => createTask(g(i)));
      await sleep(0);
      q.putNowait("x");
      ts.push(createTask(p("y")), createTask(p("z")));
      await sleep(0);
      log.push(String(q));
      q.shutdown();
      log.push(String(q));
      await settle(ts);
      log.push(qp(q));
      expect(log).toEqual([
        "0 got x",
        "put y",
        "<Queue maxsize=1 _queue=['y'] _getters[1] _putters[1] tasks=2>",
        "<Queue maxsize=1 _queue=['y'] tasks=2 shutdown>",
        "1 got y",
        "2 QueueShutDown",
        "put z QueueShutDown",
        "<Queue maxsize=1 tasks=2 shutdown> qsize=0 empty=True full=False",
      ]);
    }));

  it("PriorityQueue: items of equal priority come out in heapq's order", () =>
    aio(async () => {
      const log: string[] = [];
      type P = { p: number; l: string };
      const q = new PriorityQueue<P>(0, { compare: (a, b) => a.p - b.p });
      const put = (ps: number[], every?: number) =>
        ps.forEach((p, i) => {
          q.putNowait({ p, l: String.fromCharCode(97 + i) });
          if (every !== undefined && i % every === every - 1) log.push(`pop ${s(q.getNowait())}`);
        });
      const s = (x: P) => `${x.p}${x.l}`;
      const drain = () => Array.from({ length: q.qsize() }, () => s(q.getNowait())).join(" ");
      put([1, 1, 1, 1, 1, 1, 1]);
      log.push(drain());
      put([2, 1, 2, 1, 2, 1, 1, 2]);
      log.push(drain());
      put([3, 1, 2, 1, 3, 2, 1, 1, 2, 3, 1], 3);
      log.push(drain());
      expect(log).toEqual([
        "1a 1c 1f 1g 1e 1b 1d",
        "1b 1f 1g 1d 2c 2h 2e 2a",
        "pop 1b",
        "pop 1d",
        "pop 1g",
        "1h 1k 2i 2f 2c 3a 3j 3e",
      ]);
    }));

  it("PriorityQueue: a woken getter takes the smallest item when it runs, not the one that woke it", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new PriorityQueue<number>();
      const ts = [0, 1].map((n) =>
        createTask(async () => {
          log.push(`${n} got ${await q.get()}`);
        }),
      );
      await sleep(0);
      q.putNowait(5);
      q.putNowait(1);
      q.putNowait(3);
      log.push(String(q));
      await settle(ts);
      log.push(String(q));
      expect(log).toEqual([
        "<PriorityQueue maxsize=0 _queue=[1, 5, 3] tasks=3>",
        "0 got 1",
        "1 got 3",
        "<PriorityQueue maxsize=0 _queue=[5] tasks=3>",
      ]);
    }));

  it("LifoQueue: woken getters take the newest items when they run; after shutdown() getNowait() drains what is left", () =>
    aio(async () => {
      const log: string[] = [];
      const q = new LifoQueue<string>();
      const ts = [0, 1].map((n) =>
        createTask(async () => {
          log.push(`${n} got ${await q.get()}`);
        }),
      );
      await sleep(0);
      for (const x of "abc") q.putNowait(x);
      log.push(String(q));
      await settle(ts);
      log.push(String(q));
      q.shutdown();
      log.push(`got ${q.getNowait()}`);
      try {
        q.getNowait();
      } catch (e) {
        log.push(show(e));
      }
      expect(log).toEqual([
        "<LifoQueue maxsize=0 _queue=['a', 'b', 'c'] tasks=3>",
        "0 got c",
        "1 got b",
        "<LifoQueue maxsize=0 _queue=['a'] tasks=3>",
        "got a",
        "QueueShutDown",
      ]);
    }));
});
