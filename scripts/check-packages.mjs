#!/usr/bin/env node
// Packaging check: what a user gets from `npm install @aio/<pkg>`.
//
// For every package in packages/ (build first: `pnpm check:packages` does):
//   1. `pnpm pack` it (workspace:^ ranges become real versions, `files` applies);
//   2. publint on the tarball (warnings count as failures);
//   3. @arethetypeswrong/cli on the tarball, profile "esm-only" (see below);
//   4. a scratch project OUTSIDE the workspace (in os.tmpdir()) installs the
//      tarball plus the tarballs of its @aio/* dependencies (they are not on
//      the registry) with npm, and checks that
//        - ESM `import` of every entry point works,
//        - CJS `require()` of every entry point works (Node >= 20.19
//          `require(esm)`) and returns the very same objects as the ESM import
//          (same error classes, same running-loop state: one module instance),
//        - only one copy of each @aio package is installed,
//        - public exports keep their names, and no class in the shipped
//          JavaScript was renamed by the bundler (`var X = class _X`),
//        - the types resolve: `tsc --noEmit` on a .mts and a .cts file that
//          import every entry point, with `module: nodenext`.
//
// Why attw's "esm-only" profile: the packages are ESM-only on purpose
// (docs/design/). CommonJS users load them through require(esm), which Node
// supports from 20.19 (our engines floor) and TypeScript models under
// `module: nodenext`. attw's default profile would report every entry point
// as "cjs-resolves-to-esm" for node16-cjs and "no-resolution" of subpaths for
// the obsolete node10 resolver, which are exactly the choices we made;
// "esm-only" skips those two resolution modes and still checks node16-esm and
// bundler resolution. The CJS side is checked for real in step 4 instead
// (require() at runtime and a .cts file under tsc).
//
// Then the library check (docs/guide/library-authors.md): the example library
// examples/07-library/map-limited, built on @aio/core, futures, loop and sync,
// is compiled against the installed tarballs, packed, and installed with them
// in a scratch app that calls it from ESM and from CommonJS — from plain
// Promise code, from inside another library's run(), and both at once, with
// its AbortSignal and timeout — and must exit by itself afterwards. The app's
// .mts/.cts files (the library and every @aio package) are typechecked with
// the current TypeScript and with the OLDEST supported one
// (OLDEST_TYPESCRIPT, installed from the registry into the scratch app):
// `require()` of an ESM package from a .cts type-checks from TypeScript 5.8.
//
// Usage: node scripts/check-packages.mjs [package...]   Exit code 1 on any failure.
// (The library check runs when no package is named, or when "library" is.)
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (pkg, file) => join(root, "node_modules", pkg, file);
const PNPM = bin("pnpm", "bin/pnpm.cjs");
const PUBLINT = bin("publint", "src/cli.js");
const ATTW = bin("@arethetypeswrong/cli", "dist/index.js");
const ts = createRequire(import.meta.url)("typescript");
const npmCli = process.env.npm_execpath?.includes("npm-cli") ? process.env.npm_execpath : null;

/** The oldest TypeScript the packages support for consumers (docs/guide/library-authors.md); AIO_OLDEST_TYPESCRIPT tries another. */
const OLDEST_TYPESCRIPT = process.env.AIO_OLDEST_TYPESCRIPT ?? "5.8.3";
/** The @aio packages the example library is built on. */
const LIBRARY_DEPS = ["@aio/core", "@aio/futures", "@aio/loop", "@aio/sync"];
const libraryDir = join(root, "examples", "07-library", "map-limited");

const [major, minor] = process.versions.node.split(".").map(Number);
const canRequireEsm = major > 20 || (major === 20 && minor >= 19);

/** Every workspace package, by name. */
const packages = new Map();
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const file = join(root, "packages", dir, "package.json");
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  packages.set(manifest.name, { dir: join(root, "packages", dir), manifest });
}
const wanted = process.argv.slice(2);
const selected = [...packages.keys()].filter(
  (n) => wanted.length === 0 || wanted.some((w) => n === w || n === `@aio/${w}`),
);
const checkTheLibrary = wanted.length === 0 || wanted.includes("library");

const work = mkdtempSync(join(tmpdir(), "aio-check-packages-"));
const tarballDir = join(work, "tarballs");
mkdirSync(tarballDir);

