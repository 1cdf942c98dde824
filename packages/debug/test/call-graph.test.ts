import { getRunningLoop } from "@aio/core";
import {
  captureCallGraph,
  disableDebug,
  enableDebug,
  type FutureCallGraph,
  formatCallGraph,
  printCallGraph,
  snapshotTasks,
} from "@aio/debug";
import {
  type Coroutine,
  createTask,
  currentTask,
  gather,
  shield,
  sleep,
  type Task,
} from "@aio/futures";
import { run } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { afterEach, describe, expect, test, vi } from "vitest";

afterEach(() => disableDebug());

/** Every node reachable through awaitedBy, each once. */
function nodes(root: FutureCallGraph): FutureCallGraph[] {
  const seen = new Set<FutureCallGraph>();
  const stack = [root];
  while (stack.length !== 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.awaitedBy);
  }
  return [...seen];
}

describe("captureCallGraph", () => {
  test("captureCallGraph() in a generator task shows the yield* chain as generator frames", async () => {
    let graph: FutureCallGraph | null = null;
    function* g4(): Coroutine<void> {
      yield* sleep(0);
      graph = captureCallGraph();
    }
    function* g3(): Coroutine<void> {
      yield* g4();
    }
    function* g2(): Coroutine<void> {
      yield* g3();
    }
    await run(async () => {
      await createTask(g2, { name: "gen" });
    });
    expect(graph!.callStack.map((e) => `${e.kind} ${e.name}`)).toEqual([
      "generator g4",
      "generator g3",
      "generator g2",
    ]);
    expect(graph!.callStack[0]!.fileName).toMatch(/call-graph\.test\.ts$/);
    expect(graph!.callStack[0]!.lineNumber).toBeGreaterThan(0);
  });

  test("captureCallGraph() of a suspended generator task in debug mode shows the yield* it waits at", async () => {
    let graph: FutureCallGraph | null = null;
    let waitLine = 0;
    function* inner(): Coroutine<void> {
      waitLine = Number(/:(\d+):\d+\)?$/.exec(new Error().stack!.split("\n")[1]!)![1]) + 1;
      yield* sleep(10_000);
    }
    function* outer(): Coroutine<void> {
      yield* inner();
    }
    await run(
      async () => {
        const task = createTask(outer, { name: "waiting" });
        await sleep(0);
        graph = captureCallGraph(task);
        task.cancel();
      },
      { debug: true },
    );
    const frames = graph!.callStack.filter((e) => e.kind === "generator");
    expect(frames.map((e) => e.name)).toEqual(["inner", "outer"]);
    expect(frames[0]!.fileName).toMatch(/call-graph\.test\.ts$/);
    expect(frames[0]!.lineNumber).toBe(waitLine);
    expect(graph!.callStack.at(-1)!.kind).toBe("created");
  });

  test("captureCallGraph() with debug mode on shows where each suspended task was created", async () => {
    enableDebug({ lagThreshold: Number.POSITIVE_INFINITY, pendingAtStop: false });
    let graph: FutureCallGraph | null = null;
    async function leaf(): Promise<void> {
      await sleep(0);
      graph = captureCallGraph();
    }
    async function startWorkers(): Promise<void> {
      await gather(createTask(leaf, { name: "leaf" }));
    }
    await run(async () => {
      await createTask(startWorkers, { name: "parent" });
    });
    const parent = graph!.awaitedBy[0]!;
    expect((parent.future as Task<unknown>).getName()).toBe("parent");
    expect(parent.callStack).toEqual([
      expect.objectContaining({
        kind: "created",
        fileName: expect.stringMatching(/call-graph\.test\.ts$/),
      }),
    ]);
    const text = formatCallGraph(parent.future);
    expect(text).toMatch(
      /^\* Task\(name='parent', id=\d+\)\n {2}\+ Call stack:\n {2}\| {3}File '.*call-graph\.test\.ts', line \d+, in .*\(\) \(task created here\)$/,
    );
  });

  test("captureCallGraph() walks the graph snapshotTasks() and aio-debug pstree draw, each task once", async () => {
    const LAYERS = 12;
    let graph: FutureCallGraph | null = null;
    let snap: ReturnType<typeof snapshotTasks> | null = null;
    let text = "";
    await runVirtual(async () => {
      currentTask()!.setName("main");
      const leaf = createTask(() => sleep(10), { name: "L0" });
      let below: Task<unknown>[] = [leaf];
      for (let layer = 1; layer <= LAYERS; layer++) {
        const shared = below;
        below = [
          createTask(() => gather(...shared), { name: `L${layer}a` }),
          createTask(() => gather(...shared), { name: `L${layer}b` }),
        ];
      }
      getRunningLoop().callLater(5, () => {
        graph = captureCallGraph(leaf);
        snap = snapshotTasks();
        text = formatCallGraph(leaf);
      });
      await gather(...below);
    });
    const all = nodes(graph!);
    expect(all.length).toBe(2 * LAYERS + 2); // every task once, main included
    const idOf = new Map(snap!.tasks.map((t) => [t.name, t.id]));
    for (const n of all) {
      const task = n.future as Task<unknown>;
      const info = snap!.tasks.find((t) => t.id === idOf.get(task.getName()))!;
      const by = n.awaitedBy.map((p) => idOf.get((p.future as Task<unknown>).getName()));
      expect(by.sort()).toEqual([...info.awaitedBy].sort());
    }
    // Linear text: each task drawn once, later paths refer back.
    const lines = text.split("\n");
    expect(lines.filter((l) => /\* Task\(name='[^']*', id=\d+\)$/.test(l)).length).toBe(
      2 * LAYERS + 2,
    );
    expect(lines.some((l) => l.endsWith("(shown above)"))).toBe(true);
    expect(lines.length).toBeLessThan(200);
  });

  test("captureCallGraph() stops at tasks that await each other", async () => {
    let text = "";
    await runVirtual(async () => {
      const tasks: Task<unknown>[] = [];
      tasks.push(
        createTask(
          async () => {
            await sleep(0);
            await tasks[1];
          },
          { name: "a" },
        ),
        createTask(
          async () => {
            await sleep(0);
            // Through shield(): cancelling either task then ends (a plain
            // await cycle makes cancel() recurse, in asyncio as well).
            await shield(tasks[0]!);
          },
          { name: "b" },
        ),
      );
      for (let i = 0; i < 3; i++) await sleep(0);
      text = formatCallGraph(tasks[0]!);
      for (const t of tasks) t.cancel();
      await gather(...tasks, { returnExceptions: true });
    });
    expect(text.split("\n")).toEqual([
      expect.stringMatching(/^\* Task\(name='a', id=\d+\)$/),
      "  + Awaited by:",
      expect.stringMatching(/^ {4}\* Task\(name='b', id=\d+\)$/),
      "      + Awaited by:",
      expect.stringMatching(/^ {8}\* Task\(name='a', id=\d+\) \(shown above\)$/),
    ]);
  });

  test("captureCallGraph({ depth, limit }) skips frames from the top and truncates stacks", async () => {
    const seen: Record<string, string[]> = {};
    const names = (g: FutureCallGraph | null) => g!.callStack.map((e) => e.name);
    function inner(): void {
      seen.all = names(captureCallGraph());
      seen.depth2 = names(captureCallGraph(null, { depth: 2 }));
      seen.bottom2 = names(captureCallGraph(null, { limit: 2 }));
      seen.top2 = names(captureCallGraph(null, { limit: -2 }));
      seen.none = names(captureCallGraph(null, { limit: 0 }));
    }
    function middle(): void {
      inner();
    }
    async function outer(): Promise<void> {
      await sleep(0);
      middle();
    }
    await run(() => createTask(outer));
    expect(seen).toEqual({
      all: ["inner", "middle", "outer"],
      depth2: ["middle", "outer"],
      bottom2: ["middle", "outer"],
      top2: ["inner", "middle"],
      none: [],
    });
  });

  test("captureCallGraph() is null without a current task, and throws outside a loop", async () => {
    let inCallback: unknown = "unset";
    let formatted: unknown = "unset";
    await run(async () => {
      await new Promise<void>((resolve) =>
        getRunningLoop().callSoon(() => {
          inCallback = captureCallGraph();
          formatted = formatCallGraph();
          resolve();
        }),
      );
    });
    expect(inCallback).toBeNull();
    expect(formatted).toBe("");
    expect(() => captureCallGraph()).toThrow(
      "captureCallGraph() is called outside of a running event loop and no future to introspect was provided",
    );
  });
});

describe("printCallGraph", () => {
  test("printCallGraph() prints the current task's graph to stdout", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await run(async function main() {
        currentTask()!.setName("main");
        printCallGraph();
      });
      expect(log.mock.calls).toEqual([
        [
          expect.stringMatching(
            /^\* Task\(name='main', id=\d+\)\n {2}\+ Call stack:\n {2}\| {3}File '.*call-graph\.test\.ts', line \d+, in main\(\)$/,
          ),
        ],
      ]);
    } finally {
      log.mockRestore();
    }
  });
});
