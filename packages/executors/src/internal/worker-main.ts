import type { TransferListItem } from "node:worker_threads";
import { type WorkerFeatures, workerFeatures } from "./runtime.js";
/**
 * The code that runs inside every worker thread, child process and Web Worker.
 *
 * It is shipped as source — `(${workerMain})("thread")` evaluated by
 * `new Worker(code, { eval: true })` or `node -e` — so the pool needs no
 * separate entry file and works the same from `src` (tests) and `dist`
 * (users, bundlers). That is also why this function must stay
 * self-contained: no imports, no references to module-level names; it
 * reaches Node through `process.getBuiltinModule` (a bundler would rewrite
 * `require`) and repeats the protocol tags of `protocol.ts` as local
 * constants of the same names (a test compares the two).
 *
 * The worker runs one job at a time, in arrival order. Jobs queued behind the
 * running one can be cancelled (skipped) until they start. A running job
 * whose `abortable` flag is set gets its `jobSignal()` aborted on cancel.
 *
 * After a job whose signal was aborted (or that was skipped while the pool
 * thought it was running and asked for an abort), the pool's grace timer may be about
 * to terminate this worker: the worker says so in the reply (`held`) and
 * starts nothing else until the pool answers `RESUME` — so a termination
 * decided on a reply still in flight never hits another job.
 */
