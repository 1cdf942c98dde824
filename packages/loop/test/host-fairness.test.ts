import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getRuntime } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { afterAll, describe, expect, test } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("run", () => {
  test("run(): a net echo on 127.0.0.1 and a host setTimeout complete during a sleep(0) storm", async () => {
    const MAX_ITERATIONS = 5_000_000;
    const events = await run(async () => {
      const out: string[] = [];
      const server = createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      let echoed = false;
      let timerFired = false;
      let iterations = 0;
      let iterationsAtStart = -1;
      const storm = createTask(async () => {
        // Bounded in count and in time; the flags end it long before either bound.
        const giveUp = performance.now() + 15_000;
        while (
          !(echoed && timerFired) &&
          iterations < MAX_ITERATIONS &&
          performance.now() < giveUp
        ) {
          iterations++;
          await sleep(0);
        }
        out.push("storm ended");
      });
      await sleep(0);
      await sleep(0);
      iterationsAtStart = iterations;
      setTimeout(() => {
        timerFired = true;
        out.push("setTimeout");
      }, 5);
      const client = createConnection(port, "127.0.0.1");
      client.on("data", (data) => {
        if (data.toString() === "ping") {
          echoed = true;
          out.push("echo");
        }
      });
      client.write("ping");
      await storm;
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      out.push(`storm was running: ${iterationsAtStart > 0}`);
      out.push(`stopped by the flags: ${iterations < MAX_ITERATIONS}`);
      return out;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const sockets = process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP"));
    expect(sockets).toEqual([]);
    expect([...events.slice(0, 2)].sort()).toEqual(["echo", "setTimeout"]);
    expect(events.slice(2)).toEqual([
      "storm ended",
      "storm was running: true",
      "stopped by the flags: true",
    ]);
  });
});

/** Runs a fixture with `node` from the package dir, where "@aio/loop" resolves to the built dist. */
function runFixture(name: string) {
  // The package test command builds first (turbo `test` depends on `build`).
  expect(
    existsSync(join(packageDir, "dist", "index.js")),
    "packages/loop/dist is missing: build first",
  ).toBe(true);
  return spawnSync(process.execPath, [join(packageDir, "test", "fixtures", name)], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 15_000,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

describe("BaseEventLoop.callLater", () => {
  test("BaseEventLoop.callLater(): 100k pending timers hold ONE host timer, none once stopped, none for Infinity", () => {
    // In a child process: the test runner's own timers would blur the count here.
    const child = runFixture("timer-count.mjs");
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: "" });
    expect(JSON.parse(child.stdout)).toEqual({
      baseline: 0,
      notRunning: 0,
      whileRunning: 1,
      afterStop: 0,
      closed: 0,
      infinityOnly: 0,
      beyondRange: 1,
      warnings: [],
    });
  });
});

describe("newEventLoop", () => {
  test("newEventLoop(): a loop that is not running keeps nothing alive (a child node process exits by itself)", () => {
    const child = runFixture("idle-loop.mjs");
    expect({
      status: child.status,
      signal: child.signal,
      stdout: child.stdout,
      stderr: child.stderr,
    }).toEqual({
      status: 0,
      signal: null,
      stdout: "scheduled; running=false,false\n",
      stderr: "",
    });
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
