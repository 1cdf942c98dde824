// @aio/bullmq against raw BullMQ and Celery on the same Redis, side by side in
// one run. The suite starts its own redis-server (loopback, free port, temp
// dir, persistence off) and its own worker processes.
//   (a) tiny jobs, all submitted at once, 2 worker processes: jobs/s (ours and
//       raw alternating, best of two runs each),
//       BullMQExecutor vs raw BullMQ (Queue.add + Worker + job.waitUntilFinished)
//   (b) no-op round trip, one job at a time: p50 / p99 in ms
//   (c) Celery (thread pool) with 2 worker processes on the same Redis
//   (d) BullMQExecutor jobs/s with 1, 2 and 4 worker processes
// For (a) it also records the cost per job, which machine load changes far
// less than wall time: CPU ms of the producer (this process), of the worker
// processes and of redis-server (Linux /proc), and Redis commands
// (INFO commandstats).
// Every worker process runs CONCURRENCY jobs at a time. Jobs/s and round
// trips are wall time: these are distributed systems, and no one process's
// CPU is the whole cost.
// Run `pnpm build` first; then `node bench/bullmq.bench.mjs [--quick]`.
// Celery needs python3; the suite makes a venv in .cache/bench-venv-bullmq and
// installs celery and redis into it (from the configured package index).
// SIGINT/SIGTERM stop everything the suite started (redis-server, workers).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BullMQExecutor } from "@aio/bullmq";
import { moduleFunction } from "@aio/executors";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const JOBS = QUICK ? 500 : 5_000;
const ROUNDS = QUICK ? 50 : 300;
const CONCURRENCY = 4;
const ROUNDS_A = QUICK ? 1 : 2;

// ---- child mode: a raw BullMQ worker process ------------------------------
if (argv[0] === "--raw-worker") {
  const [, port, queue, concurrency] = argv;
  const connection = new Redis({
    host: "127.0.0.1",
    port: Number(port),
    maxRetriesPerRequest: null,
  });
  const worker = new Worker(queue, async (job) => job.data.x + 1, {
    connection,
    concurrency: Number(concurrency),
  });
  worker.on("error", () => {});
  await worker.waitUntilReady();
  console.log("raw-worker ready");
  process.once("SIGTERM", async () => {
    await worker.close();
    connection.disconnect();
  });
} else {
  await main();
}

