/**
 * A small browser app that uses `@aio/loop`, `@aio/futures`, `@aio/sync` and
 * `@aio/executors` (its `browser` build: a thread pool on Web Workers; a
 * devDependency of `@aio/loop`, so it is built before this test runs)
 * the way a user installs them (package names resolved through
 * `node_modules` to the built packages and their `exports`), bundled with
 * esbuild, Vite and Rollup with no configuration beyond the entry — no
 * shims, no polyfills — and run in headless Chromium. Needs the packages
 * built (the test command builds first) and Chromium (`AIO_CHROMIUM`,
 * default `/usr/bin/chromium`). Listed in `scripts/runtime-skips.ts` for the
 * runtimes that do not drive bundlers and a browser from the test.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { build as esbuild } from "esbuild";
import { chromium } from "playwright";
import { rollup } from "rollup";
import { build as viteBuild } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHROMIUM = process.env.AIO_CHROMIUM ?? "/usr/bin/chromium";

/** The app: tasks, gather, timeout, a Lock and a Queue; its result goes to `window.__aio`. */
const APP = `
import { getRunningLoop } from "@aio/core";
import { run } from "@aio/loop";
import { createTask, gather, sleep, timeout } from "@aio/futures";
import { Lock, Queue, Semaphore } from "@aio/sync";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";

const result = run(async () => {
  const lock = new Lock();
  const queue = new Queue();
  const order = [];
  const worker = (name) => createTask(async () => {
    await lock.acquire();
    try { order.push(name); await sleep(1); } finally { lock.release(); }
    await queue.put(name);
  });
  await timeout(5000, () => gather(worker("a"), worker("b"), worker("c")));
  const got = [queue.getNowait(), queue.getNowait(), queue.getNowait()];
  // Reprs name @aio's classes, also where a minifier renamed them.
  const loop = getRunningLoop();
  const named = createTask(() => sleep(0), { name: "t" });
  queue.putNowait(1);
  const reprs = [
    String(named),
    Object.prototype.toString.call(named),
    String(sleep(0)),
    Object.prototype.toString.call(sleep(0)),
    String(loop.callSoon(() => {})).split(" ")[0],
    String(loop.callLater(10, () => {})).split(" ")[0],
    String(loop),
    String(queue),
    String(new Semaphore(2)),
  ];
  await named;
  // @aio/executors' browser build: a thread pool on Web Workers.
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const squared = await pool.submit((x) => x * x, 7);
  reprs.push(String(pool).split(" ")[0]);
  await pool.shutdown();
  let processPool = "";
  try { new ProcessPoolExecutor(); } catch (e) { processPool = e.name; }
  return { order, got, squared, processPool, hasProcess: typeof process !== "undefined", reprs };
});
result.then(
  (value) => { window.__aio = { ok: true, value }; },
  (err) => { window.__aio = { ok: false, error: String(err && err.stack || err) }; },
);
`;

const EXPECTED = {
  order: ["a", "b", "c"],
  got: ["a", "b", "c"],
  squared: 49,
  processPool: "RuntimeError",
  hasProcess: false,
  reprs: [
    "<Task pending name='t'>",
    "[object Task]",
    "<Future pending>",
    "[object Future]",
    "<Handle",
    "<TimerHandle",
    "<BaseEventLoop running=true closed=false debug=false>",
    "<Queue maxsize=0 _queue=[1] tasks=4>",
    "<Semaphore [unlocked, value:2]>",
    "<ThreadPoolExecutor",
  ],
};

let appDir = "";
let server: Server | null = null;
let origin = "";
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
};

beforeAll(async () => {
  for (const name of ["core", "loop", "futures", "sync", "executors"]) {
    expect(
      existsSync(join(packagesDir, name, "dist", "index.js")),
      `packages/${name}/dist is missing: build first`,
    ).toBe(true);
  }
  appDir = mkdtempSync(join(tmpdir(), "aio-bundle-"));
  // node_modules/@aio/* → the packages, as a workspace or an install would have them.
  mkdirSync(join(appDir, "node_modules", "@aio"), { recursive: true });
  for (const name of ["core", "loop", "futures", "sync", "executors"]) {
    symlinkSync(join(packagesDir, name), join(appDir, "node_modules", "@aio", name), "dir");
  }
  writeFileSync(join(appDir, "main.js"), APP);
  writeFileSync(
    join(appDir, "index.html"),
    '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  );
  // Serves the app directory on loopback (module scripts need http, not file:).
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(appDir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(appDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
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
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (appDir !== "") rmSync(appDir, { recursive: true, force: true });
});

/** Opens `path` of the app server and returns what the app reported. */
async function runPage(path: string): Promise<unknown> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  try {
    await page.goto(`${origin}/${path}`);
    await page.waitForFunction(
      () => (globalThis as { __aio?: unknown }).__aio !== undefined,
      null,
      {
        timeout: 15_000,
      },
    );
    const report = await page.evaluate(() => (globalThis as { __aio?: unknown }).__aio);
    expect(errors).toEqual([]);
    return report;
  } finally {
    await page.close();
  }
}

function pageFor(dir: string, script: string): string {
  mkdirSync(join(appDir, dir), { recursive: true });
  writeFileSync(
    join(appDir, dir, "index.html"),
    `<!doctype html><html><body><script type="module" src="./${script}"></script></body></html>`,
  );
  return `${dir}/index.html`;
}

describe("bundling for the browser", () => {
  test("esbuild bundles the app with no configuration, and it runs in Chromium", async () => {
    await esbuild({
      absWorkingDir: appDir,
      entryPoints: ["main.js"],
      bundle: true,
      format: "esm",
      platform: "browser",
      outfile: join(appDir, "esbuild", "app.js"),
      logLevel: "silent",
    });
    const code = readFileSync(join(appDir, "esbuild", "app.js"), "utf8");
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(await runPage(pageFor("esbuild", "app.js"))).toEqual({ ok: true, value: EXPECTED });
  }, 60_000);

  test("esbuild bundles and minifies the app, and it runs in Chromium with @aio's names", async () => {
    await esbuild({
      absWorkingDir: appDir,
      entryPoints: ["main.js"],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      outfile: join(appDir, "esbuild-min", "app.js"),
      logLevel: "silent",
    });
    expect(await runPage(pageFor("esbuild-min", "app.js"))).toEqual({ ok: true, value: EXPECTED });
  }, 60_000);

  test("Vite builds the app with no configuration, and it runs in Chromium", async () => {
    await viteBuild({
      root: appDir,
      configFile: false,
      logLevel: "silent",
      // Where the page is served from (a sub-path of the test server), nothing about @aio.
      base: "./",
      build: { outDir: join(appDir, "vite"), emptyOutDir: true },
    });
    expect(await runPage("vite/index.html")).toEqual({ ok: true, value: EXPECTED });
  }, 60_000);

  test("Rollup (node-resolve only) bundles the app, and it runs in Chromium", async () => {
    const warnings: string[] = [];
    const bundle = await rollup({
      input: join(appDir, "main.js"),
      plugins: [nodeResolve({ browser: true, rootDir: appDir })],
      onwarn: (w) => warnings.push(w.message),
    });
    try {
      await bundle.write({ file: join(appDir, "rollup", "app.js"), format: "esm" });
    } finally {
      await bundle.close();
    }
    // No unresolved import (a Node built-in would be one).
    expect(warnings.filter((w) => /unresolved|external/i.test(w))).toEqual([]);
    expect(await runPage(pageFor("rollup", "app.js"))).toEqual({ ok: true, value: EXPECTED });
  }, 60_000);
});
