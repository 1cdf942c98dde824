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
import { createTask, currentTask, gather, shield, sleep, taskGroup } from "@aio/futures";
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
      new TypeError("loop must be an EventLoop, received 42"),
    );
    expect(() => snapshotTasks({} as never)).toThrow(
      new TypeError("loop must be an EventLoop, received an object"),
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
