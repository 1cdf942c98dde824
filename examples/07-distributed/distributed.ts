// The same Executor, spread over worker processes on Redis (here: two on this
// machine; in production, any machine that reaches the Redis server).
// asyncio/Dask: `client = Client("scheduler:8786"); await client.submit(f, x)`.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BullMQExecutor } from "@aio/bullmq";
import { getRunningLoop } from "@aio/core";
import { moduleFunction } from "@aio/executors";
import { gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";

if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
  console.log(
    "redis-server is not on PATH: skipping the distributed example (install Redis to run it)",
  );
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const pkgJson = createRequire(import.meta.url).resolve("@aio/bullmq/package.json");
const bin = JSON.parse(readFileSync(pkgJson, "utf8")).bin["aio-bullmq-worker"] as string;
const cli = join(dirname(pkgJson), bin);

const port = await new Promise<number>((resolve) => {
  const srv = createServer().listen(0, "127.0.0.1", () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});
const url = `redis://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "aio-tour-redis-"));
const children: ChildProcess[] = [];

/** Starts a process and resolves once a line of its output matches `ready`. */
function start(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${cmd} exited (${code}): ${out}`)));
  });
}

try {
  await start(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    /Ready to accept connections/,
  );
  const worker = ["--connection", url, "--queue", "tour", "--allow", here];
  await Promise.all([
    start(process.execPath, [cli, ...worker], /ready/),
    start(process.execPath, [cli, ...worker], /ready/),
  ]);

  await run(async () => {
    // The one line that changes from a local process pool:
    //   await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    await using pool = new BullMQExecutor({ queue: "tour", connection: url });

    const sumRange = moduleFunction<(from: number, to: number) => { sum: number; pid: number }>(
      new URL("./jobs.mjs", import.meta.url),
      "sumRange",
    );
    const loop = getRunningLoop();
    const N = 4_000_000;
    const parts = await gather(
      ...[0, 1, 2, 3].map((i) =>
        loop.runInExecutor(pool, sumRange, (i * N) / 4, ((i + 1) * N) / 4),
      ),
    );
    const total = parts.reduce((a, p) => a + p.sum, 0);
    const pids = new Set(parts.map((p) => p.pid));
    console.log(`4 jobs on ${pids.size} worker process(es): sum of 0..${N - 1} = ${total}`);

    const longReport = moduleFunction<(ms: number) => string>(
      new URL("./jobs.mjs", import.meta.url),
      "longReport",
    );
    const report = pool.submit(longReport, 60_000);
    await sleep(300); // it is running on a worker now
    report.cancel();
    console.log(`cancelled a running job (id ${report.jobId.slice(0, 8)}…): ${report.cancelled()}`);
  });
} finally {
  // Workers first, Redis last: a worker finishes its running job and writes
  // its outcome to Redis before it exits, so Redis must still be there.
  const [redis, ...workers] = children;
  const stopped = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r));
  for (const worker of workers) worker.kill("SIGTERM");
  await Promise.all(workers.map(stopped));
  redis?.kill("SIGTERM");
  await (redis && stopped(redis));
  rmSync(dir, { recursive: true, force: true });
}
