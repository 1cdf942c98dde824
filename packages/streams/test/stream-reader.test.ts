import {
  isCancelledError,
  isRuntimeError,
  isValueError,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import {
  DEFAULT_LIMIT,
  IncompleteReadError,
  isIncompleteReadError,
  isLimitOverrunError,
  LimitOverrunError,
  StreamReader,
} from "@aio/streams";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

const b = (s: string) => Buffer.from(s);
const str = (x: Uint8Array) => Buffer.from(x).toString();

function fed(chunks: string[], eof = true, limit?: number): StreamReader {
  const r = new StreamReader(limit === undefined ? {} : { limit });
  for (const c of chunks) r.feedData(b(c));
  if (eof) r.feedEof();
  return r;
}

describe("StreamReader", () => {
  test("StreamReader() validates limit: 0 and fractions are ValueError, non-numbers TypeError", () => {
    expect(() => new StreamReader({ limit: 0 })).toThrow(ValueError);
    expect(() => new StreamReader({ limit: 0 })).toThrow(
      "StreamReader limit must be an integer >= 1, received 0",
    );
    expect(() => new StreamReader({ limit: 1.5 })).toThrow(RangeError);
    expect(() => new StreamReader({ limit: "1" as never })).toThrow(TypeError);
    expect(new StreamReader().limit).toBe(DEFAULT_LIMIT);
    expect(DEFAULT_LIMIT).toBe(65536);
  });

  test("StreamReader.feedData() after feedEof() throws RuntimeError; non-bytes throw TypeError", () => {
    const r = new StreamReader();
    expect(() => r.feedData("x" as never)).toThrow(TypeError);
    r.feedEof();
    expect(() => r.feedData(b("x"))).toThrow(RuntimeError);
  });

  test("StreamReader.toString() has asyncio's repr shape", async () => {
    await run(async () => {
      const r = new StreamReader({ limit: 10 });
      expect(String(r)).toBe("<StreamReader limit=10>");
      r.feedData(b("abc"));
      r.feedEof();
      expect(String(r)).toMatch(/^<StreamReader 3 bytes eof limit=10>$/);
      expect(Object.prototype.toString.call(r)).toBe("[object StreamReader]");
      const w = new StreamReader();
      const t = createTask(() => w.read(1));
      await sleep(0);
      expect(String(w)).toMatch(/^<StreamReader waiter=<Future pending.*>>$/);
      w.feedEof();
      await t;
    });
  });
});

describe("StreamReader.read()", () => {
  test("StreamReader.read(n) returns at most n bytes, across chunks, then empty at EOF", async () => {
    const out = await run(async () => {
      const r = fed(["ab", "cd", "ef"]);
      return [
        str(await r.read(3)),
        str(await r.read(1)),
        str(await r.read(100)),
        str(await r.read(5)),
        str(await r.read(0)),
      ];
    });
    expect(out).toEqual(["abc", "d", "ef", "", ""]);
  });

  test("StreamReader.read() with no argument reads to EOF", async () => {
    const out = await run(async () => {
      const r = new StreamReader({ limit: 4 });
      const t = createTask(() => r.read());
      for (const c of ["hello ", "big ", "world"]) {
        await sleep(0);
        r.feedData(b(c));
      }
      r.feedEof();
      return str(await t);
    });
    expect(out).toBe("hello big world");
  });

  test("StreamReader.read() validates n", async () => {
    await run(async () => {
      const r = fed([]);
      await expect(r.read(1.5)).rejects.toThrow(ValueError);
      await expect(r.read("1" as never)).rejects.toThrow(TypeError);
    });
  });

  test("StreamReader.read() while another read waits throws RuntimeError", async () => {
    await run(async () => {
      const r = new StreamReader();
      const t = createTask(() => r.read(10));
      await sleep(0);
      await expect(r.read(10)).rejects.toThrow(
        "read() called while another task is already waiting for incoming data",
      );
      r.feedData(b("x"));
      expect(str(await t)).toBe("x");
    });
  });
});

describe("StreamReader.readexactly()", () => {
  test("StreamReader.readexactly() waits across chunks and returns exactly n bytes", async () => {
    const out = await run(async () => {
      const r = new StreamReader();
      const t = createTask(() => r.readexactly(5));
      r.feedData(b("ab"));
      await sleep(0);
      r.feedData(b("cdefg"));
      return [str(await t), str(await r.readexactly(2)), str(await r.readexactly(0))];
    });
    expect(out).toEqual(["abcde", "fg", ""]);
  });

  test("StreamReader.readexactly() at EOF raises IncompleteReadError with partial and expected", async () => {
    await run(async () => {
      const r = fed(["abc"]);
      const err = await r.readexactly(5).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncompleteReadError);
      expect(isIncompleteReadError(err)).toBe(true);
      const e = err as IncompleteReadError;
      expect([str(e.partial), e.expected, e.message, e.name]).toEqual([
        "abc",
        5,
        "3 bytes read on a total of 5 expected bytes",
        "IncompleteReadError",
      ]);
      expect(r.atEof()).toBe(true);
    });
  });

  test("StreamReader.readexactly(-1) throws ValueError naming the argument", async () => {
    await run(async () => {
      const r = fed(["abc"]);
      await expect(r.readexactly(-1)).rejects.toThrow(
        "readexactly() n must be an integer >= 0, received -1",
      );
      await expect(r.readexactly(-1)).rejects.toSatisfy(isValueError);
      expect(str(await r.read())).toBe("abc");
    });
  });
});

