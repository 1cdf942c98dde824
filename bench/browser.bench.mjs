#!/usr/bin/env node
// The browser benchmark (issue 13): @aio's loop, tasks and Lock in headless
// Chromium, beside what a page would do without @aio, measured in the same
// page, interleaved round by round:
//   (a) callSoon fan-out            vs draining a plain array of closures in one host turn
//   (b) task spawn + gather         vs native async functions + Promise.all
//   (c) Lock hand-off (contended)   vs a hand-written promise mutex + Promise.all
//
//   node bench/browser.bench.mjs            full run, prints a markdown report
//   node bench/browser.bench.mjs --quick    a tenth of the work (smoke run)
//   node bench/browser.bench.mjs --record   also writes bench/results/browser.md
//
// The page is bundled with esbuild from the built packages, resolved by name
// as a user's bundler would (their `browser` export conditions included),
// and run in Chromium (`AIO_CHROMIUM`, default /usr/bin/chromium) driven by
// playwright (a devDependency of the repository). Needs `pnpm build`. A page
// has no CPU-time clock: rates are per wall second (`performance.now()`),
// best of 5 after a warm-up, cases interleaved so load hits them alike.
// Never asserts.

import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright";
import { benchDir, commit, fmtRate, fmtX, n } from "./lib/harness.mjs";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;
const CHROMIUM = process.env.AIO_CHROMIUM ?? "/usr/bin/chromium";

const CONFIG = {
  fanoutN: 1_000_000 / SCALE,
  spawnN: 100_000 / SCALE,
  // A message per async function is ~100× slower: fewer of them, same rate.
  spawnTurnN: 10_000 / SCALE,
  lockTasks: 100,
  lockOps: 200_000 / SCALE,
  reps: 5,
};

/**
 * The page. Every case returns `{ n, ms, check }`; `check` proves the work
 * was done (a count). Host turns are `MessageChannel` messages, what @aio's
 * loop itself uses in a browser (no `setImmediate` there).
 */
