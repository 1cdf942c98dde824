/**
 * Tasks started with `createTask` share the loop of the `run()` that is
 * active: they interleave at every `await`, and `sleep(0)` lets every other
 * ready task take exactly one step.
 */
import { getRunningLoop } from "@aio/core";
import { createTask, currentTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const steps: string[] = [];

async function worker(rounds: number): Promise<string> {
  const name = currentTask()?.getName() ?? "?";
  for (let i = 1; i <= rounds; i++) {
    steps.push(`${name} step ${i}`);
    await sleep(0); // yield one loop iteration
  }
  return `${name} ran on ${getRunningLoop() === mainLoop ? "the main loop" : "another loop"}`;
}

let mainLoop: unknown;
await run(async () => {
  mainLoop = getRunningLoop();
  const a = createTask(() => worker(3), { name: "A" });
  const b = createTask(() => worker(2), { name: "B" });
  console.log(await a);
  console.log(await b);
});
console.log("interleaving:", steps.join(" | "));
