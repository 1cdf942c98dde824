/**
 * The SIGINT half of CPython 3.13's `test_runners.py` (RunnerTests
 * `test_interrupt_wait` and friends): `_thread.interrupt_main()` becomes a
 * real SIGINT sent to a child process that runs `fixtures/sigint-main.ts`.
 * The rest of the port is `runners.test.ts`, which also runs in a page.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the SIGINT fixture in a child process through tsx and interrupts it at each "ready". */
function runInterrupted(
  mode: string,
  signals: number,
): Promise<{ out: string; code: number | null; signal: string | null }> {
  const require = createRequire(import.meta.url);
  const tsxCli = require.resolve("tsx/cli");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        tsxCli,
        "--tsconfig",
        join(here, "fixtures", "tsconfig.json"),
        join(here, "fixtures", "sigint-main.ts"),
        mode,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    let sent = 0;
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const readies = out.split("\n").filter((l) => l.startsWith("ready")).length;
      while (sent < Math.min(readies, signals)) {
        sent++;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (err.trim() !== "") out += `stderr: ${err}`;
      resolve({ out, code, signal });
    });
  });
}

describe("RunnerTests (SIGINT, in a child process)", () => {
  it("test_interrupt_wait: SIGINT cancels the main task, its finally runs, run() rejects with KeyboardInterrupt", async () => {
    const { out, code } = await runInterrupted("plain", 1);
    expect(out).toBe(
      [
        "ready",
        "main caught CancelledError",
        "main finally",
        "run rejected KeyboardInterrupt",
        "",
      ].join("\n"),
    );
    expect(code).toBe(130);
  });

  it("a second SIGINT exits even when the main task swallows the first", async () => {
    const { out, code, signal } = await runInterrupted("ignore", 2);
    expect(
      out.startsWith(["ready", "main caught CancelledError", "ready-again", ""].join("\n")),
    ).toBe(true);
    expect(out).not.toContain("result");
    expect(code === 130 || signal === "SIGINT").toBe(true);
  });
});
