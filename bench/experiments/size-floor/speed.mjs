#!/usr/bin/env node
// Experiment (issue 13 against issue 17): how fast the size-floor model runs
// the tasks suite's workloads, beside @aio, interleaved
// in one process (best of R CPU times, `gc()` before each run as in the
// suites), with and without the model's speed work (P_FAST, `fast.js`).
// What a design at the size budget gives up. Prints markdown.
//
//   node --expose-gc bench/experiments/size-floor/speed.mjs [--reps R]   (after `pnpm build`)

import { bestCpuInterleaved, numberOption } from "../interleave.mjs";
import { loadModel } from "./load-model.mjs";

const REPS = numberOption("--reps", 5);
const SPAWN = 100_000;
const SOON = 1_000_000;
const PINGPONG = 200_000;

const model = await loadModel(false);
const fastModel = await loadModel(true);
const aio = {
  ...(await import("@aio/core")),
  ...(await import("@aio/loop")),
  ...(await import("@aio/futures")),
};

/** N tasks that each `await sleep(0)` once; waits for all through done callbacks. */
function spawn(api) {
  return api.run(async () => {
    const loop = api.getRunningLoop();
    const all = loop.createFuture();
    let left = SPAWN;
    const child = async () => {
      await api.sleep(0);
      return 1;
    };
    const one = () => {
      if (--left === 0) all.setResult();
    };
    for (let i = 0; i < SPAWN; i++) api.createTask(child).addDoneCallback(one);
    await all;
  });
}

/** A chain of `callSoon` callbacks, each scheduling the next. */
function callSoon(api) {
  return api.run(async () => {
    const loop = api.getRunningLoop();
    const done = loop.createFuture();
    let n = 0;
    const tick = () => {
      if (++n === SOON) done.setResult();
      else loop.callSoon(tick);
    };
    loop.callSoon(tick);
    await done;
  });
}

/** Two generator tasks handing Futures back and forth. */
function pingPong(api) {
  return api.run(function* () {
    const loop = api.getRunningLoop();
    const box = { req: loop.createFuture(), reply: null };
    const ping = api.createTask(function* () {
      for (let i = 0; i < PINGPONG; i++) {
        const reply = loop.createFuture();
        box.reply = reply;
        box.req.setResult(i);
        yield* reply;
      }
    });
    const pong = api.createTask(function* () {
      for (let i = 0; i < PINGPONG; i++) {
        const v = yield* box.req;
        box.req = loop.createFuture();
        box.reply.setResult(v);
      }
    });
    yield* ping;
    yield* pong;
  });
}

console.log(`Node ${process.version}, best of ${REPS} CPU times, interleaved`);
console.log("");
console.log(
  "| workload | @aio | least model | ÷ @aio (time) | model with P_FAST | ÷ @aio (time) |",
);
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, fn] of [
  [`spawn ${SPAWN.toLocaleString("en")} async tasks, each awaiting sleep(0)`, spawn],
  [`${SOON.toLocaleString("en")} chained callSoon`, callSoon],
  [`${PINGPONG.toLocaleString("en")} generator ping-pong hand-offs`, pingPong],
]) {
  const best = await bestCpuInterleaved(
    [
      ["aio", () => fn(aio)],
      ["model", () => fn(model)],
      ["fast", () => fn(fastModel)],
    ],
    REPS,
  );
  const a = best.get("aio");
  const m = best.get("model");
  const f = best.get("fast");
  console.log(
    `| ${name} | ${a.toFixed(0)} ms | ${m.toFixed(0)} ms | ${(m / a).toFixed(1)}× | ${f.toFixed(0)} ms | ${(f / a).toFixed(1)}× |`,
  );
}
