/**
 * Every public entry point of @aio/debug called with wrong types, as plain
 * JavaScript would call it: the error class and the whole message (the error
 * policy, docs/design/error-policy.md). Nothing here returns a Promise, so
 * every check throws.
 */
import {
  captureCallGraph,
  disableDebug,
  enableDebug,
  formatCallGraph,
  formatTaskTree,
  inspectSocketPath,
  isDebugEnabled,
  printCallGraph,
  printReport,
  printTaskTree,
  readTrace,
  renderTaskTable,
  renderTaskTree,
  snapshotTasks,
  startTrace,
  trackResource,
  viewerHtml,
  writeTrace,
} from "@aio/debug";
import { afterEach, describe, expect, test } from "vitest";

/** Calls `f` as plain JavaScript would: any arguments. */
const js = (f: unknown) => f as (...args: unknown[]) => unknown;

afterEach(() => disableDebug());

describe("enableDebug", () => {
  test("enableDebug() rejects wrong types with TypeError and bad ranges with RangeError", () => {
    const cases: [unknown, Error][] = [
      ["yes", new TypeError('enableDebug() options must be an object, received "yes"')],
      [[], new TypeError("enableDebug() options must be an object, received an instance of Array")],
      [
        { lagThreshold: null },
        new TypeError(
          "enableDebug() lagThreshold must be a number of milliseconds >= 0, received null",
        ),
      ],
      [
        { lagThreshold: Number.NaN },
        new RangeError(
          "enableDebug() lagThreshold must be a number of milliseconds >= 0, received NaN",
        ),
      ],
      [
        { lagInterval: Number.POSITIVE_INFINITY },
        new RangeError(
          "enableDebug() lagInterval must be a finite number of milliseconds >= 0, received Infinity",
        ),
      ],
      [
        { inspect: "true" },
        new TypeError('enableDebug() inspect must be true or false, received "true"'),
      ],
      [
        { pendingAtStop: 0 },
        new TypeError("enableDebug() pendingAtStop must be true or false, received 0"),
      ],
      [
        { onReport: "console" },
        new TypeError('enableDebug() onReport must be a function, received "console"'),
      ],
    ];
    for (const [arg, error] of cases) {
      expect(() => js(enableDebug)(arg)).toThrow(error);
      expect(isDebugEnabled()).toBe(false);
    }
  });
});

describe("printReport", () => {
  test("printReport() rejects something that is not a report", () => {
    expect(() => js(printReport)("slow")).toThrow(
      new TypeError(
        'printReport() report must be a DebugReport (message and details), received "slow"',
      ),
    );
    expect(() => js(printReport)({ message: "m" })).toThrow(TypeError);
  });
});

describe("trackResource", () => {
  test("trackResource() rejects wrong types", () => {
    expect(() => js(trackResource)({})).toThrow(
      new TypeError("trackResource() options.kind must be a non-empty string, received undefined"),
    );
    expect(() => js(trackResource)({}, "Socket")).toThrow(
      new TypeError('trackResource() options must be an object, received "Socket"'),
    );
    expect(() => js(trackResource)({}, { kind: 1 })).toThrow(
      new TypeError("trackResource() options.kind must be a non-empty string, received 1"),
    );
    expect(() => js(trackResource)({}, { kind: "X", loop: {} })).toThrow(
      new TypeError("trackResource() options.loop must be an EventLoop, received an object"),
    );
  });
});

describe("task trees", () => {
  test("snapshotTasks(), formatTaskTree(), printTaskTree() reject a non-loop; the renderers a non-snapshot", () => {
    expect(() => js(snapshotTasks)(null)).toThrow(
      new TypeError("snapshotTasks() loop must be an EventLoop, received null"),
    );
    expect(() => js(formatTaskTree)("main")).toThrow(
      new TypeError('formatTaskTree() loop must be an EventLoop, received "main"'),
    );
    expect(() => js(printTaskTree)(1)).toThrow(
      new TypeError("printTaskTree() loop must be an EventLoop, received 1"),
    );
    expect(() => js(renderTaskTree)()).toThrow(
      new TypeError(
        "renderTaskTree() snapshot must be a TaskSnapshot (with a tasks array), received undefined",
      ),
    );
    expect(() => js(renderTaskTable)("x")).toThrow(
      new TypeError(
        'renderTaskTable() snapshot must be a TaskSnapshot (with a tasks array), received "x"',
      ),
    );
  });
});

describe("inspectSocketPath", () => {
  test("inspectSocketPath() rejects a pid that is not a number", () => {
    expect(() => js(inspectSocketPath)()).toThrow(
      new TypeError("inspectSocketPath() pid must be an integer >= 1, received undefined"),
    );
    expect(() => js(inspectSocketPath)(-1)).toThrow(
      new RangeError("inspectSocketPath() pid must be an integer >= 1, received -1"),
    );
  });
});

describe("traces", () => {
  test("startTrace(), writeTrace(), readTrace() and viewerHtml() reject wrong types", () => {
    expect(() => js(startTrace)(5)).toThrow(
      new TypeError("startTrace() options must be an object, received 5"),
    );
    expect(() => js(startTrace)({ maxEvents: "10" })).toThrow(
      new TypeError('startTrace() maxEvents must be an integer >= 1, received "10"'),
    );
    expect(() => js(startTrace)({ maxEvents: 1.5 })).toThrow(
      new RangeError("startTrace() maxEvents must be an integer >= 1, received 1.5"),
    );
    expect(() => js(writeTrace)(1)).toThrow(
      new TypeError("writeTrace() path must be a non-empty string, received 1"),
    );
    expect(() => js(writeTrace)("t.json", "{}")).toThrow(
      new TypeError(
        'writeTrace() trace must be a trace (an object with a traceEvents array), received "{}"',
      ),
    );
    expect(() => js(readTrace)(undefined)).toThrow(
      new TypeError("readTrace() path must be a non-empty string, received undefined"),
    );
    expect(() => js(viewerHtml)(null)).toThrow(
      new TypeError("viewerHtml() trace must be a trace or its JSON text, received null"),
    );
  });
});

describe("call graphs", () => {
  test("captureCallGraph(), formatCallGraph(), printCallGraph() reject wrong types", () => {
    for (const [f, where] of [
      [captureCallGraph, "captureCallGraph()"],
      [formatCallGraph, "formatCallGraph()"],
      [printCallGraph, "printCallGraph()"],
    ] as const) {
      expect(() => js(f)("task")).toThrow(
        new TypeError(`${where} future must be a Future or Task, received "task"`),
      );
      expect(() => js(f)({ done: true })).toThrow(
        new TypeError(`${where} future must be a Future or Task, received an object`),
      );
      expect(() => js(f)(undefined, 3)).toThrow(
        new TypeError(`${where} options must be an object, received 3`),
      );
      expect(() => js(f)(undefined, { depth: "2" })).toThrow(
        new TypeError(`${where} depth must be an integer >= 1, received "2"`),
      );
      expect(() => js(f)(undefined, { depth: 0 })).toThrow(
        new RangeError(`${where} depth must be an integer >= 1, received 0`),
      );
      expect(() => js(f)(undefined, { limit: "1" })).toThrow(
        new TypeError(`${where} limit must be an integer or null, received "1"`),
      );
      expect(() => js(f)(undefined, { limit: 0.5 })).toThrow(
        new RangeError(`${where} limit must be an integer or null, received 0.5`),
      );
    }
  });
});
