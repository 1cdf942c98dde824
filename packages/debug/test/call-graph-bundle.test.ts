/**
 * Call graphs in a page bundled by esbuild (one URL for @aio's code and the
 * user's, so no frame can be told apart by its file), run in headless
 * Chromium, and the same bundle run by Node: the graphs (kinds and names of
 * the entries, the awaited-by chain) and `formatCallGraph`'s text (file and
 * line aside) must be the same as what the sources give on Node. Bundled
 * twice: as is (names kept) and minified (the user's functions renamed
 * too: the expected names are read from the functions themselves). The
 * packages come from their sources (the `browser` entry where a package has
 * one), so the test checks the current code. Needs Chromium (`AIO_CHROMIUM`,
 * default `/usr/bin/chromium`); listed in `scripts/runtime-skips.ts` for the
 * runtimes that do not drive a bundler and a browser from the test.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { chromium } from "playwright";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHROMIUM = process.env.AIO_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The app. Each case returns the graph's shape (`[task name, ["<kind tag>
 * <name>", …], [awaiting tasks…]]`), the text with files, lines and ids
 * replaced, and the shape expected from the functions' own names.
 */
const APP = `
import { captureCallGraph, disableDebug, enableDebug, formatCallGraph } from "@aio/debug";
import { createTask, sleep, timeout } from "@aio/futures";
import { run } from "@aio/loop";

const TAG = { sync: "s", async: "a", generator: "g", created: "c" };
// The main task of each run() is Task-<n>: the counter goes on across runs.
const shape = (g) => [
  typeof g.future.getName === "function" ? g.future.getName().replace(/^Task-\\d+$/, "Task-<n>") : "F",
  g.callStack.map((e) => TAG[e.kind] + " " + e.name),
  g.awaitedBy.map(shape),
];
// A minifier renames @aio's createTask() and run() too, and the creation
// site of a task they made is then their frame (docs/design/call-graph-frames.md).
const MINIFIED = createTask.name !== "createTask";
const created = (creator) => "c " + (MINIFIED ? createTask.name : creator.name);
const createdByRun = (caller) => "c " + (MINIFIED ? run.name : caller.name);
const plain = (t) =>
  t.replace(/File '[^']*', line \\d+/g, "File '<file>', line <n>").replace(/id=\\d+/g, "id=<id>").replace(/'Task-\\d+'/g, "'Task-<n>'");

// An async task awaiting another task; the current one inside nested helpers.
async function awaitedChain() {
  let graph, text;
  function helper() {
    graph = captureCallGraph();
    text = formatCallGraph();
  }
  async function middle() {
    await sleep(0);
    helper();
  }
  async function leaf() {
    await middle();
  }
  async function parent() {
    await createTask(leaf, { name: "leaf" });
  }
  await run(async function main() {
    await createTask(parent, { name: "parent" });
  });
  const main = ["Task-<n>", [], []];
  return {
    shape: shape(graph),
    text: plain(text),
    expected: ["leaf", ["s " + helper.name, "s " + middle.name, "a " + leaf.name], [["parent", [], [main]]]],
  };
}

// The same with enableDebug(): the suspended tasks show where they were created.
async function createdSites() {
  enableDebug({ lagThreshold: Number.POSITIVE_INFINITY, pendingAtStop: false });
  try {
    let graph, text;
    async function leaf() {
      await sleep(0);
      graph = captureCallGraph();
      text = formatCallGraph();
    }
    async function startLeaf() {
      await createTask(leaf, { name: "leaf" });
    }
    async function startParent() {
      await createTask(startLeaf, { name: "parent" });
    }
    await run(startParent);
    return {
      shape: shape(graph),
      text: plain(text),
      expected: ["leaf", ["s " + leaf.name], [["parent", [created(startParent)], [["Task-<n>", [createdByRun(createdSites)], []]]]]],
    };
  } finally {
    disableDebug();
  }
}

// A task's first step: the synchronous part of its function, under @aio's step.
async function firstStep() {
  let graph, text;
  function inner() {
    graph = captureCallGraph();
    text = formatCallGraph();
  }
  async function firstMain() {
    inner();
  }
  await run(firstMain);
  return { shape: shape(graph), text: plain(text), expected: ["Task-<n>", ["s " + inner.name, "s " + firstMain.name], []] };
}

// A generator task running: the yield* chain.
async function generatorChain() {
  let graph, text;
  function* g3() {
    yield* sleep(0);
    graph = captureCallGraph();
    text = formatCallGraph();
  }
  function* g2() {
    yield* g3();
  }
  function* g1() {
    yield* g2();
  }
  await run(async function main() {
    await createTask(g1, { name: "gen" });
  });
  return {
    shape: shape(graph),
    text: plain(text),
    expected: ["gen", ["g " + g3.name, "g " + g2.name, "g " + g1.name], [["Task-<n>", [], []]]],
  };
}

// A generator task suspended at yield* in debug mode.
async function suspendedGenerator() {
  let graph, text;
  function* inner() {
    yield* sleep(10000);
  }
  function* outer() {
    yield* inner();
  }
  async function debugMain() {
    const task = createTask(outer, { name: "waiting" });
    await sleep(0);
    graph = captureCallGraph(task);
    text = formatCallGraph(task);
    task.cancel();
  }
  await run(debugMain, { debug: true });
  return {
    shape: shape(graph),
    text: plain(text),
    expected: ["waiting", ["g " + inner.name, "g " + outer.name, created(debugMain)], []],
  };
}

// A timeout() body: @aio's runner awaits it (known by its file on Node, not in a bundle).
async function timeoutBody() {
  let graph;
  async function inner() {
    await sleep(0);
    graph = captureCallGraph();
  }
  async function body() {
    await sleep(0);
    await inner();
  }
  async function c1() {
    await timeout(1000, body);
  }
  async function timeoutMain() {
    await createTask(c1, { name: "c1" });
  }
  await run(timeoutMain);
  return {
    shape: shape(graph),
    text: "",
    expected: ["c1", ["s " + inner.name, "a " + body.name, "a " + c1.name], [["Task-<n>", [], []]]],
  };
}

export async function cases() {
  return {
    awaitedChain: await awaitedChain(),
    createdSites: await createdSites(),
    firstStep: await firstStep(),
    generatorChain: await generatorChain(),
    suspendedGenerator: await suspendedGenerator(),
    timeoutBody: await timeoutBody(),
  };
}

const report = cases().then(
  (value) => ({ ok: true, value }),
  (err) => ({ ok: false, error: String((err && err.stack) || err) }),
);
if (typeof window !== "undefined") report.then((r) => { window.__aio = r; });
else report.then((r) => console.log(JSON.stringify(r)));
`;

