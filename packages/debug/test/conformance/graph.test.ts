/**
 * CPython's Lib/test/test_asyncio/test_graph.py, ported case by case (the
 * test names are CPython's). `captureTestStack` walks the graph into the
 * same nested lists; the call-stack tags are `s` (a plain frame), `a` (an
 * `async` frame), `g` (a generator frame), `c` (where a suspended task was
 * created). The differences from CPython's expectations, each explained
 * where it appears, are listed in docs/porting/debug.md:
 *
 * - the innermost running `async` function is a plain frame (`s deep`, not
 *   `a deep`): V8 marks as async only the frames it rebuilds from the await
 *   chain, not the one running;
 * - a suspended task has no frames (JavaScript cannot ask a suspended
 *   function where it is); with debug mode on, its creation site instead;
 * - @aio's own frames (TaskGroup's exit, `wait`) never appear: `a _aexit`,
 *   `a __aexit__`, `a _wait`, `a wait` are gone.
 */
import type { FutureLike } from "@aio/core";
import { getRunningLoop } from "@aio/core";
import { captureCallGraph, disableDebug, type FutureCallGraph, formatCallGraph } from "@aio/debug";
import {
  createTask,
  type Future,
  gather,
  shield,
  sleep,
  Task,
  taskGroup,
  timeout,
  wait,
} from "@aio/futures";
import { run } from "@aio/loop";
import { afterEach, describe, expect, it } from "vitest";

type Walk = [string, string[], Walk[]];

const TAG = { sync: "s", async: "a", generator: "g", created: "c" } as const;

function walk(g: FutureCallGraph): Walk {
  let head = "F";
  if (g.future instanceof Task) {
    const name = (g.future as Task<unknown>).getName();
    head = name.includes("-") ? "T<anon>" : `T<${name}>`;
  }
  return [
    head,
    g.callStack.map((e) => `${TAG[e.kind]} ${e.name}`),
    g.awaitedBy.map(walk).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  ];
}

/** CPython's `capture_test_stack(*, fut=None, depth=1)`. */
function captureTestStack(fut: FutureLike<unknown> | null = null, depth = 1): [Walk, string] {
  const text = formatCallGraph(fut, { depth: depth + 1 });
  const graph = captureCallGraph(fut, { depth });
  return [walk(graph!), text];
}

afterEach(() => disableDebug());

