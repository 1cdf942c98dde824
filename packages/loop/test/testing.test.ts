import { getRunningLoop, getRuntime, RuntimeError } from "@aio/core";
import { createTask, gather, sleep, waitFor } from "@aio/futures";
import { BaseEventLoop } from "@aio/loop";
import { runVirtual, VirtualTimeLoop } from "@aio/loop/testing";
import { afterAll, afterEach, describe, expect, test } from "vitest";

const loops: VirtualTimeLoop[] = [];
function makeLoop(): VirtualTimeLoop {
  const loop = new VirtualTimeLoop();
  loops.push(loop);
  return loop;
}
afterEach(() => {
  for (const loop of loops.splice(0)) if (!loop.isRunning()) loop.close();
});

describe("VirtualTimeLoop", () => {
  test("VirtualTimeLoop starts its clock at 0 and is a BaseEventLoop", () => {
    const loop = makeLoop();
    expect(loop).toBeInstanceOf(BaseEventLoop);
    expect(loop.time()).toBe(0);
  });

  test("VirtualTimeLoop runs callLater(60_000, …) at once, with time() equal to the deadline", async () => {
    const loop = makeLoop();
    const seen: number[] = [];
    loop.callLater(60_000, () => {
      seen.push(loop.time());
      loop.stop();
    });
    // A real wait would take a minute: the 20 s test timeout is the guard.
    await loop.runForever();
    expect(seen).toEqual([60_000]);
    expect(loop.time()).toBe(60_000);
  });

  test("VirtualTimeLoop fires timers in deadline order, each at its own time", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    for (const d of [3000, 10, 500, 10, 86_400_000, 1]) {
      loop.callLater(d, () => log.push(`${d}@${loop.time()}`));
    }
    loop.callLater(86_400_001, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["1@1", "10@10", "10@10", "500@500", "3000@3000", "86400000@86400000"]);
  });

  test("VirtualTimeLoop does not move the clock while callbacks are ready", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    let n = 0;
    const spin = () => {
      log.push(`spin@${loop.time()}`);
      if (++n < 3) loop.callSoon(spin);
    };
    loop.callLater(5, () => {
      log.push(`timer@${loop.time()}`);
      loop.stop();
    });
    loop.callSoon(spin);
    await loop.runForever();
    expect(log).toEqual(["spin@0", "spin@0", "spin@0", "timer@5"]);
  });

  test("VirtualTimeLoop.advance() moves the clock so due timers run at the next iteration", async () => {
    const loop = makeLoop();
    const log: string[] = [];
    loop.callLater(100, () => log.push(`t100@${loop.time()}`));
    loop.callLater(300, () => log.push(`t300@${loop.time()}`));
    loop.callSoon(() => {
      loop.advance(250);
      log.push(`advanced@${loop.time()}`);
      loop.callSoon(() => log.push(`soon@${loop.time()}`));
    });
    loop.callLater(300, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["advanced@250", "soon@250", "t100@250", "t300@300"]);
  });

  test("VirtualTimeLoop.advance() rejects negative and NaN values with a RangeError, non-numbers with a TypeError", () => {
    const loop = makeLoop();
    expect(() => loop.advance(-1)).toThrow(
      new RangeError("advance() ms must be a number of milliseconds >= 0, received -1"),
    );
    expect(() => loop.advance(Number.NaN)).toThrow(
      new RangeError("advance() ms must be a number of milliseconds >= 0, received NaN"),
    );
    expect(() => loop.advance("5" as never)).toThrow(
      new TypeError('advance() ms must be a number of milliseconds >= 0, received "5"'),
    );
    expect(loop.time()).toBe(0);
  });

  test("VirtualTimeLoop.runUntilComplete(() => sleep(3_600_000)) finishes at once at t = 1 h", async () => {
    const loop = makeLoop();
    await loop.runUntilComplete(() => sleep(3_600_000));
    expect(loop.time()).toBe(3_600_000);
  });
});

describe("runVirtual", () => {
  test("runVirtual() resolves to main's result on a fresh virtual-time loop", async () => {
    const result = await runVirtual(async () => {
      const loop = getRunningLoop();
      const start = loop.time();
      await sleep(3_600_000);
      return { isVirtual: loop instanceof VirtualTimeLoop, start, end: loop.time() };
    });
    expect(result).toEqual({ isVirtual: true, start: 0, end: 3_600_000 });
  });

  test("runVirtual() rejects with main's error and closes its loop", async () => {
    let loop: BaseEventLoop | undefined;
    await expect(
      runVirtual(async () => {
        loop = getRunningLoop() as BaseEventLoop;
        await sleep(1000);
        throw new RuntimeError("failed at 1 s");
      }),
    ).rejects.toThrow(new RuntimeError("failed at 1 s"));
    expect(loop?.isClosed()).toBe(true);
  });

  test("runVirtual() lets waitFor time out in virtual time", async () => {
    const result = await runVirtual(async () => {
      const loop = getRunningLoop();
      const outcome = await waitFor(() => sleep(60_000), 30_000).then(
        () => "finished",
        (e: Error) => e.name,
      );
      return [outcome, loop.time()];
    });
    expect(result).toEqual(["TimeoutError", 30_000]);
  });

  test("runVirtual() tasks sleeping different times wake in deadline order", async () => {
    const log = await runVirtual(async () => {
      const loop = getRunningLoop();
      const out: string[] = [];
      const sleeper = (name: string, ms: number) => async () => {
        await sleep(ms);
        out.push(`${name}@${loop.time()}`);
      };
      await gather(
        createTask(sleeper("c", 300)),
        createTask(sleeper("a", 100)),
        createTask(sleeper("b", 200)),
      );
      return out;
    });
    expect(log).toEqual(["a@100", "b@200", "c@300"]);
  });

  test("runVirtual() runs the same program to the same event log every time (determinism)", async () => {
    const program = async () => {
      const loop = getRunningLoop();
      const out: string[] = [];
      // A deterministic pseudo-random generator: same seed, same delays.
      let seed = 12345;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const workers = Array.from({ length: 8 }, (_, w) =>
        createTask(async () => {
          for (let i = 0; i < 5; i++) {
            const d = Math.floor(rand() * 50);
            if (d % 3 === 0) await sleep(0);
            else await sleep(d);
            out.push(`w${w}.${i}@${loop.time()}`);
          }
        }),
      );
      for (let i = 0; i < 4; i++)
        loop.callLater(Math.floor(rand() * 100), () => out.push(`timer${i}@${loop.time()}`));
      await gather(...workers);
      await sleep(100);
      return out;
    };
    const first = await runVirtual(program);
    const second = await runVirtual(program);
    expect(first.length).toBe(44);
    expect(second).toEqual(first);
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
