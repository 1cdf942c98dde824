/**
 * Shared by the futures differential suites (`differential-*.test.ts`): how a
 * thrown value is written in the event logs the Python side of each scenario
 * printed.
 */
import { isExceptionGroup } from "@aio/core";

/** asyncio's ValueError, as a scenario raises it. */
export class ValueError extends Error {
  override name = "ValueError";
}

/** The scenarios' own exception class. */
export class MyExc extends Error {
  override name = "MyExc";
}

/** `CancelledError(msg)`, `TimeoutError`, `ExceptionGroup[MyExc(boom)]`: a thrown value as the logs show it. */
export function describeError(e: unknown): string {
  if (isExceptionGroup(e)) return `ExceptionGroup[${e.exceptions.map(describeError).join(",")}]`;
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
