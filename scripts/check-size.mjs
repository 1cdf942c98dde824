#!/usr/bin/env node
// Size budget: what @aio costs in a browser bundle.
//
// Bundles small programs and each browser-capable package with esbuild
// (browser platform, ESM, minified, nothing external) from the built
// packages (packages/*/dist, as users get them), gzips the result, and
// compares with the budgets below. `--metafile NAME` prints which modules
// weigh what in program NAME. `--json` prints the figures as JSON.
//
// `--layers` prints the cumulative cost of the layers under run + sleep
// (core alone, Future, Task, the loop class, run()), the floor analysis of
// docs/design/size-budget.md.
//
// Usage: node scripts/check-size.mjs [--json] [--peers] [--layers] [--metafile run+sleep]
// Exit code 1 when a figure is over its ceiling.
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

/** The programs of issue 13, by name. */
const PROGRAMS = {
  "run+sleep": `import { run } from "@aio/loop"; import { sleep } from "@aio/futures";
    export default () => run(() => sleep(1));`,
  "run, createTask, gather, sleep, timeout, Lock, Queue": `import { run } from "@aio/loop";
    import { createTask, gather, sleep, timeout } from "@aio/futures";
    import { Lock, Queue } from "@aio/sync";
    export default () => run(async () => {
      const lock = new Lock(); const queue = new Queue();
      const t = createTask(async () => { await lock.acquire(); lock.release(); await queue.put(1); });
      await timeout(100, () => gather(t, sleep(1)));
      return queue.getNowait();
    });`,
};

/**
 * Budgets in gzipped bytes. `target` is issue 13's goal; `ceiling` is what CI
 * enforces today (the measured size plus about 1.4 % headroom), so the size
 * can only go down until the target is met. See bench/RESULTS.md and
 * docs/design/size-budget.md (why the targets are not met: the least code
 * for the pinned API weighs 5.0 kB and 6.6 kB, but with the features @aio's
 * resolved issues ask for, at the same design, 7.7 kB and 11.0 kB, above
 * both targets; bench/experiments/size-floor/). The ceilings were
 * measured with the packages built one dist module per source module, on
 * main's code as of fed93ee: 12,830 B and 18,051 B.
 * run+sleep was raised to 13,200 after the merge with issue 17's lighter
 * tasks (the lazy-then Waiter, done-callback items): 13,001 B measured.
 * Both were raised again for the smaller task layout
 * (docs/design/task-layout.md: 88 bytes less per pending task, about 250 B
 * gzipped more code): 13,294 B and 18,515 B measured. run+sleep was lowered
 * to 12,950 when run()'s shutdown stopped bundling gather: 12,750 B measured.
 * The seven names' ceiling went up to 18,750 for asyncio's "Executor shutdown
 * has been called" (runInExecutor(null, …) after shutdownDefaultExecutor()
 * made a new pool that nothing would shut down): 18,729 B measured.
 * Both came down after a round of trims in core, loop, futures and sync
 * (no behaviour or hot-path change): 12,438 B and 18,092 B measured.
 * Both went up again for five bug fixes: reprs and messages that name
 * @aio's classes in minified bundles (each class declares `_className`), a
 * rescheduled timeout's message, futures of another copy of @aio/futures in
 * gather() and generator tasks, a task's then() on a future whose result is
 * a Future, and the fallback signal table: 12,621 B and 18,326 B measured.
 */
const BUDGETS = {
  "run+sleep": { target: 5_000, ceiling: 12_750 },
  "run, createTask, gather, sleep, timeout, Lock, Queue": { target: 9_000, ceiling: 18_500 },
};

const PACKAGES = ["core", "loop", "futures", "sync", "debug"];

