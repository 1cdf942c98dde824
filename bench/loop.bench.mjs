#!/usr/bin/env node
// The event loop benchmark (issue 2, "Performance"): @aio/loop against the
// host's own scheduling and against Python's asyncio, side by side in one run.
//
//   node bench/loop.bench.mjs            full run, prints a markdown report
//   node bench/loop.bench.mjs --quick    a tenth of the work (smoke run)
//   node bench/loop.bench.mjs --record   also writes this Node major's section of bench/results/loop.md
//
// Every measurement runs in its own child process (same `node`, this file with
// `--case <name>`), so JIT state, heap growth and peak RSS of one case never
// pollute another. Needs the built packages (`pnpm build`). Never asserts.

import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  best,
  commit,
  fmtMiB,
  fmtMs,
  fmtX,
  rate,
  rateTable,
  recordSection,
  runCases,
  runPython,
  yes,
} from "./lib/harness.mjs";

const _here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;

const FANOUT_N = 1_000_000 / SCALE;
const CHAIN_N = 200_000 / SCALE;
const TIMERS_N = 100_000 / SCALE;
const FUTURES_N = 1_000_000 / SCALE;
const FUTURES_BATCH = 10_000;
const _REPS = 5;

// ----- measurement helpers (child side) ------------------------------------

/** Integer delays 0–50 ms from a fixed seed, the same in every child (and in Python). */
function delays(n) {
  let s = 42;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s >>> 8) % 51;
  }
  return out;
}