/** Runs a command; returns { ok, output } with stdout and stderr merged. */
function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...opts.env },
    cwd: opts.cwd ?? root,
    timeout: opts.timeout ?? 180_000,
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}`;
  return { ok: r.status === 0, output: output.replace(/^\n+|\s+$/g, "") };
}

const indent = (text) =>
  text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");

/**
 * Classes the bundler renamed in a package's shipped JavaScript. A bundled
 * class that names itself in its body is emitted as `var X = class _X`, and
 * `X.name` (what reprs, `util.inspect` and stack traces show) is then `_X`,
 * unless keepNames restores it (`static { __name(this, "X") }`).
 */
function renamedClasses(pkgDir) {
  const found = [];
  const pattern = /\bvar (\w+) = class (_\w+)\b[^{]*\{(\s*static \{\s*__name\(this, "(\w+)"\))?/g;
  for (const file of readdirSync(pkgDir, { recursive: true })) {
    if (!file.endsWith(".js") || file.includes("node_modules")) continue;
    const text = readFileSync(join(pkgDir, file), "utf8");
    for (const m of text.matchAll(pattern)) {
      if (m[4] !== m[1])
        found.push(`${relative(pkgDir, join(pkgDir, file))}: var ${m[1]} = class ${m[2]}`);
    }
  }
  return found;
}

/** Packs every package once; returns name -> tarball path. */
function packAll() {
  const tarballs = new Map();
  for (const [name, { dir }] of packages) {
    const before = new Set(readdirSync(tarballDir));
    const r = sh(process.execPath, [PNPM, "pack", "--pack-destination", tarballDir], { cwd: dir });
    const made = readdirSync(tarballDir).filter((f) => !before.has(f) && f.endsWith(".tgz"));
    if (!r.ok || made.length !== 1) throw new Error(`pnpm pack failed for ${name}:\n${r.output}`);
    tarballs.set(name, join(tarballDir, made[0]));
  }
  return tarballs;
}

/** The package and its @aio/* dependencies, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const deps = packages.get(name)?.manifest.dependencies ?? {};
  for (const dep of Object.keys(deps)) if (dep.startsWith("@aio/")) closure(dep, seen);
  return seen;
}

/** The importable entry points: "@aio/loop", "@aio/loop/testing", … */
function entryPoints(name, manifest) {
  return exportKeys(manifest)
    .filter((key) => !isAsset(key))
    .map((key) => (key === "." ? name : `${name}/${key.slice(2)}`));
}

/** The concrete keys of the exports map ("." , "./testing", "./viewer/index.html", …). */
function exportKeys(manifest) {
  const exp = manifest.exports ?? { ".": manifest.main };
  return Object.entries(typeof exp === "string" ? { ".": exp } : exp)
    .filter(([key, value]) => value !== null && !key.includes("*") && key !== "./package.json")
    .map(([key]) => key);
}

/** A subpath that names a non-module file (e.g. "./viewer/index.html"): shipped, not imported. */
const isAsset = (key) => /\.[a-z0-9]+$/i.test(key) && !/\.[mc]?js$/.test(key);

function scratchFiles(name, entries) {
  const files = {};
  files["package.json"] =
    `${JSON.stringify({ name: "aio-scratch", private: true, version: "0.0.0" }, null, 2)}\n`;
  // ESM import and CJS require() must give the same module instance.
  files["esm-and-cjs.mjs"] = `import { createRequire } from "node:module";
