/**
 * `aio-debug`: asks a process running with `@aio/debug` inspection enabled
 * for its task trees over its Unix socket, and checks trace files.
 * Exit codes: 0 done, 1 failure (no such process, no socket, stale socket,
 * malformed reply, bad trace), 2 usage error.
 */
import { lstatSync, type Stats, statSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { directoryProblem, type InspectReply, inspectDirectories } from "../inspect.js";
import { renderTaskTable, renderTaskTree, type TaskSnapshot } from "../task-tree.js";
import { readTrace, type Trace } from "../trace.js";
import { escapeControl } from "./escape.js";

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** How long to wait for a reply before giving up. */
const REPLY_TIMEOUT_MS = 5000;

/**
 * The most the CLI reads from a socket: 16 MiB holds ~100,000 tasks with
 * long names; a reply past it is refused, not parsed (it could come from
 * a process that lists millions of tasks, or from anyone).
 */
export const MAX_REPLY_BYTES = 16 * 1024 * 1024;

/** The most tasks the CLI renders from one reply. */
export const MAX_REPLY_TASKS = 100_000;

const USAGE = `usage: aio-debug ps PID       list the tasks of a running process
       aio-debug pstree PID   show its tasks as a tree (who awaits whom)
       aio-debug trace FILE   check a trace file and summarise it

The process must run with debug inspection on: enableDebug({ inspect: true })
from @aio/debug, or AIO_DEBUG=1 with node --import @aio/debug/auto.`;

class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function parsePid(arg: string | undefined): number {
  if (arg === undefined) throw new CliError(`a PID is required\n${USAGE}`, 2);
  if (!/^[1-9]\d{0,9}$/.test(arg) || Number(arg) > 2 ** 31 - 1) {
    throw new CliError(`PID must be a positive integer, received ${JSON.stringify(arg)}`, 2);
  }
  return Number(arg);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function request(path: string, pid: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CliError(`process ${pid} did not answer within ${REPLY_TIMEOUT_MS} ms`, 1));
    }, REPLY_TIMEOUT_MS);
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new CliError(
            `the reply from process ${pid} is larger than ${MAX_REPLY_BYTES} bytes; refused it`,
            1,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    socket.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "ECONNREFUSED") {
        try {
          unlinkSync(path);
        } catch {
          // Someone else removed it.
        }
        reject(
          new CliError(
            `stale socket ${path}: process ${pid} is not listening on it (it may have crashed); removed it`,
            1,
          ),
        );
      } else if (err.code === "ENOENT") {
        reject(notEnabled(pid, [path]));
      } else {
        reject(new CliError(`cannot connect to ${path}: ${err.message}`, 1));
      }
    });
  });
}

function notEnabled(pid: number, paths: readonly string[]): CliError {
  return new CliError(
    `process ${pid} does not have @aio/debug inspection enabled (no socket at ${paths.join(" or ")}); start it with enableDebug({ inspect: true }) or AIO_DEBUG=1 node --import @aio/debug/auto`,
    1,
  );
}

function parseReply(text: string, pid: number): InspectReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`malformed reply from process ${pid}: not JSON (${describeText(text)})`, 1);
  }
  const reply = value as Partial<InspectReply> & { error?: unknown };
  if (typeof reply !== "object" || reply === null || !Array.isArray(reply.loops)) {
    if (typeof reply?.error === "string")
      throw new CliError(`process ${pid} failed to answer: ${escapeControl(reply.error)}`, 1);
    throw new CliError(`malformed reply from process ${pid}: no "loops" list`, 1);
  }
  if (reply.pid !== pid) {
    throw new CliError(
      `malformed reply from process ${pid}: it answers for process ${escapeControl(String(reply.pid))}`,
      1,
    );
  }
  let tasks = 0;
  for (const snap of reply.loops as unknown[]) {
    const s = snap as Partial<TaskSnapshot> | null;
    if (
      typeof s !== "object" ||
      s === null ||
      typeof s.loop !== "string" ||
      !Array.isArray(s.tasks)
    ) {
      throw new CliError(
        `malformed reply from process ${pid}: a loop entry lacks "loop" or "tasks"`,
        1,
      );
    }
    tasks += s.tasks.length;
    if (tasks > MAX_REPLY_TASKS) {
      throw new CliError(
        `the reply from process ${pid} lists more than ${MAX_REPLY_TASKS} tasks; refused it`,
        1,
      );
    }
    for (const t of s.tasks as unknown[]) {
      const info = t as Record<string, unknown> | null;
      if (
        typeof info !== "object" ||
        info === null ||
        typeof info.id !== "number" ||
        typeof info.name !== "string" ||
        typeof info.state !== "string" ||
        typeof info.awaiting !== "string" ||
        !isIdList(info.awaits) ||
        !isIdList(info.awaitedBy)
      ) {
        throw new CliError(
          `malformed reply from process ${pid}: a task entry lacks id, name, state or awaiting`,
          1,
        );
      }
    }
  }
  return reply as InspectReply;
}

