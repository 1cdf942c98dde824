import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, RuntimeError } from "@aio/core";
import { BrokenExecutorError, moduleFunction, ProcessPoolExecutor, transfer } from "@aio/executors";
import { afterEach, describe, expect, test } from "vitest";
import { childPids, until } from "./helpers.js";

const fixture = new URL("./fixtures/work.mjs", import.meta.url);
const pools: ProcessPoolExecutor[] = [];
function pool(
  options: ConstructorParameters<typeof ProcessPoolExecutor>[0] = {},
): ProcessPoolExecutor {
  const p = new ProcessPoolExecutor({ maxWorkers: 2, ...options });
  pools.push(p);
  return p;
}

afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown({ wait: true, cancelFutures: true });
  expect(childPids()).toEqual([]);
});

describe("ProcessPoolExecutor.submit()", () => {
  test("ProcessPoolExecutor.submit() runs a CPU-bound sum in a child process", async () => {
    const p = pool();
    const sum = (n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i;
      return [s, process.pid] as const;
    };
    const [s, pid] = await p.submit(sum, 1_000_000);
    expect(s).toBe(499_999_500_000);
    expect(pid).not.toBe(process.pid);
    expect(childPids()).toContain(pid);
  });

  test("ProcessPoolExecutor.submit() carries Maps, Dates, typed arrays and errors", async () => {
    const p = pool({ maxWorkers: 1 });
    const out = await p.submit(
      (m: Map<string, Date>, b: Uint8Array) => ({
        keys: [...m.keys()],
        year: m.get("d")!.getUTCFullYear(),
        len: b.length,
      }),
      new Map([["d", new Date(Date.UTC(2026, 10, 22))]]),
      transfer(new Uint8Array(10)), // copied across a process boundary, not moved
    );
    expect(out).toEqual({ keys: ["d"], year: 2026, len: 10 });
    await expect(
      p.submit(() => {
        throw new TypeError("bad");
      }),
    ).rejects.toThrow(new TypeError("bad"));
  });

  test("ProcessPoolExecutor runs module functions", async () => {
    const p = pool({ maxWorkers: 1 });
    expect(await p.submit(moduleFunction<(n: number) => number>(fixture, "sum"), 100)).toBe(4950);
  });
});

