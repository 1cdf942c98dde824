import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { packageConfig } from "./vitest.shared.ts";

/**
 * The browser-capable packages' suites in headless Chromium (vitest browser
 * mode, playwright driving the system's Chromium: `AIO_CHROMIUM`, default
 * `/usr/bin/chromium`). Run from a package directory:
 * `vitest run --config ../../vitest.browser.ts`. Which tests cannot run in a
 * browser, and why, is listed in `test/runtime-skips.ts` (never skipped silently).
 */
export function browserConfig(packageDir: string) {
  const base = packageConfig(packageDir, "chromium");
  const shims = join(dirname(fileURLToPath(import.meta.url)), "scripts", "browser-test-shims");
  return defineConfig({
    ...base,
    resolve: {
      alias: [
        ...((base.resolve?.alias ?? []) as { find: RegExp; replacement: string }[]),
        // Test files only (the packages import no Node built-in): see the shims' comments.
        { find: /^node:util$/, replacement: join(shims, "node-util.ts") },
        { find: /^node:(async_hooks|events)$/, replacement: join(shims, "node-unavailable.ts") },
      ],
    },
    test: {
      ...base.test,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({
          launchOptions: {
            executablePath: process.env.AIO_CHROMIUM ?? "/usr/bin/chromium",
            args: [
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
            ],
          },
        }),
        instances: [{ browser: "chromium" }],
      },
    },
  });
}

export default browserConfig(join(process.cwd()));