describe("StreamReader.readuntil()", () => {
  test("StreamReader.readuntil() finds a separator split across chunks", async () => {
    const out = await run(async () => {
      const r = new StreamReader();
      const t = createTask(() => r.readuntil("\r\n"));
      for (const c of ["GET / HTTP/1.1\r", "\nHost: x\r", "\n\r", "\n"]) {
        r.feedData(b(c));
        await sleep(0);
      }
      r.feedEof();
      return [str(await t), str(await r.readuntil("\r\n")), str(await r.readuntil("\r\n"))];
    });
    expect(out).toEqual(["GET / HTTP/1.1\r\n", "Host: x\r\n", "\r\n"]);
  });

  test("StreamReader.readuntil() with several separators takes the match that ends first", async () => {
    const out = await run(async () => {
      const r = fed(["ab;cd\r\nef\n"]);
      return [
        str(await r.readuntil(["\r\n", ";"])),
        str(await r.readuntil([b("\n"), b("\r\n")])),
        str(await r.readuntil(["\n"])),
      ];
    });
    expect(out).toEqual(["ab;", "cd\r\n", "ef\n"]);
  });

  test("StreamReader.readuntil() at EOF raises IncompleteReadError with expected null", async () => {
    await run(async () => {
      const r = fed(["no separator"]);
      const e = (await r.readuntil("\n").catch((x: unknown) => x)) as IncompleteReadError;
      expect([e.name, str(e.partial), e.expected, e.message]).toEqual([
        "IncompleteReadError",
        "no separator",
        null,
        "12 bytes read on a total of undefined expected bytes",
      ]);
    });
  });

  test("StreamReader.readuntil() over the limit raises LimitOverrunError and keeps the buffer", async () => {
    await run(async () => {
      const r = fed(["abcdefgh", "ij\n"], true, 4);
      const e = (await r.readuntil("\n").catch((x: unknown) => x)) as LimitOverrunError;
      expect(e).toBeInstanceOf(LimitOverrunError);
      expect(isLimitOverrunError(e)).toBe(true);
      expect(e.message).toBe("Separator is found, but chunk is longer than limit");
      expect(e.consumed).toBe(10);
      expect(str(await r.read())).toBe("abcdefghij\n");
    });
    await run(async () => {
      const r = new StreamReader({ limit: 4 });
      const t = createTask(() => r.readuntil("\n"));
      r.feedData(b("abc"));
      await sleep(0);
      r.feedData(b("defgh"));
      const e = (await t.catch((x: unknown) => x)) as LimitOverrunError;
      expect([e.name, e.message, e.consumed]).toEqual([
        "LimitOverrunError",
        "Separator is not found, and chunk exceed the limit",
        8,
      ]);
      r.feedEof();
      expect(str(await r.read())).toBe("abcdefgh");
    });
  });

  test("StreamReader.readuntil() rejects empty separators with ValueError", async () => {
    await run(async () => {
      const r = fed(["a\n"]);
      await expect(r.readuntil("")).rejects.toThrow("Separator should be at least one-byte string");
      await expect(r.readuntil([])).rejects.toThrow(
        "Separator should contain at least one element",
      );
      await expect(r.readuntil(5 as never)).rejects.toThrow(TypeError);
      expect(str(await r.readline())).toBe("a\n");
    });
  });

  test("StreamReader.readuntil() stays linear with 200,000 one-byte chunks", async () => {
    const n = await run(async () => {
      const r = new StreamReader({ limit: 1 << 20 });
      const t = createTask(() => r.readuntil("\r\n\r\n"));
      await sleep(0);
      for (let i = 0; i < 200_000; i++) {
        r.feedData(b("x"));
        if (i % 1000 === 0) await sleep(0);
      }
      r.feedData(b("\r\n\r\n"));
      return (await t).length;
    });
    expect(n).toBe(200_004);
  });
});

