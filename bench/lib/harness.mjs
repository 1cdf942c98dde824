// What the loop, tasks and debug suites share: measuring in a child process,
// the Python side, formatting, and recording a Node version's section of
// bench/results/<topic>.md. Each suite stays a standalone script; only the
// plumbing lives here.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The bench/ folder. */
export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Runs `once()` (async, returns its elapsed wall ms) once to warm up, then
 * `reps` times after a `gc()`, and keeps the run that used the least CPU time
 * (user + system of this process, measured around the call). The machine is
 * shared: other work stretches wall time but not this process's CPU time, so
 * rates are computed from CPU time; wall time is reported next to it.
 */
export async function best(once, reps = 5) {
  await once();
  let bestCpu = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const wall = await once();
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (cpu < bestCpu) {
      bestCpu = cpu;
      bestWall = wall;
    }
  }
  return { ms: bestWall, cpuMs: bestCpu };
}

/**
 * Prints a case's result as the child's last stdout line and ends the child
 * at once, by SIGKILL once the line is flushed. Node 24 can deadlock at exit
 * after heavy I/O: `process.exit()` joins V8's platform threads while a
 * concurrent Maglev compile job waits for a garbage collection that the
 * exiting main thread never runs (seen in `bench/streams.bench.mjs`'s echo
 * case about one run in four: `node::WorkerThreadsTaskRunner::Shutdown`
 * against `CollectionBarrier::AwaitCollectionBackground`). The parent then
 * waited out its whole timeout. Parents read the line with
 * {@link lastJson}, which ignores how the child ended.
 */
export function reportAndExit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.kill(process.pid, "SIGKILL"));
}

/** The last stdout line of a child as JSON, or `{ error }` with what went wrong. */
export function lastJson(r, what) {
  const line = r.stdout?.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return {
      error: (r.stderr || r.error?.message || `${what}: exit ${r.status}`)
        .trim()
        .split("\n")
        .slice(0, 3)
        .join(" "),
    };
  }
}

/** Runs one case of `suiteUrl` (its `import.meta.url`) in a fresh `node --expose-gc` child. */
export function runCase(suiteUrl, name, quick) {
  const args = ["--expose-gc", fileURLToPath(suiteUrl), "--case", name];
  if (quick) args.push("--quick");
  const r = spawnSync(process.execPath, args, {
    cwd: benchDir,
    encoding: "utf8",
    timeout: 300_000,
  });
  return lastJson(r, name);
}

/**
 * Runs `bench/python/<script>` (or python3 with the given arguments, e.g.
 * `["-c", source]`); its last line is JSON. With `{ uvloop: true }` it runs
 * in the bench virtual environment (see {@link uvloopPython}) with
 * `--uvloop`, so the script installs uvloop's event loop policy; when uvloop
 * cannot be had, the result is `{ error }` saying why, and nothing else fails.
 */
export function runPython(script, quick, timeout = 300_000, { uvloop = false } = {}) {
  const args = typeof script === "string" ? [join(benchDir, "python", script)] : [...script];
  if (quick) args.push("--quick");
  let python = "python3";
  if (uvloop) {
    const venv = uvloopPython();
    if (venv.error) return { error: venv.error };
    python = venv.python;
    args.push("--uvloop");
  }
  const r = spawnSync(python, args, { cwd: benchDir, encoding: "utf8", timeout });
  if (r.error || r.status !== 0) {
    return { error: (r.error?.message || r.stderr || `exit ${r.status}`).trim().split("\n").pop() };
  }
  const out = lastJson(r, script);
  return out.error ? { error: `${python} printed no JSON` } : out;
}

/** The bench virtual environment: `<repo>/.cache/bench-venv` (git-ignored), or `$AIO_BENCH_VENV`. */
export const venvDir = process.env.AIO_BENCH_VENV || join(benchDir, "..", ".cache", "bench-venv");
let venvResult;

/**
 * The Python of the bench virtual environment, with uvloop importable:
 * `{ python, uvloop }` (uvloop's version), or `{ error }` with one line
 * saying why not. Creates the environment (`python3 -m venv`, then
 * `pip install uvloop`) when it is missing; checked once per process.
 */
