/**
 * @aio in a browser page, for real: this example starts a local HTTP server,
 * bundles `page/downloads.ts` with esbuild (browser platform, no config, no
 * shims), opens the page in headless Chromium, clicks Start and then Cancel,
 * and prints what the page logged and what the server saw.
 *
 * The page downloads six files through a `Semaphore(2)`. Each `fetch` gets
 * its task's `signal`, so Cancel stops the two downloads in flight at once
 * (the server sees their connections close) and the queued one never starts.
 * Needs Chromium (`AIO_CHROMIUM`, default `/usr/bin/chromium`).
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const chromiumPath = process.env.AIO_CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(
    `Chromium is not at ${chromiumPath}: skipping the browser example (set AIO_CHROMIUM)`,
  );
  process.exit(0);
}
const { build } = await import("esbuild");
const { chromium } = await import("playwright");

const here = dirname(fileURLToPath(import.meta.url));
const bundle = await build({
  entryPoints: [join(here, "page", "downloads.ts")],
  bundle: true,
  platform: "browser",
  format: "esm",
  minify: true,
  write: false,
  // As in an app of its own: the built packages, not this repository's tsconfig `paths` to their sources.
  tsconfigRaw: {},
});
const appJs = bundle.outputFiles[0]!.text;
console.log(`page bundled: ${(appJs.length / 1024).toFixed(1)} KiB minified, @aio included`);

const PAGE = `<!doctype html><meta charset="utf-8"><title>@aio downloads</title>
<button id="start">Start</button> <button id="cancel">Cancel</button><pre id="log"></pre>
<script type="module" src="/app.js"></script>`;

const served: string[] = [];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/") return void res.end(PAGE);
  if (url.pathname === "/favicon.ico") {
    res.statusCode = 204;
    return void res.end();
  }
  if (url.pathname === "/app.js") {
    res.setHeader("content-type", "text/javascript");
    return void res.end(appJs);
  }
  const file = /^\/file\/(\w+)$/.exec(url.pathname)?.[1];
  if (file === undefined) {
    res.statusCode = 404;
    return void res.end();
  }
  const timer = setTimeout(
    () => {
      served.push(`${file}: sent`);
      res.end("x".repeat(1000));
    },
    Number(url.searchParams.get("ms") ?? 0),
  );
  res.on("close", () => {
    if (!res.writableEnded) {
      clearTimeout(timer);
      served.push(`${file}: the client closed the connection`);
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (err) => console.log(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") console.log(`page console: ${msg.text()}`);
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  const logHas = (text: string) =>
    page.waitForFunction((t) => document.querySelector("#log")!.textContent!.includes(t), text, {
      timeout: 15_000,
    });
  await page.click("#start");
  await logHas("start e"); // a, b, c are done; d and e are downloading; f waits for the semaphore
  await page.click("#cancel");
  await logHas("run() ended");
  console.log("the page logged:");
  for (const line of (await page.textContent("#log"))!.trim().split("\n")) console.log(`  ${line}`);
  console.log("the server saw:");
  for (const line of served) console.log(`  ${line}`);
} finally {
  await browser.close();
  server.close();
}
