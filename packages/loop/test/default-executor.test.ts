/**
 * The default executor: loaded on first use (asyncio users expect
 * `run_in_executor(None, …)` to work without a ritual import) and shut down
 * with a time limit when run() ends (asyncio 3.12's 300 s THREAD_JOIN_TIMEOUT).
 *
 * Each case is a real program in a child process, installed the way an app
 * has the packages: a scratch directory whose node_modules holds the built
 * packages (core, futures, loop, and executors only where the case says so).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** An app directory with the given built packages installed, and `main.mjs`. */
function app(packages: string[], main: string): string {
  const dir = mkdtempSync(join(tmpdir(), "aio-default-executor-"));
  scratch.push(dir);
  for (const name of packages) {
    const to = join(dir, "node_modules", "@aio", name);
    mkdirSync(to, { recursive: true });
    cpSync(join(packagesDir, name, "package.json"), join(to, "package.json"));
    cpSync(join(packagesDir, name, "dist"), join(to, "dist"), { recursive: true });
  }
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "main.mjs"), main);
  return dir;
}

function runApp(dir: string) {
  return spawnSync(process.execPath, ["main.mjs"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
}

describe("BaseEventLoop.runInExecutor(null, …)", () => {
  test("loads @aio/executors on first use in a program that never imported it", () => {
    const dir = app(
      ["core", "futures", "loop", "executors"],
      `import { getRunningLoop } from "@aio/core";
import { run } from "@aio/loop";
const r = await run(async () => getRunningLoop().runInExecutor(null, (a, b) => a + b, 2, 3));
console.log("result", r);
`,
    );
    const r = runApp(dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("result 5\n");
    expect(r.status).toBe(0);
  });

  test("a job cancelled while @aio/executors loads never runs", () => {
    const dir = app(
      ["core", "futures", "loop", "executors"],
      `import { getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
await run(async () => {
  const loop = getRunningLoop();
  const first = loop.runInExecutor(null, () => { throw new Error("the cancelled job ran"); });
  first.cancel();
  console.log("second", await loop.runInExecutor(null, () => 2));
  await sleep(50);
  console.log("first cancelled", first.cancelled());
});
`,
    );
    const r = runApp(dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("second 2\nfirst cancelled true\n");
  });

  test("without @aio/executors installed, the Future fails with a RuntimeError naming the fix", () => {
    const dir = app(
      ["core", "futures", "loop"],
      `import { getRunningLoop } from "@aio/core";
import { run } from "@aio/loop";
try {
  await run(async () => getRunningLoop().runInExecutor(null, () => 1));
} catch (err) {
  console.log(err.name + ": " + err.message);
}
`,
    );
    const r = runApp(dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "RuntimeError: runInExecutor(null, …) needs a default executor: install @aio/executors (it provides one and is loaded on first use) or call loop.setDefaultExecutor()\n",
    );
  });
});

describe("run() and the default executor's shutdown", () => {
  test("run() gives up on a never-ending job after executorShutdownTimeout, warns naming it, and the process exits", () => {
    const dir = app(
      ["core", "futures", "loop", "executors"],
      `import { run } from "@aio/loop";
import { toThread } from "@aio/executors";
import { sleep } from "@aio/futures";
await run(async () => {
  // A job that never ends: a busy loop that never yields its thread.
  void toThread(function neverEnds() {
    for (;;) {}
  });
  await sleep(50);
}, { executorShutdownTimeout: 300 });
console.log("run returned");
`,
    );
    // Before the fix run() never returned: the child would hit this timeout.
    const r = runApp(dir);
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe("run returned\n");
    expect(r.stderr).toContain(
      "The default executor did not finish its jobs within 300 ms; still running: neverEnds. Its workers are terminated.",
    );
    expect(r.status).toBe(0);
  });

  test("Runner refuses a bad executorShutdownTimeout, and run() rejects with it", async () => {
    const { Runner, run } = await import("@aio/loop");
    expect(() => new Runner({ executorShutdownTimeout: -1 })).toThrow(
      new RangeError(
        "Runner executorShutdownTimeout must be a number of milliseconds >= 0 or null, received -1",
      ),
    );
    expect(() => new Runner({ executorShutdownTimeout: "1" as never })).toThrow(TypeError);
    await expect(run(() => 1, { executorShutdownTimeout: Number.NaN })).rejects.toThrow(RangeError);
    await expect(run(() => 1, "x" as never)).rejects.toThrow(
      new TypeError('run() options must be an object, received "x"'),
    );
  });
});
