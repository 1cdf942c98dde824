/**
 * run() — DESIGN.md contract 1, and the tour's run() scenarios.
 */
import { _getRunningLoop, type EventLoop, getRunningLoop, RuntimeError } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, it } from "vitest";

describe("run()", () => {
  it("run() resolves to main's result and rejects with its error", async () => {
    expect(await run(async () => 7)).toBe(7);
    expect(await run(() => "sync")).toBe("sync");
    await expect(run(async () => Promise.reject(new RangeError("boom")))).rejects.toThrow(
      new RangeError("boom"),
    );
  });

  it("run() uses a fresh loop per call, closed when it resolves", async () => {
    const loops: EventLoop[] = [];
    for (let i = 0; i < 2; i++) await run(() => void loops.push(getRunningLoop()));
    expect(loops[0]).not.toBe(loops[1]);
    expect(loops.map((l) => l.isClosed())).toEqual([true, true]);
  });

  it("run() inside a loop throws; the fix is to await the function or createTask it", async () => {
    const log: string[] = [];
    await run(async () => {
      const other = async () => {
        log.push("other ran");
        return 1;
      };
      await expect(run(other)).rejects.toThrow(
        new RuntimeError("run() cannot be called from a running event loop"),
      );
      expect(await other()).toBe(1);
      expect(await createTask(other)).toBe(1);
    });
    expect(log).toEqual(["other ran", "other ran"]);
  });

  it("getRunningLoop() outside run() throws RuntimeError('no running event loop')", async () => {
    expect(() => getRunningLoop()).toThrow(new RuntimeError("no running event loop"));
    await run(async () => {
      await sleep(0);
      expect(getRunningLoop().isRunning()).toBe(true);
    });
    expect(_getRunningLoop()).toBeNull();
  });

  it("leftover tasks are cancelled and awaited (their finally runs) before run() resolves", async () => {
    const log: string[] = [];
    await run(async () => {
      createTask(async () => {
        try {
          await sleep(60_000);
        } finally {
          await sleep(1);
          log.push("leftover cleaned up");
        }
      });
      await sleep(0);
      log.push("main done");
    });
    log.push("run resolved");
    expect(log).toEqual(["main done", "leftover cleaned up", "run resolved"]);
  });

  it("run(main, { debug: true }) turns debug mode on", async () => {
    expect(await run(() => getRunningLoop().getDebug(), { debug: true })).toBe(true);
  });

  it("a non-function main is a TypeError", async () => {
    await expect(run({} as never)).rejects.toThrow(
      new TypeError("run() main must be a function, received an object"),
    );
  });
});

describe("run() options", () => {
  it("run(main, { loopFactory }) runs main on the loop the factory makes, and closes it (asyncio 3.12)", async () => {
    const { VirtualTimeLoop } = await import("@aio/loop/testing");
    let made: EventLoop | null = null;
    const seen = await run(
      async () => {
        await sleep(60_000); // virtual time: no real minute passes
        return getRunningLoop() === made;
      },
      {
        loopFactory: () => {
          made = new VirtualTimeLoop();
          return made;
        },
      },
    );
    expect(seen).toBe(true);
    expect(made).toBeInstanceOf(VirtualTimeLoop);
    expect(made!.isClosed()).toBe(true);
  });

  it("run() rejects a non-function loopFactory", async () => {
    await expect(run(() => 1, { loopFactory: "x" as never })).rejects.toThrow(
      new TypeError('Runner loopFactory must be a function, received "x"'),
    );
  });
});
