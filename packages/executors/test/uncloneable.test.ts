import { type PoolExecutor, ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";
import { afterEach, describe, expect, test } from "vitest";
import { childPids } from "./helpers.js";

// A result the structured clone cannot carry used to kill the worker: the
// pool failed the job with BrokenExecutorError (and a child process printed a
// stack trace). Now only that job fails, with a TypeError naming what could
// not be sent, and the same worker runs the next job.

const pools: PoolExecutor[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

const kinds = [
  ["ThreadPoolExecutor", () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ["ProcessPoolExecutor", () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const;

/** Which worker runs a job: thread id and process id. */
const whoAmI = () => `${process.getBuiltinModule("node:worker_threads").threadId}:${process.pid}`;

async function failure(fut: PromiseLike<unknown>): Promise<Error> {
  return fut.then(
    () => {
      throw new Error("the job did not fail");
    },
    (e: unknown) => e as Error,
  );
}

describe.each(kinds)("%s results that cannot be cloned", (name, make) => {
  test(`${name}.submit(): a result that cannot be cloned fails only its job, naming it; the worker keeps serving`, async () => {
    const p = make();
    pools.push(p);
    const worker = await p.submit(whoAmI);
    const cases: [() => unknown, string][] = [
      [() => () => 1, "result is function (anonymous)"],
      [() => Symbol("token"), "result is Symbol(token)"],
      [() => new WeakMap(), "result is an instance of WeakMap"],
      [() => (async function* gen() {})(), "result is an instance of AsyncGenerator"],
      [
        () => ({ ok: 1, deep: [0, { cb: function callback() {} }] }),
        "result.deep[1].cb is function callback",
      ],
    ];
    for (const [job, what] of cases) {
      const err = await failure(p.submit(job));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe(`the job's result could not be cloned to reach the pool: ${what}`);
      // The runtime's own clone error; its wording differs (Bun: "The object can not be cloned.").
      expect((err.cause as Error).message).toMatch(/c(ould|an) not be cloned/);
      expect(await p.submit(whoAmI)).toBe(worker); // the same worker, still alive
    }
    // In one batch with cloneable results: only the bad one fails.
    const batch = await Promise.allSettled([
      p.submit(() => 1),
      p.submit(() => Symbol("x")),
      p.submit(() => 3),
    ]);
    expect(batch.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await p.submit(whoAmI)).toBe(worker);
  });

  test(`${name}.submit(): an error whose cause is itself reaches the pool with its cause loop intact; a thrown value that cannot be cloned is named`, async () => {
    const p = make();
    pools.push(p);
    const worker = await p.submit(whoAmI);
    const err = await failure(
      p.submit(() => {
        const e = new Error("loops");
        e.cause = e;
        throw e;
      }),
    );
    expect(err.message).toBe("loops");
    expect(err.cause).toBe(err);
    const chain = await failure(
      p.submit(() => {
        const a = new RangeError("a");
        const b = new Error("b", { cause: a });
        a.cause = b;
        throw a;
      }),
    );
    expect(chain).toBeInstanceOf(RangeError);
    expect((chain.cause as Error).message).toBe("b");
    expect((chain.cause as Error).cause).toBe(chain);
    const thrown = await failure(
      p.submit(() => {
        throw { fn: () => 1 };
      }),
    );
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown.message).toBe(
      "the job's error could not be cloned to reach the pool: error.fn is function fn",
    );
    expect(await p.submit(whoAmI)).toBe(worker);
  });
});
