#!/usr/bin/env node
// Experiment (issue 17, target (a)): where the garbage of a started
// async-function task comes from. Spawns N tasks through the built packages —
// the tasks benchmark's (a) workload: `createTask(child)` where `child` does
// `await sleep(0)` and returns, then `gather(...tasks)` — and reports:
//
//   1. bytes allocated per task, with the young generation made large enough
//      that no garbage collection runs during the measurement (heapUsed after −
//      before ÷ N is then every byte allocated, garbage included), next to
//      the same figure for the native peer (async function awaiting
//      `new Promise(r => setImmediate(r))`, + Promise.all);
//   2. the allocation sites: V8's sampling heap profiler (inspector
//      `HeapProfiler.startSampling`, keeping samples of collected objects),
//      bytes per task by source line, mapped back to `packages/*/src/*.ts`
//      through the dist source maps;
//   3. what one pending task holds (a heap snapshot while N tasks wait in
//      `sleep(0)`), by constructor — the objects that live across the step.
//
//   node --max-semi-space-size=256 bench/experiments/task-garbage.mjs [N]   (after `pnpm build`)
//   add --native to measure the native peer only (figure 1), --gen for generator tasks
//
// Not a suite (`run.mjs` does not run it); prints markdown; never asserts.

import { Session } from "node:inspector/promises";
import { findSourceMap } from "node:module";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const N = Number(argv.find((a) => /^\d+$/.test(a)) ?? 10_000);
const { run } = await import("@aio/loop");
const { createTask, gather, sleep } = await import("@aio/futures");

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });

/** `--gen`: generator tasks (`function*` + `yield* sleep(0)`) instead of async functions. */
const GEN = argv.includes("--gen");

async function spawnAio(n) {
  await run(async () => {
    const child = GEN
      ? function* () {
          yield* sleep(0);
          return 1;
        }
      : async () => {
          await sleep(0);
          return 1;
        };
    const tasks = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = createTask(child);
    await gather(...tasks);
  });
}

async function spawnNative(n) {
  const child = async () => {
    await new Promise((r) => setImmediate(r));
    return 1;
  };
  const all = new Array(n);
  for (let i = 0; i < n; i++) all[i] = child();
  await Promise.all(all);
}

/** Bytes allocated per item by `fn(n)`, from heapUsed with no GC in between (checked). */
async function allocated(fn, n) {
  await fn(n); // warm-up (compiles; the loop's and the task list's first-use objects)
  await new Promise((r) => setTimeout(r, 10)); // let the observer see the warm-up's GCs
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  await fn(n);
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10));
  return { perItem: (after - before) / n, gcs };
}

const out = [];
out.push(`Node ${process.version}, N = ${N.toLocaleString("en")}`, "");
const native = await allocated(spawnNative, N);
const aio = await allocated(spawnAio, N);
out.push("| workload | bytes allocated per task | GCs during the run |", "|---|---:|---:|");
out.push(
  `| @aio \`createTask\` + \`sleep(0)\` + \`gather\` | ${aio.perItem.toFixed(0)} | ${aio.gcs} |`,
);
out.push(
  `| native async fn + \`setImmediate\` promise + \`Promise.all\` | ${native.perItem.toFixed(0)} | ${native.gcs} |`,
);
out.push("", "(a GC during the run makes that row an underestimate: raise --max-semi-space-size)");

