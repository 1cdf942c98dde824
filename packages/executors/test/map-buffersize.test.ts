import { ValueError } from "@aio/core";
import { type PoolExecutor, ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { childPids } from "./helpers.js";

// executor.map(fn, iterable, { buffersize }) (asyncio 3.14). The first tests
// are ported from CPython Lib/test/test_concurrent_futures/executor.py and
// keep its test names.

const pools: PoolExecutor[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

const str = (x: number) => String(x);

function* count(): Generator<number> {
  for (let n = 0; ; n++) yield n;
}

async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

describe.each([
  ["ThreadPoolExecutor", () => new ThreadPoolExecutor({ maxWorkers: 2 })],
  ["ProcessPoolExecutor", () => new ProcessPoolExecutor({ maxWorkers: 2 })],
] as const)("%s.map() with buffersize", (kind, make) => {
  const pool = () => {
    const p = make();
    pools.push(p);
    return p;
  };

  test(`test_map_buffersize: ${kind}.map() yields every result in order for any buffersize`, async () => {
    const p = pool();
    for (const buffersize of [1, 2, 4, 8]) {
      const out: string[] = [];
      for await (const v of p.map(str, [0, 1, 2, 3], { buffersize })) out.push(v);
      expect(out).toEqual(["0", "1", "2", "3"]);
    }
  });

  test(`test_map_buffersize_on_infinite_iterable: ${kind}.map() over an endless generator`, async () => {
    const p = pool();
    const res = p.map(str, count(), { buffersize: 2 });
    expect(await take(res, 3)).toEqual(["0", "1", "2"]);
    await res.return?.(undefined);
  });
});

describe("ThreadPoolExecutor.map() with buffersize", () => {
  const pool = () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 2 });
    pools.push(p);
    return p;
  };

  test("test_map_buffersize_type_validation: a buffersize that is not a number is a TypeError", () => {
    const p = pool();
    for (const buffersize of ["foo", 2n]) {
      expect(() => p.map(str, [0, 1, 2, 3], { buffersize: buffersize as never })).toThrow(
        new TypeError(
          `map() buffersize must be an integer >= 1, received ${typeof buffersize === "string" ? '"foo"' : "2n"}`,
        ),
      );
    }
  });

  test("test_map_buffersize_value_validation: a buffersize below 1 is a ValueError", () => {
    const p = pool();
    for (const buffersize of [0, -1, 2.5]) {
      expect(() => p.map(str, [0, 1, 2, 3], { buffersize })).toThrow(
        new ValueError(`map() buffersize must be an integer >= 1, received ${buffersize}`),
      );
    }
  });

  test("test_map_buffersize_on_empty_iterable: map() over nothing ends at once", async () => {
    const p = pool();
    expect(await p.map(str, [], { buffersize: 2 }).next()).toEqual({
      done: true,
      value: undefined,
    });
  });

  test("test_map_buffersize_when_buffer_is_full: map() reads only buffersize items until results are consumed", async () => {
    const p = pool();
    const ints = [0, 1, 2, 3][Symbol.iterator]();
    const res = p.map(str, { [Symbol.iterator]: () => ints }, { buffersize: 2 });
    await p.shutdown({ wait: true }); // wait for the submitted jobs to complete
    expect(ints.next().value).toBe(2); // should have fetched only `buffersize` elements
    // The jobs already submitted give their results; one more cannot be submitted.
    expect(await take(res, 1)).toEqual(["0"]);
    await expect(res.next()).rejects.toThrow("cannot schedule new futures after shutdown");
  });

  test("map() with buffersize closes an endless generator when the consumer stops", async () => {
    const p = pool();
    let closed = false;
    function* naturals(): Generator<number> {
      try {
        yield* count();
      } finally {
        closed = true;
      }
    }
    const out: number[] = [];
    for await (const v of p.map((x: number) => x * 10, naturals(), { buffersize: 3 })) {
      if (v > 40) break;
      out.push(v);
    }
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(closed).toBe(true);
  });

  test("map() property: every result in order, and the iterable is never more than buffersize jobs ahead of the consumer", async () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 2, prefetch: 1 });
    pools.push(p);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(Number.POSITIVE_INFINITY)),
          buffersize: fc.integer({ min: 1, max: 8 }),
          chunksize: fc.integer({ min: 1, max: 3 }),
          take: fc.integer({ min: 0, max: 50 }),
          slowEvery: fc.integer({ min: 0, max: 5 }),
        }),
        async ({ length, buffersize, chunksize, take: wanted, slowEvery }) => {
          let read = 0;
          let received = 0;
          let maxAhead = 0;
          const limit = buffersize * chunksize;
          function* items(): Generator<[number, number]> {
            for (let i = 0; i < length; i++) {
              read++;
              maxAhead = Math.max(maxAhead, read - received);
              yield [i, slowEvery];
            }
          }
          const it = p.map(
            async ([i, slow]: [number, number]) => {
              if (slow > 0 && i % slow === 0) await new Promise((r) => setTimeout(r, 1));
              return i * 2;
            },
            items(),
            { buffersize, chunksize },
          );
          const out: number[] = [];
          if (wanted === 0) await it.return?.(undefined);
          else {
            for await (const v of it) {
              received++;
              out.push(v);
              if (out.length >= wanted) break;
            }
          }
          const expected = Math.min(wanted, length);
          expect(out).toEqual(Array.from({ length: expected }, (_, i) => i * 2));
          expect(maxAhead).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 40 },
    );
  });
});
