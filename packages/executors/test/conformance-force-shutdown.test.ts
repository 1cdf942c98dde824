import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RuntimeError } from "@aio/core";
import {
  isBrokenExecutorError,
  type PoolExecutor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "@aio/executors";
import { afterEach, describe, expect, test } from "vitest";
import { childPids, threadCount, until } from "./helpers.js";

// Ported from CPython Lib/test/test_concurrent_futures/test_process_pool.py
// (asyncio 3.14 terminate_workers()/kill_workers()); the titles keep
// CPython's test names. Both pools have the methods here.

const pools: PoolExecutor[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

const marker = () => join(mkdtempSync(join(tmpdir(), "aio-force-")), "mark");

/** Writes "started" to `file`, then never finishes (the CPU stays busy, nothing yields). */
function putWaitPut(file: string): string {
  const fs = process.getBuiltinModule("node:fs");
  fs.writeFileSync(file, "started");
  const end = Date.now() + 60_000;
  while (Date.now() < end) {}
  fs.writeFileSync(file, "finished"); // never reached: the worker is ended first
  return "finished";
}

/**
 * The job wrote "started". Not just `existsSync`: `writeFileSync` creates the
 * file before it writes, and a worker ended between the two leaves it empty.
 */
function hasStarted(file: string): boolean {
  return existsSync(file) && readFileSync(file, "utf8") === "started";
}

async function brokenError(fut: PromiseLike<unknown>): Promise<Error> {
  return fut.then(
    () => {
      throw new Error("the job did not fail");
    },
    (e: unknown) => e as Error,
  );
}

const kinds = [
  ["ThreadPoolExecutor", () => new ThreadPoolExecutor({ maxWorkers: 1 })],
  ["ProcessPoolExecutor", () => new ProcessPoolExecutor({ maxWorkers: 1 })],
] as const;
const functions = ["terminateWorkers", "killWorkers"] as const;

describe.each(kinds)("%s.terminateWorkers() and killWorkers()", (kind, make) => {
  const pool = () => {
    const p = make();
    pools.push(p);
    return p;
  };

  test.each(functions)(
    `test_force_shutdown_workers: ${kind}.%s() ends a running job's worker; it and the jobs behind it fail with BrokenExecutorError`,
    async (name) => {
      const p = pool();
      const file = marker();
      const threadsBefore = threadCount();
      const running = p.submit(putWaitPut, file);
      const queued = p.submit(() => "never runs");
      await until(() => hasStarted(file), "the job to start");
      p[name]();
      const errors = await Promise.all([brokenError(running), brokenError(queued)]);
      for (const e of errors) {
        expect(isBrokenExecutorError(e)).toBe(true);
        expect(e.message).toBe(
          `${name}() ended the pool's workers before this job finished; the pool is shut down`,
        );
      }
      expect(errors[0]).not.toBe(errors[1]); // one error per future (CPython: test_broken_process_pool_traceback)
      await p.shutdown();
      expect(readFileSync(file, "utf8")).toBe("started");
      expect(childPids()).toEqual([]);
      if (kind === "ThreadPoolExecutor") expect(threadCount()).toBeLessThanOrEqual(threadsBefore);
    },
  );

  test.each(functions)(
    `test_force_shutdown_workers_dead_workers: ${kind}.%s() on a pool whose worker died does not throw`,
    async (name) => {
      const p = pool();
      const dead = p.submit(() => process.exit(1));
      expect(isBrokenExecutorError(await brokenError(dead))).toBe(true);
      expect(() => p[name]()).not.toThrow();
    },
  );

  test.each(functions)(
    `test_force_shutdown_workers_not_started_yet: ${kind}.%s() before any worker started is a no-op that shuts down`,
    async (name) => {
      const p = pool();
      p[name]();
      expect(String(p)).toMatch(/\[shutdown\] maxWorkers=1 workers=0 busy=0 pending=0/);
      expect(childPids()).toEqual([]);
      await p.shutdown();
    },
  );

  test.each(functions)(
    `test_force_shutdown_workers_stops_pool: after ${kind}.%s() submit() throws RuntimeError and ready() rejects`,
    async (name) => {
      const p = pool();
      expect(await p.submit(() => null)).toBe(null);
      p[name]();
      expect(() => p.submit(() => 0)).toThrow(
        new RuntimeError("cannot schedule new futures after shutdown"),
      );
      await expect(p.ready()).rejects.toThrow("cannot schedule new futures after shutdown");
      p[name](); // twice is harmless
      await p.shutdown();
      expect(String(p)).toMatch(/workers=0/);
    },
  );
});

describe("ProcessPoolExecutor signals", () => {
  test("test_terminate_workers: terminateWorkers() sends the child SIGTERM, which a job can see", async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 });
    pools.push(p);
    const file = marker();
    const job = p.submit(async (f: string) => {
      const fs = process.getBuiltinModule("node:fs");
      process.on("SIGTERM", () => {
        fs.writeFileSync(f, "got SIGTERM");
        process.exit(0);
      });
      fs.writeFileSync(f, "started");
      await new Promise((r) => setTimeout(r, 60_000));
    }, file);
    await until(() => hasStarted(file), "the job to start");
    p.terminateWorkers();
    expect(isBrokenExecutorError(await brokenError(job))).toBe(true);
    await p.shutdown();
    expect(readFileSync(file, "utf8")).toBe("got SIGTERM");
  });

  test("test_kill_workers: killWorkers() sends SIGKILL, which a job cannot ignore", async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 });
    pools.push(p);
    const file = marker();
    const job = p.submit((f: string) => {
      const fs = process.getBuiltinModule("node:fs");
      process.on("SIGTERM", () => {}); // ignores SIGTERM
      fs.writeFileSync(f, "started");
      const end = Date.now() + 60_000;
      while (Date.now() < end) {}
    }, file);
    await until(() => hasStarted(file), "the job to start");
    p.killWorkers();
    expect(isBrokenExecutorError(await brokenError(job))).toBe(true);
    await p.shutdown();
    expect(childPids()).toEqual([]);
  });
});