const PAGE = `
import { newEventLoop, run } from "@aio/loop";
import { createTask, gather, sleep } from "@aio/futures";
import { Lock } from "@aio/sync";

/** One host turn later (a MessageChannel message: not clamped like setTimeout). */
const channel = new MessageChannel();
const turnWaiters = [];
channel.port1.onmessage = () => turnWaiters.shift()();
const nextTurn = () => new Promise((r) => { turnWaiters.push(r); channel.port2.postMessage(null); });

/** A FIFO with O(1) shift. */
class Fifo {
  items = []; head = 0;
  push(x) { this.items.push(x); }
  shift() {
    if (this.head === this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return x;
  }
}
/** The floor of a promise mutex: FIFO hand-off, nothing else. */
class NativeMutex {
  locked = false; waiters = new Fifo();
  acquire() {
    if (!this.locked) { this.locked = true; return Promise.resolve(); }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() { const next = this.waiters.shift(); if (next) next(); else this.locked = false; }
}

function cases(cfg) {
  const per = cfg.lockOps / cfg.lockTasks;
  return {
    // (a) -------------------------------------------------------------------
    async "fanout-aio"() {
      const loop = newEventLoop();
      let count = 0;
      const t0 = performance.now();
      for (let i = 0; i < cfg.fanoutN; i++) loop.callSoon(() => { count += i & 1; });
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      const ms = performance.now() - t0;
      loop.close();
      return { n: cfg.fanoutN, ms, check: count };
    },
    async "fanout-array"() {
      let count = 0;
      const t0 = performance.now();
      const queue = [];
      for (let i = 0; i < cfg.fanoutN; i++) queue.push(() => { count += i & 1; });
      await nextTurn();
      for (let i = 0; i < queue.length; i++) queue[i]();
      return { n: cfg.fanoutN, ms: performance.now() - t0, check: count };
    },
    // (b) -------------------------------------------------------------------
    async "spawn-aio"() {
      const child = async () => { await sleep(0); return 1; };
      return run(async () => {
        const t0 = performance.now();
        const tasks = new Array(cfg.spawnN);
        for (let i = 0; i < cfg.spawnN; i++) tasks[i] = createTask(child);
        const out = await gather(...tasks);
        return { n: cfg.spawnN, ms: performance.now() - t0, check: out.length };
      });
    },
    async "spawn-aio-gen"() {
      function* child() { yield* sleep(0); return 1; }
      return run(function* () {
        const t0 = performance.now();
        const tasks = new Array(cfg.spawnN);
        for (let i = 0; i < cfg.spawnN; i++) tasks[i] = createTask(child);
        const out = yield* gather(...tasks);
        return { n: cfg.spawnN, ms: performance.now() - t0, check: out.length };
      });
    },
    async "spawn-native-shared-turn"() {
      const t0 = performance.now();
      const turn = nextTurn();
      const child = async () => { await turn; return 1; };
      const all = new Array(cfg.spawnN);
      for (let i = 0; i < cfg.spawnN; i++) all[i] = child();
      const out = await Promise.all(all);
      return { n: cfg.spawnN, ms: performance.now() - t0, check: out.length };
    },
    async "spawn-native-turn"() {
      const child = async () => { await nextTurn(); return 1; };
      const t0 = performance.now();
      const all = new Array(cfg.spawnTurnN);
      for (let i = 0; i < cfg.spawnTurnN; i++) all[i] = child();
      const out = await Promise.all(all);
      return { n: cfg.spawnTurnN, ms: performance.now() - t0, check: out.length };
    },
    async "spawn-native-resolved"() {
      const child = async () => { await null; return 1; };
      const t0 = performance.now();
      const all = new Array(cfg.spawnN);
      for (let i = 0; i < cfg.spawnN; i++) all[i] = child();
      const out = await Promise.all(all);
      return { n: cfg.spawnN, ms: performance.now() - t0, check: out.length };
    },
    // (c) -------------------------------------------------------------------
    async "lock-aio"() {
      return run(async () => {
        const lock = new Lock();
        let count = 0;
        const worker = async () => {
          for (let i = 0; i < per; i++) { await lock.acquire(); count++; lock.release(); }
        };
        // Held until every worker queues: each acquisition is a hand-off (FIFO).
        await lock.acquire();
        const t0 = performance.now();
        const workers = Array.from({ length: cfg.lockTasks }, () => createTask(worker));
        await sleep(0);
        lock.release();
        await gather(...workers);
        return { n: cfg.lockOps, ms: performance.now() - t0, check: count };
      });
    },
    async "lock-aio-gen"() {
      return run(function* () {
        const lock = new Lock();
        let count = 0;
        const worker = function* () {
          for (let i = 0; i < per; i++) { yield* lock.acquire(); count++; lock.release(); }
        };
        yield* lock.acquire();
        const t0 = performance.now();
        const workers = Array.from({ length: cfg.lockTasks }, () => createTask(worker));
        yield* sleep(0);
        lock.release();
        yield* gather(...workers);
        return { n: cfg.lockOps, ms: performance.now() - t0, check: count };
      });
    },
    async "lock-native"() {
      const m = new NativeMutex();
      let count = 0;
      const worker = async () => {
        for (let i = 0; i < per; i++) { await m.acquire(); count++; m.release(); }
      };
      await m.acquire();
      const t0 = performance.now();
      const workers = Array.from({ length: cfg.lockTasks }, worker);
      m.release();
      await Promise.all(workers);
      return { n: cfg.lockOps, ms: performance.now() - t0, check: count };
    },
  };
}

/** Warm-up round, then cfg.reps rounds; each round runs every case once, in order. Best (least ms) per case. */
window.__bench = async (cfg) => {
  const all = cases(cfg);
  const best = {};
  const failures = [];
  for (let round = 0; round <= cfg.reps; round++) {
    for (const [name, fn] of Object.entries(all)) {
      let r;
      try {
        r = await fn();
      } catch (e) {
        failures.push(round + " " + name + ": " + String((e && e.stack) || e));
        best[name] ??= { error: String(e).split("\\n")[0] };
        continue;
      }
      await nextTurn(); // let the page breathe between cases
      if (round === 0) continue;
      if (best[name] === undefined || best[name].error || r.ms < best[name].ms) best[name] = r;
    }
  }
  return { best, failures };
};
`;

const rateOf = (r) => (r && !r.error ? r.n / (r.ms / 1000) : Number.NaN);

