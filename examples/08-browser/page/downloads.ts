/// <reference lib="dom" />
// The page's own code (bundled by ../01-downloads-in-chromium.ts with esbuild,
// zero config): downloads from the example's server through a Semaphore(2),
// every fetch given its task's signal, and a Cancel button that cancels the
// whole run. The same code would run on Node: nothing here is browser-only
// except the DOM it writes to.
import { createTask, currentTask, gather, type Task } from "@aio/futures";
import { run } from "@aio/loop";
import { Semaphore } from "@aio/sync";

const FILES: [name: string, ms: number][] = [
  ["a", 50],
  ["b", 100],
  ["c", 150],
  ["d", 5_000],
  ["e", 5_000],
  ["f", 5_000],
];

const logEl = document.querySelector("#log")!;
const log = (line: string): void => {
  logEl.textContent += `${line}\n`;
};

let main: Task<unknown> | null = null;

async function downloadAll(): Promise<void> {
  main = currentTask();
  const sem = new Semaphore(2);
  const download = async (name: string, ms: number): Promise<number> => {
    await using _ = await sem.hold();
    log(`start ${name}`);
    const res = await fetch(`/file/${name}?ms=${ms}`, { signal: currentTask()!.signal });
    const body = await res.text();
    log(`done ${name} (${body.length} bytes)`);
    return body.length;
  };
  try {
    const sizes = await gather(...FILES.map(([name, ms]) => createTask(() => download(name, ms))));
    log(`all done: ${sizes.reduce((a, b) => a + b, 0)} bytes`);
  } finally {
    log("downloads over");
  }
}

document.querySelector("#start")!.addEventListener("click", () => {
  run(downloadAll).then(
    () => log("run() finished"),
    (err: Error) => log(`run() ended with ${err.name}: ${err.message}`),
  );
});
document.querySelector("#cancel")!.addEventListener("click", () => {
  main?.cancel("the Cancel button");
});
