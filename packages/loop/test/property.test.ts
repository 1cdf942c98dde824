import { getRuntime } from "@aio/core";
import { type BaseEventLoop, newEventLoop } from "@aio/loop";
import { VirtualTimeLoop } from "@aio/loop/testing";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";

/**
 * A random program: operations run at the start, and each scheduled callback
 * runs its own operations when it fires — so callbacks schedule (and cancel)
 * more callbacks.
 */
type Op =
  | { kind: "soon"; children: Op[] }
  | { kind: "later"; delay: number; children: Op[] }
  | { kind: "at"; when: number; children: Op[] }
  | { kind: "cancel"; target: number };

const { op: opTree } = fc.letrec<{ op: Op; children: Op[] }>((tie) => ({
  op: fc.oneof(
    { depthIdentifier: "program", maxDepth: 4, depthSize: "large" },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("cancel" as const), target: fc.nat(64) }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant("soon" as const), children: tie("children") }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("later" as const),
        delay: fc.integer({ min: -5, max: 20 }),
        children: tie("children"),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("at" as const),
        when: fc.integer({ min: 0, max: 40 }),
        children: tie("children"),
      }),
    },
  ),
  children: fc.array(tie("op"), { maxLength: 4, depthIdentifier: "program" }),
}));
/** The initial operations: a handful, each possibly scheduling more when it runs. */
const program = fc.array(opTree, { minLength: 1, maxLength: 12 });

const SOON_DEPTH = 5;

/** Programs without timers, for the real-time loop (whose clock moves on its own). */
const { op: soonTree } = fc.letrec<{ op: Op; children: Op[] }>((tie) => ({
  op: fc.oneof(
    { depthIdentifier: "soon", maxDepth: SOON_DEPTH, depthSize: "large" },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("cancel" as const), target: fc.nat(64) }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant("soon" as const), children: tie("children") }),
    },
  ),
  children: fc.array(tie("op"), { maxLength: 4, depthIdentifier: "soon" }),
}));
const soonProgram = fc.array(soonTree, { minLength: 1, maxLength: 12 });

/** Where the whole program certainly is over (max depth 4 × max delay 20, plus `at` ≤ 40). */
const END = 10_000;

/**
 * The reference model of the loop (asyncio's `_run_once`): a clock, a FIFO
 * ready list and timers ordered by (when, seq). An iteration first moves the
 * due timers to the ready list, then runs exactly the entries that were ready
 * when it began; what they schedule waits for a later iteration. When nothing
 * is ready the virtual clock jumps to the earliest live timer.
 */
function model(ops: Op[]): string[] {
  interface Entry {
    id: number;
    ops: Op[];
    cancelled: boolean;
    when: number;
    seq: number;
  }
  let time = 0;
  let seq = 0;
  let ready: Entry[] = [];
  let timers: Entry[] = [];
  const handles: Entry[] = [];
  const log: string[] = [];
  const exec = (list: Op[]) => {
    for (const op of list) {
      if (op.kind === "cancel") {
        if (handles.length !== 0) handles[op.target % handles.length]!.cancelled = true;
        continue;
      }
      const entry: Entry = {
        id: handles.length,
        ops: op.children,
        cancelled: false,
        when: 0,
        seq: 0,
      };
      handles.push(entry);
      if (op.kind === "soon") {
        ready.push(entry);
      } else {
        entry.when = op.kind === "later" ? time + op.delay : op.when;
        entry.seq = seq++;
        timers.push(entry);
      }
    }
  };
  const byDeadline = (a: Entry, b: Entry) => a.when - b.when || a.seq - b.seq;
  exec(ops);
  for (let guard = 0; guard < 100_000; guard++) {
    timers = timers.filter((t) => !t.cancelled);
    const due = timers.filter((t) => t.when <= time).sort(byDeadline);
    timers = timers.filter((t) => t.when > time);
    ready.push(...due);
    if (ready.every((e) => e.cancelled)) {
      ready = [];
      if (timers.length === 0) return log;
      time = Math.min(...timers.map((t) => t.when));
      continue;
    }
    const batch = ready;
    ready = [];
    for (const entry of batch) {
      if (entry.cancelled) continue;
      log.push(`${entry.id}@${time}`);
      exec(entry.ops);
    }
  }
  throw new Error("model did not finish");
}

/** Runs the same program on a real VirtualTimeLoop and logs what ran when. */
async function actual(ops: Op[], loop: BaseEventLoop = new VirtualTimeLoop()): Promise<string[]> {
  const handles: { cancel(): void }[] = [];
  const log: string[] = [];
  const exec = (list: Op[]) => {
    for (const op of list) {
      if (op.kind === "cancel") {
        if (handles.length !== 0) handles[op.target % handles.length]!.cancel();
        continue;
      }
      const id = handles.length;
      const cb = () => {
        log.push(`${id}@${loop instanceof VirtualTimeLoop ? loop.time() : 0}`);
        exec(op.children);
      };
      if (op.kind === "soon") handles.push(loop.callSoon(cb));
      else if (op.kind === "later") handles.push(loop.callLater(op.delay, cb));
      else handles.push(loop.callAt(op.when, cb));
    }
  };
  try {
    exec(ops);
    if (loop instanceof VirtualTimeLoop) {
      loop.callAt(END, () => loop.stop());
    } else {
      // No timers here: the program needs at most SOON_DEPTH + 1 iterations.
      let hops = 0;
      const tick = () => {
        if (++hops <= SOON_DEPTH + 2) loop.callSoon(tick);
        else loop.stop();
      };
      loop.callSoon(tick);
    }
    await loop.runForever();
  } finally {
    loop.close();
  }
  return log;
}

describe("VirtualTimeLoop", () => {
  test("VirtualTimeLoop runs random callSoon/callLater/callAt/cancel programs in the order the reference model predicts", async () => {
    await fc.assert(
      fc.asyncProperty(program, async (ops) => {
        expect(await actual(ops)).toEqual(model(ops));
      }),
      { numRuns: 300 },
    );
  });

  test("BaseEventLoop runs random callSoon/cancel programs in the order the reference model predicts", async () => {
    await fc.assert(
      fc.asyncProperty(soonProgram, async (ops) => {
        expect(await actual(ops, newEventLoop())).toEqual(model(ops));
      }),
      { numRuns: 200 },
    );
  });

  test("VirtualTimeLoop property: the model itself orders a known program as asyncio does", () => {
    // Checked against CPython 3.11: call_later(0) L, call_soon(c), call_later(-1) N,
    // call_soon(a → call_soon(a')), call_soon(b).
    const ops: Op[] = [
      { kind: "later", delay: 0, children: [] },
      { kind: "soon", children: [] },
      { kind: "later", delay: -1, children: [] },
      { kind: "soon", children: [{ kind: "soon", children: [] }] },
      { kind: "soon", children: [] },
    ];
    expect(model(ops)).toEqual(["1@0", "3@0", "4@0", "2@0", "0@0", "5@0"]);
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
