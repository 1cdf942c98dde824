import { inspect } from "node:util";
import { getRuntime } from "@aio/core";
import { Handle, newEventLoop, TimerHandle } from "@aio/loop";
import { VirtualTimeLoop } from "@aio/loop/testing";
import { afterAll, afterEach, describe, expect, test } from "vitest";

const loops: { close(): void }[] = [];
afterEach(() => {
  for (const loop of loops.splice(0)) loop.close();
});
function virtualLoop(): VirtualTimeLoop {
  const loop = new VirtualTimeLoop();
  loops.push(loop);
  return loop;
}

describe("Handle", () => {
  test("Handle.cancel() stops the callback; cancelled() reports it; cancelling twice is a no-op", async () => {
    const loop = newEventLoop();
    loops.push(loop);
    const log: string[] = [];
    const h = loop.callSoon(() => log.push("ran"));
    expect(h).toBeInstanceOf(Handle);
    expect(h).not.toBeInstanceOf(TimerHandle);
    expect(h.cancelled()).toBe(false);
    h.cancel();
    h.cancel();
    expect(h.cancelled()).toBe(true);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log).toEqual([]);
  });

  test("Handle.cancel() after the callback ran marks it cancelled and changes nothing else", async () => {
    const loop = newEventLoop();
    loops.push(loop);
    const log: string[] = [];
    const h = loop.callSoon(() => log.push("ran"));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    h.cancel();
    expect([log, h.cancelled()]).toEqual([["ran"], true]);
  });

  test("Handle.toString() has asyncio's repr shape", () => {
    const loop = virtualLoop();
    const named = loop.callSoon(function tick() {});
    const anonymous = loop.callSoon(() => {});
    expect(String(named)).toMatch(/^<Handle tick\(\)>$/);
    expect(String(anonymous)).toMatch(/^<Handle .*\(\)>$/);
    expect(inspect(named)).toBe(String(named));
    expect(Object.prototype.toString.call(named)).toBe("[object Handle]");
    named.cancel();
    expect(String(named)).toMatch(/^<Handle cancelled>$/);
  });
});

describe("TimerHandle", () => {
  test("TimerHandle.when() is the absolute loop time of the deadline", () => {
    const loop = virtualLoop();
    loop.advance(500);
    const later = loop.callLater(250, () => {});
    const at = loop.callAt(42, () => {});
    expect(later).toBeInstanceOf(TimerHandle);
    expect(later).toBeInstanceOf(Handle);
    expect([later.when(), at.when()]).toEqual([750, 42]);
  });

  test("TimerHandle.cancel() stops the timer; cancelled() reports it", async () => {
    const loop = virtualLoop();
    const log: number[] = [];
    const t1 = loop.callLater(10, () => log.push(10));
    const t2 = loop.callLater(20, () => log.push(20));
    t1.cancel();
    t1.cancel();
    loop.callLater(30, () => loop.stop());
    await loop.runForever();
    expect(log).toEqual([20]);
    expect([t1.cancelled(), t2.cancelled()]).toEqual([true, false]);
  });

  test("TimerHandle.toString() has asyncio's repr shape", () => {
    const loop = virtualLoop();
    const t = loop.callLater(1500, function alarm() {});
    expect(String(t)).toMatch(/^<TimerHandle when=1500\.000 alarm\(\)>$/);
    expect(inspect(t)).toBe(String(t));
    expect(Object.prototype.toString.call(t)).toBe("[object TimerHandle]");
    t.cancel();
    expect(String(t)).toMatch(/^<TimerHandle cancelled when=1500\.000>$/);
  });

  test("TimerHandle.toString() of a cancelled timer puts `cancelled` before when= and drops the callback, as asyncio", () => {
    // CPython 3.11: <TimerHandle when=… cb() at …> then <TimerHandle cancelled when=…>.
    const loop = virtualLoop();
    const t = loop.callLater(250, function ring(_n: number) {}, 1);
    const before = String(t);
    t.cancel();
    expect([before, String(t), inspect(t)]).toEqual([
      "<TimerHandle when=250.000 ring()>",
      "<TimerHandle cancelled when=250.000>",
      "<TimerHandle cancelled when=250.000>",
    ]);
  });

  test("TimerHandle.toString() on a real-time loop shows a decimal deadline", () => {
    const loop = newEventLoop();
    loops.push(loop);
    const t = loop.callLater(10, function wake() {});
    expect(String(t)).toMatch(/^<TimerHandle when=\d+\.\d{3} wake\(\)>$/);
    t.cancel();
  });
});

afterAll(() => {
  // No test leaves a loop running behind it.
  expect(getRuntime().runningLoops.size).toBe(0);
});
