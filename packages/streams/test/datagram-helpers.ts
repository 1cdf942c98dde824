import { type EventLoop, type FutureLike, getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import type { DatagramProtocol, DatagramTransport } from "@aio/streams";

/**
 * CPython's `MyDatagramProto` (test_events.py / test_base_events.py): a
 * state machine INITIAL → INITIALIZED → CLOSED that counts the bytes it
 * receives. A callback in the wrong state records an assertion failure in
 * `failures` (asyncio's raises into the loop's handler; the tests check the
 * list is empty).
 */
export class MyDatagramProto implements DatagramProtocol {
  state = "INITIAL";
  nbytes = 0;
  transport: DatagramTransport | null = null;
  readonly done: FutureLike<void> | null;
  readonly failures: string[] = [];

  constructor(createFuture = false, loop: EventLoop | null = null) {
    this.done = createFuture ? (loop ?? getRunningLoop()).createFuture<void>() : null;
  }

  protected assertState(expected: string): void {
    if (this.state !== expected) this.failures.push(`state: ${this.state}, expected: ${expected}`);
  }

  connectionMade(transport: DatagramTransport): void {
    this.transport = transport;
    this.assertState("INITIAL");
    this.state = "INITIALIZED";
  }

  datagramReceived(data: Uint8Array, _addr: [string, number]): void {
    this.assertState("INITIALIZED");
    this.nbytes += data.length;
  }

  errorReceived(_exc: Error): void {
    this.assertState("INITIALIZED");
  }

  connectionLost(_exc: Error | null): void {
    this.assertState("INITIALIZED");
    this.state = "CLOSED";
    this.done?.setResult(undefined);
  }
}

/** CPython's `test_utils.run_until`: yields to I/O until `pred()` holds (bounded in steps). */
export async function runUntil(pred: () => boolean, maxSteps = 5000): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (pred()) return;
    await sleep(1);
  }
  throw new Error("runUntil: condition never held");
}
