#!/usr/bin/env node
// The tour: runs every examples/<NN-topic>/*.ts in sorted order with tsx,
// against the BUILT packages (`pnpm tour` builds first).
//
// Examples import packages by name. They resolve through examples/node_modules
// (workspace links) to packages/*/package.json "exports", i.e. to dist/. tsx
// would otherwise pick up the root tsconfig.json, whose `paths` map @aio/* to
// the sources, so the tour hands tsx its own tsconfig without `paths`.
//
// Usage: node scripts/tour.mjs [filter]   (filter: substring of the path)
// Exit code: 0 when every example exits 0 within the time limit, else 1.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const examplesDir = join(root, "examples");
/** An example that runs longer than this fails the tour (they aim for < 2 s). */
const EXAMPLE_TIME_LIMIT_MS = 30_000;
const filter = process.argv[2] ?? "";

const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const tourDir = join(root, ".cache", "tour");
mkdirSync(tourDir, { recursive: true });
const tsconfig = join(tourDir, "tsconfig.json");
writeFileSync(
  tsconfig,
  `${JSON.stringify(
    { compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext" } },
    null,
    2,
  )}\n`,
);

/** Every package an example may import must have been built. */
function checkBuilt() {
  const missing = [];
  for (const name of readdirSync(join(root, "packages")).sort()) {
    const pkg = join(root, "packages", name);
    if (!existsSync(join(pkg, "package.json"))) continue;
    if (!existsSync(join(pkg, "dist"))) missing.push(`packages/${name}/dist`);
  }
  return missing;
}

function listExamples() {
  if (!existsSync(examplesDir)) return [];
  const topics = readdirSync(examplesDir)
    .filter((d) => /^\d{2}-/.test(d) && statSync(join(examplesDir, d)).isDirectory())
    .sort();
  const files = [];
  for (const topic of topics) {
    for (const f of readdirSync(join(examplesDir, topic)).sort()) {
      if (f.endsWith(".ts") && !f.endsWith(".d.ts")) files.push(join(examplesDir, topic, f));
    }
  }
  return files.filter((f) => relative(root, f).includes(filter));
}

/** Runs one example; resolves to { code, signal, timedOut, ms }. */
function runExample(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [tsx, "--tsconfig", tsconfig, file], {
      cwd: dirname(file),
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "0" },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, EXAMPLE_TIME_LIMIT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      console.error(`could not start tsx: ${error.message}`);
      resolve({ code: 1, signal: null, timedOut, ms: performance.now() - started });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, ms: performance.now() - started });
    });
  });
}

const missing = checkBuilt();
if (missing.length > 0) {
  console.error(`tour: build the packages first (pnpm build); missing: ${missing.join(", ")}`);
  process.exit(1);
}
const examples = listExamples();
if (examples.length === 0) {
  console.log("tour: no examples found under examples/<NN-topic>/*.ts");
  process.exit(0);
}

const failures = [];
let index = 0;
for (const file of examples) {
  index += 1;
  const rel = relative(root, file);
  console.log(`\n━━━ [${index}/${examples.length}] ${rel} ━━━`);
  const r = await runExample(file);
  const secs = (r.ms / 1000).toFixed(2);
  if (r.timedOut) {
    failures.push(`${rel}: killed after ${EXAMPLE_TIME_LIMIT_MS / 1000} s`);
    console.log(`✗ ${rel}: killed after ${EXAMPLE_TIME_LIMIT_MS / 1000} s`);
  } else if (r.code !== 0) {
    const how = r.signal ? `signal ${r.signal}` : `exit code ${r.code}`;
    failures.push(`${rel}: ${how}`);
    console.log(`✗ ${rel}: ${how} (${secs} s)`);
  } else {
    console.log(`✓ ${rel} (${secs} s)`);
  }
}

console.log(`\ntour: ${examples.length - failures.length} of ${examples.length} examples passed`);
if (failures.length > 0) {
  for (const f of failures) console.error(`  failed: ${f}`);
  process.exit(1);
}