import assert from "node:assert/strict";
const require = createRequire(import.meta.url);
for (const spec of ${JSON.stringify(entries)}) {
  const esm = await import(spec);
  const cjs = require(spec);
  const names = Object.keys(esm).filter((k) => k !== "default");
  for (const k of names) {
    assert.ok(k in cjs, spec + ": require() lacks export " + k);
    assert.equal(cjs[k], esm[k], spec + ": require() and import give different " + k);
    // A public class or function keeps its name (reprs and stack traces show
    // it): a bundled class that names itself in its body, or whose name a
    // namespace import's member also has, is renamed by the bundler.
    const v = esm[k];
    if (!k.startsWith("_") && typeof v === "function") {
      assert.equal(v.name, k, spec + ": " + k + " is named " + JSON.stringify(v.name));
    }
  }
  console.log("      " + spec + ": import and require() agree on " + names.length + " exports");
}
// Internals are not reachable (exports map: "./internal/*": null).
for (const hidden of ${JSON.stringify([`${name}/internal/index.js`, `${name}/dist/index.js`])}) {
  assert.throws(() => require(hidden), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" }, hidden + " is reachable");
}
// One copy of @aio/core: the package's own view of it is the top-level one.
const core = await import("@aio/core");
const coreFromPkg = createRequire(require.resolve(${JSON.stringify(name)}))("@aio/core");
assert.equal(coreFromPkg, require("@aio/core"), "a second copy of @aio/core is installed");
for (const cls of ["CancelledError", "InvalidStateError", "TimeoutError", "RuntimeError"]) {
  assert.equal(typeof core[cls], "function", "@aio/core lacks " + cls);
  assert.equal(require("@aio/core")[cls], core[cls], cls + " differs between require() and import");
}
`;
  // A plain CommonJS consumer.
  files["consumer.cjs"] = `const assert = require("node:assert/strict");
${entries.map((e) => `require(${JSON.stringify(e)});`).join("\n")}
const { CancelledError } = require("@aio/core");
const e = new CancelledError("x");
assert.ok(e instanceof Error && e.name === "CancelledError", "CancelledError from require() is broken");
`;
  files["types.mts"] =
    `${entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e)};`).join("\n")}
import { CancelledError } from "@aio/core";
export const all = [${entries.map((_, i) => `m${i}`).join(", ")}] as const;
export const err: Error = new CancelledError("x");
`;
  files["types.cts"] =
    `${entries.map((e, i) => `import m${i} = require(${JSON.stringify(e)});`).join("\n")}
import core = require("@aio/core");
export const all = [${entries.map((_, i) => `m${i}`).join(", ")}] as const;
export const err: Error = new core.CancelledError("x");
`;
  files["tsconfig.json"] = `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "ESNext.Disposable"],
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noEmit: true,
        // Checked file by file below: our .d.ts files, not all of @types/node.
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files: ["types.mts", "types.cts"],
    },
    null,
    2,
  )}\n`;
  return files;
}

/**
 * Typechecks the scratch project's .mts/.cts files and every installed @aio
 * declaration file (as `tsc -p` with skipLibCheck: false would, but without
 * spending 15 s per package re-checking all of @types/node).
 */
function typecheck(project) {
  const configPath = join(project, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const ours = program
    .getSourceFiles()
    .filter(
      (f) => !f.fileName.includes("/node_modules/") || f.fileName.includes("/node_modules/@aio/"),
    );
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((f) => [
      ...program.getSyntacticDiagnostics(f),
      ...program.getSemanticDiagnostics(f),
    ]),
  ];
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => project,
    getNewLine: () => "\n",
  };
  const checked = ours.map((f) => f.fileName.slice(project.length + 1));
  return {
    ok: diagnostics.length === 0 && checked.some((f) => f.includes("node_modules/@aio/")),
    output:
      diagnostics.length > 0
        ? ts.formatDiagnostics(diagnostics, host)
        : `no @aio declaration files were loaded; checked: ${checked.join(", ")}`,
  };
}

function excludeAssets(manifest) {
  const assets = exportKeys(manifest).filter(isAsset);
  return assets.length > 0 ? ["--exclude-entrypoints", ...assets] : [];
}

/**
 * A step printer for one check: logs `ok`/`FAIL`, the label and the seconds
 * since the previous step, adds failed labels to `problems`, returns `r.ok`.
 */
function stepReporter(problems) {
  let last = performance.now();
  return (label, r) => {
    const secs = ((performance.now() - last) / 1000).toFixed(1);
    last = performance.now();
    console.log(`    ${r.ok ? "ok  " : "FAIL"} ${label} (${secs} s)`);
    if (!r.ok) {
      console.log(indent(r.output));
      problems.push(label);
    }
    return r.ok;
  };
}

