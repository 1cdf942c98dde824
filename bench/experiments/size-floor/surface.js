// The size-floor model's loop surface beyond the kernel (P_SURFACE): the
// exception-handler setter, the task factory, executors, signal handlers
// and async generators, added to `EventLoop.prototype`. See `model.js`.

/* global P_SURFACE P_VALIDATE P_BRAND P_MSG */

import { Future } from "./futures.js";
import {
  checkFunction,
  checkHandler,
  checkMs,
  describe,
  EventLoop,
  RuntimeError,
  rt,
  ValueError,
} from "./kernel.js";

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

/** P_MSG: @aio's `checkSignal`, with its messages. */
function checkSignal(method, sig) {
  const table = signalNumbers();
  if (typeof sig !== "string" && !Number.isInteger(sig)) {
    throw new TypeError(
      `${method}() sig must be a signal name or number, received ${describe(sig)}`,
    );
  }
  if (typeof sig === "string" ? !Object.hasOwn(table, sig) : !Object.values(table).includes(sig)) {
    throw new ValueError(`${method}() sig must be a valid signal, received ${describe(sig)}`);
  }
  return signalName(sig);
}

/** P_MSG: what @aio takes for an executor. */
const isExecutor = (value) =>
  typeof value === "object" &&
  typeof value?.submit === "function" &&
  typeof value.shutdown === "function";

if (P_SURFACE) {
  Object.assign(EventLoop.prototype, {
    setExceptionHandler(handler) {
      if (P_MSG) checkHandler(handler, "setExceptionHandler() handler");
      else if (handler !== null) checkFunction(handler, "handler");
      this._handler = handler;
    },
    setTaskFactory(factory) {
      if (P_MSG) checkHandler(factory, "setTaskFactory() factory");
      else if (factory !== null) checkFunction(factory, "factory");
      this._factory = factory;
    },
    getTaskFactory() {
      return this._factory;
    },
    runInExecutor(executor, fn, ...args) {
      this._checkClosed();
      if (P_MSG && executor != null && !isExecutor(executor)) {
        throw new TypeError(
          `runInExecutor() executor must be an Executor or null, received ${describe(executor)}`,
        );
      }
      checkFunction(fn, P_MSG ? "runInExecutor() fn" : "fn");
      if (P_MSG ? executor == null : executor === null) {
        if (P_MSG && this._executorShutDown) {
          throw new RuntimeError("Executor shutdown has been called");
        }
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
      if (P_MSG) {
        if (executor !== null && !isExecutor(executor)) {
          throw new TypeError(
            `setDefaultExecutor() executor must be an Executor or null, received ${describe(executor)}`,
          );
        }
      } else if (P_VALIDATE && (executor === null || typeof executor.submit !== "function")) {
        throw new TypeError("executor must be an Executor");
      }
      this._executor = executor;
    },
    /** asyncio 3.12: waits at most `timeout` ms, then warns and ends the workers. */
    async shutdownDefaultExecutor(timeout = null) {
      if (P_MSG) {
        checkMs(timeout, "shutdownDefaultExecutor() timeout", 0, true);
        this._executorShutDown = true;
      }
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
      if (P_MSG) {
        this._checkClosed();
        checkSignal("addSignalHandler", sig);
      }
      checkFunction(cb, P_MSG ? "addSignalHandler() callback" : "callback");
      this._checkClosed();
      const host = globalThis.process;
      if (typeof host?.on !== "function") {
        throw new RuntimeError(
          P_MSG
            ? "addSignalHandler() needs a host with process signals (Node, Deno or Bun); this runtime has none"
            : "signal handlers need Node, Deno or Bun: this runtime has no signals",
        );
      }
      const name = signalName(sig);
      this.removeSignalHandler(name);
      const listener = () => this.callSoon(cb, ...args);
      this._signals.set(name, listener);
      host.on(name, listener);
    },
    removeSignalHandler(sig) {
      const name = P_MSG ? checkSignal("removeSignalHandler", sig) : signalName(sig);
      const listener = this._signals.get(name);
      if (listener === undefined) return false;
      this._signals.delete(name);
      globalThis.process.off(name, listener);
      return true;
    },
    trackAsyncgen(gen) {
      if (P_MSG && typeof gen?.return !== "function") {
        throw new TypeError(
          `trackAsyncgen() gen must be an async generator, received ${describe(gen)}`,
        );
      }
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
