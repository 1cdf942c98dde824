// The size-floor model's loop surface beyond the kernel (P_SURFACE): the
// exception-handler setter, the task factory, executors, signal handlers
// and async generators, added to `EventLoop.prototype`. See `model.js`.

/* global P_SURFACE P_VALIDATE P_BRAND */

import { Future } from "./futures.js";
import { checkFunction, EventLoop, RuntimeError, ValueError } from "./kernel.js";
import { rt } from "./kernel.js";

let defaultExecutorFactory = null;
/** What `@aio/executors` would call on import, so that `runInExecutor(null, …)` has a pool. */
export function setDefaultExecutorFactory(factory) {
  defaultExecutorFactory = factory;
  if (P_BRAND) rt.factory = factory; // shared by every copy, as in @aio's runtime
}

/** Signal numbers: the host's table, else Linux's. */
let signalTable = null;
function signalNumbers() {
  signalTable ??=
    globalThis.process?.getBuiltinModule?.("node:os")?.constants?.signals ??
    Object.fromEntries(
      "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"
        .split(" ")
        .map((name, i) => [`SIG${name}`, i + 1]),
    );
  return signalTable;
}
function signalName(sig) {
  const table = signalNumbers();
  const name = typeof sig === "number" ? Object.keys(table).find((k) => table[k] === sig) : sig;
  if (typeof name !== "string" || !Object.hasOwn(table, name)) {
    throw new ValueError(`invalid signal: ${String(sig)}`);
  }
  if (name === "SIGKILL" || name === "SIGSTOP") {
    throw new RuntimeError(`sig ${table[name]} cannot be caught`);
  }
  return name;
}

if (P_SURFACE) {
  Object.assign(EventLoop.prototype, {
    setExceptionHandler(handler) {
      if (handler !== null) checkFunction(handler, "handler");
      this._handler = handler;
    },
    setTaskFactory(factory) {
      if (factory !== null) checkFunction(factory, "factory");
      this._factory = factory;
    },
    getTaskFactory() {
      return this._factory;
    },
    runInExecutor(executor, fn, ...args) {
      this._checkClosed();
      checkFunction(fn, "fn");
      if (executor === null) {
        if (this._executor === null) {
          if (P_BRAND) defaultExecutorFactory = rt.factory;
          if (defaultExecutorFactory === null) {
            throw new RuntimeError(
              "runInExecutor(null, …) needs a default executor: import @aio/executors or call setDefaultExecutor()",
            );
          }
          this._executor = defaultExecutorFactory();
        }
        executor = this._executor;
      }
      const fut = new Future(this);
      const inner = executor.submit(fn, ...args);
      inner.then(
        (value) => this.callSoon(() => fut.done() || fut.setResult(value)),
        (err) => this.callSoon(() => fut.done() || fut.setException(err)),
      );
      fut.addDoneCallback(() => fut.cancelled() && inner.cancel?.());
      return fut;
    },
    setDefaultExecutor(executor) {
      if (P_VALIDATE && (executor === null || typeof executor.submit !== "function")) {
        throw new TypeError("executor must be an Executor");
      }
      this._executor = executor;
    },
    /** asyncio 3.12: waits at most `timeout` ms, then warns and ends the workers. */
    async shutdownDefaultExecutor(timeout = null) {
      const executor = this._executor;
      this._executor = null;
      if (!executor) return;
      const done = executor.shutdown(true).then(() => true);
      const inTime =
        timeout === null
          ? await done
          : await Promise.race([done, new Promise((r) => setTimeout(r, timeout, false))]);
      if (!inTime) {
        console.warn(
          `The default executor did not finish joining its workers within ${timeout} ms`,
        );
        executor.terminateWorkers?.();
      }
    },
    addSignalHandler(sig, cb, ...args) {
      checkFunction(cb, "callback");
      this._checkClosed();
      const host = globalThis.process;
      if (typeof host?.on !== "function") {
        throw new RuntimeError(
          "signal handlers need Node, Deno or Bun: this runtime has no signals",
        );
      }
      const name = signalName(sig);
      this.removeSignalHandler(name);
      const listener = () => this.callSoon(cb, ...args);
      this._signals.set(name, listener);
      host.on(name, listener);
    },
    removeSignalHandler(sig) {
      const name = signalName(sig);
      const listener = this._signals.get(name);
      if (listener === undefined) return false;
      this._signals.delete(name);
      globalThis.process.off(name, listener);
      return true;
    },
    trackAsyncgen(gen) {
      this._asyncgens.add(gen);
    },
    async shutdownAsyncgens() {
      const gens = [...this._asyncgens];
      this._asyncgens.clear();
      const results = await Promise.allSettled(gens.map((gen) => gen.return(undefined)));
      results.forEach((r, i) => {
        if (r.status === "rejected") {
          this.callExceptionHandler({
            message: "an error occurred during closing of asynchronous generator",
            exception: r.reason,
            asyncgen: gens[i],
          });
        }
      });
    },
  });
}
