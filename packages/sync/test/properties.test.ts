// Property tests: random task counts, random cancellations and aborts at random
// moments. Whatever happens, permits are conserved, no item is lost or
// duplicated, FIFO order holds among the waiters that were not cancelled,
// every task finishes (no deadlock) and no waiter is left behind.
import { getRunningLoop, isCancelledError } from "@aio/core";
import { createTask, gather, sleep, type Task, timeout } from "@aio/futures";
import { Lock, Queue, QueueShutDown, Semaphore } from "@aio/sync";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { aio } from "./helpers.js";

/** Cancel or abort task `task` at virtual time `at`. */
const actionArb = fc.record({
  at: fc.integer({ min: 0, max: 30 }),
  task: fc.integer({ min: 0, max: 11 }),
  kind: fc.constantFrom("cancel" as const, "abort" as const),
});

/** One step of a task: hold for `hold` ms, then maybe cancel or abort another task. */
const stepArb = fc.record({
  hold: fc.integer({ min: 0, max: 3 }),
  victim: fc.option(
    fc.record({
      task: fc.integer({ min: 0, max: 11 }),
      kind: fc.constantFrom("cancel" as const, "abort" as const),
    }),
    { freq: 3 },
  ),
});

const NUM_RUNS = 80;

/** Per task: run it as a generator task (`yield*` forms) instead of an async one. */
const modesArb = fc.array(fc.boolean(), { minLength: 12, maxLength: 12 });