describe("StreamReader.readline()", () => {
  test("StreamReader.readline() returns lines, the unterminated tail, then empty", async () => {
    const out = await run(async () => {
      const r = fed(["one\ntw", "o\nthr", "ee"]);
      const lines: string[] = [];
      for (let i = 0; i < 4; i++) lines.push(str(await r.readline()));
      return lines;
    });
    expect(out).toEqual(["one\n", "two\n", "three", ""]);
  });

  test("StreamReader.readline() over the limit throws ValueError and discards that line (asyncio)", async () => {
    const out = await run(async () => {
      const r = fed(["0123456789\nok\n"], true, 4);
      const err = await r.readline().catch((e: unknown) => e);
      expect(isValueError(err)).toBe(true);
      expect((err as Error).message).toBe("Separator is found, but chunk is longer than limit");
      return str(await r.readline());
    });
    expect(out).toBe("ok\n");
  });

  test("StreamReader async iteration yields every line", async () => {
    const out = await run(async () => {
      const r = fed(["a\nb", "\nc"]);
      const lines: string[] = [];
      for await (const line of r) lines.push(str(line));
      return lines;
    });
    expect(out).toEqual(["a\n", "b\n", "c"]);
  });

  test("StreamReader.readline() over random chunkings equals splitting the input", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("a", "b", "\n", "\r", "xyz"), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (parts, cuts) => {
          const text = parts.join("");
          const chunks: string[] = [];
          let pos = 0;
          for (let i = 0; pos < text.length; i++) {
            const n = cuts[i % cuts.length]!;
            chunks.push(text.slice(pos, pos + n));
            pos += n;
          }
          const lines = await run(async () => {
            const r = new StreamReader();
            const t = createTask(async () => {
              const got: string[] = [];
              for await (const line of r) got.push(str(line));
              return got;
            });
            for (const c of chunks) {
              r.feedData(b(c));
              await sleep(0);
            }
            r.feedEof();
            return t;
          });
          expect(lines).toEqual(text.match(/[^\n]*\n|[^\n]+$/g) ?? []);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("StreamReader cancellation", () => {
  test("a task cancelled in readexactly() loses no byte", async () => {
    const out = await run(async () => {
      const r = new StreamReader();
      const events: string[] = [];
      const t = createTask(async () => {
        try {
          await r.readexactly(10);
        } catch (e) {
          events.push(isCancelledError(e) ? "cancelled" : "other");
          throw e;
        }
      });
      await sleep(0);
      r.feedData(b("01234"));
      await sleep(0);
      t.cancel();
      await t.catch(() => {});
      r.feedData(b("56789"));
      events.push(str(await r.readexactly(10)));
      return events;
    });
    expect(out).toEqual(["cancelled", "0123456789"]);
  });

  test("a task cancelled in readuntil() and readline() leaves the buffer for the next reader", async () => {
    const out = await run(async () => {
      const r = new StreamReader();
      const t1 = createTask(() => r.readuntil("END"));
      r.feedData(b("abcEN"));
      await sleep(0);
      t1.cancel();
      const t2 = createTask(() => r.readline());
      await sleep(0);
      t2.cancel();
      const results = [
        await t1.catch((e: unknown) => (e as Error).name),
        await t2.catch((e: unknown) => (e as Error).name),
      ];
      r.feedData(b("D\n"));
      return [...results, str(await r.readline())];
    });
    expect(out).toEqual(["CancelledError", "CancelledError", "abcEND\n"]);
  });
});

describe("StreamReader cancellation (property)", () => {
  type Op =
    | { kind: "feed"; text: string }
    | { kind: "read"; how: "read" | "readexactly" | "readline" | "readuntil"; n: number }
    | { kind: "cancel" }
    | { kind: "step" };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("feed" as const), text: fc.stringMatching(/^[ab\n;]{1,6}$/) }),
    fc.record({
      kind: fc.constant("read" as const),
      how: fc.constantFrom(
        "read" as const,
        "readexactly" as const,
        "readline" as const,
        "readuntil" as const,
      ),
      n: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({ kind: fc.constant("cancel" as const) }),
    fc.record({ kind: fc.constant("step" as const) }),
  );

  test("random reads, feeds and cancellations never lose or reorder a byte", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { fed, got } = await run(async () => {
          const r = new StreamReader();
          let fed = "";
          let got = "";
          let current: ReturnType<typeof createTask<Buffer>> | null = null;
          const settle = async () => {
            if (current === null) return;
            const t = current;
            current = null;
            if (!t.done()) await sleep(0);
            if (!t.done()) t.cancel(); // still waiting for data: give up on it
            try {
              got += str(await t);
            } catch (e) {
              if (!isCancelledError(e)) throw e;
            }
          };
          for (const o of ops) {
            if (o.kind === "feed") {
              r.feedData(b(o.text));
              fed += o.text;
            } else if (o.kind === "read") {
              await settle();
              current = createTask(() =>
                o.how === "read"
                  ? r.read(o.n)
                  : o.how === "readexactly"
                    ? r.readexactly(o.n)
                    : o.how === "readline"
                      ? r.readline()
                      : r.readuntil(";"),
              );
            } else if (o.kind === "cancel") {
              current?.cancel();
            } else {
              await sleep(0);
            }
          }
          await sleep(0);
          current?.cancel();
          await settle();
          r.feedEof();
          got += str(await r.read());
          return { fed, got };
        });
        expect(got).toBe(fed);
      }),
      { numRuns: 150 },
    );
  });
});

