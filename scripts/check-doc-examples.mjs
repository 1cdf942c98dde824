#!/usr/bin/env node
// Doc-example check: examples nobody compiles rot.
//
// Extracts
//   - the ```ts blocks of every `@example` in TSDoc comments of packages/*/src/**/*.ts,
//   - the ```ts blocks of README.md, packages/*/README.md and docs/**/*.md,
// writes each one as its own ES module under .cache/doc-examples/ (a
// tsconfig there maps @aio/* to the package sources and allows top-level
// await) and typechecks them all in one TypeScript program. Failures name the
// file, the line and the documented symbol.
//
// Rules for Markdown code blocks:
//   ```ts        typechecked
//   ```ts run    typechecked and run with tsx (must exit 0 within 30 s) —
//                the runnable, tested examples of the guides (docs/guide/)
//   anything else (```text, ```js, ```sh, ```python) is left alone.
// `--run-all` also runs every other extracted example (TSDoc ones included).
//
// Usage: node scripts/check-doc-examples.mjs [--run-all] [path-filter]
// Exit code 1 when an example fails to typecheck or to run.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const ts = require("typescript");
const outDir = join(root, ".cache", "doc-examples");
const RUN_TIME_LIMIT_MS = 30_000;
const args = process.argv.slice(2);
const runAll = args.includes("--run-all");
const filter = args.find((a) => !a.startsWith("--")) ?? "";

const toPosix = (p) => p.split(sep).join("/");

function walk(dir, accept, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "dist" || name === "api") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, accept, out);
    else if (accept(name)) out.push(full);
  }
  return out;
}

/** A fenced block's info string → { lang, run } or null when not TypeScript. */
function fenceInfo(info) {
  const [lang, ...flags] = info.trim().split(/\s+/);
  if (lang !== "ts" && lang !== "typescript") return null;
  return { run: flags.includes("run") };
}

/** Finds ```ts blocks in `lines` (already stripped of comment stars). */
function fencedBlocks(lines, firstLine) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j])) j++;
    const kind = fenceInfo(info);
    if (kind) {
      const body = lines
        .slice(i + 1, j)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      blocks.push({ line: firstLine + i + 1, code: body.join("\n"), run: kind.run });
    }
    i = j;
  }
  return blocks;
}

const DECL =
  /^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\s*\*?|class|interface|type|enum|const|let|var|namespace)\s+([A-Za-z_$][\w$]*)/;
