import { readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, "packages");

/**
 * Tests import every `@aio/*` package by name; the names resolve to the
 * sources so a test always exercises the current code (the packaging check
 * separately exercises the built tarballs).
 */
function aliases(): { find: RegExp; replacement: string }[] {
  const out: { find: RegExp; replacement: string }[] = [];
  for (const name of readdirSync(packagesDir)) {
    const src = join(packagesDir, name, "src");
    out.push({ find: new RegExp(`^@aio/${name}/testing$`), replacement: join(src, "testing.ts") });
    out.push({ find: new RegExp(`^@aio/${name}$`), replacement: join(src, "index.ts") });
  }
  return out;
}

/** The vitest configuration every package uses. */
export function packageConfig(packageDir: string) {
  const name = basename(resolve(packageDir));
  const reportDir = process.env.AIO_TEST_REPORT_DIR;
  return defineConfig({
    resolve: { alias: aliases() },
    test: {
      name,
      root: packageDir,
      include: ["test/**/*.test.ts"],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      reporters: reportDir ? ["default", "json"] : ["default"],
      ...(reportDir ? { outputFile: { json: join(reportDir, `${name}.json`) } } : {}),
    },
  });
}