interface Case {
  shape: unknown;
  text: string;
  expected: unknown;
}
type Report = { ok: true; value: Record<string, Case> } | { ok: false; error: string };

/** `@aio/<name>` → the package's sources (its browser entry for the browser). */
function fromSources(platform: "browser" | "node"): Plugin {
  return {
    name: "aio-sources",
    setup(b) {
      b.onResolve({ filter: /^@aio\/[a-z]+$/ }, (args) => {
        const src = join(packagesDir, args.path.slice("@aio/".length), "src");
        const browserIndex = join(src, "index.browser.ts");
        return {
          path:
            platform === "browser" && existsSync(browserIndex)
              ? browserIndex
              : join(src, "index.ts"),
        };
      });
    },
  };
}

let appDir = "";
let server: Server | null = null;
let origin = "";
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;

async function bundle(
  name: string,
  platform: "browser" | "node",
  minify: boolean,
): Promise<string> {
  const outfile = join(appDir, `${name}.mjs`);
  await build({
    absWorkingDir: appDir,
    entryPoints: ["main.js"],
    bundle: true,
    format: "esm",
    platform,
    minify,
    outfile,
    plugins: [fromSources(platform)],
    logLevel: "silent",
  });
  return outfile;
}

async function inChromium(script: string): Promise<Report> {
  writeFileSync(
    join(appDir, `${script}.html`),
    `<!doctype html><html><body><script type="module" src="./${script}.mjs"></script></body></html>`,
  );
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  try {
    await page.goto(`${origin}/${script}.html`);
    await page.waitForFunction(
      () => (globalThis as { __aio?: unknown }).__aio !== undefined,
      null,
      {
        timeout: 15_000,
      },
    );
    const report = (await page.evaluate(() => (globalThis as { __aio?: unknown }).__aio)) as Report;
    expect(errors).toEqual([]);
    return report;
  } finally {
    await page.close();
  }
}

