/** Port of CPython 3.13 `test_tasks.py`, BaseTaskTests: `wait()` and `as_completed()` (see `tasks.test.ts`). */

import { getRunningLoop, TimeoutError, ValueError } from "@aio/core";
import {
  ALL_COMPLETED,
  asCompleted,
  createTask,
  ensureFuture,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  sleep,
  wait,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";
import { now, withLoop } from "./helpers.js";

describe("BaseTaskTests: wait() and asCompleted()", () => {
  it("test_wait", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const foo = async () => {
        const [done, pending] = await wait([b, a]);
        expect(done).toEqual(new Set([a, b]));
        expect(pending.size).toBe(0);
        return 42;
      };
      expect(await loop.runUntilComplete(foo)).toBe(42);
      expect(loop.time()).toBe(150);
      // Again: no time passes, a different path (all already done).
      expect(await loop.runUntilComplete(foo)).toBe(42);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_duplicate_coroutines", async () => {
    await withLoop(async (loop) => {
      const c = loop.createTask(async () => "test");
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([c, c, loop.createTask(async () => "spam")]),
      );
      expect(pending.size).toBe(0);
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["test", "spam"]));
    });
  });

  it("test_wait_errors", async () => {
    await runVirtual(async () => {
      await expect(wait(new Set<Future<unknown>>())).rejects.toThrow(
        new ValueError("Set of Tasks/Futures is empty."),
      );
      const started: string[] = [];
      const fn = async () => {
        started.push("fn");
      };
      await expect(wait([fn], { returnWhen: -1 as never })).rejects.toThrow(ValueError);
      await expect(wait([fn], { returnWhen: -1 as never })).rejects.toThrow(
        'wait() options.returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", received -1',
      );
      expect(started).toEqual([]);
    });
  });

  it("test_wait_first_completed", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(() => sleep(100));
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_COMPLETED }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(a.done()).toBe(false);
      expect(b.result()).toBeUndefined();
      expect(loop.time()).toBe(100);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_really_done", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(async () => {
        await sleep(0);
      });
      const b = loop.createTask(async () => {
        await sleep(0);
        await sleep(0);
      });
      const [done] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_COMPLETED }),
      );
      expect(done).toEqual(new Set([a, b]));
    });
  });

  it("test_wait_first_exception", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(async () => {
        throw new RangeError("err");
      });
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_EXCEPTION }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(0);
      expect(b.exception()).toBeInstanceOf(RangeError);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_first_exception_in_wait", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(10_000));
      const b = loop.createTask(async () => {
        await sleep(10);
        throw new RangeError("err");
      });
      const [done, pending] = await loop.runUntilComplete(() =>
        wait([b, a], { returnWhen: FIRST_EXCEPTION }),
      );
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(10);
      b.exception();
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_with_exception", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(async () => {
        await sleep(150);
        throw new RangeError("really");
      });
      const foo = async () => {
        const [done, pending] = await wait([b, a]);
        expect(done.size).toBe(2);
        expect(pending.size).toBe(0);
        expect([...done].filter((f) => f.exception() !== undefined)).toEqual([b]);
      };
      await loop.runUntilComplete(foo);
      expect(loop.time()).toBe(150);
      await loop.runUntilComplete(foo);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_with_timeout", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a], { timeout: 110 }));
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(b.cancelled()).toBe(false); // wait() never cancels
      expect(loop.time()).toBe(110);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_concurrent_complete", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a], { timeout: 100 }));
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(loop.time()).toBe(100);
      await loop.runUntilComplete(() => wait([a, b]));
    });
  });

  it("test_wait_with_iterator_of_tasks", async () => {
    await withLoop(async (loop) => {
      const a = loop.createTask(() => sleep(100));
      const b = loop.createTask(() => sleep(150));
      const [done, pending] = await loop.runUntilComplete(() => wait([b, a][Symbol.iterator]()));
      expect(done).toEqual(new Set([a, b]));
      expect(pending.size).toBe(0);
      expect(loop.time()).toBe(150);
    });
  });

  it("test_wait_generator", async () => {
    await runVirtual(async () => {
      function* tasks() {
        for (let i = 0; i < 10; i++) yield createTask(async () => i);
      }
      const [done, pending] = await wait(tasks(), { returnWhen: ALL_COMPLETED });
      expect(done.size).toBe(10);
      expect(pending.size).toBe(0);
    });
  });

  it("test_wait_invalid_args", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<void>();
      await expect(wait(fut as never)).rejects.toThrow(TypeError);
      await expect(wait(fut as never)).rejects.toThrow(
        "wait() expects an iterable of futures, tasks or functions, received an instance of Future",
      );
      await expect(wait([])).rejects.toThrow(ValueError);
    });
  });

  for (const form of ["try_iterator", "try_async_iterator"] as const) {
    const collect = async <T>(aws: Iterable<(() => Promise<T>) | Future<T>>) => {
      const values: T[] = [];
      if (form === "try_iterator") {
        for (const f of asCompleted(aws)) values.push(await f);
      } else {
        for await (const f of asCompleted(aws)) values.push(f.result());
      }
      return values;
    };

    it(`test_as_completed (${form})`, async () => {
      await runVirtual(async () => {
        const sleeper = (ms: number, x: string) => () => sleep(ms, x);
        const res = await collect([sleeper(10, "b"), sleeper(150, "c"), sleeper(10, "a")]);
        expect(now()).toBe(150);
        expect(new Set(res.slice(0, 2))).toEqual(new Set(["a", "b"]));
        expect(res[2]).toBe("c");
      });
    });

    it(`test_as_completed_with_timeout (${form})`, async () => {
      await runVirtual(async () => {
        const a = createTask(() => sleep(100, "a"));
        const b = createTask(() => sleep(150, "b"));
        const values: [number, unknown][] = [];
        if (form === "try_iterator") {
          for (const f of asCompleted([a, b], { timeout: 120 })) {
            try {
              values.push([1, await f]);
            } catch (exc) {
              values.push([2, exc]);
            }
          }
        } else {
          try {
            for await (const f of asCompleted([a, b], { timeout: 120 })) values.push([1, await f]);
          } catch (exc) {
            values.push([2, exc]);
          }
        }
        expect(values.length).toBe(2);
        expect(values[0]).toEqual([1, "a"]);
        expect(values[1]![0]).toBe(2);
        expect(values[1]![1]).toBeInstanceOf(TimeoutError);
        expect(now()).toBe(120);
        await wait([a, b]);
        expect(b.cancelled()).toBe(false);
      });
    });

    it(`test_as_completed_with_unused_timeout (${form})`, async () => {
      await runVirtual(async () => {
        expect(await collect([() => sleep(10, "a")].map((fn) => fn))).toEqual(["a"]);
        const values: string[] = [];
        if (form === "try_iterator") {
          for (const f of asCompleted([() => sleep(10, "a")], { timeout: 1000 }))
            values.push(await f);
        } else {
          for await (const f of asCompleted([() => sleep(10, "a")], { timeout: 1000 }))
            values.push(f.result());
        }
        expect(values).toEqual(["a"]);
        expect(now()).toBe(20);
      });
    });

    it(`test_as_completed_resume_iterator (${form})`, async () => {
      await runVirtual(async () => {
        const iterator = asCompleted([0, 1, 2, 3].map((i) => async () => i));
        const collected: number[] = [];
        let iterations = 0;
        if (form === "try_iterator") {
          for (const f of iterator) {
            collected.push(await f);
            if (++iterations === 2) break;
          }
          expect(collected.length).toBe(2);
          for (const f of iterator) collected.push(await f);
        } else {
          for await (const f of iterator) {
            collected.push(f.result());
            if (++iterations === 2) break;
          }
          expect(collected.length).toBe(2);
          for await (const f of iterator) collected.push(f.result());
        }
        expect(collected.sort()).toEqual([0, 1, 2, 3]);
      });
    });

    it(`test_as_completed_concurrent (${form})`, async () => {
      await runVirtual(async () => {
        const fs = [() => sleep(50, "a"), () => sleep(50, "b")];
        const futs: PromiseLike<string>[] = [];
        if (form === "try_iterator") futs.push(...asCompleted(fs));
        else for await (const f of asCompleted(fs)) futs.push(f as unknown as PromiseLike<string>); // TS types for-await values as Awaited<T>
        expect(futs.length).toBe(2);
        const [done] = await wait(futs.map((f) => ensureFuture(f)));
        expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["a", "b"]));
        expect(now()).toBe(50);
      });
    });

    it(`test_as_completed_duplicate_coroutines (${form})`, async () => {
      await runVirtual(async () => {
        const c = async () => "ham";
        const result = await collect([c, c, async () => "spam"]);
        expect(new Set(result)).toEqual(new Set(["ham", "spam"]));
        expect(result.length).toBe(2);
      });
    });
  }

  it("test_as_completed_same_tasks_in_as_out", async () => {
    await runVirtual(async () => {
      const fns = [0, 1, 2, 3].map((i) => async () => i);
      const out = new Set<unknown>();
      for await (const aw of asCompleted(fns)) out.add(aw);
      for (const fn of fns) expect(out.has(fn)).toBe(false); // functions come back as their tasks
      expect([...out].map((t) => (t as Future<number>).result()).sort()).toEqual([0, 1, 2, 3]);
      const taskB = createTask(async () => "b");
      const taskD = createTask(async () => "d");
      const fnA = async () => "a";
      const out2 = new Set<unknown>();
      for await (const aw of asCompleted([fnA, taskB, async () => "c", taskD])) out2.add(aw);
      expect(out2.has(taskB)).toBe(true);
      expect(out2.has(taskD)).toBe(true);
      expect(out2.has(fnA)).toBe(false);
    });
  });

  it("test_as_completed_reverse_wait", async () => {
    await runVirtual(async () => {
      const futs = [...asCompleted([() => sleep(50, "a"), () => sleep(100, "b")])];
      expect(futs.length).toBe(2);
      expect(await futs[1]!).toBe("a");
      expect(now()).toBe(50);
      expect(await futs[0]!).toBe("b");
      expect(now()).toBe(100);
    });
  });

  it("test_as_completed_coroutine_without_loop", () => {
    expect(() => asCompleted([async () => 42])).toThrow(
      /^no running event loop: asCompleted\(\) needs one — /,
    );
  });

  it("test_as_completed_coroutine_use_running_loop", async () => {
    await runVirtual(async () => {
      const futs = [...asCompleted([async () => 42])];
      expect(futs.length).toBe(1);
      expect(await futs[0]!).toBe(42);
    });
  });

  it("test_as_completed_invalid_args", async () => {
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<void>();
      expect(() => asCompleted(fut as never)).toThrow(TypeError);
      const fn = async () => {};
      expect(() => asCompleted(fn as never)).toThrow(TypeError);
      fut.cancel();
    });
  });
});
