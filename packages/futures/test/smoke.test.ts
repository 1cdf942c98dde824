import { expect, test } from "vitest";
import { run } from "@aio/loop";
import { sleep, createTask, gather, currentTask, waitFor, taskGroup } from "@aio/futures";
import { getRunningLoop } from "@aio/core";

test("basic", async () => {
  const log: string[] = [];
  const r = await run(async () => {
    const a = createTask(async () => { for (let i = 0; i < 3; i++) { log.push(`a${i}`); await sleep(0); } return "A"; });
    const b = createTask(async () => { for (let i = 0; i < 3; i++) { log.push(`b${i}`); await sleep(0); } return "B"; });
    return await gather(a, b);
  });
  expect(r).toEqual(["A", "B"]);
  expect(log).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
});

test("cancel", async () => {
  const log: string[] = [];
  await run(async () => {
    const t = createTask(async () => {
      try { await sleep(1000); } catch (e) { log.push(`caught ${(e as Error).name} ${(e as Error).message}`); throw e; } finally { log.push("finally"); }
    });
    await sleep(1);
    t.cancel("bye");
    await t.catch((e) => log.push(`outer ${e.name}`));
    expect(t.cancelled()).toBe(true);
  });
  expect(log).toEqual(["caught CancelledError bye", "finally", "outer CancelledError"]);
});

test("waitFor timeout", async () => {
  await run(async () => {
    const t0 = getRunningLoop().time();
    await expect(waitFor(() => sleep(1000), 20)).rejects.toThrow(/TimeoutError|^$/);
    expect(getRunningLoop().time() - t0).toBeLessThan(500);
  });
});

test("taskGroup", async () => {
  const log: string[] = [];
  await run(async () => {
    await expect(taskGroup(async (tg) => {
      tg.createTask(async () => { try { await sleep(1000) } finally { log.push("cancelled sibling") } });
      tg.createTask(async () => { await sleep(5); throw new Error("boom"); });
      await sleep(2000);
    })).rejects.toThrow(/unhandled errors/);
  });
  expect(log).toEqual(["cancelled sibling"]);
});

test("nested run", async () => {
  await run(async () => {
    await expect(run(async () => 1)).rejects.toThrow("run() cannot be called from a running event loop");
  });
  expect(() => getRunningLoop()).toThrow("no running event loop");
});
