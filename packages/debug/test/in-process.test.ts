/**
 * The in-process parts of `@aio/debug` — instruments, task trees, trace
 * recording — with nothing from Node: this file runs on every runtime,
 * headless Chromium included (see `docs/guide/runtimes.md`). The parts that
 * need files or a socket say so with a RuntimeError where there are none.
 */
import { _contextPropagates, isRuntimeError } from "@aio/core";
import {
  type DebugReport,
  disableDebug,
  enableDebug,
  formatTaskTree,
  readTrace,
  startTrace,
  stopTrace,
  validateTrace,
  viewerHtml,
  writeTrace,
} from "@aio/debug";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, test } from "vitest";

/** The little of the DOM the viewer test uses. */
interface MiniDocument {
  createElement(tag: "iframe"): {
    srcdoc: string;
    contentDocument: { body: { textContent: string | null } } | null;
    addEventListener(type: "load", cb: () => void, opts: { once: true }): void;
    remove(): void;
  };
  body: { append(node: unknown): void };
}

/** Blocks the thread for `ms` (a slow callback). Bounded by the clock, not a count. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe("@aio/debug in-process parts on every runtime", () => {
  test("enableDebug() reports a slow callback and a task still pending when the loop stops", async () => {
    const reports: DebugReport[] = [];
    enableDebug({ slowCallbackDuration: 20, onReport: (r) => reports.push(r) });
    try {
      await run(async () => {
        createTask(() => sleep(60_000), { name: "lost" });
        await sleep(0);
        block(40);
        await sleep(0);
      });
    } finally {
      disableDebug();
    }
    const kinds = reports.map((r) => r.kind);
    expect(kinds.some((k) => k === "slow-step" || k === "slow-callback")).toBe(true);
    const pending = reports.find((r) => r.kind === "task-pending");
    expect(pending?.task?.getName()).toBe("lost");
  });

  test("formatTaskTree() shows a gather's children inside the loop", async () => {
    let tree = "";
    await runVirtual(async () => {
      const parent = createTask(
        () =>
          gather(
            createTask(() => sleep(1000), { name: "a" }),
            createTask(() => sleep(1000), { name: "b" }),
          ),
        { name: "parent" },
      );
      for (let i = 0; i < 5; i++) await sleep(0);
      tree = formatTaskTree();
      await parent;
    });
    expect(tree).toMatch(/parent \[pending\] awaiting <GatheringFuture pending/);
    expect(tree).toMatch(/[├└]── a \[pending\]/);
    expect(tree).toMatch(/[├└]── b \[pending\]/);
  });

  test("startTrace()/stopTrace() record a valid trace with a track per task", async () => {
    startTrace();
    let trace: ReturnType<typeof stopTrace>;
    try {
      await run(async () => {
        await gather(
          createTask(() => sleep(1), { name: "t1" }),
          createTask(() => sleep(1), { name: "t2" }),
        );
      });
    } finally {
      trace = stopTrace();
    }
    expect(validateTrace(trace)).toEqual([]);
    const names = trace.traceEvents
      .filter((e) => e.ph === "M" && e.name === "thread_name")
      .map((e) => String(e.args?.name).replace(/ \(#\d+\)$/, ""));
    expect(names).toEqual(expect.arrayContaining(["t1", "t2"]));
    expect(trace.traceEvents.some((e) => e.ph === "X" && e.cat === "step")).toBe(true);
  });

  test("writeTrace() and readTrace() need files: a RuntimeError says so where there are none", () => {
    if (_contextPropagates) {
      // Node, Deno and Bun have them: the node suites test these helpers.
      expect(typeof writeTrace).toBe("function");
      return;
    }
    const trace = { traceEvents: [], displayTimeUnit: "ms", otherData: {} };
    for (const call of [
      () => writeTrace("trace.json", trace as never),
      () => readTrace("trace.json"),
    ]) {
      let caught: unknown;
      try {
        call();
      } catch (err) {
        caught = err;
      }
      expect(isRuntimeError(caught)).toBe(true);
      expect(String((caught as Error).message)).toMatch(
        /needs node:fs, which this runtime does not have/,
      );
    }
  });

  test("viewerHtml() gives the viewer page with the trace embedded, on every runtime", async () => {
    startTrace();
    await run(async () => {
      await gather(
        createTask(() => sleep(1), { name: "viewer-a" }),
        createTask(() => sleep(2), { name: "viewer-b" }),
      );
    });
    const trace = stopTrace();
    const html = viewerHtml(trace);
    expect(html.startsWith("<!doctype html>") || html.startsWith("<!DOCTYPE html>")).toBe(true);
    const embedded = /<script id="aio-trace" type="application\/json">([\s\S]*?)<\/script>/.exec(
      html,
    );
    expect(embedded).not.toBeNull();
    const back = JSON.parse(embedded![1]!) as typeof trace;
    expect(validateTrace(back)).toEqual([]);
    expect(back.traceEvents.length).toBe(trace.traceEvents.length);
    // A "<" in the trace cannot end the script element early.
    expect(
      viewerHtml(JSON.stringify({ ...trace, otherData: { note: "</script><b>" } })),
    ).not.toMatch(/<\/script><b>/);
    // In a browser: the page renders the trace in an iframe (the viewer is part of the code).
    // (The DOM is typed by hand: the repository's type check has no DOM library.)
    const document = (globalThis as { document?: MiniDocument }).document;
    if (document === undefined) return;
    const frame = document.createElement("iframe");
    const loaded = new Promise<void>((resolve) =>
      frame.addEventListener("load", () => resolve(), { once: true }),
    );
    frame.srcdoc = html;
    document.body.append(frame);
    try {
      await loaded;
      const doc = frame.contentDocument!;
      const deadline = performance.now() + 5_000;
      while (!/viewer-a/.test(doc.body.textContent ?? "") && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(doc.body.textContent).toMatch(/viewer-a/);
      expect(doc.body.textContent).toMatch(/viewer-b/);
    } finally {
      frame.remove();
    }
  });
});
