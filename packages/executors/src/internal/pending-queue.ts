import { DONE, type Job, PENDING } from "./slot.js";

/** Past this many consumed entries (and half the array), the array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * The jobs waiting for a worker, in submission order.
 *
 * Invariant: `count` is the number of entries in state PENDING. A job
 * cancelled while it waits stays in the array (it is skipped when reached)
 * but leaves `count` at once, through `cancelled()`.
 *
 * A growable ring would be faster; an array with a head index and periodic
 * compaction is simple and amortised O(1).
 */
export class PendingQueue {
  #items: Job[] = [];
  #head = 0;
  /** Jobs in state PENDING. */
  count = 0;

  push(job: Job): void {
    this.#items.push(job);
    this.count++;
  }

  /**
   * The next job to send, or null. A job whose future is already cancelled
   * (its done callback has not run yet) is dropped on the way, and `onDrop`
   * is told (room was made in the queue).
   */
  take(onDrop: () => void): Job | null {
    while (this.#head < this.#items.length) {
      const job = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as never;
      if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (job.state === PENDING) {
        this.count--;
        if (!job.future.done()) return job;
        // Cancelled, and its done callback has not run yet.
        job.state = DONE;
        onDrop();
      }
    }
    return null;
  }

  /** A waiting job's future was cancelled: it no longer counts (it is skipped when reached). */
  cancelled(job: Job): void {
    job.state = DONE;
    this.count--;
  }

  /** Puts jobs that never started (their worker died) back at the front, in order. */
  requeueFront(jobs: Job[]): void {
    if (jobs.length === 0) return;
    for (const j of jobs) {
      j.state = PENDING;
      j.worker = null;
    }
    this.#items.splice(this.#head, 0, ...jobs);
    this.count += jobs.length;
  }

  /** Every entry still in the queue (PENDING or skipped), front first. */
  entries(): Job[] {
    return this.#items.slice(this.#head);
  }

  /** Empties the queue; returns the PENDING jobs it held. */
  clear(): Job[] {
    const out: Job[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const j = this.#items[i]!;
      if (j.state === PENDING) out.push(j);
    }
    this.#items = [];
    this.#head = 0;
    this.count = 0;
    return out;
  }
}
