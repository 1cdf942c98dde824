#!/usr/bin/env node
// Experiment (issue 13, the size budget): what the least code for DESIGN.md's
// pinned API weighs in a browser bundle, measured exactly as
// `scripts/check-size.mjs` measures @aio (esbuild, browser platform, ESM,
// minified, nothing external, gzip at its default level). Not a suite; prints markdown.
//
//   node bench/experiments/size-floor/size-floor.mjs        (after `pnpm build`)
//
// 1. Checks that the model runs: every scenario of `scenarios.mjs` must give
//    the same event log under the model as under @aio (a mismatch is printed
//    and the exit code is 1: a model that does not do the job weighs nothing).
// 2. Measures `run` + `sleep` (and the seven-name program, `seven.js`) from
//    the model's kernel up, one part at a time, then the full model with
//    each part removed alone. Parts are switched with esbuild's `define`, so
//    a removed part is removed by dead-code elimination.

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { FEATURES, PARTS } from "./load-model.mjs";
import { hostScenarios, scenarios } from "./scenarios.mjs";

const here = dirname(fileURLToPath(import.meta.url));
/** Not part of the floor: speed work, measured apart (`speed.mjs` times both). */
const SPEED_PARTS = ["P_FAST"];
// FEATURES are not part of the floor either: what @aio has beyond the pinned
// API and its resolved issues' tests rely on, written at the model's design
// on top of the fast model, to see whether @aio's features fit the 9 kB
// budget. Each feature's scenarios live in `features-*.mjs` and are checked
// against @aio with every feature on.
const ALL_ON = Object.fromEntries(PARTS.map((p) => [p, true]));
const FAST_ON = { ...ALL_ON, P_FAST: true };
const FEATURES_ON = { ...FAST_ON, ...Object.fromEntries(FEATURES.map((p) => [p, true])) };

const PROGRAMS = {
  "run + sleep": `import { run, sleep } from "./model.js"; export default () => run(() => sleep(1));`,
};
if (existsSync(join(here, "seven.js"))) {
  PROGRAMS["run, createTask, gather, sleep, timeout, Lock, Queue"] =
    `import { run, createTask, sleep } from "./model.js";
    import { gather, timeout, Lock, Queue } from "./seven.js";
    export default () => run(async () => {
      const lock = new Lock(); const queue = new Queue();
      const t = createTask(async () => { await lock.acquire(); lock.release(); await queue.put(1); });
      await timeout(100, () => gather(t, sleep(1)));
      return queue.getNowait();
    });`;
}

async function bundle(contents, parts, platform = "browser") {
  const define = Object.fromEntries(
    [...PARTS, ...SPEED_PARTS, ...FEATURES].map((p) => [p, String(Boolean(parts[p]))]),
  );
  const out = await build({
    stdin: { contents, resolveDir: here, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    define,
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

async function size(contents, parts) {
  const code = await bundle(contents, parts);
  return { min: code.length, gz: gzipSync(code).length };
}

// ---- 1. the model does the job --------------------------------------------------

/**
 * Runs every scenario under @aio and under the model built with `parts`;
 * with `features`, also the features' own scenarios (`features-*.mjs`).
 */
async function check(label, parts, features = false) {
  console.log(`\n### ${label}: the same event logs as @aio?\n`);
  const dir = mkdtempSync(join(tmpdir(), "aio-size-floor-"));
  try {
    const file = join(dir, "model.mjs");
    writeFileSync(
      file,
      await bundle(
        `export * from "./model.js";${existsSync(join(here, "seven.js")) ? ` export * from "./seven.js";` : ""}`,
        parts,
        "node",
      ),
    );
    const model = await import(pathToFileURL(file).href);
    const core = await import("@aio/core");
    const aio = {
      ...core,
      ...(await import("@aio/loop")),
      ...(await import("@aio/futures")),
      ...(await import("@aio/sync")),
    };
    let failed = 0;
    const all = { ...scenarios, ...hostScenarios };
    if (model.Lock) Object.assign(all, (await import("./seven-scenarios.mjs")).scenarios);
    if (features) {
      for (const file of readdirSync(here)
        .filter((f) => /^features-.*\.mjs$/.test(f))
        .sort()) {
        Object.assign(all, (await import(`./${file}`)).scenarios);
      }
    }
    for (const [name, scenario] of Object.entries(all)) {
      // The second argument lets a feature's scenario reach what only one
      // side has under another name (e.g. @aio/debug's instruments).
      const expected = JSON.stringify(await scenario(aio, "aio"));
      const got = JSON.stringify(await scenario(model, "model"));
      if (expected === got) {
        console.log(`- same as @aio: ${name}`);
      } else {
        failed++;
        console.log(`- **DIFFERS**: ${name}\n  - @aio:  ${expected}\n  - model: ${got}`);
      }
    }
    return failed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. what each part weighs ----------------------------------------------------

async function measure() {
  for (const [program, source] of Object.entries(PROGRAMS)) {
    console.log(`\n### ${program}\n`);
    console.log("| model | minified | gzipped |");
    console.log("|---|---:|---:|");
    const parts = {};
    let s = await size(source, parts);
    console.log(
      `| kernel: loop, Future, async-function Task, sleep, bare run() | ${s.min} | ${s.gz} |`,
    );
    for (const p of PARTS) {
      parts[p] = true;
      s = await size(source, parts);
      console.log(`| + ${p} | ${s.min} | ${s.gz} |`);
    }
    const full = s;
    const fast = await size(source, FAST_ON);
    console.log(`| (speed work, not floor) + P_FAST | ${fast.min} | ${fast.gz} |`);
    const withFeatures = { ...FAST_ON };
    for (const p of FEATURES) {
      withFeatures[p] = true;
      s = await size(source, withFeatures);
      console.log(`| (@aio's features, not floor) + ${p} | ${s.min} | ${s.gz} |`);
    }
    console.log("\n| full model without | minified | gzipped | the part costs (gzipped) |");
    console.log("|---|---:|---:|---:|");
    for (const p of PARTS) {
      const without = await size(source, { ...ALL_ON, [p]: false });
      console.log(`| ${p} | ${without.min} | ${without.gz} | ${full.gz - without.gz} |`);
    }
    const featured = await size(source, FEATURES_ON);
    console.log(
      "\n| fast model with every feature but | minified | gzipped | the feature costs (gzipped) |",
    );
    console.log("|---|---:|---:|---:|");
    for (const p of FEATURES) {
      const without = await size(source, { ...FEATURES_ON, [p]: false });
      console.log(`| ${p} | ${without.min} | ${without.gz} | ${featured.gz - without.gz} |`);
    }
  }
}

// `--measure-only`: the sizes without the checks (a model whose checks fail
// weighs nothing as a floor; the flag is for looking at sizes while fixing it).
const measureOnly = process.argv.includes("--measure-only");
const failed = measureOnly
  ? 0
  : (await check("the least model", ALL_ON)) +
    (await check("the model with P_FAST", FAST_ON)) +
    (await check("the model with P_FAST and @aio's features", FEATURES_ON, true));
await measure();
if (failed > 0) {
  console.log(`\n${failed} scenario(s) differ from @aio: the figures above are not a floor.`);
  process.exitCode = 1;
}
