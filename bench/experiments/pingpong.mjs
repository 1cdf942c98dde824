// The two Future ping-pongs the generator experiments compare (a module,
// not an experiment): `n` hand-offs each way between two @aio generator
// tasks in `run()`, as in the tasks suite's `pingpong-aio-gen` (the task
// functions are closures made per run, as there), and between two native
// async functions (`pingpong-promise`).

import { getRunningLoop } from "@aio/core";
import { createTask, gather } from "@aio/futures";
import { run } from "@aio/loop";

/** @aio generator tasks handing Futures back and forth; resolves when both are done. */
export function aioPingPong(n) {
  return run(function* () {
    const loop = getRunningLoop();
    const box = { req: loop.createFuture(), reply: null };
    const ping = createTask(function* () {
      for (let i = 0; i < n; i++) {
        const reply = loop.createFuture();
        box.reply = reply;
        box.req.setResult(i);
        yield* reply;
      }
    });
    const pong = createTask(function* () {
      for (let i = 0; i < n; i++) {
        const v = yield* box.req;
        box.req = loop.createFuture();
        box.reply.setResult(v);
      }
    });
    yield* gather(ping, pong);
  });
}

/** Native async functions handing promises back and forth. */
export function nativePingPong(n) {
  const deferred = () => {
    let resolve;
    const promise = new Promise((r) => {
      resolve = r;
    });
    return { promise, resolve };
  };
  const box = { req: deferred(), reply: null };
  const ping = (async () => {
    for (let i = 0; i < n; i++) {
      const reply = deferred();
      box.reply = reply;
      box.req.resolve(i);
      await reply.promise;
    }
  })();
  const pong = (async () => {
    for (let i = 0; i < n; i++) {
      const v = await box.req.promise;
      box.req = deferred();
      box.reply.resolve(v);
    }
  })();
  return Promise.all([ping, pong]);
}
