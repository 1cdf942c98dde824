import { ProcessPoolExecutor, ThreadPoolExecutor, toThread } from "@aio/executors";
import { run } from "@aio/loop";
import { expect, test } from "vitest";

test("smoke", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const r = await pool.submit((a: number, b: number) => a + b, 1, 2);
  expect(r).toBe(3);
  const out: number[] = [];
  for await (const x of pool.map((x: number) => x * x, [1, 2, 3, 4, 5], { chunksize: 2 }))
    out.push(x);
  expect(out).toEqual([1, 4, 9, 16, 25]);
  const y = 5;
  await expect(pool.submit(() => y + 1)).rejects.toThrow(/closures do not cross/);
  await pool.shutdown();
  const pp = new ProcessPoolExecutor({ maxWorkers: 2 });
  expect(
    await pp.submit((n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i;
      return s;
    }, 1000),
  ).toBe(499500);
  await pp.shutdown();
  const v = await run(async () => toThread((x: number) => x * 3, 7));
  expect(v).toBe(21);
});
