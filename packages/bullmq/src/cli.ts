#!/usr/bin/env node
/**
 * `aio-bullmq-worker`: a {@link runWorker} process for the command line.
 *
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";

const USAGE = `usage: aio-bullmq-worker --connection redis://HOST:PORT --queue NAME --allow PATH [--allow PATH] [options]

Runs the jobs a BullMQExecutor (@aio/bullmq) puts on the queue NAME.

required:
  --connection URL        redis://[[user]:password@]host:port[/db], or rediss://… for TLS
  --queue NAME            the queue name the executor uses
  --allow PATH            a module file or a directory of them that jobs may run (repeatable);
                          a job naming any other module fails and nothing of it runs

options:
  --concurrency N         jobs run at the same time (default 1)
  --threads               run each job in a worker thread of its own rather than on the
                          main thread (for CPU-heavy jobs: see the guide; default off)
  --prefix PREFIX         BullMQ key prefix (default bull)
  --abort-grace MS        abort mode: a cancelled job that ignores its signal this long has
                          its thread terminated and replaced (implies --threads; default: never)
  --lock-duration MS      a job's lock lifetime without renewal (default 30000)
  --stalled-interval MS   how often to look for jobs of dead workers (default 30000)
  --max-stalled N         stalls a job survives before its future fails (default 1)
  --stop-timeout MS       on SIGTERM/SIGINT, how long running jobs may take before they
                          are handed back to the queue (default 10000)
  --tls-ca FILE           a PEM file of CA certificates for rediss:// connections
  --allow-source          also run jobs that ship function source (dangerous: anyone who
                          can write to the queue runs any code here)
  --help                  show this help

The password can also come from the environment variable AIO_REDIS_PASSWORD.`;

type Parsed = {
  connection?: string;
  queue?: string;
  allow: string[];
  concurrency?: number;
  prefix?: string;
  abortGraceMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  stopTimeoutMs?: number;
  tlsCa?: string;
  allowSource: boolean;
  threads: boolean;
  help: boolean;
};

class UsageError extends Error {}

function parse(argv: string[]): Parsed {
  const out: Parsed = { allow: [], allowSource: false, threads: false, help: false };
  const numeric: Record<string, keyof Parsed> = {
    "--concurrency": "concurrency",
    "--abort-grace": "abortGraceMs",
    "--lock-duration": "lockDurationMs",
    "--stalled-interval": "stalledIntervalMs",
    "--max-stalled": "maxStalledCount",
    "--stop-timeout": "stopTimeoutMs",
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!;
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq !== -1) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === "--help" || flag === "-h") {
      out.help = true;
      continue;
    }
    if (flag === "--allow-source") {
      out.allowSource = true;
      continue;
    }
    if (flag === "--threads") {
      out.threads = true;
      continue;
    }
    const known = [
      "--connection",
      "--queue",
      "--allow",
      "--prefix",
      "--tls-ca",
      ...Object.keys(numeric),
    ];
    if (!known.includes(flag)) throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(`${flag} needs a value`);
      }
    }
    const key = numeric[flag];
    if (key !== undefined) {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (key === "concurrency" && n < 1)) {
        throw new UsageError(
          `${flag} must be a number${key === "concurrency" ? " >= 1" : " >= 0"}, received ${JSON.stringify(value)}`,
        );
      }
      (out as Record<string, unknown>)[key] = n;
    } else if (flag === "--allow") out.allow.push(value);
    else if (flag === "--connection") out.connection = value;
    else if (flag === "--queue") out.queue = value;
    else if (flag === "--prefix") out.prefix = value;
    else if (flag === "--tls-ca") out.tlsCa = value;
  }
  return out;
}

async function main(): Promise<number> {
  let args: Parsed;
  try {
    args = parse(process.argv.slice(2));
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    if (args.connection === undefined) throw new UsageError("--connection is required");
    if (args.queue === undefined) throw new UsageError("--queue is required");
    if (args.allow.length === 0) throw new UsageError("at least one --allow PATH is required");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`aio-bullmq-worker: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  let connection: string | { host: string; port: number; [k: string]: unknown } = args.connection;
  const password = process.env.AIO_REDIS_PASSWORD;
  if (args.tlsCa !== undefined || (password !== undefined && password !== "")) {
    let url: URL;
    try {
      url = new URL(args.connection);
    } catch {
      console.error(
        `aio-bullmq-worker: --connection must be a redis:// or rediss:// URL, received ${JSON.stringify(args.connection)}`,
      );
      return 2;
    }
    const obj: Record<string, unknown> = {
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port === "" ? 6379 : Number(url.port),
    };
    if (url.pathname.length > 1) obj.db = Number(url.pathname.slice(1));
    if (url.username !== "") obj.username = decodeURIComponent(url.username);
    if (url.password !== "") obj.password = decodeURIComponent(url.password);
    if (password !== undefined && password !== "") obj.password = password;
    if (url.protocol === "rediss:" || args.tlsCa !== undefined) {
      obj.tls = args.tlsCa === undefined ? {} : { ca: readFileSync(args.tlsCa) };
    }
    connection = obj as never;
  }
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      console.error(
        `aio-bullmq-worker: ${sig}: finishing running jobs (again to hand them back now)`,
      );
      stop.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  // Loaded after the flags are checked: a usage error answers at once.
  const { runWorker } = await import("./worker.js");
  try {
    await runWorker({
      queue: args.queue,
      connection: connection as never,
      allow: args.allow,
      ...(args.concurrency !== undefined && { concurrency: args.concurrency }),
      ...(args.prefix !== undefined && { prefix: args.prefix }),
      ...(args.abortGraceMs !== undefined && { abortGraceMs: args.abortGraceMs }),
      ...(args.lockDurationMs !== undefined && { lockDurationMs: args.lockDurationMs }),
      ...(args.stalledIntervalMs !== undefined && { stalledIntervalMs: args.stalledIntervalMs }),
      ...(args.maxStalledCount !== undefined && { maxStalledCount: args.maxStalledCount }),
      ...(args.stopTimeoutMs !== undefined && { stopTimeoutMs: args.stopTimeoutMs }),
      allowSource: args.allowSource,
      ...(args.threads && { threads: true }),
      signal: stop.signal,
      onReady: () =>
        console.log(
          `aio-bullmq-worker ready: queue=${args.queue} concurrency=${args.concurrency ?? 1} pid=${process.pid}`,
        ),
    });
  } catch (err) {
    console.error(`aio-bullmq-worker: ${(err as Error)?.message ?? String(err)}`);
    return err instanceof TypeError || err instanceof RangeError ? 2 : 1;
  }
  console.error("aio-bullmq-worker: stopped");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