function inNode(file: string): Report {
  const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 30_000 });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Report;
}

function casesOf(report: Report): Record<string, Case> {
  if (!report.ok) throw new Error(report.error);
  return report.value;
}

beforeAll(async () => {
  appDir = mkdtempSync(join(tmpdir(), "aio-call-graph-"));
  writeFileSync(join(appDir, "main.js"), APP);
  // Serves the app directory on loopback (module scripts need http, not file:).
  server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1);
    const file = join(appDir, name);
    if (!/^[\w-]+\.(?:html|mjs)$/.test(name) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": name.endsWith(".html") ? "text/html" : "text/javascript",
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (appDir !== "") rmSync(appDir, { recursive: true, force: true });
});

const NAMES = ["awaitedChain", "createdSites", "firstStep", "generatorChain", "suspendedGenerator"];

describe("captureCallGraph in a bundle", () => {
  test("captureCallGraph() and formatCallGraph() in an esbuild bundle in Chromium match Node's", async () => {
    const node = casesOf(inNode(await bundle("node", "node", false)));
    await bundle("page", "browser", false);
    const page = casesOf(await inChromium("page"));
    expect(Object.keys(page).sort()).toEqual([...NAMES, "timeoutBody"]);
    for (const name of NAMES) {
      // What the user must get: the expected frames, and the text Node gives.
      expect({ name, shape: page[name]!.shape }).toEqual({ name, shape: page[name]!.expected });
      expect({ name, shape: node[name]!.shape }).toEqual({ name, shape: node[name]!.expected });
      expect({ name, text: page[name]!.text }).toEqual({ name, text: node[name]!.text });
    }
    // The one difference from Node running the sources (test_stack_timeout):
    // an @aio async function awaiting the user's callback (here timeout()'s
    // runner) stays in a bundle, under its name there.
    const [task, stack, by] = page.timeoutBody!.expected as [string, string[], unknown];
    const bundled = [task, [stack[0], stack[1], "a runWithin", stack[2]], by];
    expect(page.timeoutBody!.shape).toEqual(bundled);
    expect(node.timeoutBody!.shape).toEqual(bundled);
    expect(page.awaitedChain!.text.split("\n")).toEqual([
      "* Task(name='leaf', id=<id>)",
      "  + Call stack:",
      "  |   File '<file>', line <n>, in helper()",
      "  |   File '<file>', line <n>, in middle()",
      "  |   File '<file>', line <n>, in async leaf()",
      "  + Awaited by:",
      "    * Task(name='parent', id=<id>)",
      "      + Awaited by:",
      "        * Task(name='Task-<n>', id=<id>)",
    ]);
  }, 60_000);

  test("captureCallGraph() in a minified esbuild bundle in Chromium keeps the user's frames only", async () => {
    // (Only a creation site differs: see MINIFIED in the app.)
    await bundle("min", "browser", true);
    const page = casesOf(await inChromium("min"));
    expect(Object.keys(page).sort()).toEqual([...NAMES, "timeoutBody"]);
    for (const name of NAMES) {
      expect({ name, shape: page[name]!.shape }).toEqual({ name, shape: page[name]!.expected });
    }
    // timeout()'s runner stays, under its minified name.
    const [task, stack, by] = page.timeoutBody!.expected as [string, string[], unknown];
    const [, got] = page.timeoutBody!.shape as [string, string[], unknown];
    expect(got).toHaveLength(4);
    expect(got[2]).toMatch(/^a \S+$/);
    expect(page.timeoutBody!.shape).toEqual([task, [stack[0], stack[1], got[2], stack[2]], by]);
  }, 60_000);
});
