import { getRunningLoop } from "@aio/core";
import { formatTaskTree, printTaskTree, snapshotTasks } from "@aio/debug";
import { createTask, gather, shield, sleep, taskGroup } from "@aio/futures";
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
