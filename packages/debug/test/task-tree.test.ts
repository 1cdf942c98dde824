import { getRunningLoop, getRuntime } from "@aio/core";
import {
  disableDebug,
  enableDebug,
  formatTaskTree,
  printTaskTree,
  renderTaskTable,
  renderTaskTree,
  snapshotTasks,
} from "@aio/debug";
import { createTask, currentTask, gather, shield, sleep, type Task, taskGroup } from "@aio/futures";
import { run } from "@aio/loop";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, test, vi } from "vitest";

/** Lets every task reach its first await. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await sleep(0);
}

describe("formatTaskTree", () => {
  test("formatTaskTree() shows nested gathers as children", async () => {
    let tree = "";
    await runVirtual(async () => {
      const leaf = (ms: number) => () => sleep(ms);
      const inner = () =>
        gather(createTask(leaf(10), { name: "c" }), createTask(leaf(10), { name: "d" }));
      const outer = createTask(
        () => gather(createTask(leaf(10), { name: "a" }), createTask(inner, { name: "b" })),
        { name: "outer" },
      );
      await settle();
      tree = formatTaskTree();
      await outer;
    });
    expect(tree).toBe(
      [
        "Task-1 [pending] running",
        "outer [pending] awaiting <GatheringFuture pending cb=[1]>",
        "├── a [pending] awaiting <Future pending cb=[1]>",
        "└── b [pending] awaiting <GatheringFuture pending cb=[1]>",
        "    ├── c [pending] awaiting <Future pending cb=[1]>",
        "    └── d [pending] awaiting <Future pending cb=[1]>",
      ].join("\n"),
    );
  });
});

describe("formatTaskTree with shared awaits", () => {
  test("formatTaskTree() draws each task once: layered diamonds render in linear size", async () => {
    // 20 layers of two tasks; both tasks of a layer await the same two
    // tasks of the layer below. Drawn as a tree with every path expanded,
    // main's 41 tasks would take 2,097,151 lines.
    const LAYERS = 20;
    let tree = "";
    let snap: ReturnType<typeof snapshotTasks> | null = null;
    await runVirtual(async () => {
      currentTask()!.setName("main");
      let below: Task<unknown>[] = [
        createTask(() => sleep(10), { name: "L20a" }),
        createTask(() => sleep(10), { name: "L20b" }),
      ];
      for (let layer = LAYERS - 1; layer >= 1; layer--) {
        const [x, y] = below as [Task<unknown>, Task<unknown>];
        below = [
          createTask(() => gather(x, y), { name: `L${layer}a` }),
          createTask(() => gather(x, y), { name: `L${layer}b` }),
        ];
      }
      getRunningLoop().callLater(5, () => {
        snap = snapshotTasks();
        tree = formatTaskTree();
      });
      await gather(...below);
    });
    const tasks = snap!.tasks;
    const edges = tasks.reduce((n, t) => n + t.awaits.length, 0);
    expect(tasks.length).toBe(2 * LAYERS + 1);
    expect(edges).toBe(2 + 4 * (LAYERS - 1));
    const lines = tree.split("\n");
    // One full line per task, one reference line per await beyond the tree's own.
    expect(lines.length).toBe(tasks.length + edges - (tasks.length - 1));
    const full = lines.filter((l) => l.includes("[pending]"));
    expect(full.length).toBe(tasks.length);
    expect(lines[0]).toBe("main [pending] awaiting <GatheringFuture pending cb=[1]>");
    expect(lines.slice(1, 6)).toEqual([
      "├── L1a [pending] awaiting <GatheringFuture pending cb=[1]>",
      "│   ├── L2a [pending] awaiting <GatheringFuture pending cb=[1]>",
      "│   │   ├── L3a [pending] awaiting <GatheringFuture pending cb=[1]>",
      "│   │   │   ├── L4a [pending] awaiting <GatheringFuture pending cb=[1]>",
      "│   │   │   │   ├── L5a [pending] awaiting <GatheringFuture pending cb=[1]>",
    ]);
    const l2a = tasks.find((t) => t.name === "L2a")!;
    expect(lines).toContain(`    ├── L2a (task ${l2a.id}, shown above)`);
  });

  test("renderTaskTree() escapes control characters in names and reprs", () => {
    const tree = renderTaskTree({
      loop: "l",
      tasks: [
        {
          id: 1,
          name: "\u001b[31mred\u009b",
          state: "pending",
          awaiting: "x\ny",
          awaits: [],
          awaitedBy: [],
          createdAt: null,
        },
      ],
    });
    expect(tree).toBe("\\x1b[31mred\\x9b [pending] awaiting x\\ny");
  });
});

describe("formatTaskTree with task groups", () => {
  test("formatTaskTree() shows a task group's tasks under the task that waits for the group", async () => {
    let tree = "";
    await runVirtual(async () => {
      currentTask()!.setName("main");
      getRunningLoop().callLater(5, () => {
        tree = formatTaskTree();
      });
      await taskGroup(async (tg) => {
        tg.createTask(() => sleep(10), { name: "fetch" });
        tg.createTask(
          () =>
            taskGroup(async (inner) => {
              inner.createTask(() => sleep(10), { name: "parse-1" });
              inner.createTask(() => sleep(10), { name: "parse-2" });
            }),
          { name: "parse" },
        );
      });
    });
    expect(tree).toBe(
      [
        "main [pending] awaiting <Future pending cb=[1]>",
        "├── fetch [pending] awaiting <Future pending cb=[1]>",
        "└── parse [pending] awaiting <Future pending cb=[1]>",
        "    ├── parse-1 [pending] awaiting <Future pending cb=[1]>",
        "    └── parse-2 [pending] awaiting <Future pending cb=[1]>",
      ].join("\n"),
    );
  });

  test("formatTaskTree() shows a task awaiting another task, a shield, and a cancelling task", async () => {
    let tree = "";
    await runVirtual(async () => {
      currentTask()!.setName("main");
      const child = createTask(() => sleep(10), { name: "child" });
      const guarded = createTask(() => sleep(10), { name: "guarded" });
      const shielder = createTask(() => shield(guarded), { name: "shielder" });
      const stubborn = createTask(
        async () => {
          try {
            await sleep(10);
          } catch {
            await sleep(10);
          }
        },
        { name: "stubborn" },
      );
      await sleep(0);
      stubborn.cancel();
      getRunningLoop().callLater(5, () => {
        tree = formatTaskTree();
      });
      await child;
      await shielder;
      await stubborn;
    });
    expect(tree).toBe(
      [
        "main [pending] awaiting <Task pending name='child' cb=[1] wait_for=<Future pending cb=[1]>>",
        "└── child [pending] awaiting <Future pending cb=[1]>",
        "shielder [pending] awaiting <Future pending cb=[2]>",
        "└── guarded [pending] awaiting <Future pending cb=[1]>",
        "stubborn [cancelling] awaiting <Future pending cb=[1]>",
      ].join("\n"),
    );
  });

  test("formatTaskTree() tells scheduled tasks from tasks awaiting a foreign promise when debug mode is on", async () => {
    enableDebug({ lagThreshold: Number.POSITIVE_INFINITY, pendingAtStop: false });
    try {
      let tree = "";
      await run(async () => {
        currentTask()!.setName("main");
        const foreign = createTask(() => new Promise((resolve) => setTimeout(resolve, 20)), {
          name: "foreign",
        });
        await sleep(0);
        const fresh = createTask(async () => {}, { name: "fresh" });
        tree = formatTaskTree();
        await fresh;
        await foreign;
      });
      expect(tree).toBe(
        [
          "main [pending] running",
          "foreign [pending] awaiting a foreign promise",
          "fresh [pending] scheduled",
        ].join("\n"),
      );
    } finally {
      disableDebug();
    }
  });

  test("formatTaskTree() without debug mode cannot tell scheduled from a foreign promise, and says so", async () => {
    let tree = "";
    await run(async () => {
      currentTask()!.setName("main");
      const fresh = createTask(async () => {}, { name: "fresh" });
      tree = formatTaskTree();
      await fresh;
    });
    expect(tree).toBe(
      ["main [pending] running", "fresh [pending] awaiting scheduled or a foreign promise"].join(
        "\n",
      ),
    );
  });

  test("formatTaskTree() outside a loop shows every running loop, or says there is none", async () => {
    expect(formatTaskTree()).toBe("(no running event loop)");
    let tree = "";
    await run(async () => {
      currentTask()!.setName("main");
      const timer = setTimeout(() => {}, 0);
      // A host callback outside any task, as the aio-debug socket's is.
      await new Promise<void>((resolve) =>
        getRuntime().taskContext.exit(() =>
          setImmediate(() => {
            tree = formatTaskTree();
            resolve();
          }),
        ),
      );
      clearTimeout(timer);
    });
    expect(tree).toMatch(
      /^<BaseEventLoop running=true closed=false debug=false>\nmain \[pending\] /,
    );
  });

  test("formatTaskTree() rejects something that is not a loop", () => {
    expect(() => formatTaskTree(42 as never)).toThrow(
      new TypeError("formatTaskTree() loop must be an EventLoop, received 42"),
    );
    expect(() => snapshotTasks({} as never)).toThrow(
      new TypeError("snapshotTasks() loop must be an EventLoop, received an object"),
    );
    expect(() => printTaskTree("loop" as never)).toThrow(
      new TypeError('printTaskTree() loop must be an EventLoop, received "loop"'),
    );
    expect(() => renderTaskTree(null as never)).toThrow(
      new TypeError(
        "renderTaskTree() snapshot must be a TaskSnapshot (with a tasks array), received null",
      ),
    );
    expect(() => renderTaskTable({ loop: "l" } as never)).toThrow(
      new TypeError(
        "renderTaskTable() snapshot must be a TaskSnapshot (with a tasks array), received an object",
      ),
    );
  });
});

describe("printTaskTree", () => {
  test("printTaskTree() prints the tree to stdout", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await run(async () => {
        currentTask()!.setName("main");
        printTaskTree();
      });
      expect(log.mock.calls).toEqual([["main [pending] running"]]);
    } finally {
      log.mockRestore();
    }
  });
});

describe("snapshotTasks", () => {
  test("snapshotTasks() lists ids, awaits and awaitedBy; renderTaskTable() prints them as a table", async () => {
    let table = "";
    let snap: ReturnType<typeof snapshotTasks> | null = null;
    await runVirtual(async () => {
      currentTask()!.setName("main");
      getRunningLoop().callLater(5, () => {
        snap = snapshotTasks();
        table = renderTaskTable(snap);
      });
      await gather(
        createTask(() => sleep(10), { name: "a" }),
        createTask(() => sleep(10), { name: "b" }),
      );
    });
    const s = snap!;
    const [main, a, b] = s.tasks;
    expect(s.tasks.map((t) => t.name)).toEqual(["main", "a", "b"]);
    expect(main!.awaits).toEqual([a!.id, b!.id]);
    expect(a!.awaitedBy).toEqual([main!.id]);
    expect(table.split("\n").map((l) => l.split(/ {2,}/))).toEqual([
      ["ID", "NAME", "STATE", "AWAITED BY", "AWAITING"],
      [String(main!.id), "main", "pending", "-", "<GatheringFuture pending cb=[1]>"],
      [String(a!.id), "a", "pending", String(main!.id), "<Future pending cb=[1]>"],
      [String(b!.id), "b", "pending", String(main!.id), "<Future pending cb=[1]>"],
    ]);
    expect(renderTaskTree({ loop: "x", tasks: [] })).toBe("(no pending tasks)");
  });
});
