import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { until } from "./helpers.js";

const parentScript = new URL("./fixtures/orphan-parent.mjs", import.meta.url);

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

/**
 * Starts a parent process whose pool child runs a job that never yields;
 * `end` ends the parent; then the child must be gone.
 */
async function orphanTest(mode: "exit" | "kill"): Promise<void> {
  const marker = join(mkdtempSync(join(tmpdir(), "aio-orphan-")), "child");
  const parent = spawn(process.execPath, [parentScript.pathname, marker, mode], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<void>((r) => parent.once("exit", () => r()));
  let child = 0;
  try {
    // The child's pid, once written (`writeFileSync` creates the file before it writes).
    const childPid = () => (existsSync(marker) ? Number(readFileSync(marker, "utf8")) : 0);
    await until(
      () => existsSync(`${marker}.parent`) && childPid() > 0,
      "the pool child to start its job",
      20_000,
    );
    child = childPid();
    // Checked before the parent ends (in "exit" mode it waits for `.go`),
    // or the child could already be gone for the right reason.
    expect(alive(child)).toBe(true);
    if (mode === "kill") parent.kill("SIGKILL");
    else writeFileSync(`${marker}.go`, "");
    await exited;
    await until(() => !alive(child), `the orphaned pool child ${child} to exit`, 10_000);
  } finally {
    kill(parent.pid!);
    if (child > 0) kill(child);
  }
}

describe("ProcessPoolExecutor children never outlive their parent", () => {
  test("a child running a job that never yields exits when its parent calls process.exit()", async () => {
    await orphanTest("exit");
  });

  test("a child running a job that never yields exits when its parent is killed with SIGKILL", async () => {
    await orphanTest("kill");
  });
});
