/**
 * The helpers' types tell the truth (checked by the root `pnpm typecheck`,
 * which covers this file; the runtime values are checked too): generator
 * functions give their return value, options objects keep the tuple, mixed
 * arguments infer a union, Tasks stay Tasks, taskGroup() may give undefined.
 */
import {
  asCompleted,
  type CompletedFuture,
  type Coroutine,
  createTask,
  ensureFuture,
  type Future,
  type GatheringFuture,
  gather,
  type ResultOf,
  shield,
  sleep,
  type Task,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, expectTypeOf, it } from "vitest";

function* genNumber(): Coroutine<number> {
  yield* sleep(1);
  return 1;
}

describe("ResultOf", () => {
  it("ResultOf<A> is what awaiting a combinator argument gives", () => {
    expectTypeOf<ResultOf<() => number>>().toEqualTypeOf<number>();
    expectTypeOf<ResultOf<() => Promise<string>>>().toEqualTypeOf<string>();
    expectTypeOf<ResultOf<typeof genNumber>>().toEqualTypeOf<number>();
    expectTypeOf<ResultOf<Coroutine<boolean>>>().toEqualTypeOf<boolean>();
    expectTypeOf<ResultOf<Task<bigint>>>().toEqualTypeOf<bigint>();
    expectTypeOf<ResultOf<PromiseLike<Promise<1>>>>().toEqualTypeOf<1>();
  });
});

describe("gather()", () => {
  it("gather(): mixed, generator and option arguments", async () => {
    await runVirtual(async () => {
      const plain = gather(
        () => 1,
        async () => "x",
      );
      expectTypeOf(plain).toEqualTypeOf<GatheringFuture<[number, string]>>();
      expect(await plain).toEqual([1, "x"]);

      const gen = gather(
        genNumber,
        genNumber(),
        createTask(async () => true),
      );
      expectTypeOf(gen).toEqualTypeOf<GatheringFuture<[number, number, boolean]>>();
      expect(await gen).toEqual([1, 1, true]);

      const off = gather(
        () => 1,
        async () => "x",
        { returnExceptions: false },
      );
      expectTypeOf(off).toEqualTypeOf<GatheringFuture<[number, string]>>();
      expect(await off).toEqual([1, "x"]);

      const none = gather(
        () => 1,
        async () => "x",
        {},
      );
      expectTypeOf(none).toEqualTypeOf<GatheringFuture<[number, string]>>();
      await none;

      // With returnExceptions each position is its result *or what was thrown*,
      // and JavaScript can throw anything: `T | unknown`, which is `unknown`.
      const on = gather(
        () => 1,
        async () => {
          throw new Error("x");
        },
        { returnExceptions: true },
      );
      expectTypeOf(on).toEqualTypeOf<GatheringFuture<[unknown, unknown]>>();
      const [a, b] = await on;
      expect([a, (b as Error).message]).toEqual([1, "x"]);

      const flag = Math.random() > 2; // a boolean not known statically
      const maybe = gather(() => 1, { returnExceptions: flag });
      expectTypeOf(maybe).toEqualTypeOf<GatheringFuture<[unknown]>>();
      await maybe;
    });
  });
});

describe("wait() and asCompleted()", () => {
  it("wait(): mixed Tasks infer a union and stay Tasks (getName() without a cast)", async () => {
    await runVirtual(async () => {
      const n = createTask(async () => 1, { name: "n" });
      const s = createTask(async () => "s", { name: "s" });
      const [done, pending] = await wait([n, s]);
      expectTypeOf(done).toEqualTypeOf<Set<Task<number> | Task<string>>>();
      expectTypeOf(pending).toEqualTypeOf<Set<Task<number> | Task<string>>>();
      expect([...done].map((t) => t.getName()).sort()).toEqual(["n", "s"]);

      const fut: Future<bigint> = ensureFuture(async () => 1n);
      const [done2] = await wait([fut, genNumber, async () => "x"]);
      expectTypeOf(done2).toEqualTypeOf<Set<Future<bigint> | Task<number> | Task<string>>>();
      expect(new Set([...done2].map((f) => f.result()))).toEqual(new Set([1n, 1, "x"]));
    });
  });

  it("asCompleted(): mixed arguments infer a union of results", async () => {
    await runVirtual(async () => {
      const ac = asCompleted([createTask(async () => 1), createTask(async () => "s"), genNumber]);
      const seen: (number | string)[] = [];
      for (const next of ac) {
        expectTypeOf(next).toEqualTypeOf<PromiseLike<number | string>>();
        seen.push(await next);
      }
      expect(seen.sort()).toEqual([1, 1, "s"]);
      // `for await` hands out the futures themselves: Tasks stay Tasks (getName(), no cast).
      for await (const f of asCompleted([createTask(async () => 2), async () => "t"])) {
        expectTypeOf(f).toEqualTypeOf<
          CompletedFuture<number | string, Task<number> | Task<string>>
        >();
        expectTypeOf(f.result()).toEqualTypeOf<number | string>();
        expect(f.getName()).toMatch(/^Task-\d+$/);
      }
    });
  });
});

describe("waitFor(), shield(), TaskGroup.createTask()", () => {
  it("generator functions give their return value, not the generator", async () => {
    await runVirtual(async () => {
      const w = waitFor(genNumber, 100);
      expectTypeOf(w).toEqualTypeOf<Promise<number>>();
      expect(await w).toBe(1);
      const w2 = waitFor(async () => "x", 100);
      expectTypeOf(w2).toEqualTypeOf<Promise<string>>();
      expect(await w2).toBe("x");
      const w3 = waitFor(
        createTask(async () => 3n),
        null,
      );
      expectTypeOf(w3).toEqualTypeOf<Promise<bigint>>();
      await w3;

      const sh = shield(genNumber);
      expectTypeOf(sh).toEqualTypeOf<Future<number>>();
      expect(await sh).toBe(1);

      const r = await taskGroup(async (tg) => {
        const t = tg.createTask(genNumber);
        expectTypeOf(t).toEqualTypeOf<Task<number>>();
        const u = tg.createTask(async () => "u");
        expectTypeOf(u).toEqualTypeOf<Task<string>>();
        return [t, u] as const;
      });
      expect(r?.map((t) => t.result())).toEqual([1, "u"]);
    });
  });
});

describe("taskGroup() and timeout()", () => {
  it("taskGroup(): the result may be undefined (tg.cancel()), and is at run time", async () => {
    await runVirtual(async () => {
      const r = await taskGroup(async (tg) => {
        tg.createTask(async () => {
          await sleep(1);
          tg.cancel();
        });
        await sleep(10);
        return 1;
      });
      expectTypeOf(r).toEqualTypeOf<number | undefined>();
      expect(r).toBeUndefined();
      const t = timeout(10, async () => "in time");
      expectTypeOf(t).toEqualTypeOf<Promise<string>>();
      expect(await t).toBe("in time");
    });
  });
});