function checkPackage(name, tarballs) {
  const { manifest } = packages.get(name);
  const problems = [];
  const step = stepReporter(problems);
  const tgz = tarballs.get(name);

  step("publint", sh(process.execPath, [PUBLINT, "run", tgz, "--strict"]));
  step(
    "attw (profile esm-only)",
    sh(process.execPath, [
      ATTW,
      tgz,
      ...["--profile", "esm-only", "--format", "ascii", "--no-emoji"],
      // Non-module files in the exports map (HTML, CSS, …) are not entry points for types.
      ...excludeAssets(manifest),
    ]),
  );

  const project = join(work, `scratch-${name.replace(/[@/]/g, "_")}`);
  mkdirSync(project);
  const entries = entryPoints(name, manifest);
  for (const [file, text] of Object.entries(scratchFiles(name, entries))) {
    writeFileSync(join(project, file), text);
  }
  const deps = [...closure(name)].map((n) => tarballs.get(n));
  // Online (preferring the cache): a package with dependencies outside @aio
  // (@aio/bullmq: bullmq, ioredis) fetches what the cache lacks.
  const install = npmInstall(project, deps, { online: true });
  step(`npm install ${[...closure(name)].join(" ")} (tarballs, outside the workspace)`, install);
  if (!install.ok) return problems;

  const nested = readdirSync(join(project, "node_modules", "@aio")).flatMap((d) =>
    existsSync(join(project, "node_modules", "@aio", d, "node_modules", "@aio"))
      ? [`@aio/${d} has a nested @aio copy`]
      : [],
  );
  step("one copy of each @aio package", { ok: nested.length === 0, output: nested.join("\n") });
  const renamed = renamedClasses(join(project, "node_modules", ...name.split("/")));
  step("no class renamed by the bundler", { ok: renamed.length === 0, output: renamed.join("\n") });
  if (canRequireEsm) {
    const r = sh(process.execPath, ["--no-warnings", "esm-and-cjs.mjs"], { cwd: project });
    step("ESM import and CJS require() return the same module", r);
    if (r.ok && r.output) console.log(r.output);
    step(
      "plain CommonJS consumer",
      sh(process.execPath, ["--no-warnings", "consumer.cjs"], { cwd: project }),
    );
  } else {
    console.log(`    skip require(esm) checks: Node ${process.version} < 20.19`);
  }
  step("types resolve (tsc, module nodenext, .mts and .cts)", typecheck(project));
  return problems;
}

/** Files of the scratch app that consumes the packed example library. */
function libraryAppFiles() {
  const files = {};
  files["package.json"] =
    `${JSON.stringify({ name: "aio-library-app", private: true, version: "0.0.0" }, null, 2)}\n`;
  // ESM: the three ways a library gets called, its signal and its timeout.
  files["app.mjs"] = `import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { isTimeoutError } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { mapLimited } from "map-limited";

// 1. Plain Promise code (no loop anywhere), with the limit observed.
let inFlight = 0;
let most = 0;
const out = await mapLimited([1, 2, 3, 4, 5], 2, async (n) => {
  most = Math.max(most, ++inFlight);
  await delay(2);
  inFlight--;
  return n * 2;
});
assert.deepEqual(out, [2, 4, 6, 8, 10]);
assert.equal(most, 2);

// 2. Inside another library's run() (it owns the loop; mapLimited joins it).
const otherLibrary = (items) =>
  run(async () => mapLimited(items, 1, async (n) => { await sleep(1); return n + 1; }));
assert.deepEqual(await otherLibrary([1, 2]), [2, 3]);

// 3. Both at once, twice over.
const both = await Promise.all([
  otherLibrary([1]),
  mapLimited([2], 1, async (n) => n + 1),
  otherLibrary([3]),
  mapLimited([4], 1, async (n) => n + 1),
]);
assert.deepEqual(both, [[2], [3], [4], [5]]);

// 4. The caller's AbortSignal rejects with its reason; the timeout with TimeoutError.
const controller = new AbortController();
const aborted = mapLimited([1], 1, (n, _i, signal) => delay(60_000, n, { signal }), {
  signal: controller.signal,
});
controller.abort(new Error("stop"));
await assert.rejects(aborted, { message: "stop" });
await assert.rejects(
  mapLimited([1], 1, (n, _i, signal) => delay(60_000, n, { signal }), { timeoutMs: 10 }),
  (e) => isTimeoutError(e) && e.message === "timeout of 10 ms expired",
);
// 5. Bad arguments reject (never throw).
const bad = mapLimited([1], 0, (n) => n);
await assert.rejects(bad, RangeError);

// 6. Nothing is left behind: no timers or handles (besides stdio), so Node exits.
const left = process.getActiveResourcesInfo().filter((r) => !/^(TTYWrap|PipeWrap)$/.test(r));
assert.deepEqual(left, []);
console.log("      ESM app: plain, inside run(), concurrent, signal, timeout, bad input: ok");
`;
  files["app.cjs"] = `const assert = require("node:assert/strict");
const { mapLimited } = require("map-limited");
const { run } = require("@aio/loop");
Promise.all([
  mapLimited(["a", "bb"], 1, async (s) => s.length),
  run(() => mapLimited([1, 2], 2, async (n) => n * 3)),
]).then(([a, b]) => {
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [3, 6]);
  console.log("      CJS app: plain and inside run(): ok");
});
`;
  files["app.mts"] = `import { mapLimited, type MapLimitedOptions } from "map-limited";
const options: MapLimitedOptions = { timeoutMs: 10 };
export const lengths: Promise<number[]> = mapLimited(["a"], 1, async (s) => s.length, options);
`;
  files["app.cts"] = `import lib = require("map-limited");
import loop = require("@aio/loop");
export const lengths: Promise<number[]> = lib.mapLimited(["a"], 1, async (s: string) => s.length);
export const joined: Promise<number[]> = loop.run(() => lib.mapLimited([1], 1, (n: number) => n));
`;
  return files;
}

