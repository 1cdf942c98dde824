/**
 * `@aio/debug`'s one seam to its host (see `docs/design/runtimes.md`). The
 * in-process parts — instruments, task trees, trace recording — run
 * everywhere; the parts that need the file system, a Unix socket or the
 * process (`writeTrace`, `readTrace`, `viewerHtml`, the `inspect` socket)
 * reach Node's built-ins here, at call time, through
 * `process.getBuiltinModule()` (Node, Deno 2, Bun 1). No module of the
 * package imports a Node built-in at top level, so a browser bundle needs
 * no shim.
 */
import { RuntimeError } from "@aio/core";

interface HostProcess {
  pid?: number;
  getBuiltinModule?: (id: string) => unknown;
  nextTick?: (cb: () => void) => void;
  on?: (event: string, listener: () => void) => unknown;
  off?: (event: string, listener: () => void) => unknown;
  umask?: (mask?: number) => number;
}

const hostProcess: HostProcess | undefined = (() => {
  const p = (globalThis as { process?: HostProcess }).process;
  return typeof p === "object" && p !== null ? p : undefined;
})();

/**
 * A Node built-in module, or a `RuntimeError` naming what needs it.
 * @param id - e.g. `"node:fs"`.
 * @param what - the API that needs it, for the message.
 * @returns the module.
 * @throws {RuntimeError} when the host has no Node built-ins (a browser).
 */
export function nodeBuiltin<M>(id: string, what: string): M {
  const mod = hostProcess?.getBuiltinModule?.(id) as M | undefined;
  if (mod === undefined) {
    throw new RuntimeError(`${what} needs ${id}, which this runtime does not have (a browser?)`);
  }
  return mod;
}

/** The process id, or 0 where there is no process (a browser). */
export const pid: number = typeof hostProcess?.pid === "number" ? hostProcess.pid : 0;

/** `process.nextTick` where there is one, else a microtask. */
export const nextTick: (cb: () => void) => void =
  typeof hostProcess?.nextTick === "function"
    ? (cb) => hostProcess.nextTick!(cb)
    : (cb) => queueMicrotask(cb);

/** Keeps a timer or immediate from holding the process open (Node's `unref()`); nothing in a browser. */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void } | null)?.unref?.();
}
