#!/usr/bin/env node
// Opens the built docs site (docs/api, from `pnpm run docs`) in headless
// Chromium, as a reader meets it, and checks what the reader sees first:
// - the front page says what @aio is and links "asyncio user? start here"
//   and "library author? start here";
// - the sidebar lists the guides first, in reading order, with human titles,
//   then the API (one module per package), then the porting notes, then the
//   design notes.
// The sidebar is drawn by the site's JavaScript, so the page is rendered by
// a real browser (`chromium --headless --dump-dom`), not read as a file.
// Exit code 1 on a failed check; without Chromium it says so and skips.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const index = join(root, "docs", "api", "index.html");

/**
 * The guides, in reading order, as the sidebar must list them first: the
 * order is the one place `typedoc.json` states it (`projectDocuments`), the
 * titles are each guide's front matter.
 */
export function guides() {
  const config = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8"));
  return config.projectDocuments
    .filter((p) => p.startsWith("docs/guide/") && !p.includes("*"))
    .map((p) => {
      const src = readFileSync(join(root, p), "utf8");
      const title = /^---\n[\s\S]*?^title: "?(.*?)"?$[\s\S]*?^---$/m.exec(src)?.[1];
      if (title === undefined) throw new Error(`${p} has no title in its front matter`);
      return title.replace(/\\"/g, '"');
    });
}

/** The sidebar's top-level sections, in order. */
export const SECTIONS = ["Guides", "Modules", "Porting from asyncio", "Design notes"];

function findChromium() {
  for (const candidate of [
    process.env.CHROMIUM,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

function render(browser, url) {
  const r = spawnSync(
    browser,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      // Lets the page's scripts (the sidebar is built from compressed data) finish.
      "--virtual-time-budget=10000",
      "--dump-dom",
      url,
    ],
    { encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 },
  );
  if (r.status !== 0 || !r.stdout) {
    throw new Error(
      `chromium failed (${r.status}): ${(r.stderr || r.error?.message || "").slice(0, 500)}`,
    );
  }
  return r.stdout;
}

const text = (html) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();

/** The sidebar's sections and the titles of their direct entries, in order. */
export function sidebar(dom) {
  const start = dom.indexOf('id="tsd-nav-container"');
  if (start === -1) throw new Error("no sidebar (#tsd-nav-container) in the rendered page");
  const nav = dom.slice(start);
  const sections = [];
  // Top-level sections are accordions keyed by their name alone (no "$").
  const re = /<summary class="tsd-accordion-summary" data-key="([^"$]+)">/g;
  const marks = [...nav.matchAll(re)];
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    const body = nav.slice(m.index, marks[i + 1]?.index ?? nav.length);
    const entries = [];
    // Direct entries: a link, or (a module) an accordion whose summary holds the link.
    for (const e of body.matchAll(
      /<a href="[^"]*"[^>]*>(?:<svg[\s\S]*?<\/svg>)?<span>([\s\S]*?)<\/span><\/a>/g,
    )) {
      entries.push(text(e[1]));
    }
    sections.push({ name: m[1], entries });
  }
  return sections;
}

function check(cond, message, failures) {
  if (!cond) failures.push(message);
}

export function checkSite(dom) {
  const failures = [];
  const sections = sidebar(dom);
  const names = sections.map((s) => s.name);
  check(
    JSON.stringify(names) === JSON.stringify(SECTIONS),
    `sidebar sections: expected ${JSON.stringify(SECTIONS)}, got ${JSON.stringify(names)}`,
    failures,
  );
  const listed = sections.find((s) => s.name === "Guides")?.entries ?? [];
  const expected = guides();
  check(
    expected[0] === "Start here" && JSON.stringify(listed) === JSON.stringify(expected),
    `guides in reading order: expected ${expected.join(" | ")}, got ${listed.join(" | ")}`,
    failures,
  );
  check(new Set(listed).size === listed.length, `a guide is listed twice: ${listed}`, failures);
  const modules = sections.find((s) => s.name === "Modules")?.entries ?? [];
  check(
    modules.includes("@aio/core") && modules.includes("@aio/futures"),
    `the API section lists the packages: got ${JSON.stringify(modules.slice(0, 10))}`,
    failures,
  );
  // The front page: what @aio is, and the two "start here" links.
  const main = dom.slice(dom.indexOf('<div class="col-content">'));
  check(
    /asyncio model for TypeScript/.test(main),
    "front page: the one-paragraph summary",
    failures,
  );
  check(
    /asyncio user\?[\s\S]{0,80}<a href="documents\/Start_here\.html"/.test(main),
    "front page: 'asyncio user? start here' links the Start here guide",
    failures,
  );
  check(
    /Library author\?[\s\S]{0,80}<a href="documents\/[^"]*[Ll]ibrary[^"]*\.html"/.test(main),
    "front page: 'library author? start here' links the library authors' guide",
    failures,
  );
  return failures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (!existsSync(index)) {
    console.error("docs/api/index.html is missing: run `pnpm run docs` first");
    process.exit(1);
  }
  const browser = findChromium();
  if (browser === null) {
    console.log("check-docs-site: skipped (no Chromium; set CHROMIUM=/path/to/chromium)");
    process.exit(0);
  }
  const failures = checkSite(render(browser, pathToFileURL(index).href));
  if (failures.length !== 0) {
    for (const f of failures) console.error(`check-docs-site: ${f}`);
    process.exit(1);
  }
  console.log(
    "check-docs-site: the guides come first, in reading order; front page links both start pages",
  );
}
