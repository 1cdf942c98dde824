// Executors: @aio/executors against raw worker_threads, piscina, tinypool,
// workerpool and Python's ThreadPoolExecutor/ProcessPoolExecutor, side by side
// in one run, 2 workers each.
//   (a) tiny jobs (sum of 1e4 integers): jobs/s
//   (b) no-op round trip: p50/p99 latency
//   (c) ArrayBuffer round trip with transfer, 1 MiB and 16 MiB: ms per round trip
// Run `pnpm build` first; then `node bench/executors.bench.mjs [jobs] [--quick] [--record]`
// (--quick: 10,000 jobs; --record: also writes this Node major's section of
// bench/results/executors.md).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ProcessPoolExecutor, ThreadPoolExecutor, transfer } from "@aio/executors";
import { Piscina } from "piscina";
import Tinypool from "tinypool";
import workerpool from "workerpool";
import { commit, recordSection } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const jobsArg = argv.find((a) => /^\d+$/.test(a));
const JOBS = jobsArg !== undefined ? Number(jobsArg) : argv.includes("--quick") ? 10_000 : 100_000;
const PY_JOBS = Math.min(JOBS, 10_000);
const PROC_JOBS = Math.min(JOBS, 20_000);
const LAT_N = 5_000;
const SIZES = [1 << 20, 16 << 20];
const ROUNDS = 10;

const sumSrc = "function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }";
const sum = (n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += i;
  return s;
};
const noop = () => 0;

// Peer worker files live in a temporary directory for the run.
const dir = mkdtempSync(join(tmpdir(), "aio-bench-executors-"));
const workerpoolPath = require.resolve("workerpool");
writeFileSync(
  join(dir, "piscina-worker.cjs"),
  `${sumSrc}\nmodule.exports = (t) => t.op === "sum" ? sum(t.n) : t.op === "echo" ? t.buf : 0;\n`,
);
writeFileSync(
  join(dir, "tinypool-worker.mjs"),
  `${sumSrc}\nexport default (t) => t.op === "sum" ? sum(t.n) : t.op === "echo" ? t.buf : 0;\n`,
);
writeFileSync(
  join(dir, "workerpool-worker.cjs"),
  `const workerpool = require(${JSON.stringify(workerpoolPath)});\n${sumSrc}\nworkerpool.worker({ sum, noop: () => 0, echo: (b) => new workerpool.Transfer(b, [b]) });\n`,
);
const rawSrc = `
const { parentPort } = require("node:worker_threads");
${sumSrc}
parentPort.on("message", (m) => {
  if (m.op === "echo") parentPort.postMessage({ id: m.id, r: m.buf }, [m.buf]);
  else parentPort.postMessage({ id: m.id, r: m.op === "sum" ? sum(m.n) : 0 });
});`;

/** Raw worker_threads: 2 workers, request ids, 2 messages in flight per worker. */
function rawPool() {
  const workers = [0, 1].map(() => new Worker(rawSrc, { eval: true }));
  const waiting = new Map();
  let next = 0;
  let rr = 0;
  for (const w of workers)
    w.on("message", (m) => {
      waiting.get(m.id)(m.r);
      waiting.delete(m.id);
    });
  return {
    run(msg, transferList) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        workers[rr++ % 2].postMessage({ ...msg, id }, transferList);
      });
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

