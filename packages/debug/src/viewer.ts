import { describeValue } from "@aio/core";
import { VIEWER_PAGE } from "./internal/viewer-page.js";
import type { Trace } from "./trace.js";

const PLACEHOLDER = '<script id="aio-trace" type="application/json">null</script>';

/**
 * The path of `@aio/debug`'s self-contained trace viewer page
 * (`viewer/index.html`, written by the package's build): open it in a
 * browser and pick a trace file.
 *
 * @returns the file URL of the page.
 * @example
 * ```ts
 * import { viewerUrl } from "@aio/debug";
 * console.log(viewerUrl().href); // file:///…/@aio/debug/viewer/index.html
 * ```
 */
export function viewerUrl(): URL {
  return new URL("../viewer/index.html", import.meta.url);
}

/**
 * The viewer page with a trace embedded: write it to a file and open it in
 * any browser, no network needed. It draws one timeline row per task (and
 * per loop's callbacks), the await arrows, and a table of the tracks. The
 * page is part of the package's code, so this works on every runtime: in a
 * browser, show it in an `<iframe srcdoc>` or a Blob URL.
 *
 * @param trace - a trace, or the text of a trace file.
 * @returns the HTML.
 * @throws {TypeError} when `trace` is neither an object nor a string.
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { startTrace, stopTrace, viewerHtml } from "@aio/debug";
 * import { run } from "@aio/loop";
 * startTrace();
 * await run(async () => {});
 * writeFileSync("trace.html", viewerHtml(stopTrace()));
 * ```
 */
export function viewerHtml(trace: Trace | string): string {
  if (typeof trace !== "string" && (typeof trace !== "object" || trace === null)) {
    throw new TypeError(
      `viewerHtml() trace must be a trace or its JSON text, received ${describeValue(trace)}`,
    );
  }
  const text = typeof trace === "string" ? trace : JSON.stringify(trace);
  // "<" cannot end the script element once escaped; JSON.parse reads \u003c back.
  const safe = text.replace(/</g, "\\u003c");
  return VIEWER_PAGE.replace(
    PLACEHOLDER,
    () => `<script id="aio-trace" type="application/json">${safe}</script>`,
  );
}