export function workerMain(
  kind: "thread" | "process" | "web",
  features: WorkerFeatures = { ownPort: false, checkBeforeSend: false },
): void {
  // The protocol tags of protocol.ts, repeated (this function cannot import);
  // test/protocol.test.ts checks that they match.
  const M_INIT = 0;
  const M_JOB = 1;
  const M_CANCEL = 2;
  const M_RESUME = 3;
  const R_INIT_OK = 0;
  const R_INIT_ERR = 1;
  const R_OK = 2;
  const R_ERR = 3;
  const R_SKIPPED = 4;

  type Msg = unknown[];
  /** The running job; its AbortController is made only if the job asks for its signal. */
  interface Current {
    id: number;
    aborted: boolean;
    controller: AbortController | null;
  }

  const TRANSFER = Symbol.for("@aio/executors.transfer");
  // Which job's code is running, for `jobSignal()`. A Web Worker has no
  // AsyncLocalStorage; it runs one job at a time, so there it is the job
  // being run (`current`) — also for a callback a finished job left behind.
  const als: { getStore(): Current | undefined; run<R>(job: Current, f: () => R): R } =
    kind === "web"
      ? { getStore: () => current ?? undefined, run: (_job, f) => f() }
      : new (process.getBuiltinModule("node:async_hooks").AsyncLocalStorage)<Current>();
  function signalOf(job: Current | undefined): AbortSignal | undefined {
    if (job === undefined) return undefined;
    if (job.controller === null) {
      job.controller = new AbortController();
      if (job.aborted) job.controller.abort(makeAbortError());
    }
    return job.controller.signal;
  }
  // `jobSignal()` of @aio/executors, imported by a module function, reads this slot.
  (globalThis as Record<symbol, unknown>)[Symbol.for("@aio/executors.worker")] = {
    signal: () => signalOf(als.getStore()),
    // For the pool's tests: cancellations held for jobs not started yet.
    heldSkips: () => skipped.size,
  };

  // Spelled through Function so no compiler rewrites it (vite turns `import()` into its own helper).
  const importModule = new Function("url", "return import(url)") as (
    url: string,
  ) => Promise<unknown>;

  let send: (batch: Msg[], transfer: TransferListItem[]) => void;
  // Resolves once every reply sent so far is in the kernel's hands (child
  // processes; null when nothing is outstanding). An IPC write that does not
  // fit the socket at once is queued inside this process, and a job calling
  // `process.exit()` would drop it: the pool would then blame the crash on a
  // job that had finished.
  let written = (): Promise<void> | null => null;
  // Reads the messages that arrived while a job ran, without yielding, so a
  // cancellation of the next job is seen before it starts (threads).
  let poll = (): void => {};
  // A later host turn (for `seeCancellation`): a message to itself in a Web Worker.
  let nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
  if (kind === "web") {
    // A module Web Worker (see thread-pool.browser.ts): no synchronous port read.
    const scope = globalThis as unknown as {
      postMessage(batch: Msg[], transfer: TransferListItem[]): void;
      addEventListener(type: "message", cb: (e: { data: Msg[] }) => void): void;
    };
    send = (batch, transfer) => scope.postMessage(batch, transfer);
    scope.addEventListener("message", (e) => receive(e.data));
    // What ends a Node worker thread ends this one, as an uncaught error the
    // pool hears of (a Web Worker reports no exit): an unhandled rejection,
    // and `close()` (Node's `process.exit()`).
    const fail = (err: unknown): void => {
      setTimeout(() => {
        throw err;
      });
    };
    (
      scope as unknown as {
        addEventListener(t: string, cb: (e: { reason: unknown }) => void): void;
      }
    ).addEventListener("unhandledrejection", (e) => fail(e.reason));
    (globalThis as { close?: () => void }).close = () =>
      fail(new Error("close() was called in a pool worker"));
    const turns = new MessageChannel();
    const waiting: (() => void)[] = [];
    (turns.port1 as unknown as { onmessage: () => void }).onmessage = () => waiting.shift()?.();
    nextTurn = () =>
      new Promise<void>((r) => {
        waiting.push(r);
        turns.port2.postMessage(null);
      });
  } else if (kind === "thread") {
    const { parentPort, receiveMessageOnPort, workerData } =
      process.getBuiltinModule("node:worker_threads");
    // Where the runtime cannot read parentPort synchronously (Deno), the pool
    // passes a port of a channel of its own: see `ownPort` in runtime.ts.
    const jobs = (
      features.ownPort ? (workerData as { port: unknown }).port : parentPort
    ) as NonNullable<typeof parentPort>;
    send = (batch, transfer) => jobs.postMessage(batch, transfer as never);
    jobs.on("message", receive);
    poll = () => {
      for (let r = receiveMessageOnPort(jobs); r !== undefined; r = receiveMessageOnPort(jobs)) {
        accept(r.message as Msg[]);
      }
    };
  } else {
    let unconfirmed = 0;
    let onWritten: (() => void) | null = null;
    // Node calls back on the next tick for a write the socket took whole, else once it is written.
    const confirmed = (): void => {
      if (--unconfirmed === 0 && onWritten !== null) {
        const go = onWritten;
        onWritten = null;
        go();
      }
    };
    send = (batch) => {
      if (features.checkBeforeSend) structuredClone(batch); // throws now, not after a broken write
      unconfirmed++;
      try {
        process.send!(batch, undefined, undefined, confirmed);
      } catch (err) {
        unconfirmed--; // a batch that cannot be serialized is not sent, and not confirmed
        throw err;
      }
    };
    written = () =>
      unconfirmed === 0
        ? null
        : new Promise<void>((go) => {
            onWritten = go;
          });
    process.on("message", receive as (m: unknown) => void);
    // The pool is gone (it exited, or shut us down): leave with it, never orphaned.
    process.on("disconnect", () => process.exit(0));
    // The pool passes its pid last on the command line (Deno puts a script name before it).
    watchParent(Number(process.argv[process.argv.length - 1]));
  }

  /**
   * Kills this process once the pool's process (`parent`) is gone, even while
   * a job keeps the main thread busy for ever: 'disconnect' is an event, and
   * events wait for the running job to yield. A watchdog thread, which no job
   * can block, polls `process.ppid` (the kernel re-parents an orphan at once,
   * to init or a subreaper) and sends this process SIGKILL when it changed
   * (see docs/design/executor-orphans.md).
   */
  function watchParent(parent: number): void {
    if (!(parent > 0)) return;
    // How often (ms) the watchdog looks: an orphan lives at most about this long.
    const PARENT_CHECK_MS = 100;
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    const watchdog = new Worker(
      `const parent = require("node:worker_threads").workerData;
      const check = () => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL"); };
      check();
      setInterval(check, ${PARENT_CHECK_MS});`,
      { eval: true, workerData: parent },
    );
    watchdog.on("error", () => {}); // a watchdog that cannot run leaves 'disconnect' in charge
    watchdog.unref();
  }

  const queue: Msg[] = [];
  // Jobs cancelled before they started → whether the pool asked for an abort (it then runs a grace timer).
  const skipped = new Map<number, boolean>();
  const fns = new Map<number, Function>();
  const specs = new Map<number, { src?: string; mod?: string; name?: string }>();
  let current: Current | null = null;
  let draining = false;
  // Set while the worker holds after an aborted job, waiting for RESUME.
  let resume: { id: number; go: () => void } | null = null;
  let outbox: Msg[] = [];
  let outTransfer: TransferListItem[] = [];
  // The transfer list of each reply in `outbox` that has one (to resend it alone).
  let outLists = new Map<Msg, TransferListItem[]>();

  function receive(batch: Msg[]): void {
    accept(batch);
    if (!draining) void drain();
  }

  function accept(batch: Msg[]): void {
    for (const m of batch) {
      if (m[0] === M_CANCEL) {
        const id = m[1] as number;
        if (current !== null && current.id === id) {
          if (m[2] === true && !current.aborted) {
            current.aborted = true;
            current.controller?.abort(makeAbortError());
          }
        } else if (queue.some((q) => q[0] === M_JOB && q[1] === id)) {
          skipped.set(id, m[2] === true);
        }
        // Otherwise the job already ran (its reply crossed the cancellation):
        // nothing to skip, and nothing is kept for it.
      } else if (m[0] === M_RESUME) {
        if (resume !== null && resume.id === m[1]) {
          const { go } = resume;
          resume = null;
          go();
        }
      } else {
        queue.push(m);
      }
    }
  }

  function makeAbortError(): Error {
    const err = new Error("The job was cancelled");
    err.name = "AbortError";
    return err;
  }

  function reply(m: Msg, transfer?: TransferListItem[]): void {
    outbox.push(m);
    if (transfer !== undefined) {
      outTransfer.push(...transfer);
      outLists.set(m, transfer);
    }
  }

  function flush(): void {
    if (outbox.length === 0) return;
    const batch = outbox;
    const transfer = outTransfer;
    const lists = outLists;
    outbox = [];
    outTransfer = [];
    outLists = new Map();
    try {
      send(batch, transfer);
    } catch {
      // A result (or a thrown value's part) cannot be cloned. The clone
      // failed before anything was sent: send the replies one by one, and
      // fail only the job whose result cannot go, naming what could not be
      // sent (Python's PicklingError). The worker lives on.
      for (const m of batch) {
        try {
          send([m], lists.get(m) ?? []);
        } catch (err) {
          if (m[0] !== R_OK && m[0] !== R_ERR) throw err;
          const what = m[0] === R_OK ? "result" : "error";
          const failure = new TypeError(
            `the job's ${what} could not be cloned to reach the pool: ${findUncloneable(m[2], what)}`,
            { cause: err },
          );
          send([[R_ERR, m[1], serialize(failure, false), m[3], m[4]]], []);
        }
      }
    }
  }

  /** Where in `value` (named `path`) the first part that cannot be cloned sits, described. */
  function findUncloneable(value: unknown, path: string, depth = 0): string {
    if (depth < 4 && typeof value === "object" && value !== null) {
      const proto = Object.getPrototypeOf(value);
      let parts: [string, unknown][] = [];
      if (Array.isArray(value)) parts = value.map((v, i) => [`[${i}]`, v]);
      else if (value instanceof Map) parts = [...value.values()].map((v) => [".get(…)", v]);
      else if (value instanceof Set) parts = [...value].map((v) => ["(a Set item)", v]);
      else if (proto === Object.prototype || proto === null) {
        parts = Object.keys(value).map((k) => [`.${k}`, (value as Record<string, unknown>)[k]]);
      }
      for (const [key, part] of parts.slice(0, 64)) {
        try {
          structuredClone(part);
        } catch {
          return findUncloneable(part, path + key, depth + 1);
        }
      }
    }
    return `${path} is ${describe(value)}`;
  }

  function describe(value: unknown): string {
    if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
    if (typeof value === "symbol") return String(value);
    if (typeof value !== "object" || value === null) return String(value);
    const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return `an instance of ${typeof ctor === "string" && ctor !== "" && ctor !== "Object" ? ctor : tag}`;
  }

  function transfer<T>(value: T, list?: TransferListItem[]): T {
    return { [TRANSFER]: true, value, list: list ?? collectBuffers(value) } as never;
  }

  function collectBuffers(value: unknown): TransferListItem[] {
    if (value instanceof ArrayBuffer) return [value];
    if (ArrayBuffer.isView(value)) return [value.buffer as ArrayBuffer];
    return [];
  }

  // esbuild (tsx, vitest) may wrap named functions in `__name(fn, "name")`.
  function __name<T>(target: T, value: string): T {
    try {
      Object.defineProperty(target, "name", { value, configurable: true });
    } catch {}
    return target;
  }

  function compile(src: string): Function {
    const header = "jobSignal, transfer, __name";
    const jobSignal = (): AbortSignal => signalOf(als.getStore()) ?? new AbortController().signal;
    let made: unknown;
    try {
      made = new Function(header, `return (${src}\n);`)(jobSignal, transfer, __name);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      // A method shorthand (`sum(a) { … }`) is not an expression on its own.
      made = new Function(header, `const o = {${src}\n}; return o[Object.keys(o)[0]];`)(
        jobSignal,
        transfer,
        __name,
      );
    }
    if (typeof made !== "function") throw new TypeError("the shipped source is not a function");
    return made as Function;
  }

  async function resolveFn(spec: { src?: string; mod?: string; name?: string }): Promise<Function> {
    if (spec.src !== undefined) return compile(spec.src);
    const url = /^[a-z][a-z0-9+.-]+:/i.test(spec.mod!)
      ? spec.mod!
      : process.getBuiltinModule("node:url").pathToFileURL(spec.mod!).href;
    const mod = (await importModule(url)) as Record<string, unknown>;
    const fn = mod[spec.name!];
    if (typeof fn !== "function") {
      const names = Object.keys(mod).join(", ") || "none";
      throw new TypeError(
        fn === undefined
          ? `module ${url} has no export "${spec.name}" (its exports: ${names})`
          : `export "${spec.name}" of module ${url} is not a function, received ${typeof fn}`,
      );
    }
    return fn;
  }

  /**
   * An error as it crosses to the pool (see `SerializedError`). Never
   * throws: a `cause` chain that loops (an error whose cause is itself)
   * crosses as `causeRef`, one deeper than 16 stops there, and a value that
   * cannot be cloned crosses as its description.
   *
   * @param chain - the errors of the cause chain above this one, outermost first.
   */
  function serialize(err: unknown, closureCheck: boolean, chain: unknown[] = []): unknown {
    chain.push(err);
    if (!(err instanceof Error)) {
      try {
        structuredClone(err);
      } catch (cloneError) {
        // A thrown value that cannot cross: the job fails with what says so.
        return serialize(
          new TypeError(
            `the job's error could not be cloned to reach the pool: ${findUncloneable(err, "error")}`,
            { cause: cloneError },
          ),
          false,
          chain,
        );
      }
      return {
        isError: false,
        name: "",
        message: "",
        stack: undefined,
        props: undefined,
        cause: undefined,
        value: err,
      };
    }
    let message = String(err.message);
    let name = String(err.name);
    const missing =
      closureCheck && err instanceof ReferenceError ? /^(\S+) is not defined$/.exec(message) : null;
    if (missing !== null) {
      name = "ReferenceError";
      message =
        `the job function uses "${missing[1]}", which is not defined in the worker: ` +
        `closures do not cross threads — pass "${missing[1]}" as an argument, or use moduleFunction()`;
    }
    let props: Record<string, unknown> | undefined;
    for (const key of Object.keys(err)) {
      if (key === "cause") continue;
      try {
        const v = structuredClone((err as unknown as Record<string, unknown>)[key]);
        (props ??= {})[key] = v;
      } catch {}
    }
    const next = "cause" in err ? err.cause : undefined;
    const causeRef = next === undefined ? -1 : chain.indexOf(next);
    const cause =
      next !== undefined && causeRef === -1 && chain.length < 16
        ? serialize(next, false, chain)
        : undefined;
    const stack = typeof err.stack === "string" ? err.stack : undefined;
    return {
      isError: true,
      name,
      message,
      stack,
      props,
      cause,
      ...(causeRef === -1 ? {} : { causeRef }),
      value: undefined,
    };
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const pendingWrite = written();
        if (pendingWrite !== null) await pendingWrite;
        poll();
        const m = queue.shift()!;
        if (m[0] === M_INIT) {
          await runInit(m);
          flush(); // the pool must know the worker is initialised before any job can kill it
        } else if (await runJob(m)) {
          // Aborted: the pool may be terminating us; wait until it has seen the reply.
          flush();
          await new Promise<void>((go) => {
            resume = { id: m[1] as number, go };
          });
        }
        // A reply is sent — and written, at the top of the loop — before the
        // next job starts: if that job kills the worker, the pool must not
        // mistake the finished job for the lost one.
        flush();
      }
    } finally {
      draining = false;
      flush();
    }
  }

  async function runInit(m: Msg): Promise<void> {
    try {
      if (m[1] !== null) {
        const fn = await resolveFn(m[1] as never);
        await fn(...(m[2] as unknown[]));
      }
      reply([R_INIT_OK]);
    } catch (err) {
      reply([R_INIT_ERR, serialize(err, (m[1] as { src?: string }).src !== undefined)]);
    }
  }

  /** Runs one job and queues its reply; true when its signal was aborted (the worker must hold). */
  async function runJob(m: Msg): Promise<boolean> {
    const id = m[1] as number;
    const key = m[2] as number;
    // Kept even when the job is skipped: later jobs of this function come without it.
    if (m[3] !== null) specs.set(key, m[3] as never);
    const skip = skipped.get(id);
    if (skip !== undefined) {
      // Cancelled with an abort before it started (the pool thought it was
      // running): hold as after an aborted job.
      skipped.delete(id);
      reply([R_SKIPPED, id, null, skip]);
      return skip;
    }
    const spec = specs.get(key)!;
    const job: Current = { id, aborted: false, controller: null };
    current = job;
    const start = performance.now();
    try {
      let f = fns.get(key);
      if (f === undefined) {
        f = await resolveFn(spec);
        fns.set(key, f);
      }
      const fn = f;
      let value: unknown;
      if (m[6] === true) {
        // A chunk of `map()`: one call per argument list, results in order.
        const results: unknown[] = [];
        for (const args of m[4] as unknown[][]) {
          let v = als.run(job, () => fn(...args));
          if (v !== null && typeof (v as PromiseLike<unknown>)?.then === "function") {
            flush();
            v = await v;
          }
          results.push(v);
        }
        value = results;
      } else {
        value = als.run(job, () => fn(...(m[4] as unknown[])));
        if (value !== null && typeof (value as PromiseLike<unknown>)?.then === "function") {
          flush(); // the job waits: let finished replies go now
          value = await value;
        }
      }
      const ms = performance.now() - start;
      const held = await seeCancellation(job);
      const marked = value as {
        [TRANSFER]?: boolean;
        value: unknown;
        list: TransferListItem[];
      } | null;
      if (marked !== null && typeof marked === "object" && marked[TRANSFER] === true) {
        reply([R_OK, id, marked.value, held, ms], marked.list);
      } else {
        reply([R_OK, id, value, held, ms]);
      }
      return held;
    } catch (err) {
      const ms = performance.now() - start;
      const held = await seeCancellation(job);
      reply([R_ERR, id, serialize(err, spec.src !== undefined), held, ms]);
      return held;
    } finally {
      current = null;
    }
  }

  /**
   * Before a finished job stops being `current`, takes in a cancellation that
   * arrived while it ran synchronously (it would otherwise be mistaken for
   * the cancellation of a job not started), and says whether the job's
   * signal ended up aborted. Threads read their port synchronously; a child
   * process (or a Web Worker) lets one poll phase (two host turns) pass,
   * only when another job is waiting.
   */
  async function seeCancellation(job: Current): Promise<boolean> {
    if (kind === "thread") poll();
    else if (queue.length > 0 && !job.aborted) {
      await nextTurn();
      await nextTurn();
    }
    return job.aborted;
  }
}

/**
 * The script a worker evaluates. It defines `__name` first: compilers that
 * keep function names (esbuild's `keepNames`, used by tsx) insert
 * `__name(fn, "name")` calls into `workerMain` itself.
 */
export function workerSource(kind: "thread" | "process" | "web"): string {
  return (
    'var __name = (t, v) => { try { Object.defineProperty(t, "name", { value: v, configurable: true }); } catch {} return t; };\n' +
    `(${workerMain.toString()})(${JSON.stringify(kind)}, ${JSON.stringify(workerFeatures)});\n`
  );
}