describe("CallStackTestBase", () => {
  it("test_stack_tgroup", async () => {
    let stackForC5: [Walk, string] | null = null;
    function c5(): void {
      stackForC5 = captureTestStack(null, 2);
    }
    async function c4(): Promise<void> {
      await sleep(0);
      c5();
    }
    async function c3(): Promise<void> {
      await c4();
    }
    async function c2(): Promise<void> {
      await c3();
    }
    async function c1(task: Task<void>): Promise<void> {
      await task;
    }
    async function main(): Promise<void> {
      await taskGroup(async (tg) => {
        const task = tg.createTask(c2, { name: "c2_root" });
        tg.createTask(() => c1(task), { name: "sub_main_1" });
        tg.createTask(() => c1(task), { name: "sub_main_2" });
      });
    }
    await run(async function test_stack_tgroup() {
      await main();
    });
    // CPython: ['s c5', 'a c4', 'a c3', 'a c2']; the main task's stack is
    // ['a _aexit', 'a __aexit__', 'a main', 'a test_stack_tgroup'] and
    // sub_main_N's ['a c1']: suspended, they have none here.
    const anon: Walk = ["T<anon>", [], []];
    expect(stackForC5![0]).toEqual([
      "T<c2_root>",
      ["s c5", "s c4", "a c3", "a c2"],
      [anon, ["T<sub_main_1>", [], [anon]], ["T<sub_main_2>", [], [anon]]],
    ]);
    expect(stackForC5![1]).toContain(", in async c2()");
  });

  it("test_stack_async_gen", async () => {
    let stackForGenNestedCall: [Walk, string] | null = null;
    async function genNestedCall(): Promise<void> {
      stackForGenNestedCall = captureTestStack();
    }
    async function* gen(): AsyncGenerator<number> {
      for (let num = 0; num < 2; num++) {
        yield num;
        if (num === 1) await genNestedCall();
      }
    }
    async function main(): Promise<void> {
      for await (const _ of gen());
    }
    await run(async function test_stack_async_gen() {
      await main();
    });
    // CPython: 'a gen_nested_call', 'ag gen', 'a main'. Here the async
    // generator runs on the real stack, resumed by main's `for await` (so
    // main is a plain frame), and a generator frame does not say whether
    // it is async.
    expect(stackForGenNestedCall![0]).toEqual([
      "T<anon>",
      ["s captureTestStack", "s genNestedCall", "g gen", "s main", "a test_stack_async_gen"],
      [],
    ]);
    expect(stackForGenNestedCall![1]).toContain(", in generator gen()");
  });

  it("test_stack_gather", async () => {
    let stackForDeep: [Walk, string] | null = null;
    async function deep(): Promise<void> {
      await sleep(0);
      stackForDeep = captureTestStack();
    }
    async function c1(): Promise<void> {
      await sleep(0);
      await deep();
    }
    async function c2(): Promise<void> {
      await sleep(0);
    }
    async function main(): Promise<void> {
      await gather(c1, c2);
    }
    await run(async function test_stack_gather() {
      await main();
    });
    // CPython: 'a deep'; the awaiting task's stack ['a main', 'a test_stack_gather'].
    expect(stackForDeep![0]).toEqual([
      "T<anon>",
      ["s captureTestStack", "s deep", "a c1"],
      [["T<anon>", [], []]],
    ]);
  });

  it("test_stack_shield", async () => {
    let stackForShield: [Walk, string] | null = null;
    async function deep(): Promise<void> {
      await sleep(0);
      stackForShield = captureTestStack();
    }
    async function c1(): Promise<void> {
      await sleep(0);
      await deep();
    }
    async function main(): Promise<void> {
      await shield(c1);
    }
    await run(async function test_stack_shield() {
      await main();
    });
    expect(stackForShield![0]).toEqual([
      "T<anon>",
      ["s captureTestStack", "s deep", "a c1"],
      [["T<anon>", [], []]],
    ]);
  });

  it("test_stack_timeout", async () => {
    let stackForInner: [Walk, string] | null = null;
    async function inner(): Promise<void> {
      await sleep(0);
      stackForInner = captureTestStack();
    }
    async function c1(): Promise<void> {
      await timeout(1000, async function body() {
        await sleep(0);
        await inner();
      });
    }
    async function main(): Promise<void> {
      await shield(c1);
    }
    await run(async function test_stack_timeout() {
      await main();
    });
    // `async with timeout()` is a function here: its body is a frame of its own.
    expect(stackForInner![0]).toEqual([
      "T<anon>",
      ["s captureTestStack", "s inner", "a body", "a c1"],
      [["T<anon>", [], []]],
    ]);
  });

  it("test_stack_wait", async () => {
    let stackForInner: [Walk, string] | null = null;
    async function inner(): Promise<void> {
      await sleep(0);
      stackForInner = captureTestStack();
    }
    async function c1(): Promise<void> {
      await timeout(1000, async function body() {
        await sleep(0);
        await inner();
      });
    }
    async function c2(): Promise<void> {
      for (let i = 0; i < 3; i++) await sleep(0);
    }
    async function main(t1: Task<void>, t2: Task<void>): Promise<void> {
      for (;;) {
        const [, pending] = await wait([t1, t2]);
        if (pending.size === 0) break;
      }
    }
    await run(async function test_stack_wait() {
      const t1 = createTask(c1);
      const t2 = createTask(c2);
      try {
        await main(t1, t2);
      } finally {
        await t1;
        await t2;
      }
    });
    // CPython's awaiting task: ['a _wait', 'a wait', 'a main', 'a test_stack_wait'].
    expect(stackForInner![0]).toEqual([
      "T<anon>",
      ["s captureTestStack", "s inner", "a body", "a c1"],
      [["T<anon>", [], []]],
    ]);
  });

  it("test_stack_task", async () => {
    let stackForInner: [Walk, string] | null = null;
    async function inner(): Promise<void> {
      await sleep(0);
      stackForInner = captureTestStack();
    }
    async function c1(): Promise<void> {
      await inner();
    }
    async function c2(): Promise<void> {
      await createTask(c1, { name: "there there" });
    }
    async function main(): Promise<void> {
      await c2();
    }
    await run(async function test_stack_task() {
      await main();
    });
    expect(stackForInner![0]).toEqual([
      "T<there there>",
      ["s captureTestStack", "s inner", "a c1"],
      [["T<anon>", [], []]],
    ]);
  });

  it("test_stack_future", async () => {
    let stackForFut: [Walk, string] | null = null;
    async function a2(fut: Future<void>): Promise<void> {
      await fut;
    }
    async function a1(fut: Future<void>): Promise<void> {
      await a2(fut);
    }
    async function b1(fut: Future<void>): Promise<void> {
      await fut;
    }
    await run(async function test_stack_future() {
      const fut = getRunningLoop().createFuture<void>() as Future<void>;
      await taskGroup(async (g) => {
        g.createTask(() => a1(fut), { name: "task A" });
        g.createTask(() => b1(fut), { name: "task B" });
        // A few iterations so that both a1 and b1 await the future.
        for (let i = 0; i < 5; i++) await sleep(0);
        stackForFut = captureTestStack(fut);
        fut.setResult();
      });
    });
    // CPython: task A ['a a2', 'a a1'], task B ['a b1'], each awaited by the
    // main task (inside the group's body, ['a test_stack_future']). Here the
    // body runs in the main task itself, not yet at the group's exit: the
    // tasks of a group are linked to their parent only while it waits there.
    expect(stackForFut![0]).toEqual([
      "F",
      [],
      [
        ["T<task A>", [], []],
        ["T<task B>", [], []],
      ],
    ]);
    expect(stackForFut![1].startsWith("* Future(id=")).toBe(true);
  });
});