export function uvloopPython() {
  if (venvResult !== undefined) return venvResult;
  const python = join(venvDir, process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  const probe = () =>
    spawnSync(python, ["-c", "import uvloop; print(uvloop.__version__)"], { encoding: "utf8" });
  let r = existsSync(python) ? probe() : null;
  if (r?.status !== 0) {
    process.stderr.write(`bench: setting up ${venvDir} with uvloop…\n`);
    const step = (cmd, args) => {
      const s = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000 });
      return s.status === 0
        ? null
        : (s.error?.message || s.stderr || `exit ${s.status}`).trim().split("\n").pop();
    };
    const failed =
      (existsSync(python) ? null : step("python3", ["-m", "venv", venvDir])) ??
      step(python, ["-m", "pip", "install", "--quiet", "uvloop"]);
    r = failed ? null : probe();
    if (failed || r?.status !== 0) {
      venvResult = {
        error: `uvloop not available (${failed ?? (r?.stderr || "import failed").trim().split("\n").pop()}); asyncio + uvloop rows not measured`,
      };
      return venvResult;
    }
  }
  venvResult = { python, uvloop: r.stdout.trim() };
  return venvResult;
}

/** `, packages at <commit>` when run from a git checkout (the built dist may differ if it was rebuilt meanwhile). */
export function commit() {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: benchDir, encoding: "utf8" });
  return r.status === 0 ? `, packages at ${r.stdout.trim()}` : "";
}

/** Operations per CPU second of a case result `{ n, ms, cpuMs }`. */
export const rate = (r) => (r && !r.error ? r.n / ((r.cpuMs ?? r.ms) / 1000) : Number.NaN);

export function fmtRate(ops) {
  if (!Number.isFinite(ops)) return "n/a";
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)}k/s`;
  return `${ops.toFixed(0)}/s`;
}
export const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 100 ? 1 : 0)} ms` : "n/a");
export const fmtX = (x) =>
  Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : "n/a";
export const fmtMiB = (b) => (Number.isFinite(b) ? `${(b / 2 ** 20).toFixed(1)} MiB` : "n/a");
export const fmtBytes = (b) => (Number.isFinite(b) ? `${b.toFixed(0)} B` : "n/a");
export const yes = (ok) => (ok === undefined ? "n/a" : ok ? "✅ met" : "❌ missed");
export const n = (x) => x.toLocaleString("en");

/**
 * A markdown table of `ours` and its peers: CPU time, wall time, rate, and
 * our rate divided by each peer's; with `ops`, a column of operation counts.
 */
export function rateTable(ours, peers, { ops = false } = {}) {
  const ro = rate(ours.result);
  const lines = ops
    ? [
        "| implementation | ops | CPU time | wall time | rate (per CPU second) | @aio rate ÷ this rate |",
        "|---|---:|---:|---:|---:|---:|",
      ]
    : [
        "| implementation | CPU time | wall time | rate (per CPU second) | @aio rate ÷ this rate |",
        "|---|---:|---:|---:|---:|",
      ];
  for (const row of [ours, ...peers]) {
    const r = row.result;
    const note = r?.error ? ` (failed: ${r.error})` : "";
    const count = ops ? ` ${r?.n ? n(r.n) : "n/a"} |` : "";
    lines.push(
      `| ${row.label}${note} |${count} ${fmtMs(r?.cpuMs)} | ${fmtMs(r?.ms)} | ${fmtRate(rate(r))} | ${row === ours ? "—" : fmtX(ro / rate(r))} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Replaces this Node major's section (between `<!-- nodeNN:start -->` and
 * `<!-- nodeNN:end -->`) of `bench/results/<topic>.md`, keeping the rest.
 */
export function recordSection(topic, title, markdown) {
  const file = join(benchDir, "results", `${topic}.md`);
  const major = process.versions.node.split(".")[0];
  const start = `<!-- node${major}:start -->`;
  const end = `<!-- node${major}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : `# ${title}\n`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

/**
 * The two halves of a suite run: in a child (`--case NAME` on the command
 * line) it runs that one case and prints its JSON, returning null; in the
 * parent it runs every case in its own child and returns their results by
 * name, logging progress on stderr as `<topic>: <case>…`.
 */
export async function runCases(suiteUrl, topic, cases, argv) {
  const caseIndex = argv.indexOf("--case");
  if (caseIndex !== -1) {
    const name = argv[caseIndex + 1];
    const fn = cases[name];
    if (!fn) throw new Error(`unknown case ${name}`);
    reportAndExit(await fn());
    return null;
  }
  const quick = argv.includes("--quick");
  const res = {};
  for (const name of Object.keys(cases)) {
    process.stderr.write(`${topic}: ${name}…\n`);
    res[name] = runCase(suiteUrl, name, quick);
  }
  return res;
}
