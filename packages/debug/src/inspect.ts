/**
 * The process side of `aio-debug ps|pstree PID`: a Unix socket `<pid>.sock`
 * in a directory only the process's user can enter, never TCP. A client
 * connects, and the process answers one JSON line
 * (`{ "protocol": 1, "pid": …, "loops": TaskSnapshot[] }`) and closes.
 *
 * Where (one rule, for both sides; docs/design/debug-inspect-socket.md):
 * `$XDG_RUNTIME_DIR/aio-debug` when `XDG_RUNTIME_DIR` is a directory of the
 * user's own, else `<os.tmpdir()>/aio-debug-<uid>`. The directory is mode
 * 0700, owned by the user, not a symlink — checked by the process before it
 * listens and by the CLI before it connects. A shared name in /tmp is what
 * let another local user take the socket first, or answer for a process
 * that never enabled inspection.
 */
import type * as Fs from "node:fs";
import type { Stats } from "node:fs";
import type * as Net from "node:net";
import type { Server } from "node:net";
import type * as Os from "node:os";
import type * as Path from "node:path";
import { _checkInteger, getRuntime, RuntimeError } from "@aio/core";
import { nodeBuiltin } from "./internal/host.js";
import { snapshotRunningLoops, type TaskSnapshot } from "./task-tree.js";

// Node's built-ins, reached at call time through the package's host seam
// (internal/host.ts): importing @aio/debug in a browser needs none of them.
const WHAT = "aio-debug inspection";
const fs = (): typeof Fs => nodeBuiltin<typeof Fs>("node:fs", WHAT);
const net = (): typeof Net => nodeBuiltin<typeof Net>("node:net", WHAT);
const os = (): typeof Os => nodeBuiltin<typeof Os>("node:os", WHAT);
const nodePath = (): typeof Path => nodeBuiltin<typeof Path>("node:path", WHAT);
const proc = (): NodeJS.Process => nodeBuiltin<NodeJS.Process>("node:process", WHAT);

/** The version of the reply format. */
export const INSPECT_PROTOCOL = 1;

/** The reply a debug-enabled process sends to `aio-debug`. */
export interface InspectReply {
  /** {@link INSPECT_PROTOCOL}. */
  protocol: number;
  /** The answering process. */
  pid: number;
  /** One snapshot per running loop. */
  loops: TaskSnapshot[];
}

/** The only mode the socket directory may have: the user alone may list, enter or write it. */
const DIRECTORY_MODE = 0o700;

