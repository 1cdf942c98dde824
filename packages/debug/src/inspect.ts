/**
 * The process side of `aio-debug ps|pstree PID`: a Unix socket
 * `aio-debug-<pid>.sock` in `os.tmpdir()`, owner-only (0600), never TCP.
 * A client connects, and the process answers one JSON line
 * (`{ "protocol": 1, "pid": …, "loops": TaskSnapshot[] }`) and closes.
 */
import type * as Fs from "node:fs";
import type * as Net from "node:net";
import type * as Os from "node:os";
import type * as Path from "node:path";
import { getRuntime } from "@aio/core";
import { nodeBuiltin } from "./internal/host.js";
import { snapshotRunningLoops, type TaskSnapshot } from "./task-tree.js";

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

/**
 * Where process `pid` listens for `aio-debug` (in `os.tmpdir()`).
 *
 * @param pid - the process id.
 * @returns the socket path.
 * @example
 * ```ts
 * import { inspectSocketPath } from "@aio/debug";
 * console.log(inspectSocketPath(process.pid)); // /tmp/aio-debug-1234.sock
 * ```
 */
export function inspectSocketPath(pid: number): string {
  const { join } = nodeBuiltin<typeof Path>("node:path", "inspectSocketPath()");
  const { tmpdir } = nodeBuiltin<typeof Os>("node:os", "inspectSocketPath()");
  return join(tmpdir(), `aio-debug-${pid}.sock`);
}

function unlinkQuietly(path: string): void {
  try {
    nodeBuiltin<typeof Fs>("node:fs", "the inspect socket").unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** @internal Starts the socket server; returns its stopper. */
export function startInspectServer(): () => void {
  const process = nodeBuiltin<NodeJS.Process>("node:process", "enableDebug({ inspect: true })");
  const { createServer } = nodeBuiltin<typeof Net>("node:net", "enableDebug({ inspect: true })");
  const { chmodSync } = nodeBuiltin<typeof Fs>("node:fs", "enableDebug({ inspect: true })");
  const path = inspectSocketPath(process.pid);
  // A socket left by an earlier process with our pid (pid reuse) is stale.
  unlinkQuietly(path);
  const rt = getRuntime();
  const server: Net.Server = createServer({ allowHalfOpen: false }, (socket) => {
    socket.on("error", () => {});
    let reply: string;
    try {
      const body: InspectReply = {
        protocol: INSPECT_PROTOCOL,
        pid: process.pid,
        loops: snapshotRunningLoops(),
      };
      reply = JSON.stringify(body);
    } catch (err) {
      reply = JSON.stringify({ protocol: INSPECT_PROTOCOL, pid: process.pid, error: String(err) });
    }
    socket.end(`${reply}\n`);
  });
  server.on("error", (err) => {
    console.warn(`@aio/debug: cannot listen on ${path}: ${(err as Error).message}`);
  });
  // The socket is created owner-only (umask) and chmod'ed again once listening.
  let oldMask: number | null = null;
  try {
    oldMask = process.umask(0o177);
  } catch {
    // Worker threads cannot change the umask; chmod below still applies.
  }
  try {
    rt.taskContext.run(undefined as never, () => {
      server.listen(path, () => {
        try {
          chmodSync(path, 0o600);
        } catch {
          // The server is already owner-only where umask says so.
        }
      });
    });
  } finally {
    if (oldMask !== null) process.umask(oldMask);
  }
  server.unref();
  const onExit = (): void => unlinkQuietly(path);
  process.on("exit", onExit);
  return () => {
    process.off("exit", onExit);
    server.close();
    unlinkQuietly(path);
  };
}