const cases = {
  // (a) fan-out ---------------------------------------------------------------
  async "fanout-aio"() {
    const { newEventLoop } = await import("@aio/loop");
    const loop = newEventLoop();
    let count = 0;
    const inc = () => {
      count++;
    };
    const { ms, cpuMs } = await best(async () => {
      const t0 = performance.now();
      for (let i = 0; i < FANOUT_N; i++) loop.callSoon(inc);
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      return performance.now() - t0;
    });
    loop.close();
    return { n: FANOUT_N, ms, cpuMs, check: count };
  },
  async "fanout-array"() {
    let count = 0;
    const inc = () => {
      count++;
    };
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now();
          const queue = [];
          for (let i = 0; i < FANOUT_N; i++) queue.push(inc);
          setImmediate(() => {
            for (let i = 0; i < queue.length; i++) queue[i]();
            resolve(performance.now() - t0);
          });
        }),
    );
    return { n: FANOUT_N, ms, cpuMs, check: count };
  },
  async "fanout-aio-closures"() {
    const { newEventLoop } = await import("@aio/loop");
    const loop = newEventLoop();
    let count = 0;
    const { ms, cpuMs } = await best(async () => {
      const t0 = performance.now();
      for (let i = 0; i < FANOUT_N; i++) {
        loop.callSoon(() => {
          count += i & 1;
        });
      }
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      return performance.now() - t0;
    });
    loop.close();
    return { n: FANOUT_N, ms, cpuMs, check: count };
  },
  async "fanout-array-closures"() {
    let count = 0;
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now();
          const queue = [];
          for (let i = 0; i < FANOUT_N; i++) {
            queue.push(() => {
              count += i & 1;
            });
          }
          setImmediate(() => {
            for (let i = 0; i < queue.length; i++) queue[i]();
            resolve(performance.now() - t0);
          });
        }),
    );
    return { n: FANOUT_N, ms, cpuMs, check: count };
  },
  async "fanout-setImmediate"() {
    let count = 0;
    const inc = () => {
      count++;
    };
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now();
          for (let i = 0; i < FANOUT_N; i++) setImmediate(inc);
          setImmediate(() => resolve(performance.now() - t0));
        }),
    );
    return { n: FANOUT_N, ms, cpuMs, check: count };
  },

  // (b) chain -----------------------------------------------------------------
  async "chain-aio"() {
    const { newEventLoop } = await import("@aio/loop");
    const loop = newEventLoop();
    const { ms, cpuMs } = await best(async () => {
      let left = CHAIN_N;
      const cb = () => {
        if (--left > 0) loop.callSoon(cb);
        else loop.stop();
      };
      const t0 = performance.now();
      loop.callSoon(cb);
      await loop.runForever();
      return performance.now() - t0;
    });
    loop.close();
    return { n: CHAIN_N, ms, cpuMs };
  },
  async "chain-setImmediate"() {
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          let left = CHAIN_N;
          const t0 = performance.now();
          const cb = () => {
            if (--left > 0) setImmediate(cb);
            else resolve(performance.now() - t0);
          };
          setImmediate(cb);
        }),
    );
    return { n: CHAIN_N, ms, cpuMs };
  },
  async "chain-queueMicrotask"() {
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          let left = CHAIN_N;
          const t0 = performance.now();
          const cb = () => {
            if (--left > 0) queueMicrotask(cb);
            else resolve(performance.now() - t0);
          };
          queueMicrotask(cb);
        }),
    );
    return { n: CHAIN_N, ms, cpuMs };
  },

  // (c) timers: one measurement per process, so peak RSS is this case's own ----
  async "timers-aio"() {
    const { newEventLoop } = await import("@aio/loop");
    const ds = delays(TIMERS_N);
    const loop = newEventLoop();
    globalThis.gc?.();
    const rssBefore = process.memoryUsage.rss();
    let left = TIMERS_N;
    const cb = () => {
      if (--left === 0) loop.stop();
    };
    let t0 = 0;
    loop.callSoon(() => {
      t0 = performance.now();
      for (let i = 0; i < TIMERS_N; i++) loop.callLater(ds[i], cb);
    });
    await loop.runForever();
    const ms = performance.now() - t0;
    loop.close();
    return { n: TIMERS_N, ms, rssBefore, peakRss: process.resourceUsage().maxRSS * 1024 };
  },
  async "timers-setTimeout"() {
    const ds = delays(TIMERS_N);
    globalThis.gc?.();
    const rssBefore = process.memoryUsage.rss();
    let left = TIMERS_N;
    let t0 = 0;
    const ms = await new Promise((resolve) => {
      const cb = () => {
        if (--left === 0) resolve(performance.now() - t0);
      };
      setImmediate(() => {
        t0 = performance.now();
        for (let i = 0; i < TIMERS_N; i++) setTimeout(cb, ds[i]);
      });
    });
    return { n: TIMERS_N, ms, rssBefore, peakRss: process.resourceUsage().maxRSS * 1024 };
  },

  // (d) Future create → setResult → done callback ------------------------------
  async "futures-aio"() {
    const { newEventLoop } = await import("@aio/loop");
    const loop = newEventLoop();
    const { ms, cpuMs } = await best(async () => {
      let done = 0;
      let made = 0;
      const onDone = () => {
        if (++done === FUTURES_N) loop.stop();
      };
      const driver = () => {
        const end = Math.min(made + FUTURES_BATCH, FUTURES_N);
        for (; made < end; made++) {
          const fut = loop.createFuture();
          fut.addDoneCallback(onDone);
          fut.setResult(made);
        }
        if (made < FUTURES_N) loop.callSoon(driver);
      };
      const t0 = performance.now();
      loop.callSoon(driver);
      await loop.runForever();
      return performance.now() - t0;
    });
    loop.close();
    return { n: FUTURES_N, ms, cpuMs };
  },
  async "futures-promise"() {
    const { ms, cpuMs } = await best(
      () =>
        new Promise((resolve) => {
          let done = 0;
          let made = 0;
          const t0 = performance.now();
          const onDone = () => {
            if (++done === FUTURES_N) resolve(performance.now() - t0);
          };
          const driver = () => {
            const end = Math.min(made + FUTURES_BATCH, FUTURES_N);
            for (; made < end; made++) {
              let settle;
              const p = new Promise((r) => {
                settle = r;
              });
              p.then(onDone);
              settle(made);
            }
            if (made < FUTURES_N) setImmediate(driver);
          };
          setImmediate(driver);
        }),
    );
    return { n: FUTURES_N, ms, cpuMs };
  },
};

// ----- parent side ---------------------------------------------------------

