import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspectSocketPath, startTrace, writeTrace } from "@aio/debug";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { afterEach, describe, expect, test } from "vitest";
import { cliMain } from "../src/internal/cli-main.js";

const here = dirname(fileURLToPath(import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const tsconfig = join(here, "fixtures", "tsconfig.json");
const CHILD_TIME_LIMIT_MS = 15_000;

const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/**
 * Listens on `path` and either answers garbage ("garbage") or gets killed
 * without cleaning up ("stale"). Plain node: no tsx start-up to pay.
 */
const FAKE_SOCKET = `
const net = require("node:net");
const [path, mode] = process.argv.slice(1);
const server = net.createServer((s) => s.end("this is not json\\n"));
server.listen(path, () => {
  process.stdout.write("ready\\n");
  if (mode === "stale") process.kill(process.pid, "SIGKILL");
});
process.stdin.on("end", () => server.close());
process.stdin.resume();
`;

/** Starts a fixture (through tsx, or plain node for the fake socket); resolves once it printed "ready". */
function startFixture(
  file: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; line: string }> {
  const argv =
    file === "fake-socket"
      ? ["-e", FAKE_SOCKET, ...args]
      : [tsxCli, "--tsconfig", tsconfig, join(here, "fixtures", file), ...args];
  const child = spawn(process.execPath, argv, { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const guard = setTimeout(
      () => reject(new Error(`${file} did not get ready: ${out}${err}`)),
      CHILD_TIME_LIMIT_MS,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("ready"));
      if (line !== undefined && out.includes("\n")) {
        clearTimeout(guard);
        resolve({ child, line });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(guard);
      if (!out.includes("ready")) reject(new Error(`${file} exited with ${code}: ${out}${err}`));
    });
  });
}

/** Our socket directory, as enableDebug({ inspect: true }) makes it (for the fake sockets). */
function makeOwnSocketDir(): void {
  mkdirSync(dirname(inspectSocketPath(process.pid)), { recursive: true, mode: 0o700 });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

/** Runs `aio-debug` (src/cli.ts through tsx) as a child process. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [tsxCli, "--tsconfig", tsconfig, join(here, "..", "src", "cli.ts"), ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), CHILD_TIME_LIMIT_MS);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cliMain(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("aio-debug ps / pstree", () => {
  test("aio-debug pstree PID and ps PID show the task tree of a live process", async () => {
    // tsx runs the program in a child of its own: the program reports its pid.
    const { child: target, line } = await startFixture("inspectee.ts");
    const [, pidText, worker1AwaitedBy] = line.split(" ");
    const pid = Number(pidText);
    // The call graph inside the process and pstree outside draw one graph.
    expect(worker1AwaitedBy).toBe("supervisor");
    const socket = inspectSocketPath(pid);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(socket)).mode & 0o777).toBe(0o700);

    const tree = await runCli(["pstree", String(pid)]);
    expect(tree.stderr).toBe("");
    expect(tree.code).toBe(0);
    expect(tree.stdout).toBe(
      [
        "<BaseEventLoop running=true closed=false debug=false>",
        "main [pending] awaiting a foreign promise",
        "supervisor [pending] awaiting <GatheringFuture pending cb=[1]>",
        "├── worker-1 [pending] awaiting <Future pending cb=[1]>",
        "└── worker-2 [pending] awaiting <Future pending cb=[1]>",
        "",
      ].join("\n"),
    );

    const ps = await runCli(["ps", String(pid)]);
    expect(ps.code).toBe(0);
    const rows = ps.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/ {2,}/));
    expect(rows[0]).toEqual(["<BaseEventLoop running=true closed=false debug=false>"]);
    expect(rows[1]).toEqual(["ID", "NAME", "STATE", "AWAITED BY", "AWAITING"]);
    expect(rows.slice(2).map((r) => [r[1], r[2], r[4]])).toEqual([
      ["main", "pending", "a foreign promise"],
      ["worker-1", "pending", "<Future pending cb=[1]>"],
      ["worker-2", "pending", "<Future pending cb=[1]>"],
      ["supervisor", "pending", "<GatheringFuture pending cb=[1]>"],
    ]);
    const supervisorId = rows[5]![0];
    expect(rows[3]![3]).toBe(supervisorId);

    target.stdin!.end();
    expect(await exited(target)).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  test("aio-debug reports a process without debug inspection, with exit code 1", async () => {
    const r = await cli(["ps", String(process.pid)]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: process ${process.pid} does not have @aio/debug inspection enabled (no socket at ${inspectSocketPath(process.pid)}); start it with enableDebug({ inspect: true }) or AIO_DEBUG=1 node --import @aio/debug/auto`,
    });
  });

  test("aio-debug reports an unknown PID", async () => {
    const r = await cli(["pstree", "2147483646"]);
    expect(r).toEqual({ code: 1, out: "", err: "aio-debug: no process with PID 2147483646" });
  });

  test("aio-debug removes a stale socket and says so", async () => {
    makeOwnSocketDir();
    const { child: fake } = await startFixture("fake-socket", [
      inspectSocketPath(process.pid),
      "stale",
    ]);
    await exited(fake);
    const path = inspectSocketPath(process.pid);
    expect(existsSync(path)).toBe(true);
    const r = await cli(["ps", String(process.pid)]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: stale socket ${path}: process ${process.pid} is not listening on it (it may have crashed); removed it`,
    });
    expect(existsSync(path)).toBe(false);
  });

  test("aio-debug rejects a malformed reply", async () => {
    makeOwnSocketDir();
    const { child: fake } = await startFixture("fake-socket", [
      inspectSocketPath(process.pid),
      "garbage",
    ]);
    const r = await cli(["pstree", String(process.pid)]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: malformed reply from process ${process.pid}: not JSON ("this is not json")`,
    });
    fake.stdin!.end();
    await exited(fake);
  });

  test("aio-debug rejects bad usage with exit code 2", async () => {
    expect((await cli([])).code).toBe(2);
    expect(await cli(["ps", "abc"])).toEqual({
      code: 2,
      out: "",
      err: 'aio-debug: PID must be a positive integer, received "abc"',
    });
    expect((await cli(["ps"])).err).toMatch(
      /^aio-debug: a PID is required\nusage: aio-debug ps PID/,
    );
    expect((await cli(["top", "1"])).err).toMatch(/^aio-debug: unknown command "top"\n/);
    expect((await cli(["ps", "1", "2"])).code).toBe(2);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: aio-debug ps PID/);
  });
});

describe("aio-debug trace", () => {
  test("aio-debug trace FILE summarises a trace and rejects a truncated one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aio-cli-"));
    try {
      const path = join(dir, "t.json");
      startTrace();
      await run(() => sleep(1));
      writeTrace(path);
      const ok = await cli(["trace", path]);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(
        /^.*t\.json: \d+ events, \d+ tracks, \d+ await arrows\n {2}event loop: \d+ slices, \d+\.\d{3} ms busy/,
      );
      writeFileSync(path, '{"traceEvents":[{"name":"step","ph":"X"');
      const bad = await cli(["trace", path]);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(
        /^aio-debug: .*t\.json is not a complete trace \(.+\); was it truncated while being written\?$/,
      );
      expect(await cli(["trace", join(dir, "missing.json")])).toEqual({
        code: 1,
        out: "",
        err: `aio-debug: no such file: ${join(dir, "missing.json")}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
