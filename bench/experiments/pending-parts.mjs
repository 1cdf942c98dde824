#!/usr/bin/env node
// Experiment (issue 17, target (b)): what a pending `async` task holds, object
// by object, against the engine floor. Not a suite: `run.mjs` does not run it.
//
//   node --expose-gc bench/experiments/pending-parts.mjs [N]   (after `pnpm build`)
//
// Two heap snapshots around N pending things (after a full GC each), the
// difference grouped by V8's node type and constructor name, per pending
// thing; only groups that grew by at least 0.9 per thing are listed:
//   floor  a native async function blocked on a thenable (which keeps the
//          `resolve` it was given), started in `AsyncLocalStorage.run()`
//          with a store object of its own, as `tasks.bench.mjs` (d) does;
//   @aio   `createTask(async () => { await fut; })`, all blocked on one Future.
// Prints markdown; never asserts.

import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { getRunningLoop } from "@aio/core";
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const N = Number(process.argv[2] ?? 20_000);
if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc");
  process.exit(2);
}

/** A full GC, then a snapshot: counts and self sizes by "type:constructor". */
function snapshot() {
  globalThis.gc();
  globalThis.gc();
  const file = join(tmpdir(), `pending-parts-${process.pid}.heapsnapshot`);
  v8.writeHeapSnapshot(file);
  const snap = JSON.parse(readFileSync(file, "utf8"));
  rmSync(file);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const name = type === "object" || type === "hidden" ? snap.strings[snap.nodes[i + iName]] : "";
    const key = name === "" ? type : `${type}: ${name}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += snap.nodes[i + iSize];
    groups.set(key, g);
  }
  return groups;
}

function perThing(before, after) {
  const rows = [];
  for (const [key, g] of after) {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    const count = (g.count - b.count) / N;
    if (count >= 0.9) rows.push({ key, count, bytes: (g.bytes - b.bytes) / N });
  }
  return rows.sort((x, y) => y.bytes - x.bytes);
}

async function floor() {
  const als = new AsyncLocalStorage();
  const resolvers = [];
  const gate = {
    then(resolve) {
      resolvers.push(resolve);
    },
  };
  const blocked = async () => {
    await gate;
  };
  const before = snapshot();
  const all = new Array(N);
  for (let i = 0; i < N; i++) all[i] = als.run({}, blocked);
  await new Promise((r) => setImmediate(r));
  const rows = perThing(before, snapshot());
  for (const resolve of resolvers) resolve();
  await Promise.all(all);
  return rows;
}

function aio() {
  return run(async () => {
    const fut = getRunningLoop().createFuture();
    const blocked = async () => {
      await fut;
    };
    await sleep(0);
    const before = snapshot();
    const tasks = new Array(N);
    for (let i = 0; i < N; i++) tasks[i] = createTask(blocked);
    await sleep(0);
    await sleep(0);
    const rows = perThing(before, snapshot());
    fut.setResult(undefined);
    await gather(...tasks);
    return rows;
  });
}

const f = await floor();
const a = await aio();
const keys = [...new Set([...a, ...f].map((r) => r.key))];
const find = (rows, key) => rows.find((r) => r.key === key) ?? { count: 0, bytes: 0 };
console.log(`Node ${process.version}, N = ${N.toLocaleString("en")}, bytes per pending task\n`);
console.log("| heap object | floor (count, bytes) | @aio (count, bytes) | @aio − floor |");
console.log("|---|---:|---:|---:|");
let ft = 0;
let at = 0;
for (const key of keys) {
  const x = find(f, key);
  const y = find(a, key);
  ft += x.bytes;
  at += y.bytes;
  console.log(
    `| ${key} | ${x.count.toFixed(0)}, ${x.bytes.toFixed(0)} | ${y.count.toFixed(0)}, ${y.bytes.toFixed(0)} | ${Math.round(y.bytes - x.bytes) || 0} |`,
  );
}
console.log(
  `| **total** | ${ft.toFixed(0)} | ${at.toFixed(0)} | ${(at - ft).toFixed(0)} (${(at / ft).toFixed(2)}×) |`,
);