async function main() {
  const res = await runCases(import.meta.url, "loop", cases, argv);
  if (res === null) return;
  process.stderr.write("loop: python3 asyncio…\n");
  const py = runPython("loop.py", QUICK);
  const pyRow = (key, label) => ({ label, result: py.error ? { error: py.error } : py[key] });
  const pyName = py.error ? "Python asyncio" : `Python ${py.python} asyncio`;

  const out = [];
  out.push(
    `### Node ${process.version} — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${commit()}${QUICK ? " (quick run: a tenth of the work)" : ""}`,
  );
  out.push("");
  out.push(`#### (a) fan-out: ${FANOUT_N.toLocaleString("en")} callbacks scheduled, then run`);
  out.push("");
  out.push(
    rateTable(
      {
        label: "@aio/loop `callSoon` + `runForever`, one shared callback",
        result: res["fanout-aio"],
      },
      [
        {
          label: "plain array of the shared callback, drained in one `setImmediate`",
          result: res["fanout-array"],
        },
        { label: "host `setImmediate`, shared callback", result: res["fanout-setImmediate"] },
        pyRow("fanout", `${pyName} \`call_soon\`, shared callback`),
      ],
    ),
  );
  out.push("");
  out.push(
    rateTable(
      {
        label: "@aio/loop `callSoon` + `runForever`, a fresh closure each",
        result: res["fanout-aio-closures"],
      },
      [
        {
          label: "plain array of fresh closures, drained in one `setImmediate`",
          result: res["fanout-array-closures"],
        },
      ],
    ),
  );
  out.push("");
  out.push(`#### (b) chain: ${CHAIN_N.toLocaleString("en")} callbacks, each scheduling the next`);
  out.push("");
  out.push(
    rateTable({ label: "@aio/loop `callSoon`", result: res["chain-aio"] }, [
      { label: "host `setImmediate` chain", result: res["chain-setImmediate"] },
      { label: "host `queueMicrotask` chain", result: res["chain-queueMicrotask"] },
      pyRow("chain", `${pyName} \`call_soon\``),
    ]),
  );
  out.push("");
  out.push(
    `#### (c) ${TIMERS_N.toLocaleString("en")} timers, random integer delays 0–50 ms (same seed), each measured in its own process`,
  );
  out.push("");
  out.push(
    "| implementation | wall time until the last fired | RSS before | peak RSS | peak − before |",
  );
  out.push("|---|---:|---:|---:|---:|");
  const timerRows = [
    ["@aio/loop `callLater`", res["timers-aio"]],
    ["host `setTimeout`", res["timers-setTimeout"]],
    [`${pyName} \`call_later\``, py.error ? { error: py.error } : py.timers],
  ];
  for (const [label, r] of timerRows) {
    const note = r?.error ? ` (failed: ${r.error})` : "";
    out.push(
      `| ${label}${note} | ${fmtMs(r?.ms)} | ${fmtMiB(r?.rssBefore)} | ${fmtMiB(r?.peakRss)} | ${fmtMiB(r?.peakRss - r?.rssBefore)} |`,
    );
  }
  out.push("");
  out.push(
    `#### (d) ${FUTURES_N.toLocaleString("en")} × Future create → done callback → setResult (batches of ${FUTURES_BATCH.toLocaleString("en")} per loop iteration)`,
  );
  out.push("");
  out.push(
    rateTable(
      { label: "@aio/futures `Future` (`loop.createFuture`)", result: res["futures-aio"] },
      [
        { label: "host `Promise` (new → then → resolve)", result: res["futures-promise"] },
        pyRow("futures", `${pyName} \`create_future\``),
      ],
    ),
  );

  const ra = rate(res["fanout-aio"]);
  const aVsPy = ra / rate(py.fanout);
  const aVsArray = rate(res["fanout-array-closures"]) / rate(res["fanout-aio-closures"]);
  const aVsArrayShared = rate(res["fanout-array"]) / ra;
  const bVsPy = rate(res["chain-aio"]) / rate(py.chain);
  const ta = res["timers-aio"];
  const th = res["timers-setTimeout"];
  const cRss = (ta?.peakRss - ta?.rssBefore) / (th?.peakRss - th?.rssBefore);
  const dVsPy = rate(res["futures-aio"]) / rate(py.futures);
  const ok = (x, pred) => (Number.isFinite(x) ? pred(x) : undefined);
  out.push("");
  out.push("#### Targets (issue 2; they are set for Node 24)");
  out.push("");
  out.push("| target | measured | status |");
  out.push("|---|---:|---|");
  out.push(
    `| (a) fan-out ≥ 10× Python asyncio | ${fmtX(aVsPy)} | ${yes(ok(aVsPy, (x) => x >= 10))} |`,
  );
  out.push(
    `| (a) fan-out within 2× of draining a plain array of closures (array rate ÷ @aio rate ≤ 2; fresh closures on both sides) | ${fmtX(aVsArray)} | ${yes(ok(aVsArray, (x) => x <= 2))} |`,
  );
  out.push(
    `| (a) the same with one shared callback (no closure allocation: loop overhead alone) | ${fmtX(aVsArrayShared)} | ${yes(ok(aVsArrayShared, (x) => x <= 2))} |`,
  );
  out.push(
    `| (b) chain ≥ 10× Python asyncio | ${fmtX(bVsPy)} | ${yes(ok(bVsPy, (x) => x >= 10))} |`,
  );
  out.push(
    `| (c) RSS growth of ${TIMERS_N.toLocaleString("en")} pending timers ≤ 2× host \`setTimeout\`'s (@aio ÷ host) | ${fmtX(cRss)} | ${yes(ok(cRss, (x) => x <= 2))} |`,
  );
  out.push(
    `| (d) Future round ≥ 10× Python asyncio | ${fmtX(dVsPy)} | ${yes(ok(dVsPy, (x) => x >= 10))} |`,
  );
  const markdown = out.join("\n");
  console.log(markdown);
  if (argv.includes("--record")) recordSection("loop", "Event loop benchmark (issue 2)", markdown);
}

await main();
