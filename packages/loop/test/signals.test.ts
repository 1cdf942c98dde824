/**
 * loop.addSignalHandler() / removeSignalHandler() (asyncio add_signal_handler,
 * ported from test_events.py and test_unix_events.py). Signals are delivered
 * to a child process per scenario (test/fixtures/signal-handlers.mjs), never
 * to the test runner.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isValueError, RuntimeError } from "@aio/core";
import { newEventLoop } from "@aio/loop";
import { describe, expect, test } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function scenario(name: string) {
  const r = spawnSync(
    process.execPath,
    [join(packageDir, "test", "fixtures", "signal-handlers.mjs"), name],
    {
      cwd: packageDir,
      encoding: "utf8",
      timeout: 15_000,
    },
  );
  return r;
}

function json(name: string): unknown {
  const r = scenario(name);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

describe("BaseEventLoop.addSignalHandler", () => {
  test("test_add_signal_handler: bad signals and callbacks get asyncio's errors", () => {
    const loop = newEventLoop();
    try {
      expect(() => loop.addSignalHandler({} as never, () => {})).toThrow(
        new TypeError("addSignalHandler() sig must be a signal name or number, received an object"),
      );
      expect(() => loop.addSignalHandler(1.5, () => {})).toThrow(TypeError);
      let caught: unknown;
      try {
        loop.addSignalHandler("SIGFOO", () => {});
      } catch (err) {
        caught = err;
      }
      expect(isValueError(caught)).toBe(true);
      expect((caught as Error).message).toBe(
        'addSignalHandler() sig must be a valid signal, received "SIGFOO"',
      );
      expect(() => loop.addSignalHandler(9999, () => {})).toThrow(RangeError);
      expect(() => loop.addSignalHandler("SIGKILL", () => {})).toThrow(
        new RuntimeError("sig 9 cannot be caught"),
      );
      expect(() => loop.addSignalHandler("SIGSTOP", () => {})).toThrow(RuntimeError);
      expect(() => loop.addSignalHandler("SIGTERM", "nope" as never)).toThrow(
        new TypeError('addSignalHandler() callback must be a function, received "nope"'),
      );
      expect(() => loop.removeSignalHandler("SIGFOO")).toThrow(RangeError);
      expect(loop.removeSignalHandler("SIGTERM")).toBe(false);
    } finally {
      loop.close();
    }
  });

  test("test_signal_handling_while_selecting: the callback runs on the loop, with its arguments, after the host's signal event", () => {
    expect(json("whileSelecting")).toEqual([
      "node event: loop callback running=false",
      "callback(x, 2) on the loop=true",
    ]);
  });

  test("a second handler replaces the first; removeSignalHandler() is true once and leaves no listener", () => {
    expect(json("replaceAndRemove")).toEqual([
      "second",
      "listeners=1",
      "removed=true",
      "again=false",
      "listeners=0",
    ]);
  });

  test("test_remove_signal_handler: after removal the default action is back (SIGTERM ends the process)", () => {
    const r = scenario("defaultActionBack");
    expect(r.stdout).toBe("handled\n");
    expect(r.signal).toBe("SIGTERM");
  });

  test("test_close: closing the loop removes its handlers; a closed loop refuses new ones", () => {
    expect(json("close")).toEqual({
      before: 2,
      after: 0,
      closedError: "RuntimeError: Event loop is closed",
    });
  });

  test("run()'s SIGINT handling steps aside for a SIGINT handler and comes back when it is removed", () => {
    expect(json("sigintWithRun")).toEqual([
      "handler",
      "main still running",
      "main got CancelledError",
      "run rejected with KeyboardInterrupt",
    ]);
  });
});