/** The tsconfig of a scratch project (module nodenext, our declaration files checked). */
function scratchTsconfig(files) {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "ESNext.Disposable"],
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files,
    },
    null,
    2,
  )}\n`;
}

/** npm install of local tarballs (and, when `online`, registry packages) into `cwd`. */
function npmInstall(cwd, specs, { online = false, dev = false } = {}) {
  const npm = npmCli ? [process.execPath, [npmCli]] : ["npm", []];
  return sh(
    npm[0],
    [
      ...npm[1],
      "install",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--ignore-scripts",
      ...(online ? ["--prefer-offline"] : ["--offline"]),
      ...(dev ? ["--save-dev"] : []),
      ...specs,
    ],
    { cwd, env: { npm_config_workspaces: "false" }, shell: process.platform === "win32" },
  );
}

/**
 * Builds the example library against the packed @aio tarballs, packs it, and
 * checks it from a scratch app (ESM, CJS, types with the current and the
 * oldest supported TypeScript). Returns the failed steps.
 */
function checkLibrary(tarballs) {
  const problems = [];
  const step = stepReporter(problems);
  const aio = LIBRARY_DEPS.map((n) => tarballs.get(n));

  // 0. The guide shows the library's source verbatim: they must not drift apart.
  const source = readFileSync(join(libraryDir, "src", "index.ts"), "utf8");
  const guide = readFileSync(join(root, "docs", "guide", "library-authors.md"), "utf8");
  const shown = guide.split("<!-- map-limited/src/index.ts -->\n```ts\n")[1]?.split("\n```\n")[0];
  step("library: docs/guide/library-authors.md shows src/index.ts verbatim", {
    ok: shown !== undefined && `${shown}\n` === source,
    output: "the guide's block after <!-- map-limited/src/index.ts --> differs from the file",
  });

  // 1. Build: the library's own manifest, its peer ranges set to the packed versions.
  const lib = join(work, "library");
  mkdirSync(join(lib, "src"), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(libraryDir, "package.json"), "utf8"));
  delete manifest.private;
  for (const dep of Object.keys(manifest.peerDependencies ?? {})) {
    manifest.peerDependencies[dep] = `^${packages.get(dep).manifest.version}`;
  }
  writeFileSync(join(lib, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(lib, "src", "index.ts"),
    readFileSync(join(libraryDir, "src", "index.ts"), "utf8"),
  );
  if (!step("library: install its @aio peers (tarballs)", npmInstall(lib, aio, { dev: true })))
    return problems;
  writeFileSync(join(lib, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const program = ts.createProgram({
    rootNames: [join(lib, "src", "index.ts")],
    options: {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      declaration: true,
      skipLibCheck: true,
      rootDir: join(lib, "src"),
      outDir: join(lib, "dist"),
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
    },
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  const built = step("library: tsc against the installed tarballs", {
    ok: diagnostics.length === 0 && existsSync(join(lib, "dist", "index.d.ts")),
    output: ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => lib,
      getNewLine: () => "\n",
    }),
  });
  if (!built) return problems;
  const before = new Set(readdirSync(tarballDir));
  const packed = sh(process.execPath, [PNPM, "pack", "--pack-destination", tarballDir], {
    cwd: lib,
  });
  const made = readdirSync(tarballDir).filter((f) => !before.has(f) && f.endsWith(".tgz"));
  if (!step("library: pack", { ok: packed.ok && made.length === 1, output: packed.output }))
    return problems;
  const libTgz = join(tarballDir, made[0]);
  step("library: publint", sh(process.execPath, [PUBLINT, "run", libTgz, "--strict"]));

  // 2. The app: the library and the @aio packages it needs, from tarballs.
  const app = join(work, "library-app");
  mkdirSync(app);
  for (const [file, text] of Object.entries(libraryAppFiles())) {
    writeFileSync(join(app, file), text);
  }
  if (!step("app: npm install map-limited + @aio tarballs", npmInstall(app, [libTgz, ...aio])))
    return problems;
  if (canRequireEsm) {
    // A bounded run: an app that does not exit by itself (a leftover timer
    // or handle) fails here instead of hanging CI.
    for (const file of ["app.mjs", "app.cjs"]) {
      const r = sh(process.execPath, ["--no-warnings", file], { cwd: app, timeout: 60_000 });
      if (step(`app: node ${file} (exits by itself)`, r) && r.output) console.log(r.output);
    }
  } else {
    console.log(`    skip the app runs: Node ${process.version} < 20.19`);
  }
  writeFileSync(join(app, "tsconfig.json"), scratchTsconfig(["app.mts", "app.cts"]));
  const current = sh(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
    {
      cwd: app,
    },
  );
  step(`app: types with TypeScript ${ts.version} (.mts and .cts)`, current);

  // 3. The oldest TypeScript we support, on the library and on require() of
  //    every @aio package from a .cts (TypeScript < 5.8 cannot type it).
  const oldest = join(work, "oldest-typescript");
  mkdirSync(oldest);
  writeFileSync(
    join(oldest, "package.json"),
    `${JSON.stringify({ name: "aio-oldest-ts", private: true })}\n`,
  );
  const all = [...packages.keys()].map((n) => tarballs.get(n));
  if (
    !step(
      `oldest: npm install typescript@${OLDEST_TYPESCRIPT} + every @aio tarball + map-limited`,
      npmInstall(oldest, [`typescript@${OLDEST_TYPESCRIPT}`, libTgz, ...all], { online: true }),
    )
  )
    return problems;
  const entries = [...packages].flatMap(([name, { manifest }]) => entryPoints(name, manifest));
  writeFileSync(
    join(oldest, "everything.cts"),
    `${entries.map((e, i) => `import m${i} = require(${JSON.stringify(e)});`).join("\n")}