async function main() {
  for (const name of ["core", "loop", "futures", "sync"]) {
    if (!existsSync(join(benchDir, "..", "packages", name, "dist", "index.js"))) {
      throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
    }
  }
  const bundle = await build({
    stdin: { contents: PAGE, resolveDir: benchDir, sourcefile: "browser-bench-page.js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    // Not the repository's tsconfig.json: its `paths` map @aio/* to the
    // sources, and a bundle that mixes them with the built packages has two
    // copies of Future (generator tasks then fail). A user's bundle has one.
    tsconfigRaw: {},
    write: false,
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0].text;
  process.stderr.write(`browser: page bundled (${n(code.length)} bytes), starting Chromium…\n`);
  // Served on loopback as a module script (the packages read `import.meta.url`).
  const files = {
    "/": [
      "text/html",
      '<!doctype html><html><body><script type="module" src="/app.js"></script></body></html>',
    ],
    "/app.js": ["text/javascript", code],
  };
  const server = createServer((req, reply) => {
    const file = files[req.url ?? "/"];
    if (file === undefined) reply.writeHead(404).end();
    else reply.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  let res;
  let version;
  try {
    version = browser.version();
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.__bench === "function" || undefined, null, {
      timeout: 30_000,
    });
    if (errors.length > 0) throw new Error(`the page failed to load: ${errors.join("; ")}`);
    process.stderr.write("browser: measuring (every case in one page, interleaved)…\n");
    const measured = await page.evaluate((cfg) => window.__bench(cfg), CONFIG);
    res = measured.best;
    for (const f of measured.failures) process.stderr.write(`browser: round ${f}\n`);
    if (errors.length > 0) process.stderr.write(`browser: page errors: ${errors.join("; ")}\n`);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }

  const row = (label, key, vs) => {
    const r = res[key];
    const note = r?.error ? ` (failed: ${r.error})` : "";
    const ratio = vs === undefined ? "—" : fmtX(rateOf(res[vs]) / rateOf(r));
    return `| ${label}${note} | ${r?.n ? n(r.n) : "n/a"} | ${r?.ms ? `${r.ms.toFixed(1)} ms` : "n/a"} | ${fmtRate(rateOf(r))} | ${ratio} |`;
  };
  const head = [
    "| implementation | ops | wall time (best of 5) | rate (per wall second) | the plain version's rate ÷ this rate |",
    "|---|---:|---:|---:|---:|",
  ];
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(", ");
  const out = [];
  out.push(
    `### Chromium ${version}, headless (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${commit()}; ${os.cpus().length} cores, load average ${load} when it ended${QUICK ? "; --quick" : ""})`,
  );
  out.push("");
  out.push(
    `#### (a) callSoon fan-out: ${n(CONFIG.fanoutN)} callbacks (a fresh closure each), then stop`,
  );
  out.push("");
  out.push(...head);
  out.push(row("@aio/loop `callSoon` + `runForever`", "fanout-aio", "fanout-array"));
  out.push(row("plain array of closures, drained in one host turn", "fanout-array"));
  out.push("");
  out.push(
    `#### (b) task spawn + gather: ${n(CONFIG.spawnN)} tasks, each yields once (\`sleep(0)\`)`,
  );
  out.push("");
  out.push(...head);
  out.push(row("@aio/futures `async` tasks + `gather`", "spawn-aio", "spawn-native-shared-turn"));
  out.push(
    row("@aio/futures generator tasks + `gather`", "spawn-aio-gen", "spawn-native-shared-turn"),
  );
  out.push(
    row(
      "native async functions all awaiting the next host turn (one `MessageChannel` message) + `Promise.all`",
      "spawn-native-shared-turn",
    ),
  );
  out.push(
    row(
      "native async functions each awaiting a host turn of its own (a message each) + `Promise.all`",
      "spawn-native-turn",
      "spawn-native-shared-turn",
    ),
  );
  out.push(
    row(
      "native async functions awaiting `null` (microtask only; for scale) + `Promise.all`",
      "spawn-native-resolved",
    ),
  );
  out.push("");
  out.push(
    `#### (c) Lock hand-off: ${CONFIG.lockTasks} tasks contending, ${n(CONFIG.lockOps)} acquisitions`,
  );
  out.push("");
  out.push(...head);
  out.push(row("@aio/sync `Lock` (`async` tasks in `run()`)", "lock-aio", "lock-native"));
  out.push(row("@aio/sync `Lock` (generator tasks, `yield*`)", "lock-aio-gen", "lock-native"));
  out.push(
    row("hand-written promise mutex, native async functions + `Promise.all`", "lock-native"),
  );
  const section = out.join("\n");
  console.log(section);

  if (argv.includes("--record")) {
    const file = join(benchDir, "results", "browser.md");
    writeFileSync(
      file,
      `# Browser benchmark (issue 13)

\`bench/browser.bench.mjs\`: @aio's loop, tasks and \`Lock\` in headless
Chromium, beside what a page does without @aio — a plain array drained in one
host turn, native async functions and \`Promise.all\`, a hand-written promise
mutex — all in one page. Re-run with \`node bench/run.mjs browser --record
--write\` (after \`pnpm build\`).

**Conditions: taken under load.** A 2-core VM shared with several other
sessions that were building, testing and benchmarking at the same time (the
load average is in the heading below). A page has no CPU-time clock, so these
rates are per **wall** second: they are inflated by the load and move from
run to run. The cases are interleaved round by round (a warm-up round, then
best of 5), so the load hits @aio and its plain peers alike; read the
**ratios**, not the absolute rates.

**Choices.**
- The page is bundled by esbuild from the built packages, by name (the
  packages' \`browser\` export conditions apply), and loaded as one script.
- A host turn in a page is a \`MessageChannel\` message — what @aio's loop
  uses there for its own turns (no \`setImmediate\` in browsers; \`setTimeout(0)\`
  is clamped to 4 ms once nested). So the native peer of a task that yields
  once (\`await sleep(0)\`: every ready task runs in the next loop iteration)
  is a set of async functions that all await the next host turn (one
  message) — the native limit, which the ratios of (b) divide by. Async
  functions that each post a message of their own (10,000 of them: two
  orders of magnitude slower; the rate is what counts), and \`await null\`
  (a microtask, no host turn), are shown for scale.
- (a) each callback is a fresh closure on both sides; the plain version
  pushes them to an array and drains it in the next host turn.
- (c) the lock is held until every worker queues, so every acquisition is a
  FIFO hand-off to the next waiter (as in \`bench/sync.bench.mjs\`).
- @aio's loop yields to the page every 4 ms (\`HOST_YIELD_BUDGET_MS\`, so
  input and rendering are never starved); the plain versions never yield.
  That is part of what the ratios show.

${section}
`,
    );
    process.stderr.write(`browser: wrote ${file}\n`);
  }
}

await main();
