/**
 * `aio-debug`: asks a process running with `@aio/debug` inspection enabled
 * for its task trees over its Unix socket, and checks trace files.
 * Exit codes: 0 done, 1 failure (no such process, no socket, stale socket,
 * malformed reply, bad trace), 2 usage error.
 */
import { existsSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { type InspectReply, inspectSocketPath } from "../inspect.js";
import { renderTaskTable, renderTaskTree, type TaskSnapshot } from "../task-tree.js";
import { readTrace, type Trace } from "../trace.js";

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** How long to wait for a reply before giving up. */
const REPLY_TIMEOUT_MS = 5000;

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
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CliError(`process ${pid} did not answer within ${REPLY_TIMEOUT_MS} ms`, 1));
    }, REPLY_TIMEOUT_MS);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("end", () => {
      clearTimeout(timer);
      resolve(data);
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
        reject(notEnabled(pid, path));
      } else {
        reject(new CliError(`cannot connect to ${path}: ${err.message}`, 1));
      }
    });
  });
}

function notEnabled(pid: number, path: string): CliError {
  return new CliError(
    `process ${pid} does not have @aio/debug inspection enabled (no socket at ${path}); start it with enableDebug({ inspect: true }) or AIO_DEBUG=1 node --import @aio/debug/auto`,
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
      throw new CliError(`process ${pid} failed to answer: ${reply.error}`, 1);
    throw new CliError(`malformed reply from process ${pid}: no "loops" list`, 1);
  }
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
    for (const t of s.tasks as unknown[]) {
      const info = t as Record<string, unknown> | null;
      if (
        typeof info !== "object" ||
        info === null ||
        typeof info.id !== "number" ||
        typeof info.name !== "string" ||
        typeof info.state !== "string" ||
        typeof info.awaiting !== "string" ||
        !Array.isArray(info.awaits) ||
        !Array.isArray(info.awaitedBy)
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

function describeText(text: string): string {
  if (text === "") return "empty";
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

async function inspectProcess(
  command: "ps" | "pstree",
  pidArg: string | undefined,
  io: CliIO,
): Promise<void> {
  const pid = parsePid(pidArg);
  const path = inspectSocketPath(pid);
  if (!processExists(pid)) {
    let extra = "";
    if (existsSync(path)) {
      try {
        unlinkSync(path);
        extra = ` (removed its stale socket ${path})`;
      } catch {
        // Not ours to remove.
      }
    }
    throw new CliError(`no process with PID ${pid}${extra}`, 1);
  }
  if (!existsSync(path)) throw notEnabled(pid, path);
  const reply = parseReply((await request(path, pid)).trim(), pid);
  const render = command === "ps" ? renderTaskTable : renderTaskTree;
  if (reply.loops.length === 0) {
    io.out(`process ${pid}: no running event loop`);
    return;
  }
  io.out(reply.loops.map((s) => `${s.loop}\n${render(s)}`).join("\n\n"));
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