async function main() {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    console.log(
      "## @aio/bullmq\n\nredis-server is not on PATH: the suite needs a real Redis; skipped.",
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "aio-bench-bullmq-"));
  writeFileSync(join(dir, "jobs.mjs"), "export function add(x, y) { return x + y; }\n");
  const add = moduleFunction(pathToFileURL(join(dir, "jobs.mjs")), "add");
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@aio/bullmq/package.json");
  const cli = join(dirname(pkg), JSON.parse(readFileSync(pkg, "utf8")).bin["aio-bullmq-worker"]);
  const children = new Set();
  // Interrupted (Ctrl-C, SIGTERM): kill what was started, remove the temp
  // dir, exit. The "exit" hook is the backstop for any other way out.
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ]) {
    process.once(sig, () => {
      console.error(`bullmq bench: ${sig}: stopping the processes it started`);
      killAll();
      rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    });
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redisArgs = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
  const persistenceOff = ["--save", "", "--appendonly", "no"];

  function start(cmd, args, ready) {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    child.once("exit", () => children.delete(child));
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 60_000);
      const onData = (c) => {
        out += c.toString();
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve(child);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} exited (${code}): ${out}`));
      });
    });
  }
  async function stop(procs) {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once("exit", resolve);
            p.kill("SIGTERM");
            setTimeout(() => p.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
  }
  const admin = () => {
    const c = new Redis({ host: "127.0.0.1", port });
    c.on("error", () => {});
    return c;
  };
  async function flush() {
    const c = admin();
    await c.flushall();
    c.disconnect();
  }
  let redisPid = 0;
  const clkTck = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
  /** CPU ms a process has used so far (every thread), or NaN where /proc is missing. */
  const cpuMsOf = (pid) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return ((Number(f[11]) + Number(f[12])) * 1000) / clkTck;
    } catch {
      return Number.NaN;
    }
  };
  async function commandCalls() {
    const c = admin();
    const stats = await c.info("commandstats");
    c.disconnect();
    let n = 0;
    for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (m[1] !== "info") n += Number(m[2]);
    }
    return n;
  }
  /** Starts counting (a)'s cost; the returned function gives it per job. */
  async function costFrom(workers) {
    const calls = await commandCalls();
    const producer = process.cpuUsage();
    const w0 = workers.map((w) => cpuMsOf(w.pid));
    const r0 = cpuMsOf(redisPid);
    return async (jobs) => {
      const p = process.cpuUsage(producer);
      const w = workers.reduce((sum, wk, i) => sum + cpuMsOf(wk.pid) - w0[i], 0);
      const r = cpuMsOf(redisPid) - r0;
      return {
        producer: (p.user + p.system) / 1000 / jobs,
        workers: w / jobs,
        redis: r / jobs,
        commands: ((await commandCalls()) - calls) / jobs,
      };
    };
  }

  const ourWorkers = (queue, n) =>
    Promise.all(
      Array.from({ length: n }, () =>
        start(
          process.execPath,
          [
            cli,
            "--connection",
            url,
            "--queue",
            queue,
            "--allow",
            dir,
            "--concurrency",
            String(CONCURRENCY),
          ],
          /aio-bullmq-worker ready/,
        ),
      ),
    );

  /**
   * BullMQExecutor on `workersN` worker processes: jobs/s for JOBS jobs at
   * once; with `keep`, stays up and returns `one()` (one round trip) and `close()`.
   */
  async function ours(workersN, keep = false) {
    const queue = `aio-${workersN}${keep ? "-lat" : ""}`;
    const workers = await ourWorkers(queue, workersN);
    const ex = new BullMQExecutor({ queue, connection: url });
    await Promise.all(Array.from({ length: 200 }, (_, i) => ex.submit(add, i, 1)));
    const close = async () => {
      await ex.shutdown();
      await stop(workers);
    };
    if (keep) return { one: (i) => ex.submit(add, i, 1), close };
    const cost = await costFrom(workers);
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: JOBS }, (_, i) => ex.submit(add, i, 1)));
    const rate = JOBS / ((performance.now() - t0) / 1000);
    const perJob = await cost(JOBS);
    if (results[JOBS - 1] !== JOBS) throw new Error("wrong result");
    await close();
    return { rate, perJob };
  }

  /** Raw BullMQ: Queue.add + Worker + job.waitUntilFinished, same workers and concurrency. */
  async function raw(keep = false) {
    const queue = keep ? "raw-lat" : "raw";
    const workers = await Promise.all(
      [0, 1].map(() =>
        start(
          process.execPath,
          [
            fileURLToPath(import.meta.url),
            "--raw-worker",
            String(port),
            queue,
            String(CONCURRENCY),
          ],
          /raw-worker ready/,
        ),
      ),
    );
    const qc = new Redis({ host: "127.0.0.1", port });
    const ec = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null });
    const q = new Queue(queue, { connection: qc });
    q.setMaxListeners(0); // waitUntilFinished adds a listener per job
    const events = new QueueEvents(queue, { connection: ec });
    await events.waitUntilReady();
    // QueueEvents reads from "$" once its first XREAD is sent, which is after
    // waitUntilReady(): an event in between is lost (and its waitUntilFinished
    // waits for its TTL). Give the reader time to start.
    await new Promise((r) => setTimeout(r, 500));
    const round = async (n) => {
      const jobs = await Promise.all(Array.from({ length: n }, (_, i) => q.add("j", { x: i })));
      return Promise.all(jobs.map((j) => j.waitUntilFinished(events, 120_000)));
    };
    await round(200);
    const close = async () => {
      await events.close();
      await q.close();
      qc.disconnect();
      ec.disconnect();
      await stop(workers);
    };
    const one = async (i) => (await q.add("j", { x: i })).waitUntilFinished(events, 120_000);
    if (keep) return { one, close };
    const cost = await costFrom(workers);
    const t0 = performance.now();
    const results = await round(JOBS);
    const rate = JOBS / ((performance.now() - t0) / 1000);
    const perJob = await cost(JOBS);
    if (results[JOBS - 1] !== JOBS) throw new Error("wrong raw result");
    await close();
    return { rate, perJob };
  }

  /**
   * (b): our executor and raw BullMQ up at the same time (2 worker processes
   * each, separate queues), round trips interleaved one by one (alternating
   * which goes first), so both see the same machine load.
   */
  async function latency() {
    await flush();
    const a = await ours(2, true);
    const b = await raw(true);
    const la = [];
    const lb = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const [c, l] of i % 2 === 0
        ? [
            [a, la],
            [b, lb],
          ]
        : [
            [b, lb],
            [a, la],
          ]) {
        const t = performance.now();
        await c.one(i);
        l.push(performance.now() - t);
      }
    }
    await a.close();
    await b.close();
    return { ours: la, raw: lb };
  }

  /** Celery in a venv made here; null (with the reason) when it cannot be set up. */
  async function celery() {
    if (spawnSync("python3", ["--version"], { stdio: "ignore" }).status !== 0) {
      return { skipped: "python3 is not on PATH" };
    }
    const venv = join(root, ".cache", "bench-venv-bullmq");
    const py = join(venv, "bin", "python");
    const ok = () =>
      spawnSync(py, ["-c", "import celery, redis, kombu.transport.redis"], { stdio: "ignore" })
        .status === 0;
    if (!existsSync(py)) await runChild("python3", ["-m", "venv", venv]);
    if (!ok()) {
      const pip = join(venv, "bin", "pip");
      // No retries, short timeouts: an index that cannot serve a package
      // fails in seconds instead of retrying for minutes.
      const quick = ["install", "-q", "--retries", "0", "--timeout", "10"];
      // First what Celery needs at run time, without its command-line
      // plugins (the worker starts through its Python API; some package
      // mirrors lack click-didyoumean), then the full install if that failed.
      await runChild(pip, [
        ...quick,
        "--no-deps",
        "celery",
        "kombu",
        "billiard",
        "vine",
        "amqp",
        "click",
        "click-plugins",
        "redis",
        "python-dateutil",
        "six",
        "tzlocal",
        "tzdata",
        "packaging",
      ]);
      if (!ok()) await runChild(pip, [...quick, "celery", "redis"]);
    }
    if (!ok()) return { skipped: "celery and redis could not be installed into the venv" };
    await flush();
    const script = join(here, "python", "bullmq_celery.py");
    let workers;
    try {
      workers = await Promise.all(
        [0, 1].map(() => start(py, [script, "worker", url, String(CONCURRENCY)], /celery-ready/)),
      );
    } catch (err) {
      return { skipped: `a Celery worker did not start: ${String(err.message).slice(-300)}` };
    }
    // Spawned, not spawnSync: the suite must stay responsive to SIGINT/SIGTERM.
    const r = await runChild(py, [script, "produce", url, String(JOBS), String(ROUNDS)], {
      capture: true,
      timeoutMs: 600_000,
    });
    await stop(workers);
    if (r.status !== 0) return { skipped: `the Celery producer failed: ${r.stderr.slice(-500)}` };
    const m = {};
    for (const line of r.stdout.trim().split("\n")) {
      const { metric, value } = JSON.parse(line);
      m[metric] = value;
    }
    return { rate: m.jobs_per_s, p50: m.p50_ms, p99: m.p99_ms };
  }

  /**
   * Runs a command to its end (tracked in `children`, so a signal stops it);
   * with `capture`, returns its stdout and stderr, else they pass through.
   */
  function runChild(cmd, args, { capture = false, timeoutMs = 600_000 } = {}) {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
      children.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (c) => {
        stdout += c;
      });
      child.stderr?.on("data", (c) => {
        stderr += c;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const done = (status) => {
        clearTimeout(timer);
        children.delete(child);
        resolve({ status, stdout, stderr });
      };
      child.once("error", (err) => {
        stderr += String(err);
        done(null);
      });
      child.once("close", done);
    });
  }

  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(s.length * p))];
  };
  const f0 = (x) => Math.round(x).toLocaleString("en-US");
  const f2 = (x) => x.toFixed(2);

  try {
    redisPid = (
      await start("redis-server", [...redisArgs, ...persistenceOff], /Ready to accept connections/)
    ).pid;
    // (a) alternates ours and raw BullMQ, ROUNDS_A times each, and keeps each
    // one's best run: on a shared machine the load drifts between phases.
    let a = null;
    let b = null;
    for (let i = 0; i < ROUNDS_A; i++) {
      console.error(`… @aio/bullmq, 2 workers (${i + 1}/${ROUNDS_A})`);
      await flush();
      const ra = await ours(2);
      if (a === null || ra.rate > a.rate) a = ra;
      console.error(`… raw BullMQ, 2 workers (${i + 1}/${ROUNDS_A})`);
      await flush();
      const rb = await raw();
      if (b === null || rb.rate > b.rate) b = rb;
    }
    console.error("… round trips, @aio/bullmq and raw BullMQ interleaved");
    const lat = await latency();
    a.lat = lat.ours;
    b.lat = lat.raw;
    console.error("… Celery, 2 workers");
    const c = await celery();
    const scale = [];
    for (const n of [1, 2, 4]) {
      console.error(`… @aio/bullmq, ${n} worker(s)`);
      await flush();
      scale.push([n, (await ours(n)).rate]);
    }
    const out = [];
    out.push("## @aio/bullmq");
    out.push("");
    out.push(
      `${JOBS.toLocaleString("en-US")} tiny jobs (\`add(x, 1)\`) submitted at once (best of ${ROUNDS_A} alternating runs each); round trips: ${ROUNDS} one at a time, ours and raw BullMQ interleaved; ` +
        `worker processes with concurrency ${CONCURRENCY} each; one redis-server on loopback, persistence off; wall time.`,
    );
    out.push("");
    out.push(
      "| contender (2 worker processes) | jobs/s | vs raw BullMQ | round trip p50 (ms) | p99 (ms) | p50 vs raw |",
    );
    out.push("|---|---:|---:|---:|---:|---:|");
    const bp50 = pct(b.lat, 0.5);
    out.push(
      `| @aio/bullmq \`BullMQExecutor\` | ${f0(a.rate)} | ${f2(a.rate / b.rate)}× | ${f2(pct(a.lat, 0.5))} | ${f2(pct(a.lat, 0.99))} | ${f2(pct(a.lat, 0.5) / bp50)}× |`,
    );
    out.push(
      `| raw BullMQ (Queue.add + Worker + waitUntilFinished) | ${f0(b.rate)} | 1.00× | ${f2(bp50)} | ${f2(pct(b.lat, 0.99))} | 1.00× |`,
    );
    if (c.skipped) out.push(`| Celery (thread pool) | skipped: ${c.skipped} | | | | |`);
    else
      out.push(
        `| Celery (thread pool, Redis broker and backend) | ${f0(c.rate)} | ${f2(c.rate / b.rate)}× | ${f2(c.p50)} | ${f2(c.p99)} | ${f2(c.p50 / bp50)}× |`,
      );
    out.push("");
    if (!c.skipped) out.push(`@aio/bullmq vs Celery: ${f2(a.rate / c.rate)}× the jobs/s.`);
    out.push("");
    out.push(
      "| cost per job in (a) | producer CPU (ms) | worker processes CPU (ms) | redis-server CPU (ms) | Redis commands |",
    );
    out.push("|---|---:|---:|---:|---:|");
    const f3 = (x) => (Number.isNaN(x) ? "n/a" : x.toFixed(3));
    for (const [name, r] of [
      ["@aio/bullmq", a],
      ["raw BullMQ", b],
    ]) {
      const k = r.perJob;
      out.push(
        `| ${name} | ${f3(k.producer)} | ${f3(k.workers)} | ${f3(k.redis)} | ${k.commands.toFixed(1)} |`,
      );
    }
    out.push("");
    out.push("| worker processes | @aio/bullmq jobs/s |");
    out.push("|---:|---:|");
    for (const [n, r] of scale) out.push(`| ${n} | ${f0(r)} |`);
    console.log(out.join("\n"));
  } finally {
    await stop([...children]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
