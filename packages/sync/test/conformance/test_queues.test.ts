// CPython Lib/test/test_asyncio/test_queues.py (3.13), ported case by case (test names kept).
import { CancelledError, getRunningLoop, TimeoutError, ValueError } from "@aio/core";
import { createTask, gather, sleep, taskGroup, timeout } from "@aio/futures";
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown } from "@aio/sync";
import { describe, expect, test } from "vitest";
import { aio } from "../helpers.js";

describe("QueueBasicTests", () => {
  test("test_repr / test_str", () =>
    aio(async () => {
      const q = new Queue<number | string>();
      expect(String(q)).toBe("<Queue maxsize=0>");
      const q2 = new Queue<number | string>(3);
      expect(String(q2)).toBe("<Queue maxsize=3>");
      q.putNowait(1);
      expect(String(q)).toBe("<Queue maxsize=0 _queue=[1] tasks=1>");
      q.putNowait("a");
      expect(String(q)).toBe("<Queue maxsize=0 _queue=[1, 'a'] tasks=2>");
      q.getNowait();
      q.getNowait();
      const getter = createTask(() => q.get());
      await sleep(0);
      expect(String(q)).toBe("<Queue maxsize=0 _getters[1] tasks=2>");
      q.putNowait(3);
      await getter;
      const full = new Queue<number>(1);
      full.putNowait(1);
      const putter = createTask(() => full.put(2));
      await sleep(0);
      expect(String(full)).toMatch(/^<Queue maxsize=1 _queue=\[1\] _putters\[1\] tasks=1>$/);
      full.getNowait();
      await putter;
    }));

  test("test_empty", () => {
    const q = new Queue<number>();
    expect(q.empty()).toBe(true);
    q.putNowait(1);
    expect(q.empty()).toBe(false);
    expect(q.getNowait()).toBe(1);
    expect(q.empty()).toBe(true);
  });

  test("test_full", () => {
    const q = new Queue<number>();
    expect(q.full()).toBe(false);
    const q1 = new Queue<number>(1);
    q1.putNowait(1);
    expect(q1.full()).toBe(true);
  });

  test("test_order", () => {
    const q = new Queue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([1, 3, 2]);
  });

  test("test_maxsize", () =>
    aio(async () => {
      const q = new Queue<number>(2);
      expect(q.maxsize).toBe(2);
      const have: number[] = [];
      const putter = createTask(async () => {
        for (let i = 0; i < 3; i++) {
          await q.put(i);
          have.push(i);
        }
        return true;
      });
      await sleep(0);
      expect(have).toEqual([0, 1]);
      expect(q.getNowait()).toBe(0);
      await sleep(0);
      expect(have).toEqual([0, 1, 2]);
      expect(await putter).toBe(true);
    }));

  test("test_float_maxsize (rejected: maxsize must be an integer)", () => {
    expect(() => new Queue(1.3)).toThrow(RangeError);
    expect(() => new Queue(1.3)).toThrow(
      "Queue maxsize must be an integer (0 or less: unbounded), received 1.3",
    );
  });
});

describe("QueueGetTests", () => {
  test("test_blocking_get", () =>
    aio(async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      expect(await q.get()).toBe(1);
    }));

  test("test_get_with_putters", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const putter = createTask(() => q.put(2));
      await sleep(0);
      expect(await q.get()).toBe(1);
      await putter;
      expect(q.getNowait()).toBe(2);
    }));

  test("test_blocking_get_wait", () =>
    aio(async () => {
      const q = new Queue<number>();
      let started = false;
      let finished = false;
      const consumer = createTask(async () => {
        started = true;
        const r = await q.get();
        finished = true;
        return r;
      });
      await sleep(0);
      expect(started && !finished).toBe(true);
      getRunningLoop().callLater(10, () => q.putNowait(1));
      expect(await consumer).toBe(1);
      expect(finished).toBe(true);
      expect(getRunningLoop().time()).toBe(10);
    }));

  test("test_nonblocking_get", () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(q.getNowait()).toBe(1);
  });

  test("test_nonblocking_get_exception", () => {
    const q = new Queue<number>();
    expect(() => q.getNowait()).toThrow(QueueEmpty);
  });

  test("test_get_cancelled_race", () =>
    aio(async () => {
      const q = new Queue<string>();
      const t1 = createTask(() => q.get());
      const t2 = createTask(() => q.get());
      await sleep(0);
      t1.cancel();
      await sleep(0);
      expect(t1.done()).toBe(true);
      await q.put("a");
      await sleep(0);
      expect(await t2).toBe("a");
    }));

  test("test_get_with_waiting_putters", () =>
    aio(async () => {
      const q = new Queue<string>(1);
      const p1 = createTask(() => q.put("a"));
      const p2 = createTask(() => q.put("b"));
      await sleep(0);
      expect(await q.get()).toBe("a");
      expect(await q.get()).toBe("b");
      await gather(p1, p2);
    }));

  test("test_why_are_getters_waiting", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      const got: number[] = [];
      await taskGroup(async (tg) => {
        tg.createTask(async () => {
          for (let i = 0; i < 5; i++) await q.put(i);
        });
        tg.createTask(async () => {
          for (let i = 0; i < 5; i++) got.push(await q.get());
        });
      });
      expect(got).toEqual([0, 1, 2, 3, 4]);
    }));

  test("test_cancelled_getters_not_being_held_in_self_getters", () =>
    aio(async () => {
      const q = new Queue<number>(5);
      await expect(timeout(100, () => q.get())).rejects.toBeInstanceOf(TimeoutError);
      expect(String(q)).toBe("<Queue maxsize=5>");
    }));
});

