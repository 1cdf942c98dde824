/**
 * A service that shuts down gracefully on SIGTERM (what `kill PID`, systemd
 * and Kubernetes send): `loop.addSignalHandler()` runs the callback on the
 * loop, as a scheduled callback, so it can simply set an Event. Workers see
 * it, finish the item in hand, and `run()` returns normally.
 */
import { getRunningLoop } from "@aio/core";
import { gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Event, Queue } from "@aio/sync";

const done: string[] = [];

await run(async () => {
  const loop = getRunningLoop();
  const stopping = new Event();
  loop.addSignalHandler("SIGTERM", () => {
    console.log("SIGTERM received: finishing the items in hand");
    stopping.set();
  });

  const jobs = new Queue<number>();
  for (let i = 1; i <= 1_000; i++) jobs.putNowait(i);

  const worker = async (name: string) => {
    while (!stopping.isSet()) {
      const job = await jobs.get();
      await sleep(2); // the work
      done.push(`${name}:${job}`);
    }
  };
  const workers = gather(
    () => worker("a"),
    () => worker("b"),
  );

  // Somebody sends SIGTERM 30 ms in (here: the program itself).
  loop.callLater(30, () => process.kill(process.pid, "SIGTERM"));
  await workers;
  console.log(`stopped cleanly after ${done.length} jobs; ${jobs.qsize()} left in the queue`);
});
console.log("run() returned: exit code 0, no job cut in half");
