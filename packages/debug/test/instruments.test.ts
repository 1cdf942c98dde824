import { getRunningLoop } from "@aio/core";
import {
  type DebugReport,
  disableDebug,
  enableDebug,
  isDebugEnabled,
  printReport,
  trackResource,
} from "@aio/debug";
import { ThreadPoolExecutor } from "@aio/executors";
import { createTask, sleep, type Task } from "@aio/futures";
import { newEventLoop, run } from "@aio/loop";
import { openConnection, type Server, type StreamWriter, startServer } from "@aio/streams";
import { afterEach, describe, expect, test, vi } from "vitest";

/** Blocks the thread for `ms` (what a blocking call does to the loop). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

function collect(options: Parameters<typeof enableDebug>[0] = {}): DebugReport[] {
  const reports: DebugReport[] = [];
  enableDebug({
    lagThreshold: Number.POSITIVE_INFINITY,
    ...options,
    onReport: (r) => reports.push(r),
  });
  return reports;
}

const HERE = /instruments\.test\.ts:\d+:\d+\)?$/;

afterEach(() => {
  disableDebug();
  vi.restoreAllMocks();
});

describe("enableDebug", () => {
  test("enableDebug() reports a callback that blocks the loop for 150 ms", async () => {
    const reports = collect();
    await run(() => {
      getRunningLoop().callSoon(function blockFor150() {
        block(150);
      });
    });
    const slow = reports.filter((r) => r.kind === "slow-callback");
    expect(slow).toHaveLength(1);
    expect(slow[0]!.message).toMatch(/^Executing <Handle blockFor150\(\)> took \d+\.\d{3} ms$/);
    expect(slow[0]!.durationMs).toBeGreaterThanOrEqual(100);
    expect(slow[0]!.printedBy).toBeUndefined();
  });

  test("enableDebug() reports a slow task step with the task's name and where it was created", async () => {
    const reports = collect();
    await run(async () => {
      const t = createTask(
        async () => {
          await sleep(0);
          block(150);
          await sleep(0);
        },
        { name: "blocker" },
      );
      await t;
    });
    const slow = reports.filter((r) => r.kind === "slow-step");
    expect(slow).toHaveLength(1);
    expect(slow[0]!.message).toMatch(
      /^Executing step of <Task pending name='blocker' .*> took \d+\.\d{3} ms$/,
    );
    expect(slow[0]!.task?.getName()).toBe("blocker");
    expect(slow[0]!.createdAt).toMatch(HERE);
    expect(slow[0]!.details).toEqual([`task 'blocker' created at ${slow[0]!.createdAt}`]);
  });

  test("enableDebug() times a step that starts inside another (an eager task) on its own, and the outer one in full", async () => {
    const reports = collect();
    await run(async () => {
      await createTask(
        async () => {
          await sleep(0);
          // The inner task's first step runs here, inside the outer step.
          const inner = createTask(
            async () => {
              block(150);
              await sleep(0);
            },
            { name: "inner", eagerStart: true },
          );
          await inner;
        },
        { name: "outer" },
      );
    });
    const slow = reports.filter((r) => r.kind === "slow-step");
    expect(slow.map((r) => r.task?.getName())).toEqual(["inner", "outer"]);
    for (const r of slow) expect(r.durationMs).toBeGreaterThanOrEqual(100);
  });

  test("enableDebug() does not count a foreign await as a slow step", async () => {
    const reports = collect();
    await run(async () => {
      await createTask(
        async () => {
          await sleep(0);
          await new Promise((resolve) => setTimeout(resolve, 150));
          await sleep(0);
        },
        { name: "fetcher" },
      );
    });
    expect(reports.filter((r) => r.kind === "slow-step" || r.kind === "slow-callback")).toEqual([]);
  });

  test("enableDebug() reports event-loop lag when the lag probe runs late", async () => {
    const reports = collect({ lagInterval: 10, lagThreshold: 50 });
    await run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await sleep(0);
      block(150);
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 15));
    });
    const lag = reports.filter((r) => r.kind === "loop-lag");
    expect(lag.length).toBeGreaterThanOrEqual(1);
    expect(lag[0]!.message).toMatch(
      /^Event loop lag: a callSoon\(\) probe ran \d+\.\d{3} ms late \(threshold 50 ms\)$/,
    );
  });

  test("enableDebug() reports a task left pending when the loop stops (a lost task)", async () => {
    const reports = collect();
    await run(async () => {
      createTask(() => sleep(10_000), { name: "forgotten" });
      await sleep(0);
    });
    const pending = reports.filter((r) => r.kind === "task-pending");
    expect(pending).toHaveLength(1);
    expect(pending[0]!.message).toBe(
      "Task still pending when the loop stopped: <Task pending name='forgotten' wait_for=<Future pending cb=[1]>>",
    );
    expect(pending[0]!.details).toEqual([`task 'forgotten' created at ${pending[0]!.createdAt}`]);
    expect(pending[0]!.createdAt).toMatch(HERE);
  });

  test("enableDebug() adds the creation site to 'Task was destroyed but it is pending!' and reports it once", async () => {
    const reports = collect({ pendingAtStop: false });
    const contexts: Record<string, unknown>[] = [];
    const loop = newEventLoop();
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    await loop.runUntilComplete(async () => {
      createTask(() => sleep(10_000), { name: "orphan" });
      await sleep(0);
    });
    loop.close();
    expect(contexts.map((c) => c.message)).toEqual(["Task was destroyed but it is pending!"]);
    expect(contexts[0]!.sourceTraceback).toMatch(HERE);
    expect(reports.map((r) => [r.kind, r.printedBy, r.task?.getName()])).toEqual([
      ["task-pending-at-close", "exception handler", "orphan"],
    ]);
    expect(loop.getExceptionHandler()).not.toBeNull();
  });

  test("enableDebug() reports an exception never retrieved once, through the loop's handler", async () => {
    const reports = collect({ pendingAtStop: false });
    const contexts: Record<string, unknown>[] = [];
    let failing: Task<never> | null = null;
    await run(async () => {
      getRunningLoop().setExceptionHandler((_l, ctx) => contexts.push(ctx));
      failing = createTask(
        async () => {
          throw new Error("boom");
        },
        { name: "failing" },
      );
      await sleep(0);
      await sleep(0);
    });
    expect(contexts.map((c) => [c.message, (c.exception as Error).message])).toEqual([
      ["Task exception was never retrieved", "boom"],
    ]);
    expect(contexts[0]!.sourceTraceback).toMatch(HERE);
    expect(contexts[0]!.future).toBe(failing);
    expect(contexts[0]).not.toHaveProperty("task");
    expect(reports.map((r) => [r.kind, r.printedBy, (r.exception as Error).message])).toEqual([
      ["exception-never-retrieved", "exception handler", "boom"],
    ]);
    expect(reports[0]!.task).toBe(failing);
  });

  test("enableDebug() reports a plain Future's exception never retrieved without a task or a creation site", async () => {
    const reports = collect({ pendingAtStop: false });
    const contexts: Record<string, unknown>[] = [];
    let lost: unknown = null;
    await run(async () => {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
      const fut = loop.createFuture<never>();
      fut.setException(new Error("lost"));
      lost = fut;
    });
    expect(contexts.map((c) => [c.message, c.future === lost, c.sourceTraceback])).toEqual([
      ["Future exception was never retrieved", true, undefined],
    ]);
    expect(reports.map((r) => [r.kind, r.task, r.createdAt])).toEqual([
      ["exception-never-retrieved", undefined, null],
    ]);
  });

  test("enableDebug() reports a resource left open at loop close, with where it was created, and closes it", async () => {
    const reports = collect();
    const events: string[] = [];
    await run(async () => {
      const writer = { toString: () => "<StreamWriter open>" };
      trackResource(writer, { kind: "StreamWriter", close: () => events.push("closed by debug") });
      const closedOne = { toString: () => "<StreamWriter closed>" };
      const tracked = trackResource(closedOne, { kind: "StreamWriter" });
      events.push("closing the other one");
      tracked.closed();
      await sleep(0);
    });
    const open = reports.filter((r) => r.kind === "resource-open");
    expect(open.map((r) => r.message)).toEqual([
      "StreamWriter was never closed: <StreamWriter open>",
    ]);
    expect(open[0]!.createdAt).toMatch(HERE);
    expect(open[0]!.details).toEqual([`created at ${open[0]!.createdAt}`]);
    expect(events).toEqual(["closing the other one", "closed by debug"]);
  });

  test("enableDebug() reports @aio's own connections, servers and pools left open at loop close", async () => {
    const reports = collect();
    const clientsSeen: string[] = [];
    let leftServer: Server | null = null;
    let leftWriter: StreamWriter | null = null;
    await run(async () => {
      leftServer = await startServer(
        (_reader, writer) => {
          clientsSeen.push("client");
          writer.close(); // the server side closes its end: not reported
        },
        "127.0.0.1",
        0,
      );
      const [, port] = leftServer.sockets[0]!.getsockname() as [string, number];
      [, leftWriter] = await openConnection("127.0.0.1", port); // never closed
      const [, closed] = await openConnection("127.0.0.1", port);
      closed.close();
      await closed.waitClosed();
      new ThreadPoolExecutor({ maxWorkers: 1 }); // never shut down
      const shut = new ThreadPoolExecutor({ maxWorkers: 1 });
      await shut.shutdown();
      // The loop's own default executor is shut down by the loop: not reported.
      await getRunningLoop().runInExecutor(null, () => 1);
      while (clientsSeen.length < 2) await sleep(1);
    });
    const open = reports.filter((r) => r.kind === "resource-open");
    expect(open.map((r) => r.message.replace(/ \d+\b/g, " N"))).toEqual([
      expect.stringMatching(/^Server was never closed: <Server /),
      expect.stringMatching(/^StreamWriter was never closed: <StreamWriter /),
      expect.stringMatching(/^ThreadPoolExecutor was never closed: <ThreadPoolExecutor /),
    ]);
    for (const r of open) expect(r.createdAt).toMatch(HERE);
    // Debug mode closed the connection and the server it reported.
    expect(leftWriter!.isClosing()).toBe(true);
    expect(leftServer!.isServing()).toBe(false);
  });

  test("enableDebug() validates its options", () => {
    expect(() => enableDebug({ lagThreshold: -1 })).toThrow(
      new RangeError(
        "enableDebug() lagThreshold must be a number of milliseconds >= 0, received -1",
      ),
    );
    expect(() => enableDebug({ lagInterval: 0 })).toThrow(
      new RangeError("enableDebug() lagInterval must be a number of milliseconds > 0, received 0"),
    );
    expect(() => enableDebug({ slowCallbackDuration: "1" as never })).toThrow(
      new TypeError(
        'enableDebug() slowCallbackDuration must be a number of milliseconds >= 0, received "1"',
      ),
    );
    expect(() => enableDebug({ onReport: 1 as never })).toThrow(
      new TypeError("enableDebug() onReport must be a function, received 1"),
    );
    expect(isDebugEnabled()).toBe(false);
  });

  test("disableDebug() stops the reports", async () => {
    const reports = collect();
    expect(isDebugEnabled()).toBe(true);
    disableDebug();
    expect(isDebugEnabled()).toBe(false);
    await run(() => {
      getRunningLoop().callSoon(() => block(120));
    });
    expect(reports).toEqual([]);
  });
});

describe("printReport", () => {
  test("printReport() prints the headline and details, or only the details when the loop printed the headline", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const loop = newEventLoop();
    printReport({
      kind: "slow-step",
      message: "Executing step of <Task> took 150.000 ms",
      details: ["task 'x' created at f (a.ts:1:1)"],
      loop,
    });
    printReport({
      kind: "slow-step",
      message: "Executing step of <Task> took 150.000 ms",
      details: ["task 'x' created at f (a.ts:1:1)"],
      loop,
      printedBy: "loop",
    });
    printReport({
      kind: "slow-callback",
      message: "Executing <Handle f()> took 150.000 ms",
      details: [],
      loop,
      printedBy: "loop",
    });
    loop.close();
    await new Promise((resolve) => process.nextTick(resolve));
    expect(warn.mock.calls).toEqual([
      ["Executing step of <Task> took 150.000 ms\n  task 'x' created at f (a.ts:1:1)"],
      ["  task 'x' created at f (a.ts:1:1)"],
    ]);
  });

  test("enableDebug() prints with console.warn by default", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    enableDebug({ lagThreshold: Number.POSITIVE_INFINITY });
    await run(() => {
      getRunningLoop().callSoon(function stall() {
        block(120);
      });
    });
    expect(warn.mock.calls.map((c) => String(c[0]).replace(/\d+\.\d{3}/, "N"))).toEqual([
      "Executing <Handle stall()> took N ms",
    ]);
  });
  test("with the loop's own debug mode on, a slow callback is printed once and a slow step gets only the details", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    enableDebug({ lagThreshold: Number.POSITIVE_INFINITY, pendingAtStop: false });
    await run(
      async () => {
        getRunningLoop().callSoon(function stall() {
          block(120);
        });
        await createTask(
          async () => {
            await sleep(0);
            block(120);
          },
          { name: "crunch" },
        );
      },
      { debug: true },
    );
    await new Promise((resolve) => process.nextTick(resolve));
    const lines = warn.mock.calls.map((c) => String(c[0]).replace(/\d+\.\d{3}/, "N"));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("Executing <Handle stall()> took N ms");
    expect(lines[1]).toMatch(/^Executing step of <Task .*name='crunch'.*> took N ms$/);
    expect(lines[2]).toMatch(/^ {2}task 'crunch' created at .*instruments\.test\.ts:\d+:\d+\)?$/);
  });
});

describe("trackResource", () => {
  test("trackResource() validates its arguments", () => {
    expect(() => trackResource(null as never, { kind: "X" })).toThrow(
      new TypeError("trackResource() resource must be an object, received null"),
    );
    expect(() => trackResource({}, { kind: "" })).toThrow(
      new TypeError('trackResource() options.kind must be a non-empty string, received ""'),
    );
    expect(() => trackResource({}, { kind: "X", close: 1 as never })).toThrow(
      new TypeError("trackResource() options.close must be a function, received 1"),
    );
  });

  test("trackResource() records nothing while debug mode is off", async () => {
    const handle = trackResource({}, { kind: "X" });
    expect(handle.createdAt).toBeNull();
    handle.closed();
  });
});
