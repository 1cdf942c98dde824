import { describeValue, RuntimeError, ValueError } from "@aio/core";

/**
 * The host's signal events: Node's `process` (Deno's and Bun's Node
 * compatibility layers have the same shape). Null where there is none (a
 * browser), and then adding a handler is a `RuntimeError`.
 */
export interface SignalHost {
  on(signal: string, listener: () => void): unknown;
  off(signal: string, listener: () => void): unknown;
  /** For `run()`'s SIGINT: whether someone else listens, and the second Ctrl-C. */
  listenerCount?(signal: string): number;
  pid?: number;
  kill?(pid: number, signal: string): unknown;
  platform?: string;
  getBuiltinModule?: (
    id: string,
  ) => { constants?: { signals?: Record<string, number> } } | undefined;
}

export function signalHost(): SignalHost | null {
  const p = (globalThis as { process?: Partial<SignalHost> }).process;
  return typeof p?.on === "function" && typeof p.off === "function" ? (p as SignalHost) : null;
}

/**
 * Linux's numbers, for hosts that do not expose `os.constants.signals`:
 * SIGHUP is 1, and so on up to SIGSYS (31), with the aliases SIGIOT and
 * SIGPOLL, as Node's table on Linux and CPython's `signal` module have them.
 */
function linuxSignals(): Record<string, number> {
  const table: Record<string, number> = Object.fromEntries(
    "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"
      .split(" ")
      .map((name, i) => [`SIG${name}`, i + 1]),
  );
  // The aliases, after the names a number is reported by.
  table.SIGIOT = 6;
  table.SIGPOLL = 29;
  return table;
}

let table: Record<string, number> | null = null;

/** The host's signal names and numbers (`os.constants.signals` where it has one). */
function signals(): Record<string, number> {
  if (table === null) {
    let fromHost: Record<string, number> | undefined;
    try {
      fromHost = signalHost()?.getBuiltinModule?.("node:os")?.constants?.signals;
    } catch {
      // No table from the host (fromHost stays undefined).
    }
    table = fromHost !== undefined && Object.keys(fromHost).length > 0 ? fromHost : linuxSignals();
  }
  return table;
}

/**
 * asyncio `_check_signal`: the signal's name, from a name (`"SIGTERM"`) or a
 * number (`15`).
 * @throws {TypeError} neither a string nor an integer.
 * @throws {ValueError} not a signal of this platform.
 * @throws {RuntimeError} SIGKILL and SIGSTOP: they cannot be caught.
 */
export function checkSignal(method: string, sig: unknown): string {
  const table = signals();
  let name: string | undefined;
  if (typeof sig === "string") {
    name = Object.hasOwn(table, sig) ? sig : undefined;
  } else if (typeof sig === "number" && Number.isInteger(sig)) {
    name = Object.keys(table).find((k) => table[k] === sig);
  } else {
    throw new TypeError(
      `${method}() sig must be a signal name or number, received ${describeValue(sig)}`,
    );
  }
  if (name === undefined) {
    throw new ValueError(`${method}() sig must be a valid signal, received ${describeValue(sig)}`);
  }
  // No process can catch these: asyncio says `RuntimeError('sig N cannot be caught')`.
  if (name === "SIGKILL" || name === "SIGSTOP") {
    throw new RuntimeError(`sig ${table[name]} cannot be caught`);
  }
  return name;
}

/** A loop's signal handlers: the host listener of each signal, by name. */
export type SignalHandlers = Map<string, () => void>;

/**
 * Installs `listener` for `name` (already checked by {@link checkSignal}),
 * replacing the handler there was (asyncio `add_signal_handler`). The
 * listener only schedules the callback — asyncio's `_add_callback_signalsafe` —
 * so the callback always runs on the loop, never inside the host's signal event.
 */
export function addSignal(handlers: SignalHandlers, name: string, listener: () => void): void {
  const host = signalHost();
  if (host === null) {
    throw new RuntimeError(
      "addSignalHandler() needs a host with process signals (Node, Deno or Bun); this runtime has none",
    );
  }
  removeSignal(handlers, name);
  host.on(name, listener);
  handlers.set(name, listener);
}

/** Removes the handler for `name`; false when there was none. */
export function removeSignal(handlers: SignalHandlers, name: string): boolean {
  const listener = handlers.get(name);
  if (listener === undefined) return false;
  handlers.delete(name);
  signalHost()?.off(name, listener);
  return true;
}