/** This process's uid; `null` where there is none (Windows: no Unix sockets to inspect). */
function ownUid(): number | null {
  const p = (globalThis as { process?: { getuid?: () => number } }).process;
  return typeof p?.getuid === "function" ? p.getuid() : null;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return fs().lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** True when `dir` is a real directory (not a symlink) owned by `uid`. */
function ownedDirectory(dir: string | undefined, uid: number): dir is string {
  if (dir === undefined || dir === "" || !nodePath().isAbsolute(dir)) return false;
  try {
    const st = fs().lstatSync(dir);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
  }
}

/**
 * @internal The directories where a process of `uid` may have its socket,
 * most likely first: `$XDG_RUNTIME_DIR/aio-debug` (this process's
 * environment, when that directory belongs to `uid`), `/run/user/<uid>/aio-debug`
 * (the usual `XDG_RUNTIME_DIR` of another user), `<tmpdir>/aio-debug-<uid>`.
 * The first is where a process of `uid` with this environment listens.
 */
export function inspectDirectories(uid: number): string[] {
  const dirs: string[] = [];
  const xdg = proc().env.XDG_RUNTIME_DIR;
  if (ownedDirectory(xdg, uid)) dirs.push(nodePath().join(xdg, "aio-debug"));
  const runUser = `/run/user/${uid}`;
  if (ownedDirectory(runUser, uid)) dirs.push(nodePath().join(runUser, "aio-debug"));
  dirs.push(nodePath().join(os().tmpdir(), `aio-debug-${uid}`));
  return [...new Set(dirs)];
}

/**
 * @internal What is wrong with `dir` as the socket directory of `uid`, or
 * null when it is fine: a directory (not a symlink), owned by `uid`, mode
 * 0700.
 */
export function directoryProblem(dir: string, st: Stats, uid: number): string | null {
  if (st.isSymbolicLink()) return `${dir} is a symlink`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not uid ${uid}`;
  const mode = st.mode & 0o777;
  if (mode !== DIRECTORY_MODE)
    return `${dir} has mode ${mode.toString(8).padStart(4, "0")}, not 0700`;
  return null;
}

/**
 * Where process `pid` of the current user listens for `aio-debug`:
 * `<pid>.sock` in `$XDG_RUNTIME_DIR/aio-debug` when `XDG_RUNTIME_DIR` is
 * the user's own directory, else in `<os.tmpdir()>/aio-debug-<uid>`. The
 * directory is created (mode 0700) only when inspection starts.
 *
 * @param pid - the process id.
 * @returns the socket path.
 * @throws {TypeError} when `pid` is not a number.
 * @throws {RangeError} when `pid` is not an integer >= 1.
 * @throws {RuntimeError} on a platform without user ids (Windows).
 * @example
 * ```ts
 * import { inspectSocketPath } from "@aio/debug";
 * console.log(inspectSocketPath(process.pid)); // /run/user/1000/aio-debug/1234.sock
 * ```
 */
export function inspectSocketPath(pid: number): string {
  _checkInteger("inspectSocketPath()", "pid", pid, { min: 1 });
  const uid = ownUid();
  if (uid === null) throw new RuntimeError("aio-debug inspection needs Unix sockets and user ids");
  return nodePath().join(inspectDirectories(uid)[0]!, `${pid}.sock`);
}

function refuse(problem: string): never {
  throw new RuntimeError(
    `enableDebug() will not start inspection: ${problem} (another user may have created it first; remove it and try again)`,
  );
}

/**
 * Creates (or checks) this user's socket directory and clears a stale socket
 * of an earlier process with our pid. Throws when anything there is not ours.
 */
function prepareSocketPath(): string {
  const path = inspectSocketPath(proc().pid);
  const uid = ownUid()!;
  const dir = nodePath().dirname(path);
  let created = false;
  try {
    // mode is narrowed by the umask, never widened: at most 0700.
    fs().mkdirSync(dir, { mode: DIRECTORY_MODE });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  let st = fs().lstatSync(dir);
  // A umask such as 0277 narrows the directory we just made: widen it to 0700.
  if (created && st.isDirectory() && st.uid === uid && (st.mode & 0o777) !== DIRECTORY_MODE) {
    fs().chmodSync(dir, DIRECTORY_MODE);
    st = fs().lstatSync(dir);
  }
  const problem = directoryProblem(dir, st, uid);
  if (problem !== null) refuse(problem);
  const old = lstatOrNull(path);
  if (old !== null) {
    // Ours: left by an earlier process with our pid (pid reuse) or a crash.
    if (old.uid !== uid) refuse(`${path} is owned by uid ${old.uid}, not uid ${uid}`);
    fs().unlinkSync(path);
  }
  return path;
}

function unlinkQuietly(path: string): void {
  try {
    fs().unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * @internal Starts the socket server; returns its stopper.
 * @throws {RuntimeError} when the socket directory or an old socket there is
 *   not this user's (nothing is started then).
 */
export function startInspectServer(): () => void {
  const path = prepareSocketPath();
  const rt = getRuntime();
  const server: Server = net().createServer({ allowHalfOpen: false }, (socket) => {
    socket.on("error", () => {});
    let reply: string;
    try {
      const body: InspectReply = {
        protocol: INSPECT_PROTOCOL,
        pid: proc().pid,
        loops: snapshotRunningLoops(),
      };
      reply = JSON.stringify(body);
    } catch (err) {
      reply = JSON.stringify({ protocol: INSPECT_PROTOCOL, pid: proc().pid, error: String(err) });
    }
    socket.end(`${reply}\n`);
  });
  server.on("error", (err) => {
    console.warn(`@aio/debug: cannot listen on ${path}: ${(err as Error).message}`);
  });
  // Nobody but us can enter the 0700 directory, so the socket file's own
  // mode (whatever the umask gives it at bind) guards nothing; it is
  // narrowed to 0600 once listening. The process-wide umask is never
  // touched: changing it, even for a moment, changes the mode of files
  // other threads create meanwhile.
  rt.taskContext.run(undefined as never, () => {
    server.listen(path, () => {
      try {
        fs().chmodSync(path, 0o600);
      } catch {
        // Closed meanwhile.
      }
    });
  });
  server.unref();
  const onExit = (): void => unlinkQuietly(path);
  proc().on("exit", onExit);
  return () => {
    proc().off("exit", onExit);
    server.close();
    unlinkQuietly(path);
  };
}
