import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { skipRules, type TestRuntime } from "./scripts/runtime-skips.js";

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, "packages");

/**
 * Tests import every `@aio/*` package by name; the names resolve to the
 * sources so a test always exercises the current code (the packaging check
 * separately exercises the built tarballs). In Chromium a package's
 * `src/index.browser.ts`, where it has one, stands for its `browser` export
 * condition.
 */
function aliases(runtime: TestRuntime): { find: RegExp; replacement: string }[] {
  const out: { find: RegExp; replacement: string }[] = [];
  for (const name of readdirSync(packagesDir)) {
    const src = join(packagesDir, name, "src");
    const browserIndex = join(src, "index.browser.ts");
    const index =
      runtime === "chromium" && existsSync(browserIndex) ? browserIndex : join(src, "index.ts");
    out.push({ find: new RegExp(`^@aio/${name}/testing$`), replacement: join(src, "testing.ts") });
    out.push({ find: new RegExp(`^@aio/${name}$`), replacement: index });
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The vitest configuration every package uses. `runtime` (default: the
 * `AIO_TEST_RUNTIME` environment variable, else `node`) selects the rules of
 * `scripts/runtime-skips.ts` that apply.
 */
export function packageConfig(packageDir: string, runtime?: TestRuntime) {
  const name = basename(resolve(packageDir));
  const reportDir = process.env.AIO_TEST_REPORT_DIR;
  const on = runtime ?? ((process.env.AIO_TEST_RUNTIME as TestRuntime | undefined) || "node");
  const rules = skipRules(name, on);
  const skippedFiles = rules.filter((r) => r.tests === undefined).map((r) => r.file);
  const skippedTests = rules.flatMap((r) => r.tests ?? []);
  return defineConfig({
    resolve: { alias: aliases(on) },
    test: {
      name,
      root: packageDir,
      include: ["test/**/*.test.ts"],
      exclude: ["**/node_modules/**", ...skippedFiles],
      ...(skippedTests.length !== 0
        ? { testNamePattern: new RegExp(`^(?!.*(?:${skippedTests.map(escapeRegExp).join("|")}))`) }
        : {}),
      testTimeout: 20_000,
      hookTimeout: 20_000,
      reporters: reportDir ? ["default", "json"] : ["default"],
      ...(reportDir ? { outputFile: { json: join(reportDir, `${name}.json`) } } : {}),
    },
  });
}
