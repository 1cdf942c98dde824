import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValueError } from "@aio/core";
import { ProcessPoolExecutor } from "@aio/executors";
import { afterEach, describe, expect, test } from "vitest";
import { childPids, until } from "./helpers.js";

// Ported from CPython Lib/test/test_concurrent_futures/test_process_pool.py
// (asyncio 3.11 max_tasks_per_child); the titles keep CPython's test names.

const pools: ProcessPoolExecutor[] = [];
function pool(options: ConstructorParameters<typeof ProcessPoolExecutor>[0]): ProcessPoolExecutor {
  const p = new ProcessPoolExecutor(options);
  pools.push(p);
  return p;
}
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

const getpid = () => process.pid;
const mul = (a: number, b: number) => a * b;

/** Waits (bounded) in the worker until the file `gate` exists, then returns `value`. */
function waitForGate(gate: string, value: number): number {
  const fs = process.getBuiltinModule("node:fs");
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(gate)) {
    if (Date.now() > deadline) throw new Error("the gate never opened");
    Atomics.wait(nap, 0, 0, 5);
  }
  return value;
}

describe("ProcessPoolExecutor maxTasksPerChild", () => {
  test("test_max_tasks_per_child: a child is replaced after maxTasksPerChild jobs", async () => {
    const p = pool({ maxWorkers: 1, maxTasksPerChild: 3 });
    const originalPid = await p.submit(getpid);
    // The worker pid remains the same as the worker could be reused.
    expect(await p.submit(getpid)).toBe(originalPid);
    expect(childPids()).toEqual([originalPid]);
    expect(await p.submit(getpid)).toBe(originalPid);
    // A new worker is spawned, while the previous was reaped.
    const newPid = await p.submit(getpid);
    expect(newPid).not.toBe(originalPid);
    await until(() => childPids().length === 1, "the old child to be reaped");
    expect(childPids()).toEqual([newPid]);
  });

  test("test_max_tasks_per_child_pending_tasks_gh115634: a backlog queued while children retire still runs", async () => {
    for (const [maxWorkers, maxTasks, numTasks] of [
      [1, 2, 6],
      [2, 2, 8],
    ] as const) {
      const p = pool({ maxWorkers, maxTasksPerChild: maxTasks });
      const futures = Array.from({ length: numTasks }, (_, i) => p.submit(mul, i, 2));
      const results = await Promise.all(futures);
      expect(results).toEqual(Array.from({ length: numTasks }, (_, i) => i * 2));
      await p.shutdown({ wait: true, cancelFutures: true });
    }
  });

  test("test_max_tasks_early_shutdown: shutdown() right after submitting still runs every job", async () => {
    const p = pool({ maxWorkers: 3, maxTasksPerChild: 1 });
    const futures = Array.from({ length: 6 }, (_, i) => p.submit(mul, i, i));
    await p.shutdown();
    expect(futures.map((f) => f.result())).toEqual([0, 1, 4, 9, 16, 25]);
    expect(childPids()).toEqual([]);
  });

  test("test_shutdown_no_wait_max_tasks_gh119592: after shutdown({ wait: false }) a retiring child is still replaced", async () => {
    const gate = join(mkdtempSync(join(tmpdir(), "aio-gate-")), "open");
    const p = pool({ maxWorkers: 1, maxTasksPerChild: 1 });
    const futs = [0, 1, 2].map((i) => p.submit(waitForGate, gate, i));
    await until(() => childPids().length === 1, "the first child to start");
    await p.shutdown({ wait: false });
    writeFileSync(gate, "");
    expect(await Promise.all(futs)).toEqual([0, 1, 2]);
    expect(existsSync(gate)).toBe(true);
  });

  test("ProcessPoolExecutor rejects a maxTasksPerChild that is not an integer >= 1", () => {
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 0 })).toThrow(
      new ValueError("ProcessPoolExecutor maxTasksPerChild must be an integer >= 1, received 0"),
    );
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 2.5 })).toThrow(ValueError);
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: "3" as never })).toThrow(
      new TypeError('ProcessPoolExecutor maxTasksPerChild must be an integer >= 1, received "3"'),
    );
    expect(pool({ maxTasksPerChild: null }).maxWorkers).toBeGreaterThan(0);
  });
});
