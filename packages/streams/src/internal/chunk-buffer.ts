/**
 * The reader's byte buffer: a list of received chunks plus an offset into the
 * first one. Appending never copies; taking bytes copies only when they span
 * several chunks. Consumed chunks are dropped by advancing `#head`, and the
 * array is compacted once the dead prefix is both long and more than half of
 * it, so every operation is amortised O(1) per chunk.
 */
const EMPTY = Buffer.alloc(0);

/** Compact the chunk array once this many consumed slots lead it (and they are the majority). */
const COMPACT_THRESHOLD = 64;

export class ChunkBuffer {
  #chunks: Buffer[] = [];
  #head = 0;
  #offset = 0;
  #size = 0;
  /** Search cursor cache: chunk index and the logical position where that chunk's live bytes begin. */
  #cursorIndex = 0;
  #cursorBase = 0;

  get size(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** The byte at logical position `pos` (< size). */
  byteAt(pos: number): number {
    this.#locate(pos);
    let i = this.#cursorIndex;
    let base = this.#cursorBase;
    for (;;) {
      const c = this.#chunks[i]!;
      const start = i === this.#head ? this.#offset : 0;
      const len = c.length - start;
      if (pos < base + len) return c[start + pos - base]!;
      base += len;
      i++;
    }
  }

  /** True when the bytes at `pos` equal `sep` (all of them present). */
  matchesAt(pos: number, sep: Uint8Array): boolean {
    if (pos + sep.length > this.#size) return false;
    for (let k = 0; k < sep.length; k++) if (this.byteAt(pos + k) !== sep[k]) return false;
    return true;
  }

  /** Moves the cursor to the chunk holding logical position `pos` (< size), or as near as possible. */
  #locate(pos: number): void {
    if (this.#cursorIndex < this.#head || pos < this.#cursorBase) {
      this.#cursorIndex = this.#head;
      this.#cursorBase = 0;
    }
    const chunks = this.#chunks;
    for (;;) {
      const i = this.#cursorIndex;
      const c = chunks[i];
      if (c === undefined) return;
      const len = c.length - (i === this.#head ? this.#offset : 0);
      if (pos < this.#cursorBase + len || i === chunks.length - 1) return;
      this.#cursorBase += len;
      this.#cursorIndex = i + 1;
    }
  }

  /**
   * The first logical position >= `from` where `sep` occurs, or -1.
   * Linear in the bytes after `from` (plus the chunks skipped once).
   */
  indexOf(sep: Uint8Array, from: number): number {
    const seplen = sep.length;
    if (from < 0) from = 0;
    if (from + seplen > this.#size) return -1;
    this.#locate(from);
    const chunks = this.#chunks;
    let base = this.#cursorBase;
    for (let i = this.#cursorIndex; i < chunks.length; i++) {
      const c = chunks[i]!;
      const start = i === this.#head ? this.#offset : 0;
      const len = c.length - start;
      const localFrom = Math.max(start, start + (from - base));
      if (localFrom < c.length) {
        const found = c.indexOf(sep, localFrom);
        if (found !== -1) return base + (found - start);
        // Matches that begin in this chunk and end in a later one.
        for (let k = Math.max(localFrom, c.length - seplen + 1); k < c.length; k++) {
          const pos = base + (k - start);
          if (pos + seplen > this.#size) return -1;
          if (c[k] === sep[0] && this.matchesAt(pos, sep)) return pos;
        }
      }
      base += len;
    }
    return -1;
  }

  /** Removes and returns the first `n` bytes (n <= size). */
  take(n: number): Buffer {
    if (n > this.#size) n = this.#size;
    if (n <= 0) return EMPTY;
    const chunks = this.#chunks;
    const first = chunks[this.#head]!;
    const avail = first.length - this.#offset;
    if (n <= avail) {
      const out = first.subarray(this.#offset, this.#offset + n);
      if (n === avail) this.#dropHead();
      else this.#offset += n;
      this.#size -= n;
      this.#cursorIndex = this.#head;
      this.#cursorBase = 0;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const c = this.#chunks[this.#head]!;
      const start = this.#offset;
      const want = n - written;
      const have = c.length - start;
      if (have <= want) {
        c.copy(out, written, start);
        written += have;
        this.#dropHead();
      } else {
        c.copy(out, written, start, start + want);
        written += want;
        this.#offset += want;
      }
    }
    this.#size -= n;
    this.#cursorIndex = this.#head;
    this.#cursorBase = 0;
    return out;
  }

  /** Removes and returns everything. */
  takeAll(): Buffer {
    return this.take(this.#size);
  }

  /** Drops everything. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#size = 0;
    this.#cursorIndex = 0;
    this.#cursorBase = 0;
  }

  #dropHead(): void {
    this.#chunks[this.#head] = EMPTY;
    this.#head++;
    this.#offset = 0;
    const head = this.#head;
    if (head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (head >= COMPACT_THRESHOLD && head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(head);
      this.#head = 0;
    }
  }
}
