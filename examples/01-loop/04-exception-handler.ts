/**
 * An error thrown by a callback does not stop the loop: it goes to the
 * loop's exception handler with a context `{ message, exception, handle }`.
 * A task whose exception nobody retrieves is reported there too, at the
 * latest when the loop closes (before `run()` resolves).
 */
import { type ExceptionContext, getRunningLoop } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";

const reports: string[] = [];

await run(async () => {
  const loop = getRunningLoop();
  loop.setExceptionHandler((_loop, context: ExceptionContext) => {
    const error =
      context.exception instanceof Error ? context.exception.message : String(context.exception);
    reports.push(`${context.message} -> ${error}`);
  });

  loop.callSoon(function explode() {
    throw new Error("boom");
  });
  loop.callSoon(() => console.log("the loop keeps running after the error"));

  createTask(
    async () => {
      throw new Error("nobody awaits me");
    },
    { name: "forgotten" },
  );
  await sleep(10);
});

console.log("reported through the exception handler:");
for (const line of reports) console.log(" ", line);