if (!argv.includes("--native")) {
  // 2. Allocation sites.
  const session = new Session();
  session.connect();
  await spawnAio(N); // warm
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 32,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await spawnAio(N);
  const { profile } = await session.post("HeapProfiler.stopSampling");
  const bySite = new Map();
  const walk = (node, parentSite) => {
    const f = node.callFrame;
    let site = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(packages|node_modules)\//, "")}:${f.lineNumber + 1}`;
    const src = mapToSource(f);
    if (src) site = `${f.functionName || "(anonymous)"} ${src}`;
    if (f.url === "" && parentSite) site = `${f.functionName || "(native)"} ← ${parentSite}`;
    const bytes = node.selfSize;
    if (bytes > 0) bySite.set(site, (bySite.get(site) ?? 0) + bytes);
    for (const c of node.children) walk(c, f.url === "" ? parentSite : site);
  };
  walk(profile.head, "");
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  out.push(
    "",
    "#### Allocation sites (sampling heap profiler, 32-byte interval), bytes per task",
    "",
  );
  out.push("| allocating function and source line | bytes per task |", "|---|---:|");
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    if (bytes / N < 2) break;
    out.push(`| ${site} | ${(bytes / N).toFixed(0)} |`);
  }
  out.push(`| total sampled | ${(total / N).toFixed(0)} |`);

  // 3. What a pending task holds: a heap snapshot while N tasks wait in sleep(0).
  const counts = await pendingSnapshot(session, N);
  out.push(
    "",
    `#### Live while ${N.toLocaleString("en")} tasks wait in \`sleep(0)\` (heap snapshot, objects per task by constructor)`,
    "",
  );
  out.push("| constructor | count per task | bytes per task (shallow) |", "|---|---:|---:|");
  for (const [name, { count, size }] of counts)
    out.push(`| ${name} | ${(count / N).toFixed(2)} | ${(size / N).toFixed(0)} |`);
  session.disconnect();
}
console.log(out.join("\n"));

/** `file.ts:line` for a profile call frame in a built @aio package, via its source map. */
function mapToSource(f) {
  if (!f.url.includes("/packages/") || !f.url.includes("/dist/")) return null;
  const map =
    findSourceMap(f.url.startsWith("file:") ? fileURLToPath(f.url) : f.url) ?? findSourceMap(f.url);
  if (!map) return null;
  const e = map.findEntry(f.lineNumber, f.columnNumber);
  if (!e?.originalSource) return null;
  const file = e.originalSource.replace(/^.*\/packages\//, "packages/").replace(/^(\.\.\/)+/, "");
  return `${file}:${e.originalLine + 1}`;
}

/** Counts snapshot nodes by constructor while n tasks are pending; returns those with ≥ 0.5 per task. */
async function pendingSnapshot(session, n) {
  const chunks = [];
  const onChunk = (m) => chunks.push(m.params.chunk);
  session.on("HeapProfiler.addHeapSnapshotChunk", onChunk);
  const take = async () => {
    chunks.length = 0;
    await session.post("HeapProfiler.collectGarbage");
    await session.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    return countByName(JSON.parse(chunks.join("")));
  };
  let base;
  let during;
  await run(async () => {
    let release;
    const gate = new Promise((r) => {
      release = r;
    });
    base = await take();
    const child = async () => {
      await sleep(0);
      await gate;
      return 1;
    };
    // Tasks that wait on a foreign promise after their first step would also
    // hold the promise machinery; to see only what sleep(0) holds, take the
    // snapshot from a callback that runs while every task is suspended in sleep(0).
    const tasks = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = createTask(child);
    await sleep(0); // every task has run its first step and now waits in sleep(0)
    during = await take();
    release();
    await gather(...tasks);
  });
  session.off("HeapProfiler.addHeapSnapshotChunk", onChunk);
  const diff = new Map();
  for (const [name, v] of during) {
    const b = base.get(name) ?? { count: 0, size: 0 };
    const d = { count: v.count - b.count, size: v.size - b.size };
    if (d.count >= n / 2) diff.set(name, d);
  }
  return [...diff].sort((a, b) => b[1].size - a[1].size);
}

function countByName(snap) {
  const m = snap.snapshot.meta;
  const F = m.node_fields.length;
  const iType = m.node_fields.indexOf("type");
  const iName = m.node_fields.indexOf("name");
  const iSize = m.node_fields.indexOf("self_size");
  const types = m.node_types[iType];
  const res = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += F) {
    const type = types[nodes[i + iType]];
    let name = snap.strings[nodes[i + iName]];
    if (type === "closure") name = `closure ${name || "(anonymous)"}`;
    else if (type !== "object" && type !== "array")
      name =
        `(${type}) ${type === "hidden" || type === "code" || type === "string" ? "" : name}`.trim();
    const v = res.get(name) ?? { count: 0, size: 0 };
    v.count++;
    v.size += nodes[i + iSize];
    res.set(name, v);
  }
  return res;
}
