/**
 * The browser entry of `@aio/streams` (the `browser` export condition). A
 * page cannot open TCP, TLS or Unix-socket connections, listen, send UDP
 * datagrams or start processes, so this entry has the same names as the
 * Node entry and imports no Node built-in: code that imports the package
 * bundles for the browser with no configuration, and a call says clearly
 * what is missing — a function returning a Promise rejects with a
 * `RuntimeError`, a constructor throws one. The error classes and the
 * constants are the real ones.
 *
 * @packageDocumentation
 */
import { RuntimeError } from "@aio/core";

export {
  IncompleteReadError,
  isIncompleteReadError,
  isLimitOverrunError,
  LimitOverrunError,
} from "./errors.js";

// The Node entry's values (test/exports.test.ts checks that they agree).
/** See the Node entry: asyncio's `_DEFAULT_LIMIT`, 64 KiB. */
export const DEFAULT_LIMIT = 2 ** 16;
/** See the Node entry: ms a TLS handshake may take. */
export const SSL_HANDSHAKE_TIMEOUT = 60_000;
/** See the Node entry (subprocess stdio). */
export const PIPE = "pipe";
/** See the Node entry (subprocess stdio). */
export const DEVNULL = "devnull";
/** See the Node entry (subprocess stdio). */
export const STDOUT = "stdout";
/** See the Node entry (subprocess stdio). */
export const INHERIT = "inherit";

const SOCKETS = "a page cannot open TCP, TLS or Unix-socket connections or listen for them";
const UDP = "a page cannot send or receive UDP datagrams";
const PROCESSES = "a page cannot start processes";
const STREAMS = "@aio/streams wraps Node sockets and pipes";

/** The error every entry point of this build gives: `<what> is not available in a browser: <why>`. */
function unavailable(what: string, why: string): RuntimeError {
  return new RuntimeError(`${what} is not available in a browser: ${why}`);
}

/**
 * Rejects: a page cannot open TCP connections.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { openConnection } from "@aio/streams";
 * await openConnection("127.0.0.1", 8888).catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function openConnection(..._args: unknown[]): Promise<never> {
  throw unavailable("openConnection()", SOCKETS);
}

/**
 * Rejects: a page cannot open Unix-socket connections.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { openUnixConnection } from "@aio/streams";
 * await openUnixConnection("/tmp/app.sock").catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function openUnixConnection(..._args: unknown[]): Promise<never> {
  throw unavailable("openUnixConnection()", SOCKETS);
}

/**
 * Rejects: a page cannot listen for connections.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { startServer } from "@aio/streams";
 * await startServer(() => {}, "127.0.0.1", 0).catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function startServer(..._args: unknown[]): Promise<never> {
  throw unavailable("startServer()", SOCKETS);
}

/**
 * Rejects: a page cannot listen on a Unix socket.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { startUnixServer } from "@aio/streams";
 * await startUnixServer(() => {}, "/tmp/app.sock").catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function startUnixServer(..._args: unknown[]): Promise<never> {
  throw unavailable("startUnixServer()", SOCKETS);
}

/**
 * Rejects: a page cannot use UDP.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { createDatagramEndpoint } from "@aio/streams";
 * await createDatagramEndpoint(() => ({}), {}).catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function createDatagramEndpoint(..._args: unknown[]): Promise<never> {
  throw unavailable("createDatagramEndpoint()", UDP);
}

/**
 * Rejects: a page cannot start processes.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { createSubprocessExec } from "@aio/streams";
 * await createSubprocessExec("ls").catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function createSubprocessExec(..._args: unknown[]): Promise<never> {
  throw unavailable("createSubprocessExec()", PROCESSES);
}

/**
 * Rejects: a page cannot start processes.
 * @returns a Promise that rejects.
 * @throws {RuntimeError} (rejects) always, in a browser.
 * @example
 * ```ts
 * import { createSubprocessShell } from "@aio/streams";
 * await createSubprocessShell("ls").catch((e) => console.log(e.name)); // "RuntimeError" in a browser
 * ```
 */
export async function createSubprocessShell(..._args: unknown[]): Promise<never> {
  throw unavailable("createSubprocessShell()", PROCESSES);
}

/**
 * A class of the Node entry that a page cannot have: constructing it (or
 * calling one of its static factories) throws a `RuntimeError`.
 */
function unavailableClass(name: string, why: string): new (...args: unknown[]) => never {
  const cls = {
    [name]: class {
      constructor() {
        throw unavailable(name, why);
      }
      static fromReadableStream(): never {
        throw unavailable(`${name}.fromReadableStream()`, why);
      }
      static fromWritableStream(): never {
        throw unavailable(`${name}.fromWritableStream()`, why);
      }
    },
  }[name]!;
  return cls as unknown as new (
    ...args: unknown[]
  ) => never;
}

/** Throws a `RuntimeError` when constructed: see the Node entry. */
export const StreamReader = unavailableClass("StreamReader", STREAMS);
/** Throws a `RuntimeError` when constructed: see the Node entry. */
export const StreamWriter = unavailableClass("StreamWriter", STREAMS);
/** Throws a `RuntimeError` when constructed: see the Node entry. */
export const Server = unavailableClass("Server", SOCKETS);
/** Throws a `RuntimeError` when constructed: see the Node entry. */
export const ServerSocket = unavailableClass("ServerSocket", SOCKETS);
/** Throws a `RuntimeError` when constructed: see the Node entry. */
export const Process = unavailableClass("Process", PROCESSES);
