import {
  _currentTask,
  _getRunningLoop,
  _resourceOpened,
  addInstrument,
  getRunningLoop,
  getRuntime,
  type Instrument,
  RuntimeError,
  removeInstrument,
} from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { newEventLoop, run } from "@aio/loop";
import { afterAll, describe, expect, test } from "vitest";

describe("getRunningLoop", () => {
  test("getRunningLoop() outside a loop throws RuntimeError('no running event loop')", () => {
    expect(() => getRunningLoop()).toThrow(new RuntimeError("no running event loop"));
    let caught: unknown;
    try {
      getRunningLoop();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuntimeError);
  });

  test("getRunningLoop() returns the loop in main, in tasks, in callbacks and after awaits", async () => {
    const seen: boolean[] = [];
    let outer: unknown;
    await run(async () => {
      const loop = getRunningLoop();
      outer = loop;
      seen.push(getRunningLoop() === loop);
      await sleep(0);
      seen.push(getRunningLoop() === loop);
      await createTask(async () => {
        seen.push(getRunningLoop() === loop);
        await Promise.resolve();
        seen.push(getRunningLoop() === loop);
      });
      const done = loop.createFuture<void>();
      loop.callSoon(() => {
        seen.push(getRunningLoop() === loop);
        done.setResult();
      });
      await done;
    });
    expect(seen).toEqual([true, true, true, true, true]);
    // The loop run() made is closed once run() has resolved, and no loop runs here.
    expect((outer as { isClosed(): boolean }).isClosed()).toBe(true);
    expect(_getRunningLoop()).toBeNull();
  });

  test("getRunningLoop() throws again once the loop is closed", async () => {
    const loop = newEventLoop();
    await loop.runUntilComplete(async () => {
      expect(getRunningLoop()).toBe(loop);
    });
    loop.close();
    expect(() => getRunningLoop()).toThrow("no running event loop");
  });
});

describe("_getRunningLoop", () => {
  test("_getRunningLoop() returns null outside a loop", () => {
    expect(_getRunningLoop()).toBeNull();
  });
});

describe("_currentTask", () => {
  test("_currentTask() is null outside a task and the task inside it", async () => {
    expect(_currentTask()).toBeNull();
    const seen: unknown[] = [];
    const same = await run(async () => {
      const t = createTask(async () => {
        seen.push(_currentTask());
        await sleep(0);
        seen.push(_currentTask());
      });
      await t;
      return seen.map((s) => s === t);
    });
    expect(same).toEqual([true, true]);
    expect(_currentTask()).toBeNull();
  });
});

describe("getRuntime", () => {
  test("getRuntime().runningLoops holds a loop exactly while it runs", async () => {
    const loop = newEventLoop();
    const seen: boolean[] = [getRuntime().runningLoops.has(loop)];
    await loop.runUntilComplete(() => {
      seen.push(getRuntime().runningLoops.has(loop));
    });
    seen.push(getRuntime().runningLoops.has(loop));
    loop.close();
    expect(seen).toEqual([false, true, false]);
  });

  test("getRuntime() is the one object stored under Symbol.for('@aio/core.runtime.v1')", () => {
    const rt = getRuntime();
    expect((globalThis as Record<symbol, unknown>)[Symbol.for("@aio/core.runtime.v1")]).toBe(rt);
    expect(getRuntime()).toBe(rt);
    expect(rt.version).toBe(1);
    expect(rt.loop).toBeNull();
    expect(rt.task).toBeNull();
  });
});

