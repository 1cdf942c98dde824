import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as protocol from "../src/internal/protocol.js";

// worker-main.ts is shipped to workers as source and cannot import
// protocol.ts: it repeats the tags as local constants. They must agree.
const read = (name: string) =>
  readFileSync(new URL(`../src/internal/${name}`, import.meta.url), "utf8");

function tags(source: string, pattern: RegExp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of source.matchAll(pattern)) out[m[1]!] = Number(m[2]);
  return out;
}

describe("the worker protocol", () => {
  test("the message tags in worker-main.ts equal the constants in protocol.ts", () => {
    const declared = tags(read("protocol.ts"), /^export const ([MR]_[A-Z_]+) = (\d+);$/gm);
    const repeated = tags(read("worker-main.ts"), /^\s+const ([MR]_[A-Z_]+) = (\d+);$/gm);
    expect(Object.keys(declared).sort()).toEqual([
      "M_CANCEL",
      "M_INIT",
      "M_JOB",
      "M_RESUME",
      "R_ERR",
      "R_INIT_ERR",
      "R_INIT_OK",
      "R_OK",
      "R_SKIPPED",
    ]);
    expect(repeated).toEqual(declared);
    // The parsed source agrees with the module's values.
    for (const [name, value] of Object.entries(declared)) {
      expect((protocol as unknown as Record<string, number>)[name]).toBe(value);
    }
  });

  test("worker-main.ts compares and replies with the named tags only, never bare numbers", () => {
    const src = read("worker-main.ts");
    expect(src.match(/\[0\] === \d/g)).toBeNull();
    expect(src.match(/reply\(\[\d/g)).toBeNull();
  });
});