/** The layers under run + sleep, each including the ones above it (`--layers`). */
const LAYERS = {
  "core: getRunningLoop": `import { getRunningLoop } from "@aio/core"; export default getRunningLoop;`,
  "futures: Future": `import { Future } from "@aio/futures"; export default Future;`,
  "futures: Task": `import { Task } from "@aio/futures"; export default Task;`,
  "futures: Task + sleep": `import { Task, sleep } from "@aio/futures"; export default [Task, sleep];`,
  "loop: BaseEventLoop (with Task, sleep)": `import { BaseEventLoop } from "@aio/loop"; import { sleep } from "@aio/futures";
    export default [BaseEventLoop, sleep];`,
  "loop: run (Runner) + sleep": PROGRAMS["run+sleep"],
  "sync: Lock": `import { Lock } from "@aio/sync"; export default Lock;`,
  "sync: Queue": `import { Queue } from "@aio/sync"; export default Queue;`,
  "sync: Lock + Queue": `import { Lock, Queue } from "@aio/sync"; export default [Lock, Queue];`,
  "futures: timeout (with Task)": `import { timeout } from "@aio/futures"; export default timeout;`,
};

/** The peers a user would pick instead, measured the same way (`--peers`; installed in bench/). */
const PEERS = {
  "p-limit (limit + one call)": `import pLimit from "p-limit"; const limit = pLimit(2);
    export default () => limit(() => 1);`,
  "async-mutex (Mutex + Semaphore)": `import { Mutex, Semaphore } from "async-mutex";
    export default () => Promise.all([new Mutex().runExclusive(() => 1), new Semaphore(2).runExclusive(() => 2)]);`,
  "effection (run + sleep)": `import { run, sleep } from "effection";
    export default () => run(function* () { yield* sleep(1); });`,
  "effection (run, spawn, all, sleep, timeout-by-race)": `import { all, race, run, sleep, spawn } from "effection";
    export default () => run(function* () {
      const t = yield* spawn(function* () { yield* sleep(1); return 1; });
      return yield* race([all([t, sleep(1)]), sleep(100)]);
    });`,
};

const alias = Object.fromEntries(
  PACKAGES.map((p) => [`@aio/${p}`, join(root, "packages", p, "dist", "index.js")]),
);

async function measure(source, resolveDir = root, external = []) {
  const result = await build({
    external,
    stdin: { contents: source, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    alias,
    logLevel: "error",
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code).length, metafile: result.metafile };
}

for (const p of PACKAGES) {
  if (!existsSync(alias[`@aio/${p}`])) {
    console.error(`packages/${p}/dist is missing: build first (pnpm run build)`);
    process.exit(1);
  }
}

const rows = [];
let over = false;
for (const [name, source] of Object.entries(PROGRAMS)) {
  const { min, gzip, metafile } = await measure(source);
  const budget = BUDGETS[name];
  const ok = gzip <= budget.ceiling;
  if (!ok) over = true;
  rows.push({ what: name, min, gzip, target: budget.target, ceiling: budget.ceiling, ok });
  if (args.includes("--metafile") && args[args.indexOf("--metafile") + 1] === name) {
    const inputs = Object.values(metafile.outputs)[0].inputs;
    for (const [file, info] of Object.entries(inputs).sort(
      (a, b) => b[1].bytesInOutput - a[1].bytesInOutput,
    )) {
      console.log(`  ${String(info.bytesInOutput).padStart(7)}  ${relative(root, file)}`);
    }
  }
}
for (const p of PACKAGES) {
  const { min, gzip } = await measure(`export * from "@aio/${p}";`);
  rows.push({ what: `@aio/${p} (everything, with its dependencies)`, min, gzip });
}

if (args.includes("--layers")) {
  for (const [name, source] of Object.entries(LAYERS)) {
    const { min, gzip } = await measure(source);
    rows.push({ what: `layer ${name}`, min, gzip });
  }
}

if (args.includes("--peers")) {
  for (const [name, source] of Object.entries(PEERS)) {
    // effection's main() imports node:process dynamically: left external (it is not in the programs' path).
    const { min, gzip } = await measure(source, join(root, "bench"), ["node:*"]);
    rows.push({ what: name, min, gzip });
  }
}

if (args.includes("--json")) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  for (const r of rows) {
    const budget =
      r.target === undefined
        ? ""
        : `  target ${r.target} B ${r.gzip <= r.target ? "met" : "NOT met"}, ceiling ${r.ceiling} B ${r.ok ? "ok" : "EXCEEDED"}`;
    console.log(`${r.what}: ${r.min} B minified, ${r.gzip} B gzipped${budget}`);
  }
}
process.exit(over ? 1 : 0);
