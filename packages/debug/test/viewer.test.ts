import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startTrace, stopTrace, viewerHtml, viewerUrl } from "@aio/debug";
import { createTask, currentTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { describe, expect, test } from "vitest";

const BROWSER_TIME_LIMIT_MS = 30_000;

function findChromium(): string | null {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() !== "") return r.stdout.trim();
  }
  return null;
}

function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    "--window-size=1200,700",
  ];
}

async function recordTrace() {
  startTrace();
  await run(async () => {
    currentTask()!.setName("main");
    await gather(
      createTask(() => sleep(5), { name: "fetch" }),
      createTask(() => sleep(5), { name: "parse" }),
    );
  });
  return stopTrace();
}

describe("viewerHtml", () => {
  test("viewerHtml() embeds the trace in the self-contained viewer page", async () => {
    const trace = await recordTrace();
    const html = viewerHtml(trace);
    expect(html).toContain('<script id="aio-trace" type="application/json">{"traceEvents":');
    expect(html).not.toMatch(/(?:src|href)=["']?https?:|fetch\(|XMLHttpRequest|@import/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(readFileSync(viewerUrl(), "utf8")).toContain(
      '<script id="aio-trace" type="application/json">null</script>',
    );
    expect(viewerHtml('{"a":"</script>"}')).toContain('{"a":"\\u003c/script>"}');
    expect(() => viewerHtml(1 as never)).toThrow(
      new TypeError("viewerHtml() trace must be a trace or its JSON text, received 1"),
    );
  });

  test(
    "the viewer renders a trace as a timeline and a task table in headless Chromium",
    async () => {
      const chromium = findChromium();
      if (chromium === null) {
        console.log(
          "viewer test: chromium is not installed (apt-get install chromium); skipping the browser check",
        );
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), "aio-viewer-"));
      try {
        const trace = await recordTrace();
        const page = join(dir, "trace.html");
        writeFileSync(page, viewerHtml(trace));
        const url = pathToFileURL(page).href;
        const dom = execFileSync(chromium, [...chromiumArgs(join(dir, "p1")), "--dump-dom", url], {
          encoding: "utf8",
          timeout: BROWSER_TIME_LIMIT_MS,
          stdio: ["ignore", "pipe", "ignore"],
        });
        expect(dom).toContain('data-rendered="ok"');
        const rows = [...dom.matchAll(/<div class="label" title="([^"]*)">/g)].map((m) =>
          m[1]!.replace(/ \(#\d+\)$/, ""),
        );
        expect(rows.slice(0, 4)).toEqual(["event loop", "main", "fetch", "parse"]);
        expect(dom).toMatch(/embedded trace: \d+ tracks, \d+ slices, 2 await arrows/);
        expect((dom.match(/<line /g) ?? []).length).toBe(2);

        const shot = join(dir, "shot.png");
        execFileSync(chromium, [...chromiumArgs(join(dir, "p2")), `--screenshot=${shot}`, url], {
          timeout: BROWSER_TIME_LIMIT_MS,
          stdio: "ignore",
        });
        const png = readFileSync(shot);
        expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
        expect(png.readUInt32BE(16)).toBe(1200); // IHDR width
        expect(png.length).toBeGreaterThan(5000); // not a blank page

        writeFileSync(page, viewerHtml('{"traceEvents":[{"name":"step","ph":"X"'));
        const broken = execFileSync(
          chromium,
          [...chromiumArgs(join(dir, "p3")), "--dump-dom", url],
          {
            encoding: "utf8",
            timeout: BROWSER_TIME_LIMIT_MS,
            stdio: ["ignore", "pipe", "ignore"],
          },
        );
        expect(broken).toContain('data-rendered="error"');
        expect(broken).toMatch(
          /embedded trace is not a complete trace \(.+\); was it truncated while being written\?/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // Three browser starts, each bounded by BROWSER_TIME_LIMIT_MS: on a
      // loaded machine one start alone can take longer than vitest's default.
    },
    3 * BROWSER_TIME_LIMIT_MS + 10_000,
  );
});