describe("QueuePutTests", () => {
  test("test_blocking_put", () =>
    aio(async () => {
      const q = new Queue<number>();
      await q.put(1);
      expect(q.getNowait()).toBe(1);
    }));

  test("test_blocking_put_wait", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      let finished = false;
      const producer = createTask(async () => {
        await q.put(1);
        await q.put(2);
        finished = true;
      });
      getRunningLoop().callLater(10, () => q.getNowait());
      await producer;
      expect(finished).toBe(true);
      expect(getRunningLoop().time()).toBe(10);
      expect(q.getNowait()).toBe(2);
    }));

  test("test_nonblocking_put", () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(q.getNowait()).toBe(1);
  });

  test("test_nonblocking_put_exception", () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(QueueFull);
  });

  test("test_put_cancelled", () =>
    aio(async () => {
      const q = new Queue<number>();
      const t = createTask(async () => {
        await q.put(1);
        return true;
      });
      const getter = createTask(() => q.get());
      expect(await t).toBe(true);
      expect(await getter).toBe(1);
    }));

  test("test_put_cancelled_race", () =>
    aio(async () => {
      const q = new Queue<string>(1);
      const putA = createTask(() => q.put("a"));
      const putB = createTask(() => q.put("b"));
      const putC = createTask(() => q.put("X"));
      await sleep(0);
      expect(putA.done()).toBe(true);
      expect(putB.done()).toBe(false);
      putC.cancel();
      await sleep(0);
      expect(putC.done()).toBe(true);
      expect(q.getNowait()).toBe("a");
      await sleep(0);
      expect(q.getNowait()).toBe("b");
      await putB;
      await expect(putC).rejects.toBeInstanceOf(CancelledError);
    }));

  test("test_put_with_waiting_getters", () =>
    aio(async () => {
      const q = new Queue<string>();
      const t = createTask(() => q.get());
      await sleep(0);
      await q.put("a");
      expect(await t).toBe("a");
    }));

  test("test_why_are_putters_waiting", () =>
    aio(async () => {
      const q = new Queue<number>(2);
      const got: number[] = [];
      await taskGroup(async (tg) => {
        for (let p = 0; p < 3; p++) {
          tg.createTask(async () => {
            for (let i = 0; i < 2; i++) await q.put(p * 10 + i);
          });
        }
        tg.createTask(async () => {
          for (let i = 0; i < 6; i++) got.push(await q.get());
        });
      });
      expect([...got].sort((a, b) => a - b)).toEqual([0, 1, 10, 11, 20, 21]);
    }));

  test("test_cancelled_puts_not_being_held_in_self_putters", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      await expect(timeout(100, () => q.put(1))).rejects.toBeInstanceOf(TimeoutError);
      expect(String(q)).toBe("<Queue maxsize=1 _queue=[1] tasks=1>");
    }));

  test("test_cancelled_put_silence_value_error_exception", () =>
    aio(async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const put = createTask(() => q.put(2));
      await sleep(0);
      q.getNowait(); // the putter is woken (and removed from the line)...
      put.cancel(); // ...then cancelled: removing it again must not fail.
      await expect(put).rejects.toBeInstanceOf(CancelledError);
      expect(q.empty()).toBe(true);
    }));
});

