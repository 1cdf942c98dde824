/**
 * `@aio/streams` in a browser bundle: esbuild, with no configuration beyond
 * `platform: "browser"` (its default when bundling), resolves the package
 * by name through its `exports` to the `browser` build, which imports no
 * Node built-in — where the Node build fails to bundle. Needs the package
 * built (its test command builds first). What the browser build does in a
 * page is tested in Chromium (`test/browser-streams.test.ts`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let appDir = "";

beforeAll(() => {
  for (const name of ["core", "streams"]) {
    expect(
      existsSync(join(packagesDir, name, "dist", "index.js")),
      `packages/${name}/dist is missing: build first`,
    ).toBe(true);
  }
  appDir = mkdtempSync(join(tmpdir(), "aio-streams-bundle-"));
  // node_modules/@aio/* → the packages, as an install would have them.
  mkdirSync(join(appDir, "node_modules", "@aio"), { recursive: true });
  for (const name of ["core", "streams"]) {
    symlinkSync(join(packagesDir, name), join(appDir, "node_modules", "@aio", name), "dir");
  }
  writeFileSync(
    join(appDir, "main.js"),
    'import { openConnection, StreamReader } from "@aio/streams";\nexport { openConnection, StreamReader };\n',
  );
});

afterAll(() => {
  if (appDir !== "") rmSync(appDir, { recursive: true, force: true });
});

describe("@aio/streams in a browser bundle", () => {
  test("esbuild bundles an app that imports @aio/streams for the browser with no configuration", async () => {
    const result = await build({
      absWorkingDir: appDir,
      entryPoints: ["main.js"],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/(from\s*|import\(\s*|require\(\s*)["']node:/);
    const inputs = Object.keys(result.metafile.inputs).filter((f) => f.includes("streams"));
    expect(inputs.every((f) => /dist\/(index\.browser|chunk-[^/]+)\.js$/.test(f))).toBe(true);
    expect(code).toContain("is not available in a browser");
  });

  test("without the browser condition (a Node-platform bundle) it resolves to the Node build", async () => {
    const result = await build({
      absWorkingDir: appDir,
      entryPoints: ["main.js"],
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    expect(
      Object.keys(result.metafile.inputs).some((f) => f.endsWith("streams/dist/index.js")),
    ).toBe(true);
  });
});