describe("properties", () => {
  test("Lock and Semaphore: permits conserved, FIFO among live waiters, no deadlock, nothing left behind", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("lock" as const, "semaphore" as const),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(stepArb, { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(actionArb, { maxLength: 8 }),
        modesArb,
        async (kind, value, plans, actions, modes) => {
          const permits = kind === "lock" ? 1 : value;
          await aio(async () => {
            const prim = kind === "lock" ? new Lock() : new Semaphore(permits);
            let inside = 0;
            let maxInside = 0;
            let seq = 0;
            const grants: number[] = []; // queue positions of waiters, in the order they got in
            const controllers = plans.map(() => new AbortController());
            // An async task and a generator task (`yield*` forms) run the same plan.
            const tasks: Task<void>[] = plans.map((holds, i) =>
              modes[i]
                ? createTask(function* () {
                    for (const { hold, victim } of holds) {
                      const mustWait = prim.locked();
                      const position = seq++;
                      try {
                        yield* prim.acquire({ signal: controllers[i]!.signal });
                      } catch (err) {
                        if (isCancelledError(err)) throw err;
                        controllers[i] = new AbortController(); // aborted: try the next one
                        continue;
                      }
                      if (mustWait) grants.push(position);
                      inside++;
                      maxInside = Math.max(maxInside, inside);
                      try {
                        yield* sleep(hold);
                      } finally {
                        inside--;
                        prim.release();
                        if (victim !== null) strike(victim.task, victim.kind);
                      }
                    }
                  })
                : createTask(async () => {
                    for (const { hold, victim } of holds) {
                      const mustWait = prim.locked();
                      const position = seq++;
                      try {
                        await prim.acquire({ signal: controllers[i]!.signal });
                      } catch (err) {
                        if (isCancelledError(err)) throw err;
                        controllers[i] = new AbortController(); // aborted: try the next one
                        continue;
                      }
                      if (mustWait) grants.push(position);
                      inside++;
                      maxInside = Math.max(maxInside, inside);
                      try {
                        await sleep(hold);
                      } finally {
                        inside--;
                        prim.release();
                        // Strike right after the release: the woken waiter may be the victim.
                        if (victim !== null) strike(victim.task, victim.kind);
                      }
                    }
                  }),
            );
            const strike = (i: number, how: "cancel" | "abort") => {
              if (i >= tasks.length) return;
              if (how === "cancel") tasks[i]!.cancel();
              else controllers[i]!.abort(new Error("aborted"));
            };
            const loop = getRunningLoop();
            for (const a of actions) loop.callLater(a.at, strike, a.task, a.kind);
            // No deadlock: everything finishes well within virtual time.
            await timeout(10_000, () => gather(...tasks, { returnExceptions: true }));
            await sleep(31); // let every scheduled action fire
            expect(maxInside).toBeLessThanOrEqual(permits);
            expect(grants).toEqual([...grants].sort((x, y) => x - y));
            expect(String(prim)).toBe(
              kind === "lock" ? "<Lock [unlocked]>" : `<Semaphore [unlocked, value:${permits}]>`,
            );
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test("Queue: no item lost or duplicated, per-producer FIFO, no deadlock, no waiter left", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
        fc.array(actionArb, { maxLength: 8 }),
        fc.array(fc.option(actionArb, { freq: 2 }), { minLength: 8, maxLength: 8 }),
        modesArb,
        async (maxsize, producerCounts, consumerDelays, actions, afterOps, modes) => {
          await aio(async () => {
            const q = new Queue<string>(maxsize);
            const put: string[] = [];
            const got: string[] = [];
            const nP = producerCounts.length;
            const tasksRef: Task<void>[] = [];
            const strike = (i: number, how: "cancel" | "abort") => {
              if (i >= tasksRef.length) return;
              if (how === "cancel") tasksRef[i]!.cancel();
              else controllers[i]!.abort(new Error("aborted"));
            };
            const controllers = [...producerCounts, ...consumerDelays].map(
              () => new AbortController(),
            );
            const producers = producerCounts.map((count, p) =>
              modes[p]
                ? createTask(function* () {
                    for (let i = 0; i < count; i++) {
                      const item = `p${p}-${i}`;
                      try {
                        yield* q.put(item, { signal: controllers[p]!.signal });
                        put.push(item);
                        const v = afterOps[(p + i) % 8];
                        if (v) strike(v.task, v.kind);
                      } catch (err) {
                        if (err instanceof QueueShutDown) return;
                        if (isCancelledError(err)) throw err;
                        controllers[p] = new AbortController();
                      }
                      yield* sleep(i % 2);
                    }
                  })
                : createTask(async () => {
                    for (let i = 0; i < count; i++) {
                      const item = `p${p}-${i}`;
                      try {
                        await q.put(item, { signal: controllers[p]!.signal });
                        put.push(item);
                        const v = afterOps[(p + i) % 8];
                        if (v) strike(v.task, v.kind); // the consumer just woken may be the victim
                      } catch (err) {
                        if (err instanceof QueueShutDown) return; // every consumer is gone
                        if (isCancelledError(err)) throw err;
                        controllers[p] = new AbortController();
                      }
                      await sleep(i % 2);
                    }
                  }),
            );
            const consumers = consumerDelays.map((delay, c) =>
              modes[nP + c]
                ? createTask(function* () {
                    for (;;) {
                      try {
                        got.push(yield* q.get({ signal: controllers[nP + c]!.signal }));
                        const v = afterOps[(c + got.length) % 8];
                        if (v) strike(v.task, v.kind);
                      } catch (err) {
                        if (err instanceof QueueShutDown) return;
                        if (isCancelledError(err)) throw err;
                        controllers[nP + c] = new AbortController();
                        continue;
                      }
                      q.taskDone();
                      yield* sleep(delay);
                    }
                  })
                : createTask(async () => {
                    for (;;) {
                      try {
                        got.push(await q.get({ signal: controllers[nP + c]!.signal }));
                        const v = afterOps[(c + got.length) % 8];
                        if (v) strike(v.task, v.kind); // the producer just woken may be the victim
                      } catch (err) {
                        if (err instanceof QueueShutDown) return;
                        if (isCancelledError(err)) throw err;
                        controllers[nP + c] = new AbortController();
                        continue;
                      }
                      q.taskDone();
                      await sleep(delay);
                    }
                  }),
            );
            const all = [...producers, ...consumers];
            tasksRef.push(...all);
            const loop = getRunningLoop();
            for (const a of actions) loop.callLater(a.at, strike, a.task, a.kind);
            await timeout(10_000, async () => {
              while (!producers.every((t) => t.done())) {
                // With every consumer cancelled, a producer may wait for room forever
                // (rightly): shutting down releases it.
                if (consumers.every((t) => t.done())) q.shutdown();
                await sleep(1);
              }
              // No lost wake-up: once things settle, no consumer waits while items are queued.
              await sleep(5);
              expect(q.qsize() > 0 && /_getters/.test(String(q))).toBe(false);
              q.shutdown();
              await gather(...consumers, { returnExceptions: true });
            });
            await sleep(31);
            const left: string[] = [];
            while (!q.empty()) left.push(q.getNowait());
            // Every item put was got exactly once or is still queued; nothing else appeared.
            expect(new Set(got).size).toBe(got.length);
            expect([...got, ...left].sort()).toEqual([...put].sort());
            // FIFO: each producer's items come out in the order it put them.
            for (let p = 0; p < nP; p++) {
              const mine = [...got, ...left].filter((x) => x.startsWith(`p${p}-`));
              const order = mine.map((x) => Number(x.split("-")[1]));
              expect(order).toEqual([...order].sort((x, y) => x - y));
            }
            expect(String(q)).not.toMatch(/_getters|_putters/);
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test("Queue: FIFO order among consumers that were not cancelled", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 5 }),
        async (n, cancelled) => {
          await aio(async () => {
            const q = new Queue<number>();
            const got: [number, number][] = [];
            const consumers = Array.from({ length: n }, (_, i) =>
              createTask(async () => {
                got.push([i, await q.get()]);
              }),
            );
            await sleep(0);
            for (const c of cancelled) consumers[c]?.cancel();
            for (let i = 0; i < n; i++) q.putNowait(i);
            await gather(...consumers, { returnExceptions: true });
            const live = consumers.map((_, i) => i).filter((i) => !consumers[i]!.cancelled());
            expect(got.map(([i]) => i)).toEqual(live);
            expect(got.map(([, item]) => item)).toEqual(live.map((_, k) => k));
            expect(q.qsize()).toBe(n - live.length);
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