function isIdList(value: unknown): boolean {
  return Array.isArray(value) && value.every((id) => typeof id === "number");
}

function describeText(text: string): string {
  if (text === "") return "empty";
  return `"${escapeControl(text.length > 40 ? `${text.slice(0, 40)}…` : text)}"`;
}

/** The uid of process `pid`: the owner of `/proc/<pid>`; without /proc, our own. */
function processUid(pid: number): number {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    // No /proc (macOS, BSD): only our own processes can be inspected, and
    // only through our own directory.
    return process.getuid?.() ?? 0;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (code === "EACCES")
      throw new CliError(
        `cannot look into ${path}: permission denied (run aio-debug as the process's user)`,
        1,
      );
    throw err;
  }
}

/**
 * Finds process `pid`'s socket and checks that it and its directory belong
 * to the process's user: a socket someone else put there is never
 * connected to.
 */
function findSocket(pid: number): string {
  const uid = processUid(pid);
  const paths: string[] = [];
  for (const dir of inspectDirectories(uid)) {
    const path = join(dir, `${pid}.sock`);
    paths.push(path);
    const dirStat = lstatOrNull(dir);
    if (dirStat === null) continue;
    const problem = directoryProblem(dir, dirStat, uid);
    if (problem !== null) {
      throw new CliError(
        `refusing to connect: ${problem}, the user of process ${pid} (someone else may have created it)`,
        1,
      );
    }
    const st = lstatOrNull(path);
    if (st === null) continue;
    if (!st.isSocket()) throw new CliError(`refusing to connect: ${path} is not a socket`, 1);
    if (st.uid !== uid) {
      throw new CliError(
        `refusing to connect: ${path} is owned by uid ${st.uid}, not uid ${uid}, the user of process ${pid}`,
        1,
      );
    }
    return path;
  }
  throw notEnabled(pid, paths);
}

async function inspectProcess(
  command: "ps" | "pstree",
  pidArg: string | undefined,
  io: CliIO,
): Promise<void> {
  const pid = parsePid(pidArg);
  if (!processExists(pid)) throw new CliError(`no process with PID ${pid}`, 1);
  const path = findSocket(pid);
  const reply = parseReply((await request(path, pid)).trim(), pid);
  const render = command === "ps" ? renderTaskTable : renderTaskTree;
  if (reply.loops.length === 0) {
    io.out(`process ${pid}: no running event loop`);
    return;
  }
  io.out(reply.loops.map((s) => `${escapeControl(s.loop)}\n${render(s)}`).join("\n\n"));
}

function summariseTrace(file: string | undefined, io: CliIO): void {
  if (file === undefined) throw new CliError(`a trace FILE is required\n${USAGE}`, 2);
  let trace: Trace;
  try {
    trace = readTrace(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new CliError(`no such file: ${file}`, 1);
    throw new CliError(e.message, 1);
  }
  const names = new Map<number, string>();
  for (const e of trace.traceEvents) {
    if (e.ph === "M" && e.name === "thread_name") names.set(e.tid, String(e.args?.name));
  }
  const tracks = new Map<number, { slices: number; busy: number }>();
  for (const e of trace.traceEvents) {
    if (e.ph !== "X") continue;
    const t = tracks.get(e.tid) ?? { slices: 0, busy: 0 };
    t.slices++;
    t.busy += e.dur ?? 0;
    tracks.set(e.tid, t);
  }
  const flows = trace.traceEvents.filter((e) => e.ph === "s").length;
  const lines = [
    `${file}: ${trace.traceEvents.length} events, ${tracks.size} tracks, ${flows} await arrows`,
  ];
  for (const [tid, t] of [...tracks].sort((a, b) => a[0] - b[0])) {
    lines.push(
      `  ${names.get(tid) ?? `tid ${tid}`}: ${t.slices} slices, ${(t.busy / 1000).toFixed(3)} ms busy`,
    );
  }
  io.out(lines.join("\n"));
}

/**
 * Runs the CLI with `args` (without `node` and the script).
 * @returns the exit code.
 */
export async function cliMain(args: readonly string[], io: CliIO): Promise<number> {
  const [command, arg, ...rest] = args;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (rest.length !== 0)
      throw new CliError(`unexpected argument ${JSON.stringify(rest[0])}\n${USAGE}`, 2);
    if (command === "ps" || command === "pstree") await inspectProcess(command, arg, io);
    else if (command === "trace") summariseTrace(arg, io);
    else throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`, 2);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`aio-debug: ${err.message}`);
      return err.code;
    }
    io.err(`aio-debug: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}