const contenders = {
  "raw worker_threads": () => {
    const p = rawPool();
    return {
      sum: (n) => p.run({ op: "sum", n }),
      noop: () => p.run({ op: "noop" }),
      echo: (buf) => p.run({ op: "echo", buf }, [buf]),
      close: p.close,
    };
  },
  "@aio ThreadPoolExecutor": () => {
    const p = new ThreadPoolExecutor({ maxWorkers: 2 });
    return {
      sum: (n) => p.submit(sum, n),
      noop: () => p.submit(noop),
      echo: (buf) => p.submit((b) => transfer(b), transfer(buf)),
      close: () => p.shutdown(),
    };
  },
  "@aio ProcessPoolExecutor": () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 });
    return {
      jobs: PROC_JOBS,
      sum: (n) => p.submit(sum, n),
      noop: () => p.submit(noop),
      echo: (buf) => p.submit((b) => b, buf),
      close: () => p.shutdown(),
    };
  },
  piscina: () => {
    const p = new Piscina({
      filename: join(dir, "piscina-worker.cjs"),
      minThreads: 2,
      maxThreads: 2,
    });
    return {
      sum: (n) => p.run({ op: "sum", n }),
      noop: () => p.run({ op: "noop" }),
      echo: (buf) => p.run({ op: "echo", buf: Piscina.move(buf) }),
      close: () => p.destroy(),
    };
  },
  tinypool: () => {
    const p = new Tinypool({
      filename: join(dir, "tinypool-worker.mjs"),
      minThreads: 2,
      maxThreads: 2,
    });
    return {
      sum: (n) => p.run({ op: "sum", n }),
      noop: () => p.run({ op: "noop" }),
      echo: (buf) => p.run({ op: "echo", buf }, { transferList: [buf] }),
      close: () => p.destroy(),
      note: "result copied back",
    };
  },
  workerpool: () => {
    const p = workerpool.pool(join(dir, "workerpool-worker.cjs"), {
      minWorkers: 2,
      maxWorkers: 2,
      workerType: "thread",
    });
    return {
      sum: (n) => p.exec("sum", [n]),
      noop: () => p.exec("noop", []),
      echo: (buf) => p.exec("echo", [buf], { transfer: [buf] }),
      close: () => p.terminate(),
    };
  },
};

const rows = [];
for (const [name, make] of Object.entries(contenders)) {
  console.error(`… ${name}`);
  const c = make();
  const jobs = c.jobs ?? JOBS;
  await Promise.all(Array.from({ length: 2_000 }, () => c.sum(10))); // warm up workers and JIT
  let t0 = performance.now();
  const all = [];
  for (let i = 0; i < jobs; i++) all.push(c.sum(10_000));
  await Promise.all(all);
  const jobsPerS = jobs / ((performance.now() - t0) / 1000);
  const lat = [];
  for (let i = 0; i < LAT_N; i++) {
    t0 = performance.now();
    await c.noop();
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  const trip = {};
  for (const size of SIZES) {
    let buf = new ArrayBuffer(size);
    t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const back = await c.echo(buf);
      buf = back instanceof ArrayBuffer ? back : (back.buffer ?? back);
    }
    trip[size] = (performance.now() - t0) / ROUNDS;
  }
  await c.close();
  rows.push({
    name,
    jobs,
    jobsPerS,
    p50: lat[LAT_N / 2] * 1000,
    p99: lat[Math.floor(LAT_N * 0.99)] * 1000,
    trip,
  });
}
rmSync(dir, { recursive: true, force: true });

const py = spawnSync("python3", [join(here, "python", "executors.py"), String(PY_JOBS)], {
  encoding: "utf8",
});
if (py.status === 0) {
  const byName = new Map();
  for (const line of py.stdout.trim().split("\n")) {
    const { name, metric, value } = JSON.parse(line);
    if (!byName.has(name)) byName.set(name, { name, jobs: PY_JOBS, trip: {} });
    const r = byName.get(name);
    if (metric === "jobs_per_s") r.jobsPerS = value;
    else if (metric === "p50_us") r.p50 = value;
    else if (metric === "p99_us") r.p99 = value;
    else r.trip[metric === "roundtrip_1MiB_ms" ? 1 << 20 : 16 << 20] = value;
  }
  rows.push(...byName.values());
} else {
  console.error(`python3 bench/python/executors.py failed: ${py.stderr}`);
}

const raw = rows[0];
const fmt = (v, d = 0) =>
  v === undefined
    ? "–"
    : v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const out = [
  `### Node ${process.version}, 2 workers (ratios against raw worker_threads)`,
  "",
  `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${commit()}, load average ${loadavg()[0].toFixed(1)}.`,
  "",
  "| contender | jobs | jobs/s | vs raw | no-op p50 µs | p99 µs | 1 MiB round trip ms | 16 MiB round trip ms |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];
for (const r of rows) {
  out.push(
    `| ${r.name} | ${fmt(r.jobs)} | ${fmt(r.jobsPerS)} | ${fmt(r.jobsPerS / raw.jobsPerS, 2)}× | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.trip[1 << 20], 2)} | ${fmt(r.trip[16 << 20], 2)} |`,
  );
}
const markdown = out.join("\n");
console.log(`\n${markdown}`);
if (argv.includes("--record")) recordSection("executors", "Executors benchmark results", markdown);
