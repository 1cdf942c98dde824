/**
 * ensureLoop(): the entry point for library code (docs/design/library-entry-point.md).
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  _getRunningLoop,
  type EventLoop,
  getRunningLoop,
  isCancelledError,
  RuntimeError,
} from "@aio/core";
import {
  type Coroutine,
  createTask,
  currentTask,
  sleep,
  type Task,
  taskGroup,
  timeout,
} from "@aio/futures";
import { ensureLoop, Runner, run } from "@aio/loop";
import { describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A "library function" built on @aio: a task group under a timeout. */
function lib(n: number, log?: string[]): Promise<number> {
  return ensureLoop(async () => {
    log?.push(`lib(${n}) on ${loopName(getRunningLoop())}`);
    const tasks = await timeout(1_000, () =>
      taskGroup(async (tg) => [tg.createTask(() => sleep(5, n * 2))]),
    );
    return tasks![0]!.result();
  });
}

const names = new WeakMap<EventLoop, string>();
let nextName = 0;
function loopName(loop: EventLoop): string {
  let name = names.get(loop);
  if (name === undefined) names.set(loop, (name = `L${++nextName}`));
  return name;
}

describe("ensureLoop()", () => {
  it("ensureLoop() from plain Promise code runs main on a loop of its own, closed afterwards", async () => {
    let loop: EventLoop | null = null;
    const result = await ensureLoop(async () => {
      loop = getRunningLoop();
      expect(currentTask()).not.toBeNull();
      await sleep(1);
      return "ok";
    });
    expect(result).toBe("ok");
    expect(loop!.isClosed()).toBe(true);
    expect(_getRunningLoop()).toBeNull();
    expect(await lib(21)).toBe(42);
  });

  it("ensureLoop() inside run() joins the running loop and the caller's task", async () => {
    await run(async () => {
      const outerLoop = getRunningLoop();
      const outerTask = currentTask();
      const seen = await ensureLoop(async () => [getRunningLoop(), currentTask()] as const);
      expect(seen[0]).toBe(outerLoop);
      expect(seen[1]).toBe(outerTask);
      expect(await lib(1)).toBe(2);
    });
  });

  it("ensureLoop() from plain code and from inside run(), concurrently: one loop each, both finish", async () => {
    const log: string[] = [];
    const inRun = run(async () => {
      const own = loopName(getRunningLoop());
      await sleep(10); // the plain call below starts while this loop runs
      const r = await lib(2, log);
      return [own, r] as const;
    });
    const plain = Promise.all([lib(3, log), lib(4, log)]);
    const [[own, r], rs] = await Promise.all([inRun, plain]);
    expect([r, ...rs]).toEqual([4, 6, 8]);
    // The run()'s call joined its loop; each plain call had a loop of its own.
    const loops = log.map((l) => l.split(" on ")[1]);
    expect(log.find((l) => l.startsWith("lib(2)"))).toBe(`lib(2) on ${own}`);
    expect(new Set(loops).size).toBe(3);
  });

  it("ensureLoop() from a timer set up inside another run(): a loop of its own (the stale context is not joined)", async () => {
    const runner = new Runner();
    let fromTimer: Promise<number> | undefined;
    await runner.run(async () => {
      // setTimeout keeps the task's async context; when it fires the loop is not running.
      setTimeout(() => {
        fromTimer = lib(5);
      }, 0);
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(runner.getLoop().isRunning()).toBe(false);
    expect(await fromTimer).toBe(10);
    await runner.close();
  });

  it("ensureLoop() from a loop callback (no task) runs main in a new task on that loop", async () => {
    await run(async () => {
      const loop = getRunningLoop();
      const caller = currentTask();
      const fut = loop.createFuture<string>();
      let task: Task<unknown> | null = null;
      loop.callSoon(() => {
        ensureLoop(async () => {
          task = currentTask();
          return getRunningLoop() === loop;
        }).then((sameLoop) => fut.setResult(`same loop: ${sameLoop}`));
      });
      expect(await fut).toBe("same loop: true");
      expect(task).not.toBeNull();
      expect(task).not.toBe(caller);
    });
  });

  it("ensureLoop() runs a function* as a generator task (also from plain code)", async () => {
    function* body(): Coroutine<number> {
      yield* sleep(1);
      return 7;
    }
    expect(await ensureLoop(body)).toBe(7);
    expect(await run(() => ensureLoop(body))).toBe(7);
  });

  it("ensureLoop() inline: cancelling the caller cancels main at its await", async () => {
    const log: string[] = [];
    await run(async () => {
      const caller = createTask(() =>
        ensureLoop(async () => {
          try {
            await sleep(1_000);
          } catch (e) {
            log.push(`main: ${isCancelledError(e) ? "cancelled" : String(e)}`);
            throw e;
          }
        }),
      );
      await sleep(1);
      caller.cancel();
      await caller.catch(() => {});
      log.push(`caller cancelled: ${caller.cancelled()}`);
    });
    expect(log).toEqual(["main: cancelled", "caller cancelled: true"]);
  });

  it("ensureLoop() rejects (never throws) for a main that is not a function", async () => {
    for (const bad of [undefined, null, 1, "f", {}, Promise.resolve(1)]) {
      const p = ensureLoop(bad as never);
      await expect(p).rejects.toThrow(TypeError);
      await expect(p).rejects.toThrow(/^ensureLoop\(\) main must be a function, received /);
    }
  });

  it("ensureLoop() passes main's error through, and run()'s nested-loop error never shows up", async () => {
    await expect(ensureLoop(async () => Promise.reject(new RangeError("x")))).rejects.toThrow(
      new RangeError("x"),
    );
    await run(async () => {
      const err = await ensureLoop(async () => {
        throw new RangeError("inner");
      }).catch((e: unknown) => e);
      expect(err).toEqual(new RangeError("inner"));
      expect(err).not.toBeInstanceOf(RuntimeError);
    });
  });

  it("ensureLoop() leaves nothing that keeps the process alive (child process exits by itself)", () => {
    expect(
      existsSync(join(packageDir, "dist", "index.js")),
      "packages/loop/dist is missing: build first",
    ).toBe(true);
    const child = spawnSync(
      process.execPath,
      [join(packageDir, "test", "fixtures", "ensure-loop-exits.mjs")],
      {
        cwd: packageDir,
        encoding: "utf8",
        timeout: 15_000,
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: "",
    });
    expect(child.stdout.trim().split("\n")).toEqual(["plain: 2,4", "in run: 6", "handles: 0"]);
  });
});