describe("LifoQueueTests", () => {
  test("test_order", () => {
    const q = new LifoQueue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([2, 3, 1]);
  });
});

describe("PriorityQueueTests", () => {
  test("test_order", () => {
    const q = new PriorityQueue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([1, 2, 3]);
  });
});

describe("_QueueJoinTestMixin", () => {
  for (const Cls of [Queue, LifoQueue, PriorityQueue]) {
    test(`test_task_done_underflow (${Cls.name})`, () => {
      const q = new Cls<number>();
      expect(() => q.taskDone()).toThrow(ValueError);
      expect(() => q.taskDone()).toThrow("taskDone() called too many times");
    });

    test(`test_task_done (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<number>();
        for (let i = 0; i < 100; i++) q.putNowait(i);
        let accumulator = 0;
        let running = true;
        const worker = async () => {
          while (running) {
            const item = await q.get();
            accumulator += item;
            q.taskDone();
          }
        };
        const tasks = [createTask(worker), createTask(worker)];
        await q.join();
        expect(accumulator).toBe(4950);
        running = false;
        for (const t of tasks) t.cancel();
        await gather(...tasks, { returnExceptions: true });
      }));

    test(`test_join_empty_queue (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<number>();
        await q.join();
        await q.join();
      }));

    test(`test_format (${Cls.name})`, () => {
      const q = new Cls<number>();
      expect(String(q)).toBe(`<${Cls.name} maxsize=0>`);
      q.putNowait(1);
      expect(String(q)).toBe(`<${Cls.name} maxsize=0 _queue=[1] tasks=1>`);
    });
  }
});

describe("_QueueShutdownTestMixin", () => {
  for (const Cls of [Queue, LifoQueue, PriorityQueue]) {
    test(`test_format (${Cls.name})`, () => {
      const q = new Cls<number>();
      q.shutdown();
      expect(String(q)).toBe(`<${Cls.name} maxsize=0 shutdown>`);
    });

    test(`test_shutdown_empty (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<string>();
        const getTask = createTask(() => q.get());
        await sleep(0);
        q.shutdown(false);
        expect(q.qsize()).toBe(0);
        await q.join();
        await sleep(0);
        expect(getTask.done()).toBe(true);
        await expect(getTask).rejects.toBeInstanceOf(QueueShutDown);
        await expect(q.put("data")).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.putNowait("data")).toThrow(QueueShutDown);
        await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
      }));

    test(`test_shutdown_nonempty (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<string>(1);
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        const putTask = createTask(() => q.put("data2"));
        await sleep(0);
        expect(putTask.done()).toBe(false);
        q.shutdown(false);
        expect(q.qsize()).toBe(1);
        await sleep(0);
        expect(putTask.done()).toBe(true);
        await expect(putTask).rejects.toBeInstanceOf(QueueShutDown);
        expect(await q.get()).toBe("data");
        await sleep(0);
        expect(joinTask.done()).toBe(false);
        await expect(q.put("data")).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.putNowait("data")).toThrow(QueueShutDown);
        await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
        q.taskDone();
        await sleep(0);
        expect(joinTask.done()).toBe(true);
        await joinTask;
        expect(() => q.taskDone()).toThrow(ValueError);
      }));

    test(`test_shutdown_immediate (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<string>();
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        q.shutdown(true);
        expect(q.qsize()).toBe(0);
        await sleep(0);
        expect(joinTask.done()).toBe(true);
        await joinTask;
        await expect(q.put("data")).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.putNowait("data")).toThrow(QueueShutDown);
        await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
        expect(() => q.taskDone()).toThrow(ValueError);
      }));

    test(`test_shutdown_immediate_with_unfinished (${Cls.name})`, () =>
      aio(async () => {
        const q = new Cls<string>();
        q.putNowait("data");
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        expect(await q.get()).toBe("data");
        q.shutdown(true);
        expect(q.qsize()).toBe(0);
        await sleep(0);
        expect(joinTask.done()).toBe(false);
        await expect(q.put("data")).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.putNowait("data")).toThrow(QueueShutDown);
        await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
        q.taskDone();
        expect(() => q.taskDone()).toThrow(ValueError);
        await sleep(0);
        expect(joinTask.done()).toBe(true);
        await joinTask;
      }));
  }
});