export const all = [${entries.map((_, i) => `m${i}`).join(", ")}] as const;
`,
  );
  writeFileSync(
    join(oldest, "everything.mts"),
    `${entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e)};`).join("\n")}
export const all = [${entries.map((_, i) => `m${i}`).join(", ")}] as const;
`,
  );
  for (const f of ["app.mts", "app.cts"]) {
    writeFileSync(join(oldest, f), readFileSync(join(app, f), "utf8"));
  }
  writeFileSync(
    join(oldest, "tsconfig.json"),
    scratchTsconfig(["everything.mts", "everything.cts", "app.mts", "app.cts"]),
  );
  step(
    `oldest: types with TypeScript ${OLDEST_TYPESCRIPT} (every @aio entry point and map-limited, .mts and .cts)`,
    sh(process.execPath, [join(oldest, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
      cwd: oldest,
    }),
  );
  return problems;
}

let failed = 0;
let libraryFailed = false;
try {
  console.log(`packing ${packages.size} packages into ${tarballDir}`);
  const tarballs = packAll();
  for (const name of selected) {
    console.log(`\n${name} (${tarballs.get(name).split(/[\\/]/).pop()})`);
    const problems = checkPackage(name, tarballs);
    if (problems.length > 0) failed += 1;
    console.log(problems.length === 0 ? `  ✓ ${name}` : `  ✗ ${name}: ${problems.join("; ")}`);
  }
  if (checkTheLibrary) {
    console.log(
      "\nexample library map-limited (examples/07-library), consumed from a packed tarball",
    );
    const problems = checkLibrary(tarballs);
    libraryFailed = problems.length > 0;
    console.log(
      problems.length === 0 ? "  ✓ map-limited" : `  ✗ map-limited: ${problems.join("; ")}`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  failed += 1;
} finally {
  if (!process.env.AIO_KEEP_SCRATCH) rmSync(work, { recursive: true, force: true });
}
console.log(`\ncheck:packages: ${selected.length - failed} of ${selected.length} packages passed`);
if (checkTheLibrary)
  console.log(`check:packages: the example library ${libraryFailed ? "FAILED" : "passed"}`);
process.exit(failed > 0 || libraryFailed ? 1 : 0);