describe("StreamReader.setException()", () => {
  test("StreamReader.setException(): buffered bytes are still returned, then the error", async () => {
    const out = await run(async () => {
      const r = new StreamReader();
      r.feedData(b("partial"));
      const err = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
      r.setException(err);
      const first = str(await r.read(3));
      const e1 = await r.readexactly(10).catch((e: { code?: string }) => e.code);
      const rest = str(await r.read(100));
      const e2 = await r.read(1).catch((e: { code?: string }) => e.code);
      return [first, e1, rest, e2, r.exception() === err];
    });
    expect(out).toEqual(["par", "ECONNRESET", "tial", "ECONNRESET", true]);
  });

  test("StreamReader.setException() wakes a waiting read with the error", async () => {
    await run(async () => {
      const r = new StreamReader();
      const t = createTask(() => r.readline());
      await sleep(0);
      r.setException(new RuntimeError("boom"));
      await expect(t).rejects.toSatisfy(isRuntimeError);
    });
  });
});

describe("StreamReader flow control", () => {
  test("StreamReader pauses its transport above 2 × limit and resumes at limit", async () => {
    const events = await run(async () => {
      const events: string[] = [];
      const r = new StreamReader({ limit: 4 });
      r.setTransport({
        pauseReading: () => events.push("pause"),
        resumeReading: () => events.push("resume"),
      });
      expect(() => r.setTransport({ pauseReading() {}, resumeReading() {} })).toThrow(RuntimeError);
      r.feedData(b("12345678"));
      events.push("fed 8");
      r.feedData(b("9"));
      events.push("fed 9");
      expect(String(r)).toContain("paused");
      await r.read(2);
      events.push("read 2");
      await r.read(3);
      events.push("read 3");
      return events;
    });
    expect(events).toEqual(["fed 8", "pause", "fed 9", "read 2", "resume", "read 3"]);
  });

  test("StreamReader resumes a paused transport when a read must wait (readexactly(n > limit))", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const r = new StreamReader({ limit: 2 });
      r.setTransport({
        pauseReading: () => events.push("pause"),
        resumeReading: () => events.push("resume"),
      });
      r.feedData(b("12345"));
      const t = createTask(() => r.readexactly(8));
      await sleep(0);
      r.feedData(b("678"));
      events.push(str(await t));
      return events;
    });
    expect(out).toEqual(["pause", "resume", "pause", "resume", "12345678"]);
  });
});

describe("StreamReader Web streams", () => {
  test("StreamReader.toReadableStream() feeds a Response", async () => {
    const text = await run(async () => {
      const r = new StreamReader();
      const t = createTask(() => new Response(r.toReadableStream()).text());
      r.feedData(b("hello "));
      await sleep(0);
      r.feedData(b("web"));
      r.feedEof();
      return t;
    });
    expect(text).toBe("hello web");
  });

  test("StreamReader.fromReadableStream() reads a Web stream line by line, pausing the source", async () => {
    const out = await run(async () => {
      let pulls = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++;
          if (pulls > 50) controller.close();
          else controller.enqueue(b(`line ${pulls}\n`));
        },
      });
      const r = StreamReader.fromReadableStream(source, { limit: 16 });
      await sleep(0);
      for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
      const pullsWhilePaused = pulls;
      const lines: string[] = [];
      for await (const line of r) lines.push(str(line));
      return { pullsWhilePaused, count: lines.length, last: lines.at(-1) };
    });
    expect(out.count).toBe(50);
    expect(out.last).toBe("line 50\n");
    expect(out.pullsWhilePaused).toBeLessThan(10);
    expect(() => StreamReader.fromReadableStream({} as never)).toThrow(TypeError);
  });
});
