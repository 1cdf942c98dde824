/**
 * The one escaping function for text that reaches a terminal from somewhere
 * else (a task name, a loop's repr, a reply read from an `aio-debug` socket):
 * a task name is whatever the program passed to `setName()`, and a forged
 * reply can carry anything, so nothing is printed raw.
 */

/**
 * What is escaped: C0 controls (U+0000–U+001F, ESC among them, so no escape
 * sequence survives), DEL (U+007F), C1 controls (U+0080–U+009F, CSI U+009B
 * among them: a one-character escape sequence on some terminals), the line
 * and paragraph separators, and the bidirectional overrides and isolates
 * (they reorder what a reader sees).
 */
export function isControl(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

const SHORT: Readonly<Record<number, string>> = { 10: "\\n", 13: "\\r", 9: "\\t" };

function escapeOne(code: number): string {
  const short = SHORT[code];
  if (short !== undefined) return short;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control character written as an escape (`\x1b`, `\n`,
 * `\x9b`, `\u202e`); everything else as it is.
 */
export function escapeControl(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isControl(code)) continue;
    out += text.slice(from, i) + escapeOne(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
