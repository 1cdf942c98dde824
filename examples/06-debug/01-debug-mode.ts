/**
 * Debug mode finds the two classic asyncio mistakes: a call that blocks the
 * loop, and a task nobody awaits. `enableDebug()` from `@aio/debug` adds the
 * task's name and where it was created to the loop's own debug warnings,
 * reports the lost task, `printTaskTree()` shows who awaits whom, and
 * `printCallGraph()` (asyncio 3.14's call graph) who waits for the running task.
 * `startTrace()`/`writeTrace()` record the run for Perfetto or the viewer.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  enableDebug,
  printCallGraph,
  printTaskTree,
  readTrace,
  startTrace,
  writeTrace,
} from "@aio/debug";
import { createTask, currentTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";

/** Stands for a synchronous call that should not run on the loop (a big JSON.parse, a sync fs call). */
function blockingCall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the loop can do nothing else meanwhile
  }
}

// Reports are printed with console.warn (stderr). With the loop's own debug
// mode on too ({ debug: true } below), the loop prints the "Executing …"
// line and @aio/debug adds only what the loop does not know: the task's
// name and where it was created.
enableDebug();
startTrace();

await run(
  async () => {
    currentTask()!.setName("main");

    // 1. A task that blocks the loop for 150 ms in one step.
    const resize = createTask(
      async () => {
        await sleep(10);
        blockingCall(150);
      },
      { name: "resize-image" },
    );

    // 2. A task nobody awaits: run() cancels it when main returns.
    createTask(() => sleep(60_000), { name: "forgotten-heartbeat" });

    // 3. Two tasks gathered: the tree shows them under main; download-1's
    // call graph shows its stack and main waiting for it through gather().
    const downloads = gather(
      createTask(
        async function download() {
          await sleep(20);
          console.log("call graph of download-1:");
          printCallGraph();
        },
        { name: "download-1" },
      ),
      createTask(() => sleep(30), { name: "download-2" }),
    );
    // Print the tree from outside any task (a host timer), so main shows what it awaits.
    setTimeout(() => {
      console.log("task tree while main waits:");
      printTaskTree();
    }, 5);
    await downloads;
    await resize;
  },
  { debug: true },
);

const path = join(tmpdir(), "aio-debug-tour-trace.json");
writeTrace(path);
const trace = readTrace(path);
const tracks = trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name").length;
console.log(`trace written to ${path}: ${trace.traceEvents.length} events on ${tracks} tracks`);
console.log("open it in https://ui.perfetto.dev or with @aio/debug's viewer (viewerHtml)");
