import { _kModuleRef, type _ModuleRef, describeValue, type FutureLike } from "@aio/core";
import type { FnRef, JobData } from "./protocol.js";

// The executor's bookkeeping of one job (see `BullMQExecutor`), and the
// constants and helpers of its sending and its event-stream reader.

export const UNSENT = 0;
export const SENDING = 1;
export const SENT = 2;

export interface Entry {
  readonly jobId: string;
  readonly future: FutureLike<unknown>;
  data: JobData | null;
  state: typeof UNSENT | typeof SENDING | typeof SENT;
  /** When the add was confirmed (performance.now()). */
  sentAt: number;
}

export const SHUTDOWN_MESSAGE = "cannot schedule new futures after shutdown";
/** Jobs added per `addBulk` call (one MULTI); bigger batches hold Redis longer. */
export const MAX_BATCH = 500;
/** Events read per `XREAD`; a full batch means the reader is behind (see `#checkTrimmed`). */
export const READ_COUNT = 1000;

/** Orders two stream entry ids (`<ms>-<seq>`). */
export function compareEventIds(a: string, b: string): number {
  const [am = "0", as = "0"] = a.split("-");
  const [bm = "0", bs = "0"] = b.split("-");
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/** What `submit()` sends for `fn`: its module reference, or (only with `allowSource`) its source. */
export function fnRef(allowSource: boolean, where: string, fn: unknown): FnRef {
  if (typeof fn !== "function") {
    throw new TypeError(`${where} fn must be a moduleFunction(), received ${describeValue(fn)}`);
  }
  const ref = (fn as { [_kModuleRef]?: _ModuleRef })[_kModuleRef];
  if (ref !== undefined) return { mod: ref.mod, name: ref.name };
  if (!allowSource) {
    throw new TypeError(
      `${where} fn must be a moduleFunction(url, exportName) from @aio/executors, received ${describeValue(fn)} (shipping function source is off: see the allowSource option)`,
    );
  }
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src) || /^class[\s{]/.test(src)) {
    throw new TypeError(
      `${where} fn cannot be shipped as source: ${describeValue(fn)} is native, bound or a class`,
    );
  }
  return { src };
}