describe("ProcessPoolExecutor failures", () => {
  test("a child that exits fails exactly its running job and is replaced", async () => {
    const p = pool({ maxWorkers: 1 });
    const pidOf = () => process.pid;
    const firstPid = await p.submit(pidOf);
    const dying = p.submit(() => process.exit(7));
    const behind = p.submit(pidOf);
    await expect(dying).rejects.toThrow(
      new BrokenExecutorError(
        "A worker process terminated abruptly (exit code 7) while running a job",
      ),
    );
    const newPid = await behind;
    expect(newPid).not.toBe(firstPid);
    expect(childPids()).toEqual([newPid]);
  });

  test("replies written just before a child exits are not lost: only the job that exited fails", async () => {
    // Hundreds of jobs sent ahead; the child runs them while this thread is
    // busy and reads nothing, so its replies fill the IPC socket and queue up
    // in the child. The last job exits: every earlier reply must still arrive,
    // and only that job may fail (before the fix, the replies still queued in
    // the child were dropped and their jobs ran again or failed).
    const p = pool({ maxWorkers: 1, prefetch: 1_000 });
    await p.submit(() => 0); // the child is up
    // The child sits in this job while the other jobs reach it…
    const first = p.submit(() => new Promise((r) => setTimeout(r, 300)));
    const n = 500;
    const jobs = Array.from({ length: n }, (_, i) =>
      p.submit(
        (k: number, last: number) => {
          if (k === last) process.exit(1);
          return k;
        },
        i,
        n - 1,
      ),
    );
    await new Promise((r) => setTimeout(r, 150));
    // …then runs them all while this thread is busy and reads nothing.
    const until = Date.now() + 800;
    while (Date.now() < until) {}
    await first;
    const settled = await Promise.allSettled(jobs);
    const failed = settled.flatMap((s, i) => (s.status === "rejected" ? [i] : []));
    expect(failed).toEqual([n - 1]);
    expect(settled.slice(0, -1).map((s) => (s as PromiseFulfilledResult<number>).value)).toEqual(
      Array.from({ length: n - 1 }, (_, i) => i),
    );
  });

  test("a child killed by a signal fails its job with BrokenExecutorError", async () => {
    const p = pool({ maxWorkers: 1 });
    const job = p.submit(() => process.kill(process.pid, "SIGKILL"));
    await expect(job).rejects.toThrow(
      "A worker process terminated abruptly (signal SIGKILL) while running a job",
    );
    expect(await p.submit(() => "alive")).toBe("alive");
  });

  test("cancelRunning 'abort' kills a stuck child after the grace period, and only it", async () => {
    const p = pool({ maxWorkers: 2, cancelRunning: "abort", abortGraceMs: 30 });
    const marker = join(mkdtempSync(join(tmpdir(), "aio-executors-")), "started");
    const stuck = p.submit((file: string) => {
      process.getBuiltinModule("node:fs").writeFileSync(file, "started");
      for (;;) {}
    }, marker);
    const other = p.submit(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return process.pid;
    });
    await until(
      () => childPids().length === 2 && existsSync(marker),
      "two children, one stuck in its job",
    );
    const before = childPids();
    stuck.cancel();
    const otherPid = await other;
    await expect(stuck).rejects.toBeInstanceOf(CancelledError);
    await until(() => childPids().length === 1, "the stuck child to be killed");
    expect(childPids()).toEqual([otherPid]);
    expect(before).toContain(otherPid);
  });

  test("a busy main thread past the grace period never gets another job's child killed", async () => {
    const p = pool({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 20, prefetch: 1 });
    const marker = join(mkdtempSync(join(tmpdir(), "aio-executors-")), "started");
    const aborted = p.submit((file: string) => {
      process.getBuiltinModule("node:fs").writeFileSync(file, "started");
      const end = Date.now() + 150;
      while (Date.now() < end) {} // ignores its signal, finishes soon after the cancellation
      return process.pid;
    }, marker);
    const behind = p.submit(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return process.pid;
    });
    await until(() => existsSync(marker), "the first job to start");
    const [pid] = childPids();
    aborted.cancel();
    await new Promise((r) => setImmediate(r)); // the cancellation goes out
    const end = Date.now() + 500;
    while (Date.now() < end) {} // busy past the grace period and the job's end
    expect(await behind).toBe(pid);
    await expect(aborted).rejects.toBeInstanceOf(CancelledError);
    expect(childPids()).toEqual([pid]);
  });
});

describe("ProcessPoolExecutor.shutdown()", () => {
  test("ProcessPoolExecutor.shutdown() leaves no child process behind", async () => {
    const p = pool({ maxWorkers: 2 });
    await Promise.all([p.submit(() => 1), p.submit(() => 2), p.submit(() => 3)]);
    expect(childPids().length).toBe(2);
    await p.shutdown();
    expect(childPids()).toEqual([]);
    expect(() => p.submit(() => 1)).toThrow(
      new RuntimeError("cannot schedule new futures after shutdown"),
    );
  });

  test("ProcessPoolExecutor.shutdown({ cancelFutures }) cancels pending jobs; without it they run", async () => {
    const p = pool({ maxWorkers: 1, prefetch: 0 });
    const slow = (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms));
    const a = [p.submit(slow, 50), p.submit(slow, 1), p.submit(slow, 2)];
    await p.shutdown({ cancelFutures: true });
    expect([a[0]!.result(), a[1]!.cancelled(), a[2]!.cancelled()]).toEqual([50, true, true]);
    const q = pool({ maxWorkers: 1, prefetch: 0 });
    const b = [q.submit(slow, 20), q.submit(slow, 1), q.submit(slow, 2)];
    await q.shutdown({ cancelFutures: false });
    expect(b.map((f) => f.result())).toEqual([20, 1, 2]);
  });
});
