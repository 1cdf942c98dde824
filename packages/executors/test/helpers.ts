import { readdirSync, readFileSync } from "node:fs";

/** The pids of this process's live child processes, read from the process table (/proc). */
export function childPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid …; comm may contain spaces, so parse after the last ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = rest[0];
    const ppid = Number(rest[1]);
    if (ppid === process.pid && state !== "Z") out.push(Number(entry));
  }
  return out;
}

/** How many OS threads this process has now (/proc/self/task). */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/** A shared Int32Array a job can update from its worker (SharedArrayBuffers cross by reference). */
export function sharedCounters(n = 4): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/** Waits (bounded) until `cond()` holds, polling every few ms. */
export async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
