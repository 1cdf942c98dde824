// Real parts for the tests: a redis-server on a free loopback port in a temp
// directory, and workers as separate OS processes started through the CLI.
// Everything started here is stopped by stopAll() (afterAll), even on failure.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

/** Whether redis-server is on PATH; when not, the suites skip with {@link SKIP_REASON}. */
export const hasRedis = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
export const SKIP_REASON =
  "redis-server is not on PATH: the @aio/bullmq tests need a real Redis (install redis-server)";
if (!hasRedis) console.warn(`skipping: ${SKIP_REASON}`);

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const JOBS = new URL("./fixtures/jobs.mjs", import.meta.url);
export const OUTSIDE = new URL("./outside/evil.mjs", import.meta.url);

const children = new Set<ChildProcess>();
const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "aio-bullmq-"));
  dirs.push(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Waits (bounded) for `pattern` on a child's stdout; rejects if it exits first. */
function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  ms = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} did not start within ${ms} ms; output: ${seen.slice(-2000)}`));
    }, ms);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(
        new Error(`${what} exited (${code}) before it was ready; output: ${seen.slice(-2000)}`),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** Stops it (SIGTERM: with AOF on, what was acknowledged is on disk). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** A plain client for inspecting keys (closed by stopAll). */
  client(): Redis;
}

const clients = new Set<Redis>();

/** Starts redis-server on a free loopback port; persistence off unless `aof`. */
export async function startRedis(
  options: { aof?: boolean; password?: string } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDir();
  let proc: ChildProcess | null = null;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    ...(options.aof === true
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"]),
    ...(options.password !== undefined ? ["--requirepass", options.password] : []),
  ];
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async start() {
      const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      child.once("exit", () => children.delete(child));
      proc = child;
      await waitForLine(child, /Ready to accept connections/, "redis-server");
    },
    async stop() {
      const child = proc;
      proc = null;
      if (child === null) return;
      process.kill(child.pid!, "SIGTERM"); // by pid: see WorkerProcess.stop()
      await exited(child);
    },
    client() {
      const c = new Redis({
        host: "127.0.0.1",
        port,
        maxRetriesPerRequest: 1,
        ...(options.password !== undefined && { password: options.password }),
      });
      c.on("error", () => {});
      clients.add(c);
      return c;
    },
  };
  await server.start();
  return server;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Starts `aio-bullmq-worker` (the built CLI) and waits for its ready line. */
export async function startWorker(
  url: string,
  queue: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build @aio/bullmq first (pnpm build)`);
  const child = spawn(
    process.execPath,
    [CLI, "--connection", url, "--queue", queue, "--allow", FIXTURES, ...extra],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  let out = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  await waitForLine(child, /aio-bullmq-worker ready/, "aio-bullmq-worker");
  return {
    child,
    pid: child.pid!,
    output: () => out,
    async stop() {
      // By pid: Deno 2's ChildProcess.kill() reports the exit as (null,
      // signal) even when the child handles the signal and exits 0.
      process.kill(child.pid!, "SIGTERM");
      await exited(child);
      return child.exitCode;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
  };
}

/** Runs the CLI to completion (for --help and bad flags). */
export function runCli(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr!.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (status) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Stops every process and client started here and removes the temp dirs. */
export async function stopAll(): Promise<void> {
  for (const c of clients) c.disconnect();
  clients.clear();
  const waits: Promise<void>[] = [];
  for (const child of children) {
    child.kill("SIGKILL");
    waits.push(exited(child));
  }
  await Promise.all(waits);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

let queueCounter = 0;
/** A queue name no other test uses. */
export function uniqueQueue(name: string): string {
  return `${name}-${process.pid}-${++queueCounter}`;
}

/** Polls `check` every 20 ms until it returns true (bounded by `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
