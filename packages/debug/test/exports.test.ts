import * as debug from "@aio/debug";
import { expect, test } from "vitest";

test("@aio/debug exports exactly its public names", () => {
  expect(Object.keys(debug).sort()).toEqual([
    "INSPECT_PROTOCOL",
    "captureCallGraph",
    "disableDebug",
    "enableDebug",
    "formatCallGraph",
    "formatTaskTree",
    "inspectSocketPath",
    "isDebugEnabled",
    "isTracing",
    "printCallGraph",
    "printReport",
    "printTaskTree",
    "readTrace",
    "renderTaskTable",
    "renderTaskTree",
    "snapshotRunningLoops",
    "snapshotTasks",
    "startTrace",
    "stopTrace",
    "trackResource",
    "validateTrace",
    "viewerHtml",
    "viewerUrl",
    "writeTrace",
  ]);
});
