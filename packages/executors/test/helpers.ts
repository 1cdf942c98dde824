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

/**
 * How many OS threads of this process could be pool workers (/proc/self/task).
 * Bun's engine starts helper threads of its own on demand (a GC's
 * "HeapHelper", a "Signal Sender"), which would make "back to the count
 * before" fail at random; there a worker thread is named "Worker", so only
 * those count. Elsewhere every thread counts.
 */
export function threadCount(): number {
  const tasks = readdirSync("/proc/self/task");
  if (typeof (globalThis as { Bun?: unknown }).Bun === "undefined") return tasks.length;
  let workers = 0;
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim() === "Worker") workers++;
    } catch {
      // the thread ended meanwhile
    }
  }
  return workers;
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
