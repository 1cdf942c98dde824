import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as core from "@aio/core";
import { describe, expect, test } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixture = join(packageDir, "test", "fixtures", "single-copy.cjs");
const built = join(packageDir, "dist", "index.js");
/** What Node resolves `@aio/core` to (the `node` export condition: one bundle). */
const builtForNode = join(packageDir, "dist", "node", "index.js");

describe("@aio/core packaging", () => {
  test(`require('@aio/core') and import('@aio/core') share one copy on Node ${process.versions.node}`, () => {
    // The package test command builds first (turbo `test` depends on `build`).
    expect(existsSync(built), "packages/core/dist is missing: build before testing").toBe(true);
    const child = spawnSync(process.execPath, [fixture], {
      cwd: packageDir,
      encoding: "utf8",
      timeout: 15_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(child.error).toBeUndefined();
    expect({
      status: child.status,
      stderr: child.stderr.replace(
        /^.*ExperimentalWarning.*\n?|^\(Use `node --trace-warnings.*\n?/gm,
        "",
      ),
    }).toEqual({
      status: 0,
      stderr: "",
    });
    const report = JSON.parse(child.stdout);
    expect(report).toEqual({
      resolved: builtForNode,
      sameExports: {
        CancelledError: true,
        InvalidStateError: true,
        TimeoutError: true,
        RuntimeError: true,
        ValueError: true,
        ExceptionGroup: true,
        getRuntime: true,
        getRunningLoop: true,
        isCancelledError: true,
      },
      instanceofAcross: [true, true, true, true, true],
      sameRuntime: true,
      runtimeOnGlobal: true,
      noLoopMessage: "true:no running event loop",
    });
  });

  test("a second installed copy of @aio/core shares the runtime state and the error brands", async () => {
    expect(existsSync(built), "packages/core/dist is missing: build before testing").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "aio-core-copy-"));
    try {
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      // The whole dist: it is one module per source module.
      cpSync(dirname(built), join(dir, "dist"), { recursive: true });
      const copy = (await import(pathToFileURL(join(dir, "dist", "index.js")).href)) as typeof core;
      expect(copy.CancelledError).not.toBe(core.CancelledError);
      expect([
        copy.getRuntime() === core.getRuntime(),
        new copy.CancelledError() instanceof core.CancelledError,
        new core.CancelledError() instanceof copy.CancelledError,
        core.isTimeoutError(new copy.TimeoutError()),
        copy.isRuntimeError(new core.RuntimeError()),
        new copy.ValueError() instanceof core.ValueError,
        core.isExceptionGroup(new copy.ExceptionGroup("g", [])),
        new copy.InvalidStateError() instanceof core.CancelledError,
      ]).toEqual([true, true, true, true, true, true, true, false]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