const MEMBER =
  /^\s*(?:(?:public|protected|static|override|readonly|async|abstract|declare|get|set)\s+)*(\*?\s*(?:\[[^\]]+\]|#?[A-Za-z_$][\w$]*))\s*[<(:?=;]/;

/** TSDoc `@example` blocks of one source file, with the symbol each documents. */
function tsdocExamples(file) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const out = [];
  let currentClass = null;
  for (let i = 0; i < lines.length; i++) {
    const cls =
      /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:class|interface)\s+([A-Za-z_$][\w$]*)/.exec(
        lines[i],
      );
    if (cls) currentClass = cls[1];
    if (!/^\s*\/\*\*/.test(lines[i])) continue;
    const start = i;
    while (i < lines.length && !lines[i].includes("*/")) i++;
    const comment = lines.slice(start, i + 1).map((l) =>
      l
        .replace(/^\s*\/\*\*\s?/, "")
        .replace(/\s*\*\/\s*$/, "")
        .replace(/^\s*\* ?/, ""),
    );
    // The declaration the comment documents: the next non-blank line.
    let k = i + 1;
    while (k < lines.length && (/^\s*$/.test(lines[k]) || /^\s*@/.test(lines[k]))) k++;
    const declLine = lines[k] ?? "";
    const topLevel = /^\S/.test(declLine);
    const decl = DECL.exec(declLine);
    if (
      decl &&
      topLevel &&
      /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:class|interface)\s/.test(
        declLine.trim(),
      )
    ) {
      currentClass = decl[1];
    }
    const member = !decl && !topLevel ? MEMBER.exec(declLine) : null;
    const symbol = decl
      ? topLevel
        ? decl[1]
        : `${currentClass ?? "?"}.${decl[1]}`
      : member
        ? `${currentClass ?? "?"}.${member[1].replace(/\s+/g, "")}`
        : comment.some((l) => /@packageDocumentation|@module\b/.test(l))
          ? "(module)"
          : `(comment at line ${start + 1})`;
    // Only the parts of the comment that belong to an @example tag.
    let inExample = false;
    let inFence = false;
    const exampleLines = comment.map((l) => {
      if (/^\s*(`{3,}|~{3,})/.test(l)) inFence = !inFence;
      if (!inFence && /^\s*@\w+/.test(l)) inExample = /^\s*@example\b/.test(l);
      return inExample ? l : "";
    });
    for (const block of fencedBlocks(exampleLines, start)) out.push({ ...block, file, symbol });
  }
  return out;
}

/** ```ts blocks of one Markdown file, with the heading above each. */
function markdownExamples(file) {
  const lines = readFileSync(file, "utf8").split("\n");
  const headings = [];
  let inFence = false;
  lines.forEach((l, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(l)) inFence = !inFence;
    const h = inFence ? null : /^#{1,6}\s+(.*)$/.exec(l);
    if (h) headings.push({ line: i + 1, title: h[1].trim() });
  });
  return fencedBlocks(lines, 0).map((b) => ({
    ...b,
    file,
    symbol: `§ ${headings.filter((h) => h.line < b.line).pop()?.title ?? "(top)"}`,
  }));
}

const sources = readdirSync(join(root, "packages"))
  .sort()
  .flatMap((p) =>
    walk(join(root, "packages", p, "src"), (n) => n.endsWith(".ts") && !n.endsWith(".d.ts")),
  );
const markdown = [
  join(root, "README.md"),
  ...readdirSync(join(root, "packages"))
    .sort()
    .map((p) => join(root, "packages", p, "README.md")),
  ...walk(join(root, "docs"), (n) => n.endsWith(".md")),
].filter((f) => existsSync(f));

const examples = [...sources.flatMap(tsdocExamples), ...markdown.flatMap(markdownExamples)].filter(
  (e) => toPosix(relative(root, e.file)).includes(filter),
);

// Write every example as its own module.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// @aio/<pkg> and each subpath export (@aio/loop/testing, …) → the package sources.
const paths = {};
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const manifestFile = join(root, "packages", dir, "package.json");
  if (!existsSync(manifestFile)) continue;
  const { name, exports = {} } = JSON.parse(readFileSync(manifestFile, "utf8"));
  for (const key of Object.keys(exports)) {
    const sub = key === "." ? "index" : key.slice(2);
    if (!/^[\w-]+$/.test(sub)) continue; // ./package.json, ./internal/*
    const src = `packages/${dir}/src/${sub}.ts`;
    if (existsSync(join(root, src)))
      paths[key === "." ? name : `${name}/${sub}`] = [`../../${src}`];
  }
}
writeFileSync(
  join(outDir, "package.json"),
  `${JSON.stringify({ type: "module", private: true })}\n`,
);
writeFileSync(
  join(outDir, "tsconfig.json"),
  `${JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true, declaration: false, sourceMap: false, paths },
      include: ["**/*.ts"],
    },
    null,
    2,
  )}\n`,
);
const byFile = new Map();
examples.forEach((e, n) => {
  const rel = toPosix(relative(root, e.file));
  const slug = e.symbol.replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "") || "example";
  e.rel = rel;
  e.out = join(outDir, rel.replace(/[/.]/g, "_"), `L${e.line}-${slug}-${n}.ts`);
  mkdirSync(dirname(e.out), { recursive: true });
  // `export {}` makes every example a module (top-level await, no shared globals).
  writeFileSync(e.out, `${e.code}\nexport {};\n`);
  byFile.set(e.out, e);
});

// Typecheck them all in one program.
const configPath = join(outDir, "tsconfig.json");
const parsed = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const diagnostics = ts.getPreEmitDiagnostics(program);
const failures = new Map();
let elsewhere = 0;
for (const d of diagnostics) {
  const e = d.file ? (byFile.get(d.file.fileName) ?? byFile.get(join(d.file.fileName))) : null;
  if (!e) {
    elsewhere += 1;
    continue;
  }
  const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
  const list = failures.get(e) ?? [];
  list.push(`line ${e.line + 1 + line}: TS${d.code} ${message}`);
  failures.set(e, list);
}

// Run the runnable ones against the sources, a few at a time.
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const runnable = examples.filter((e) => (e.run || runAll) && !failures.has(e));
function runOne(e) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, "--tsconfig", configPath, e.out], {
      cwd: dirname(e.out),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIME_LIMIT_MS);
    child.on("error", (error) => (output += `\n${error.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = signal
          ? `killed (${signal}; limit ${RUN_TIME_LIMIT_MS / 1000} s)`
          : `exit code ${code}`;
        const tail = output.trim().split("\n").slice(-15).join("\n    ");
        failures.set(e, [`run: ${why}${tail ? `\n    ${tail}` : ""}`]);
      }
      resolve();
    });
  });
}
const queue = [...runnable];
const workers = Array.from({ length: Math.min(2, availableParallelism()) }, async () => {
  for (let e = queue.shift(); e; e = queue.shift()) await runOne(e);
});
await Promise.all(workers);
const ran = runnable.length;

const sorted = [...failures.entries()].sort(
  ([a], [b]) => a.rel.localeCompare(b.rel) || a.line - b.line,
);
for (const [e, problems] of sorted) {
  console.log(`✗ ${e.rel}:${e.line} ${e.symbol}`);
  for (const p of problems) console.log(`    ${p}`);
}
const files = new Set(examples.map((e) => e.rel)).size;
console.log(
  `\ncheck:doc-examples: ${examples.length - failures.size} of ${examples.length} examples from ${files} files pass` +
    ` (${ran} run)${elsewhere ? `; ${elsewhere} diagnostics outside the examples (see pnpm typecheck)` : ""}`,
);
process.exit(failures.size > 0 ? 1 : 0);
