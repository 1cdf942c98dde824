import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Lock, Queue, Semaphore } from "@aio/sync";
import { expect, test } from "vitest";

test("lock fifo", async () => {
  const log: number[] = [];
  await run(async () => {
    const lock = new Lock();
    await lock.acquire();
    const ts = [1, 2, 3].map((i) =>
      createTask(async () => {
        await lock.acquire();
        log.push(i);
        lock.release();
      }),
    );
    await sleep(0);
    expect(String(lock)).toBe("<Lock [locked, waiters:3]>");
    lock.release();
    await gather(...ts);
    {
      await using _ = await lock.hold();
      expect(lock.locked()).toBe(true);
    }
    expect(lock.locked()).toBe(false);
  });
  expect(log).toEqual([1, 2, 3]);
});

test("queue", async () => {
  const got: number[] = [];
  await run(async () => {
    const q = new Queue<number>(2);
    const c = createTask(async () => {
      for await (const x of q) {
        got.push(x);
        q.taskDone();
      }
    });
    for (let i = 0; i < 10; i++) await q.put(i);
    await q.join();
    q.shutdown();
    await c;
  });
  expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("sem run", async () => {
  let inflight = 0,
    max = 0;
  await run(async () => {
    const sem = new Semaphore(3);
    const r = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sem.run(async () => {
          inflight++;
          max = Math.max(max, inflight);
          await sleep(1);
          inflight--;
          return i;
        }),
      ),
    );
    expect(r.length).toBe(20);
  });
  expect(max).toBe(3);
});