describe("_resourceOpened", () => {
  test("_resourceOpened() tells every instrument, with the running loop, and returns what closes it", async () => {
    const events: string[] = [];
    const resource = { toString: () => "<Conn>" };
    const close = () => events.push("close");
    // Without an instrument: a no-op that costs nothing to call.
    const before = _resourceOpened(resource, "Conn", close);
    before();
    const removeA = addInstrument({
      resourceOpened: (r, kind, loop, c) => {
        const where = loop === null ? "none" : "running";
        events.push(`A opened ${String(r)} ${kind} loop=${where} close=${c === close}`);
        return () => events.push("A closed");
      },
    });
    const removeB = addInstrument({
      resourceOpened: () => {
        events.push("B opened");
        return () => events.push("B closed");
      },
    });
    const removeC = addInstrument({}); // no hook: skipped
    try {
      _resourceOpened(resource, "Conn")();
      await run(() => {
        _resourceOpened(resource, "Conn", close)();
      });
    } finally {
      removeA();
      removeB();
      removeC();
    }
    expect(events).toEqual([
      "A opened <Conn> Conn loop=none close=false",
      "B opened",
      "A closed",
      "B closed",
      "A opened <Conn> Conn loop=running close=true",
      "B opened",
      "A closed",
      "B closed",
    ]);
  });
});

describe("addInstrument", () => {
  test("addInstrument() registers once and its remover unregisters", () => {
    const hooks: Instrument = {};
    const before = getRuntime().instruments.length;
    const remove = addInstrument(hooks);
    addInstrument(hooks);
    expect(getRuntime().instruments.length).toBe(before + 1);
    remove();
    expect(getRuntime().instruments.length).toBe(before);
    expect(removeInstrument(hooks)).toBe(false);
  });

  test("addInstrument() rejects a non-object with a TypeError", () => {
    expect(() => addInstrument(null as never)).toThrow(
      new TypeError("addInstrument() instrument must be an object, received null"),
    );
    expect(() => addInstrument(5 as never)).toThrow(
      new TypeError("addInstrument() instrument must be an object, received 5"),
    );
  });

  test("addInstrument() hooks see each callback a running loop runs", async () => {
    const events: string[] = [];
    const hooks: Instrument = {
      callbackStart: () => events.push("start"),
      callbackEnd: () => events.push("end"),
    };
    const remove = addInstrument(hooks);
    try {
      const loop = newEventLoop();
      loop.callSoon(() => events.push("cb"));
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      loop.close();
    } finally {
      remove();
    }
    expect(events).toEqual(["start", "cb", "end", "start", "end"]);
  });
});

describe("Instrument", () => {
  test("Instrument hooks see a loop start and stop, and a task's creation, steps and end, in order", async () => {
    const events: string[] = [];
    const name = (t: { getName(): string }) => t.getName();
    const hooks: Instrument = {
      loopStarted: () => events.push("loop started"),
      loopStopped: () => events.push("loop stopped"),
      taskCreated: (t) => events.push(`created ${name(t)}`),
      taskStep: (t) => events.push(`step ${name(t)}`),
      taskStepEnd: (t, awaiting) =>
        events.push(`step end ${name(t)} awaiting=${awaiting === null ? "none" : "future"}`),
      taskDone: (t) => events.push(`done ${name(t)}`),
    };
    const remove = addInstrument(hooks);
    const loop = newEventLoop();
    try {
      await loop.runUntilComplete(() => {
        const t = createTask(
          async () => {
            await sleep(0);
          },
          { name: "worker" },
        );
        return t;
      });
    } finally {
      remove();
      loop.close();
    }
    const worker = events.filter((e) => e.includes("worker") || e.startsWith("loop"));
    // The last step's end and the task's end are one moment; their mutual order is not pinned.
    expect([...worker.slice(0, 5), [...worker.slice(5, 7)].sort(), ...worker.slice(7)]).toEqual([
      "loop started",
      "created worker",
      "step worker",
      "step end worker awaiting=future",
      "step worker",
      ["done worker", "step end worker awaiting=none"],
      "loop stopped",
    ]);
  });
});

describe("removeInstrument", () => {
  test("removeInstrument() returns whether the instrument was registered", () => {
    const hooks: Instrument = {};
    expect(removeInstrument(hooks)).toBe(false);
    addInstrument(hooks);
    expect(removeInstrument(hooks)).toBe(true);
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
