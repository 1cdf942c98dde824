/**
 * Property test: random trees of tasks with random cancellations, timeouts
 * (`waitFor`, `timeout`), failures and `taskGroup`/`gather` nesting always
 * end with every task done, every `finally` run exactly once, no unhandled
 * rejection and no pending task left on the loop. Each run is on a fresh
 * virtual-time loop. The tasks are `async` functions, generator functions
 * (`function*`), or both mixed level by level.
 */
import { getRunningLoop } from "@aio/core";
import {
  allTasks,
  type Coroutine,
  createTask,
  ensureFuture,
  gather,
  sleep,
  type Task,
  taskGroup,
  timeout,
  waitFor,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

type Node =
  | { kind: "sleep"; ms: number }
  | { kind: "fail"; ms: number }
  | { kind: "group"; children: Node[] }
  | { kind: "gather"; children: Node[]; returnExceptions: boolean }
  | { kind: "waitFor"; child: Node; ms: number }
  | { kind: "timeout"; child: Node; ms: number }
  | { kind: "spawn"; child: Node; cancelAfter: number | null };

const ms = fc.integer({ min: 0, max: 50 });
const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("sleep" as const), ms }),
    fc.record({ kind: fc.constant("fail" as const), ms }),
    fc.record({
      kind: fc.constant("group" as const),
      children: fc.array(tie("node"), { maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant("gather" as const),
      children: fc.array(tie("node"), { maxLength: 3 }),
      returnExceptions: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("waitFor" as const), child: tie("node"), ms }),
    fc.record({ kind: fc.constant("timeout" as const), child: tie("node"), ms }),
    fc.record({
      kind: fc.constant("spawn" as const),
      child: tie("node"),
      cancelAfter: fc.option(ms, { nil: null }),
    }),
  ),
}));

type Mode = "async" | "generator" | "mixed";

interface Ledger {
  entered: number;
  finallies: Map<number, number>;
  tasks: Task<unknown>[];
  mode: Mode;
}

type Work = () => Promise<unknown> | Coroutine<unknown>;

/** The function for node `n` at `depth`: async or generator, by the run's mode. */
function isGen(ledger: Ledger, depth: number): boolean {
  return ledger.mode === "generator" || (ledger.mode === "mixed" && depth % 2 === 1);
}

function work(n: Node, ledger: Ledger, depth: number): Work {
  return isGen(ledger, depth) ? execGen(n, ledger, depth) : exec(n, ledger, depth);
}

function execGen(n: Node, ledger: Ledger, depth: number): () => Coroutine<unknown> {
  return function* () {
    const id = ledger.entered++;
    try {
      switch (n.kind) {
        case "sleep":
          return yield* sleep(n.ms);
        case "fail":
          yield* sleep(n.ms);
          throw new Error(`fail ${id}`);
        case "group":
          return yield* ensureFuture(() =>
            taskGroup(async (tg) => {
              for (const c of n.children)
                ledger.tasks.push(tg.createTask(work(c, ledger, depth + 1) as () => unknown));
            }),
          );
        case "gather":
          return yield* gather(...n.children.map((c) => work(c, ledger, depth + 1)), {
            returnExceptions: n.returnExceptions,
          });
        case "waitFor":
          return yield* ensureFuture(() => waitFor(work(n.child, ledger, depth + 1), n.ms));
        case "timeout":
          // timeout()'s body is async: it runs the child in a task of its own.
          return yield* ensureFuture(() =>
            timeout(n.ms, () => ensureFuture(work(n.child, ledger, depth + 1))),
          );
        case "spawn": {
          const t = createTask(work(n.child, ledger, depth + 1) as () => unknown);
          ledger.tasks.push(t);
          if (n.cancelAfter !== null) getRunningLoop().callLater(n.cancelAfter, () => t.cancel());
          return yield* t;
        }
      }
    } finally {
      ledger.finallies.set(id, (ledger.finallies.get(id) ?? 0) + 1);
    }
  };
}

function exec(n: Node, ledger: Ledger, depth: number): () => Promise<unknown> {
  const child = (c: Node) => work(c, ledger, depth + 1) as () => Promise<unknown>;
  return async () => {
    const id = ledger.entered++;
    try {
      switch (n.kind) {
        case "sleep":
          return await sleep(n.ms);
        case "fail":
          await sleep(n.ms);
          throw new Error(`fail ${id}`);
        case "group":
          return await taskGroup(async (tg) => {
            for (const c of n.children) ledger.tasks.push(tg.createTask(child(c)));
          });
        case "gather":
          return await gather(...n.children.map(child), {
            returnExceptions: n.returnExceptions,
          });
        case "waitFor":
          return await waitFor(child(n.child), n.ms);
        case "timeout":
          // An async child runs inside the timeout's own task; a generator child in a task of its own.
          return await timeout(
            n.ms,
            isGen(ledger, depth + 1) ? async () => ensureFuture(child(n.child)) : child(n.child),
          );
        case "spawn": {
          const t = createTask(child(n.child));
          ledger.tasks.push(t);
          if (n.cancelAfter !== null) getRunningLoop().callLater(n.cancelAfter, () => t.cancel());
          return await t;
        }
      }
    } finally {
      ledger.finallies.set(id, (ledger.finallies.get(id) ?? 0) + 1);
    }
  };
}

describe("random task trees", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  it("always end with every task done, every finally run once, nothing pending or unhandled", async () => {
    await fc.assert(
      fc.asyncProperty(
        node,
        fc.option(ms, { nil: null }),
        fc.constantFrom<Mode>("async", "generator", "mixed"),
        async (tree, cancelRootAfter, mode) => {
          const ledger: Ledger = { entered: 0, finallies: new Map(), tasks: [], mode };
          let leftover = -1;
          await runVirtual(async () => {
            const loop = getRunningLoop();
            loop.setExceptionHandler(() => {}); // unretrieved child errors are expected here
            const root = createTask(work(tree, ledger, 0) as () => unknown);
            ledger.tasks.push(root);
            if (cancelRootAfter !== null) loop.callLater(cancelRootAfter, () => root.cancel());
            await root.then(
              () => undefined,
              () => undefined,
            );
            // Let cancelled spawns settle, then check nothing is left.
            for (let i = 0; i < 50 && allTasks(loop).size > 1; i++) await sleep(10);
            leftover = allTasks(loop).size - 1;
          });
          await new Promise((resolve) => setImmediate(resolve));
          expect(leftover).toBe(0);
          expect(ledger.tasks.every((t) => t.done())).toBe(true);
          expect(ledger.finallies.size).toBe(ledger.entered);
          for (const count of ledger.finallies.values()) expect(count).toBe(1);
          expect(unhandled).toEqual([]);
        },
      ),
      { numRuns: 240 },
    );
  });
});
