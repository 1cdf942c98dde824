/**
 * The loop in a browser page (Chromium, vitest browser mode): it yields to
 * the page between budget slices (a MessageChannel message, see
 * `docs/design/runtimes.md`), so input events and rendering are not starved.
 * Listed in `scripts/runtime-skips.ts` for the runtimes without a page.
 */
import { _hostTurnCount, getRunningLoop, RuntimeError, ValueError } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";
import { userEvent } from "vitest/browser";

// The root typecheck has no DOM types: the page is reached through this.
const page = globalThis as unknown as {
  document: {
    createElement(tag: string): PageElement;
    body: { append(el: PageElement): void };
  };
  requestAnimationFrame(cb: () => void): number;
  setImmediate?: unknown;
};
interface PageElement {
  textContent: string;
  addEventListener(type: string, cb: (e: { timeStamp: number }) => void): void;
  remove(): void;
}

function addButton(label: string): PageElement {
  const button = page.document.createElement("button");
  button.textContent = label;
  page.document.body.append(button);
  return button;
}

/** Upper bound of every storm below: the tests end long before it unless the page is starved. */
const MAX_ITERATIONS = 2_000_000;

describe("the loop in a browser page", () => {
  test("the page has no setImmediate: host turns are MessageChannel messages", async () => {
    expect(page.setImmediate).toBeUndefined();
    const before = _hostTurnCount();
    await run(async () => {
      for (let i = 0; i < 50; i++) await sleep(0);
    });
    expect(_hostTurnCount()).toBeGreaterThan(before);
  });

  test("a click dispatched during a sleep(0) storm is handled within one budget slice", async () => {
    const button = addButton("storm");
    // Each storm iteration records (time, host turn); the click handler
    // records the event's creation time and the host turn it runs in.
    const times: number[] = [];
    const turns: number[] = [];
    let click: { timeStamp: number; turn: number; iterations: number } | null = null;
    button.addEventListener("click", (e) => {
      click ??= { timeStamp: e.timeStamp, turn: _hostTurnCount(), iterations: times.length };
    });
    let stormDone = false;
    const result = run(async () => {
      const storm = createTask(async () => {
        for (let i = 0; i < MAX_ITERATIONS && click === null; i++) {
          await sleep(0);
          times.push(performance.now());
          turns.push(_hostTurnCount());
        }
        stormDone = true;
      });
      await storm;
    });
    try {
      // The command reaches the page through its websocket: a host task that
      // itself needs the loop to yield.
      await userEvent.click(button as never);
      await result;
    } finally {
      button.remove();
    }
    expect(click).not.toBeNull();
    const { timeStamp, turn, iterations } = click!;
    // The storm was still running when the click was handled.
    expect(stormDone).toBe(true);
    expect(iterations).toBeLessThan(MAX_ITERATIONS);
    expect(iterations).toBeGreaterThan(0);
    // The host turn in which the event arrived: that of the last storm
    // iteration before its time stamp (the turn before the first iteration
    // when it came earlier).
    let arrival = turns[0]! - 1;
    for (let i = 0; i < iterations && times[i]! <= timeStamp; i++) arrival = turns[i]!;
    expect(turn - arrival).toBeLessThanOrEqual(1);
  });

  test("a page stays responsive during a long gather of sleeping tasks", async () => {
    const button = addButton("gather");
    const CLICKS = 3;
    let clicks = 0;
    button.addEventListener("click", () => {
      clicks++;
    });
    let frames = 0;
    let gatherDone = false;
    let framesWhileGathering = 0;
    const onFrame = (): void => {
      frames++;
      if (!gatherDone) page.requestAnimationFrame(onFrame);
    };
    page.requestAnimationFrame(onFrame);
    // 200 tasks sleep in turns (0 and 1 ms) until the page has seen every
    // click: they can only stop if input gets through while they run.
    const TASKS = 200;
    const MAX_STEPS = 20_000;
    const result = run(async () => {
      const steps = await gather(
        ...Array.from({ length: TASKS }, () =>
          createTask(async () => {
            let k = 0;
            while (k < MAX_STEPS && clicks < CLICKS) await sleep(k++ % 3 === 0 ? 1 : 0);
            return k;
          }),
        ),
      );
      framesWhileGathering = frames;
      gatherDone = true;
      return steps;
    });
    try {
      for (let k = 0; k < CLICKS; k++) await userEvent.click(button as never);
      const steps = await result;
      expect(steps).toHaveLength(TASKS);
      // Every task stopped because of the clicks, not at its bound.
      expect(Math.max(...steps)).toBeLessThan(MAX_STEPS);
    } finally {
      gatherDone = true;
      button.remove();
    }
    expect(clicks).toBe(CLICKS);
    // Rendering went on too while the gather was pending.
    expect(framesWhileGathering).toBeGreaterThanOrEqual(1);
  });

  test("addSignalHandler() in a page is a RuntimeError naming the runtimes that have signals", async () => {
    await run(async () => {
      const loop = getRunningLoop();
      expect(() => loop.addSignalHandler("SIGINT", () => {})).toThrow(
        new RuntimeError(
          "addSignalHandler() needs a host with process signals (Node, Deno or Bun); this runtime has none",
        ),
      );
      expect(loop.removeSignalHandler("SIGINT")).toBe(false);
    });
  });

  test("without the host's table, signal names and numbers are Linux's (1 to 31)", async () => {
    // As Node's os.constants.signals on Linux and CPython 3.11's signal.Signals have them.
    // biome-ignore format: a table
    const linux = [
      "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
      "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
      "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
      "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS", "SIGIOT", "SIGPOLL",
    ];
    await run(async () => {
      const loop = getRunningLoop();
      for (const name of linux) {
        if (name === "SIGKILL" || name === "SIGSTOP") continue;
        expect(loop.removeSignalHandler(name)).toBe(false);
      }
      for (let n = 1; n <= 31; n++) {
        if (n === 9 || n === 19) continue;
        expect(loop.removeSignalHandler(n)).toBe(false);
      }
      for (const bad of [0, 32, -1, "SIGFOO", "sigint"]) {
        expect(() => loop.removeSignalHandler(bad)).toThrow(ValueError);
      }
      // The numbers come back in the uncatchable signals' message: 9 and 19.
      for (const [sig, n] of [
        ["SIGKILL", 9],
        [9, 9],
        ["SIGSTOP", 19],
        [19, 19],
      ] as const) {
        expect(() => loop.addSignalHandler(sig, () => {})).toThrow(
          new RuntimeError(`sig ${n} cannot be caught`),
        );
      }
    });
  });
});
