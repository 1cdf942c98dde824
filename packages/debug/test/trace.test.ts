import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRunningLoop } from "@aio/core";
import {
  isTracing,
  readTrace,
  startTrace,
  stopTrace,
  type TraceEvent,
  validateTrace,
  writeTrace,
} from "@aio/debug";
import { createTask, currentTask, gather, sleep, taskGroup } from "@aio/futures";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";

afterEach(() => {
  if (isTracing()) stopTrace();
});

async function scenario(): Promise<void> {
  await run(async () => {
    currentTask()!.setName("main");
    getRunningLoop().callSoon(function tick() {});
    await gather(
      createTask(() => sleep(5), { name: "a" }),
      createTask(() => sleep(5), { name: "b" }),
    );
    await taskGroup(async (tg) => {
      tg.createTask(() => sleep(5), { name: "c" });
    });
  });
}

function threadNames(events: TraceEvent[]): Map<number, string> {
  return new Map(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name")
      .map((e) => [e.tid, String(e.args!.name)]),
  );
}

describe("startTrace", () => {
  test("stopTrace() returns valid Trace Event JSON: a track per task, one for callbacks, steps as slices", async () => {
    startTrace();
    await scenario();
    const trace = stopTrace();
    expect(validateTrace(JSON.parse(JSON.stringify(trace)))).toEqual([]);
    const names = threadNames(trace.traceEvents);
    const tracks = [...names.values()].map((n) => n.replace(/ \(#\d+\)$/, ""));
    expect(tracks.slice(0, 5)).toEqual(["event loop", "main", "a", "b", "c"]);
    const loopTid = [...names].find(([, n]) => n === "event loop")![0];
    const callbacks = trace.traceEvents.filter((e) => e.ph === "X" && e.tid === loopTid);
    expect(callbacks.map((e) => e.name)).toContain("<Handle tick()>");
    const tidOf = (name: string) => [...names].find(([, n]) => n.startsWith(`${name} (#`))![0];
    const steps = (name: string) =>
      trace.traceEvents.filter((e) => e.ph === "X" && e.tid === tidOf(name));
    // a: start, wake after sleep -> 2 steps; main: start, after gather, after taskGroup -> 3+.
    expect(steps("a").length).toBe(2);
    expect(steps("main").length).toBeGreaterThanOrEqual(3);
    for (const e of trace.traceEvents) if (e.ph === "X") expect(e.dur).toBeGreaterThanOrEqual(0);
  });

  test("stopTrace() draws an await arrow from the awaiting step to each awaited task", async () => {
    startTrace();
    await scenario();
    const trace = stopTrace();
    const names = threadNames(trace.traceEvents);
    const nameOf = (tid: number) => names.get(tid)!.replace(/ \(#\d+\)$/, "");
    const starts = trace.traceEvents.filter((e) => e.ph === "s");
    const ends = new Map(trace.traceEvents.filter((e) => e.ph === "f").map((e) => [e.id, e]));
    const arrows = starts.map((s) => `${nameOf(s.tid)} -> ${nameOf(ends.get(s.id)!.tid)}`);
    expect(arrows).toEqual(["main -> a", "main -> b", "main -> c"]);
    for (const s of starts) {
      const f = ends.get(s.id)!;
      expect(f.ts!).toBeGreaterThanOrEqual(s.ts!);
      // The start lies inside the awaiting step's slice.
      const slice = trace.traceEvents.find(
        (e) => e.ph === "X" && e.tid === s.tid && e.ts! <= s.ts! && s.ts! <= e.ts! + e.dur!,
      );
      expect(slice?.name).toBe("step");
    }
  });

  test("startTrace() twice throws, stopTrace() without a trace throws, maxEvents is checked", () => {
    startTrace();
    expect(() => startTrace()).toThrow("a trace is already being recorded");
    stopTrace();
    expect(() => stopTrace()).toThrow("no trace is being recorded");
    expect(() => startTrace({ maxEvents: 0 })).toThrow(
      new RangeError("startTrace() maxEvents must be an integer >= 1, received 0"),
    );
  });

  test("startTrace({ maxEvents }) drops what does not fit and says so", async () => {
    startTrace({ maxEvents: 3 });
    await scenario();
    const trace = stopTrace();
    expect(trace.traceEvents.filter((e) => e.ph !== "M")).toHaveLength(3);
    expect(trace.otherData.droppedEvents).toBeGreaterThan(0);
  });
});

describe("writeTrace", () => {
  test("writeTrace() writes the trace; readTrace() reads it back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aio-trace-"));
    try {
      startTrace();
      await scenario();
      const path = join(dir, "trace.json");
      const written = writeTrace(path);
      expect(isTracing()).toBe(false);
      expect(readTrace(path)).toEqual(JSON.parse(JSON.stringify(written)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("readTrace() rejects a truncated trace with a clear message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aio-trace-"));
    try {
      startTrace();
      await scenario();
      const path = join(dir, "trace.json");
      writeTrace(path);
      const text = readFileSync(path, "utf8");
      writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
      expect(() => readTrace(path)).toThrow(
        /trace\.json is not a complete trace \(.+\); was it truncated while being written\?$/,
      );
      writeFileSync(
        path,
        JSON.stringify({ traceEvents: [{ ph: "X", name: "x", pid: 1, tid: 1, ts: 0 }] }),
      );
      expect(() => readTrace(path)).toThrow(
        'trace.json is not a valid trace: traceEvents[0].dur must be a number >= 0 for a complete ("X") event',
      );
      expect(() =>
        writeTrace("", {
          traceEvents: [],
          displayTimeUnit: "ms",
          otherData: { producer: "x", droppedEvents: 0 },
        }),
      ).toThrow(new TypeError('writeTrace() path must be a non-empty string, received ""'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("validateTrace", () => {
  test("validateTrace() names the missing fields per phase", () => {
    expect(validateTrace([])).toEqual(["a trace must be an object with a traceEvents array"]);
    expect(
      validateTrace({
        traceEvents: [
          { ph: "Q", name: "x", pid: 1, tid: 1, ts: 0 },
          { ph: "s", name: "await", pid: 1, tid: 1, ts: 0 },
          { ph: "M", name: "thread_name", pid: 1, tid: 1, args: {} },
          { ph: "i", name: "x", pid: "1", tid: 1 },
        ],
      }),
    ).toEqual([
      'traceEvents[0].ph must be a Trace Event phase, received "Q"',
      "traceEvents[1].id is required for a flow event",
      "traceEvents[1].cat is required for a flow event",
      'traceEvents[2].args must carry a name (or sort_index) for a metadata ("M") event',
      "traceEvents[3].pid must be an integer",
      "traceEvents[3].ts must be a number of microseconds",
      'flow undefined must have one start ("s") and an end ("f")',
    ]);
  });
});
