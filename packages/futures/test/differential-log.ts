/**
 * Shared by the futures differential suites (`differential-combinators`,
 * `differential-tasks`): how a thrown value is written in the event logs the
 * Python side of each scenario printed.
 */

/** asyncio's ValueError, as a scenario raises it. */
export class ValueError extends Error {
  override name = "ValueError";
}

/** `CancelledError(msg)`, `TimeoutError`, `ValueError(x)`: a thrown value as the logs show it. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-error ${Object.prototype.toString.call(e)}`;
  return e.message && e.name !== "TimeoutError" ? `${e.name}(${e.message})` : e.name;
}

/** Awaits `aw` and logs what it gave or threw. */
export async function settle(
  log: string[],
  label: string,
  aw: PromiseLike<unknown>,
): Promise<void> {
  try {
    log.push(`${label} ${await aw}`);
  } catch (e) {
    log.push(`${label} ${describeError(e)}`);
  }
}
