import { describeValue, RuntimeError, ValueError } from "@aio/core";

/**
 * The host's signal events: Node's `process` (Deno's and Bun's Node
 * compatibility layers have the same shape). Null where there is none (a
 * browser), and then adding a handler is a `RuntimeError`.
 */
interface SignalHost {
  on(signal: string, listener: () => void): unknown;
  off(signal: string, listener: () => void): unknown;
  platform?: string;
  getBuiltinModule?: (
    id: string,
  ) => { constants?: { signals?: Record<string, number> } } | undefined;
}

function signalHost(): SignalHost | null {
  const p = (globalThis as { process?: Partial<SignalHost> }).process;
  return typeof p?.on === "function" && typeof p.off === "function" ? (p as SignalHost) : null;
}

/** Linux's numbers, for hosts that do not expose `os.constants.signals`. */
// biome-ignore format: a table
const LINUX_SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23,
  SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30,
  SIGSYS: 31,
};

let table: Record<string, number> | null = null;

/** The host's signal names and numbers (`os.constants.signals` where it has one). */
function signals(): Record<string, number> {
  if (table === null) {
    let fromHost: Record<string, number> | undefined;
    try {
      fromHost = signalHost()?.getBuiltinModule?.("node:os")?.constants?.signals;
    } catch {
      fromHost = undefined;
    }
    table = fromHost !== undefined && Object.keys(fromHost).length > 0 ? fromHost : LINUX_SIGNALS;
  }
  return table;
}

/** Signals no process can catch: asyncio reports them as `RuntimeError('sig N cannot be caught')`. */
const UNCATCHABLE = new Set(["SIGKILL", "SIGSTOP"]);

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
  if (UNCATCHABLE.has(name)) throw new RuntimeError(`sig ${table[name]} cannot be caught`);
  return name;
}

/**
 * The signal handlers of one loop (asyncio `_UnixSelectorEventLoop.
 * _signal_handlers`). The host's listener only schedules the callback with
 * `schedule` — asyncio's `_add_callback_signalsafe` — so the callback always
 * runs on the loop, as a scheduled callback, never inside the host's signal
 * event. One handler per signal: adding another replaces it.
 */
export class SignalHandlers {
  readonly #listeners = new Map<string, () => void>();

  /** Installs `cb(...args)` for `name` (already checked by {@link checkSignal}). */
  add(name: string, schedule: () => void): void {
    const host = signalHost();
    if (host === null) {
      throw new RuntimeError(
        "addSignalHandler() needs a host with process signals (Node, Deno or Bun); this runtime has none",
      );
    }
    this.remove(name);
    const listener = () => schedule();
    host.on(name, listener);
    this.#listeners.set(name, listener);
  }

  /** Removes the handler for `name`; false when there was none. */
  remove(name: string): boolean {
    const listener = this.#listeners.get(name);
    if (listener === undefined) return false;
    this.#listeners.delete(name);
    signalHost()?.off(name, listener);
    return true;
  }

  /** True when a handler for `name` is installed. */
  has(name: string): boolean {
    return this.#listeners.has(name);
  }

  /** Removes every handler (the loop closes). */
  clear(): void {
    for (const name of [...this.#listeners.keys()]) this.remove(name);
  }
}
