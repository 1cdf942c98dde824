/**
 * Shared by the differential suites: event-log formatting that matches the
 * Python side of each scenario (see differential-primitives.test.ts).
 */
import { isCancelledError } from "@aio/core";
import { sleep, type Task } from "@aio/futures";
import { QueueShutDown } from "@aio/sync";

/** An error as the logs show it: `CancelledError('msg')`, `QueueShutDown`, `ValueError: msg`. */
export function show(e: unknown): string {
  const err = e as Error;
  if (isCancelledError(e)) return `CancelledError(${err.message ? `'${err.message}'` : ""})`;
  if (e instanceof QueueShutDown) return "QueueShutDown";
  return `${err.name}: ${err.message}`;
}

/** Settles every task: its value, or its error shown by {@link show}. */
export async function settle(tasks: Task<unknown>[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const t of tasks) {
    try {
      out.push(await t);
    } catch (e) {
      out.push(show(e));
    }
  }
  return out;
}

/** Settled results as Python prints them: `results 0, None, CancelledError()`. */
export const fmt = (results: unknown[]): string =>
  `results ${results.map((r) => (r === undefined ? "None" : String(r))).join(", ")}`;

/** A boolean as Python prints it. */
export const py = (b: boolean): string => (b ? "True" : "False");

/** `n` loop iterations, logging `probe()` after each. */
export async function ticks(log: string[], n: number, probe?: () => string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await sleep(0);
    if (probe) log.push(`tick${i} ${probe()}`);
  }
}

/** The part of a repr after the class name: `locked, waiters:1]>`. */
export const tail = (x: unknown): string => String(x).split("[").slice(1).join("[");
