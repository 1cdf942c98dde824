/**
 * "One decision, one place": what two packages share is declared once in
 * `src/internal-contract.ts` and imported from `@aio/core`. These tests read
 * every package's sources and fail when a package reaches another package's
 * internal field by name, or re-declares a shared `Symbol.for` key.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const contractFile = join(packagesDir, "core", "src", "internal-contract.ts");

function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourcesOf(path));
    else if (/\.(?:ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Source text without comments and string contents (so prose and messages do not count). */
function code(path: string): string {
  return readFileSync(path, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

const packages = readdirSync(packagesDir).filter((name) => {
  try {
    return statSync(join(packagesDir, name, "src")).isDirectory();
  } catch {
    return false;
  }
});

/** The `_` names a file imports (core's internal exports): calling one is not declaring it. */
function importedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bimport\s*(?:type\s*)?\{([^}]*)\}/g)) {
    for (const spec of m[1]!.split(",")) {
      const local = spec
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .replace(/^type\s+/, "");
      if (local.startsWith("_")) names.add(local);
    }
  }
  return names;
}

/** `_name` members a file declares: class fields and methods, interface and type members. */
function declaredNames(text: string): Set<string> {
  const names = new Set<string>();
  const imported = importedNames(text);
  const decl =
    /^[ \t]*(?:(?:readonly|declare|static|override|public|protected|private|get|set|async)\s+)*(_[A-Za-z]\w*)\s*[?!]?\s*[:=(<]/gm;
  for (const m of text.matchAll(decl)) if (!imported.has(m[1]!)) names.add(m[1]!);
  // Properties defined on a prototype (`Object.defineProperties(X.prototype, { _callback: … })`).
  for (const m of text.matchAll(/\b(_[A-Za-z]\w*)\s*:\s*\{\s*(?:value|get)\b/g)) names.add(m[1]!);
  return names;
}

/** `x._name` property reads and writes (not `this._name`, not `#private`). */
function reachedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?<!\bthis)(?:\?\.|\.)(_[A-Za-z]\w*)\b/g)) names.add(m[1]!);
  return names;
}

const files = new Map<string, string[]>(
  packages.map((p) => [p, sourcesOf(join(packagesDir, p, "src"))]),
);
const declaredBy = new Map<string, Set<string>>();
for (const [pkg, paths] of files) {
  const names = new Set<string>();
  for (const path of paths) {
    if (path === contractFile) continue;
    for (const n of declaredNames(code(path))) names.add(n);
  }
  declaredBy.set(pkg, names);
}
const contract = declaredNames(code(contractFile));

describe("the internal contract between packages", () => {
  test("declares the names other packages read (sanity check of the scanner)", () => {
    expect([...contract].sort()).toEqual([
      "_args",
      "_callback",
      "_callbackRepr",
      "_className",
      "_futWaiter",
      "_isGenerator",
    ]);
    expect(packages).toEqual(expect.arrayContaining(["core", "loop", "futures", "sync", "debug"]));
  });

  test("no package reaches another package's internal field by a name the contract lacks", () => {
    const violations: string[] = [];
    for (const [pkg, paths] of files) {
      const own = declaredBy.get(pkg)!;
      for (const path of paths) {
        for (const name of reachedNames(code(path))) {
          if (own.has(name) || contract.has(name)) continue;
          const owners = [...declaredBy]
            .filter(([p, n]) => p !== pkg && n.has(name))
            .map(([p]) => p);
          if (owners.length !== 0) {
            violations.push(
              `${relative(packagesDir, path)} reads .${name} of ${owners.join(", ")}`,
            );
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  test("an internal field name is declared by one package only, unless the contract declares it", () => {
    // A package that types another package's field for itself (`{ _futWaiter?: … }`)
    // re-declares it: the contract must say it instead.
    const unrelated = new Set([
      "_spawn", // executors' pool hook and streams' Process factory: two different things
    ]);
    const twice: string[] = [];
    for (const [pkg, names] of declaredBy) {
      for (const name of names) {
        if (contract.has(name) || unrelated.has(name)) continue;
        const others = [...declaredBy].filter(([p, n]) => p > pkg && n.has(name)).map(([p]) => p);
        if (others.length !== 0) twice.push(`${name}: ${[pkg, ...others].join(", ")}`);
      }
    }
    expect(twice).toEqual([]);
  });

  test("a Symbol.for key is used by one package only, unless the contract declares it", () => {
    const keyUsers = new Map<string, Set<string>>();
    const contractKeys = new Set(
      [...readFileSync(contractFile, "utf8").matchAll(/Symbol\.for\("([^"]+)"\)/g)].map(
        (m) => m[1]!,
      ),
    );
    for (const [pkg, paths] of files) {
      for (const path of paths) {
        if (path === contractFile) continue;
        for (const m of readFileSync(path, "utf8").matchAll(/Symbol\.for\(\s*"([^"]+)"\s*\)/g)) {
          const key = m[1]!;
          if (key === "nodejs.util.inspect.custom") continue; // Node's own key
          let users = keyUsers.get(key);
          if (users === undefined) keyUsers.set(key, (users = new Set()));
          users.add(pkg);
        }
      }
    }
    const redeclared = [...keyUsers].filter(([key]) => contractKeys.has(key)).map(([k]) => k);
    const shared = [...keyUsers].filter(([, users]) => users.size > 1).map(([k]) => k);
    expect({ redeclared, shared }).toEqual({ redeclared: [], shared: [] });
  });
});
