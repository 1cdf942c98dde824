/**
 * The one list of tests that do not run on some runtime, with the reason
 * for each. `vitest.shared.ts` applies it: a listed file is excluded there,
 * a listed test is filtered out by name (vitest reports it as skipped).
 * Nothing else skips a test by runtime.
 *
 * Runtimes: `node` (20 and 24), `deno` (2), `bun` (1), `chromium` (headless,
 * vitest browser mode). See `docs/guide/runtimes.md`.
 */

/** Where a suite runs. */
export type TestRuntime = "node" | "deno" | "bun" | "chromium";

/** One rule: a file (or tests in it) that cannot run on the given runtimes. */
export interface SkipRule {
  /** The runtimes the rule applies to. */
  runtimes: readonly TestRuntime[];
  /** The package directory name (`futures`). */
  package: string;
  /** The test file, relative to the package (`test/tasks.test.ts`). */
  file: string;
  /** Only these tests (their full titles contain one of these strings); default: the whole file. */
  tests?: readonly string[];
  /** Why: what the runtime lacks. */
  reason: string;
}

const NODE_ONLY_FILE =
  "it drives child processes, sockets or files (Node APIs) from the test itself";
const NO_SET_IMMEDIATE = "the test body uses Node's setImmediate, which browsers do not have";
const NO_ALS = "it checks AsyncLocalStorage, a Node API (Deno and Bun have it; browsers do not)";
const NODE_POOLS =
  "the Node pools (worker_threads, child processes, /proc, Atomics.wait on shared memory): test/browser-thread-pool.test.ts covers the Web Worker pool";
const NODE_STREAMS =
  "TCP, TLS, UDP and child processes (and Node's Buffer): not reachable from a page; test/browser-streams.test.ts checks the browser entry's RuntimeErrors";
const NO_LISTENERS =
  "it counts abort listeners with node:events getEventListeners, which browsers do not have";

export const SKIP_RULES: readonly SkipRule[] = [
  // ----- executors on Deno 2 (the rest of the suite runs there; docs/design/executor-runtimes.md)
  {
    runtimes: ["deno", "bun"],
    package: "executors",
    file: "test/thread-pool.test.ts",
    tests: ["a worker over its resourceLimits fails its job with BrokenExecutorError"],
    reason:
      "ThreadPoolExecutor refuses resourceLimits with a RuntimeError there: Deno 2 often leaves a worker over its limit hung (when the job runs from a message), Bun 1 does not enforce the limits at all; the next rule's test checks the refusal",
  },
  {
    runtimes: ["node"],
    package: "executors",
    file: "test/thread-pool.test.ts",
    tests: [
      "on Deno 2 and Bun 1, resourceLimits throws RuntimeError naming the runtime and the alternative",
    ],
    reason: "it checks the refusal on Deno and Bun; on Node resourceLimits works (the test above)",
  },
  {
    runtimes: ["deno"],
    package: "executors",
    file: "test/conformance-force-shutdown.test.ts",
    tests: [
      "test_force_shutdown_workers: ThreadPoolExecutor.terminateWorkers()",
      "test_force_shutdown_workers: ThreadPoolExecutor.killWorkers()",
    ],
    reason:
      "Deno 2's worker.terminate() cannot stop a thread running synchronous code: the futures fail at once, but the thread runs its job to the end before it goes (the test counts OS threads right after)",
  },
  {
    runtimes: ["deno"],
    package: "executors",
    file: "test/process-pool.test.ts",
    tests: ["a busy main thread past the grace period never gets another job's child killed"],
    reason:
      "Deno 2 reads a child's IPC channel in an async operation that completes turns later than Node's poll phase: after a long busy stretch the abort grace can decide before the finished job's reply is read, so that child is killed needlessly (the job behind it is resent to a fresh child; nothing is lost, but the test's same-pid check fails)",
  },

  // ----- executors on Bun 1 (the rest of the suite runs there)

  {
    runtimes: ["bun"],
    package: "executors",
    file: "test/conformance-force-shutdown.test.ts",
    tests: [
      "test_force_shutdown_workers: ThreadPoolExecutor.terminateWorkers()",
      "test_force_shutdown_workers: ThreadPoolExecutor.killWorkers()",
    ],
    reason:
      "Bun 1 stops the job (its marker file stays 'started') but keeps OS threads after a worker ends (6 workers started and terminated in turn leave the count at 7 from 3, flat after the first few), and the test counts OS threads right after",
  },
  {
    runtimes: ["bun"],
    package: "executors",
    file: "test/stress.test.ts",
    tests: ["10k jobs with random cancellations"],
    reason:
      "it waits until the OS thread count is back to where it was; Bun 1 keeps OS threads after its workers end (see the rule above), so the count may stay higher even though every worker has exited (the test passes alone, 3 runs of 3, and can fail after other tests)",
  },
  // ----- executors in Chromium: the Web Worker pool has its own suite
  {
    runtimes: ["node", "deno", "bun"],
    package: "executors",
    file: "test/browser-thread-pool.test.ts",
    reason: "it needs a page: Web Workers, Blob URLs and modules served by vite's dev server",
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/arguments.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/conformance-force-shutdown.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/conformance-process-pool.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/differential.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/exports.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/map-buffersize.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/parent-death.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/process-pool.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/protocol.test.ts",
    reason: NODE_POOLS,
  },
  { runtimes: ["chromium"], package: "executors", file: "test/stress.test.ts", reason: NODE_POOLS },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/submit-with.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/thread-pool.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/to-thread.test.ts",
    reason: NODE_POOLS,
  },
  {
    runtimes: ["chromium"],
    package: "executors",
    file: "test/uncloneable.test.ts",
    reason: NODE_POOLS,
  },
  // ----- streams in Chromium: only the browser entry's RuntimeErrors
  {
    runtimes: ["deno", "bun", "chromium"],
    package: "streams",
    file: "test/browser-bundle.test.ts",
    reason:
      "it drives esbuild from Node over the built package; the Node runs cover it (what it checks does not depend on the runtime running the bundler)",
  },
  {
    runtimes: ["node", "deno", "bun"],
    package: "streams",
    file: "test/browser-streams.test.ts",
    reason: "it checks the browser entry (the `browser` export condition) in a page",
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/arguments.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/connection.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/datagram.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/differential.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/differential-rw.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/differential-endpoints.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/exports.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/hardening.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/keep-alive.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/stream-reader.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/subprocess.test.ts",
    reason: NODE_STREAMS,
  },
  {
    runtimes: ["chromium"],
    package: "streams",
    file: "test/tls-unix.test.ts",
    reason: NODE_STREAMS,
  },
  { runtimes: ["chromium"], package: "streams", file: "test/conformance/**", reason: NODE_STREAMS },
  // ----- core
  { runtimes: ["chromium"], package: "core", file: "test/cjs.test.ts", reason: NODE_ONLY_FILE },
  {
    runtimes: ["chromium"],
    package: "core",
    file: "test/internal-contract.test.ts",
    reason:
      "it reads every package's source files with node:fs (a check of the repository, not of a runtime)",
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/names-and-arguments.test.ts",
    reason:
      "it loads the built package from dist through node:fs and node:url to compare the class names there with the sources'",
  },
  // ----- loop
  {
    runtimes: ["deno", "bun", "chromium"],
    package: "loop",
    file: "test/bundling.test.ts",
    reason:
      "it drives esbuild, Vite, Rollup and a Chromium of its own from Node; the Node runs cover it (what it checks does not depend on the runtime running the bundlers)",
  },
  {
    runtimes: ["bun"],
    package: "loop",
    file: "test/host-fairness.test.ts",
    tests: ["100k pending timers hold ONE host timer"],
    reason: "it counts timers with process.getActiveResourcesInfo(), which lists no timers on Bun",
  },
  {
    runtimes: ["node", "deno", "bun"],
    package: "loop",
    file: "test/browser-host.test.ts",
    reason: "it needs a page: input events, rendering and vitest's browser userEvent",
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/host-fairness.test.ts",
    reason: NODE_ONLY_FILE,
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/conformance/runners-sigint.test.ts",
    reason: "it sends SIGINT to child processes (no signals in a browser)",
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/differential-contexts.test.ts",
    tests: ["a signal handler failing: asyncio's keys"],
    reason:
      "a page receives no process signals: addSignalHandler() is a RuntimeError there (test/browser-host.test.ts checks that)",
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/event-loop.test.ts",
    tests: ["is true with AIO_DEBUG=1 in the environment"],
    reason: "a browser has no environment variables",
  },
  {
    runtimes: ["deno"],
    package: "loop",
    file: "test/conformance/runners-sigint.test.ts",
    tests: [
      "test_interrupt_wait: SIGINT cancels the main task",
      "a second SIGINT exits even when the main task swallows the first",
    ],
    reason:
      "the SIGINT child is tsx's CLI launched with process.execPath; under Deno that is deno, and the re-launched fixture does not report its exit the Node way (not diagnosed further; the Node runs cover it)",
  },
  // ----- futures
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/cross-copy.test.ts",
    reason:
      "its second copy of @aio/futures and @aio/core comes from vi.resetModules() and a fresh import, which loads the modules again under Node, Deno and Bun; a page keeps one instance per module URL, so there would be no second copy to test",
  },
  {
    runtimes: ["node", "deno", "bun"],
    package: "futures",
    file: "test/browser-tasks.test.ts",
    reason:
      "it checks the contract for hosts without AsyncLocalStorage; these runtimes have it, and test/tasks.test.ts checks their stronger contract",
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/conformance/taskgroups.test.ts",
    tests: ["TestEagerTaskTaskGroup"],
    reason:
      "eager tasks started inside an async-function task's step: without AsyncLocalStorage the child's promise jobs cannot be told from its parent's (docs/guide/runtimes.md)",
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/tasks.test.ts",
    tests: ["a task suspended on a foreign promise gets the CancelledError at its next @aio await"],
    reason:
      "without AsyncLocalStorage, code resumed by a foreign promise is not known to be the task's: cancellation reaches it through task.signal and as the task's outcome, not at its next await (docs/guide/runtimes.md)",
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/tasks.test.ts",
    tests: ["a task runs in the AsyncLocalStorage context it was created in"],
    reason: NO_ALS,
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/generator-tasks.test.ts",
    tests: ["the creator's AsyncLocalStorage store is seen in every step"],
    reason: NO_ALS,
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/generator-tasks.test.ts",
    tests: ["an async helper called directly from a generator task has its @aio awaits refused"],
    reason:
      "the refusal finds the generator task through AsyncLocalStorage from the helper's promise jobs; in a browser those awaits are not the task's and run detached (docs/guide/runtimes.md)",
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/property.test.ts",
    reason:
      "it watches process 'unhandledRejection' (a Node API) and trees that await foreign promises",
  },
  // ----- sync
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/lock.test.ts",
    tests: ["Lock.acquire({ signal }) rejects with the reason on abort and removes its listener"],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/barrier.test.ts",
    tests: ["Barrier.wait({ signal }) leaves the barrier when aborted"],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/event.test.ts",
    tests: ["Event.wait(): a cancelled or aborted waiter leaves nothing behind"],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/queue.test.ts",
    tests: ["Queue.get({ signal }) and put({ signal }) reject with the reason and lose nothing"],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/generator-forms.test.ts",
    tests: [
      "an abort while waiting throws signal.reason at the yield*, removes its listener and leaves no waiter",
      "the listener also goes when the wait succeeds",
    ],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/generator-forms.test.ts",
    tests: [
      "await in an async helper a generator task called: the promise form, refused when it has to wait",
    ],
    reason:
      "the refusal finds the generator task through AsyncLocalStorage from the helper's promise jobs (docs/guide/runtimes.md)",
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/semaphore.test.ts",
    tests: ["Semaphore.acquire({ signal }) rejects at once, or on abort, without losing a permit"],
    reason: NO_LISTENERS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/semaphore.test.ts",
    tests: [
      "Semaphore.run(): many pending calls with signals keep FIFO, their AsyncLocalStorage store",
    ],
    reason: NO_ALS,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/semaphore.test.ts",
    tests: ["Semaphore.run() gates plain code outside any loop (the p-limit pattern)"],
    reason: NO_SET_IMMEDIATE,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/semaphore.test.ts",
    tests: ["Semaphore.run() starts a queued job in its caller's task, whoever releases"],
    reason:
      "the job resumes in the releasing task's step: without AsyncLocalStorage it is seen as that task's code until the step's next @aio await (docs/guide/runtimes.md)",
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/outside-loop.test.ts",
    tests: ["a primitive is bound to the loop of its first wait"],
    reason: NO_SET_IMMEDIATE,
  },
  {
    runtimes: ["chromium"],
    package: "sync",
    file: "test/semaphore.test.ts",
    tests: ["Semaphore.run() keeps at most `value` jobs in flight, in FIFO order"],
    reason:
      "the main task awaits Promise.all (a foreign promise): without AsyncLocalStorage its code afterwards has no currentTask() (docs/guide/runtimes.md)",
  },
  // ----- streams: Deno 2's node:dgram, node:tls and node:net differ (owned by @aio/streams)
  {
    runtimes: ["deno"],
    package: "streams",
    file: "test/datagram.test.ts",
    reason:
      "Deno 2's node:dgram differs: a wildcard bound address, no ECONNREFUSED for a connected endpoint, IPv6 names, close() ordering",
  },
  {
    runtimes: ["deno"],
    package: "streams",
    file: "test/conformance/datagram.test.ts",
    tests: ["test_create_datagram_endpoint_sockopts"],
    reason: "Deno 2's node:dgram reports a refused privileged bind as UNKNOWN, not EACCES",
  },
  {
    runtimes: ["deno"],
    package: "streams",
    file: "test/hardening.test.ts",
    tests: [
      "an IP serverHostname in the certificate passes and sends no SNI; a name is sent as SNI",
      "rejects at once with ECONNRESET when the client rejects the certificate and closes",
    ],
    reason:
      "Deno 2's node:tls differs in the SNI it reports for an IP and in how a refused handshake ends",
  },
  {
    runtimes: ["deno"],
    package: "streams",
    file: "test/keep-alive.test.ts",
    tests: ["startServer({ keepAlive: true }) sets SO_KEEPALIVE on accepted sockets"],
    reason: "Deno 2's node:net does not apply keepAlive to accepted sockets",
  },
  // ----- found on Deno 2 after merging main (owners: the packages' helpers)
  {
    runtimes: ["deno"],
    package: "debug",
    file: "test/inspect.test.ts",
    reason:
      "its helper processes are Node scripts started with process.execPath (deno here), and the socket-directory checks read uids and modes through node:fs (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["deno"],
    package: "debug",
    file: "test/task-tree.test.ts",
    tests: [
      "formatTaskTree() tells scheduled tasks from tasks awaiting a foreign promise when debug mode is on",
    ],
    reason:
      "Deno 2 propagates AsyncLocalStorage through timers differently from Node (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["deno"],
    package: "loop",
    file: "test/ensure-loop.test.ts",
    tests: [
      "ensureLoop() from a timer set up inside another run()",
      "ensureLoop() from a callback set up inside another run()",
    ],
    reason:
      "on Deno 2 a timer set up inside a task still sees that task's AsyncLocalStorage store after its loop ended (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["deno"],
    package: "streams",
    file: "test/connection.test.ts",
    tests: ["a slow reader against a fast writer keeps memory bounded"],
    reason:
      "Deno 2's node:net reports backpressure differently (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  // ----- found on Bun 1 after merging main (owners: the packages' helpers)
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/call-graph.test.ts",
    tests: ["captureCallGraph() in a generator task shows the yield* chain as generator frames"],
    reason:
      "Bun's stack traces name generator frames differently (`sync g4`) (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/conformance/graph.test.ts",
    tests: ["test_stack_async_gen"],
    reason:
      "Bun's stack traces name async generator frames differently (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/inspect.test.ts",
    tests: [
      "enableDebug({ inspect: true }) listens in a 0700 directory without touching the umask",
    ],
    reason:
      "Bun's node:fs reports the socket directory's mode differently (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  {
    runtimes: ["bun"],
    package: "streams",
    file: "test/hardening.test.ts",
    tests: ["rejects at once with ECONNRESET when the client rejects the certificate and closes"],
    reason:
      "Bun's node:tls ends a refused handshake differently (found when main was merged into wt/runtimes; not diagnosed further)",
  },
  // ----- Chromium: test files merged from main that need Node from the test itself
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/default-executor.test.ts",
    reason: NODE_ONLY_FILE,
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/ensure-loop.test.ts",
    reason: NODE_ONLY_FILE,
  },
  {
    runtimes: ["chromium"],
    package: "loop",
    file: "test/signals.test.ts",
    reason: "process signals: a page receives none",
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/timeout-report.test.ts",
    reason: NODE_ONLY_FILE,
  },
  {
    runtimes: ["chromium"],
    package: "futures",
    file: "test/signal-aware-children.test.ts",
    reason: "it uses node:async_hooks createHook and node:timers/promises (Node APIs)",
  },
  {
    runtimes: ["chromium"],
    package: "debug",
    file: "test/inspect.test.ts",
    reason: "the inspection socket is a Unix socket (node:net): not in a page",
  },
  {
    runtimes: ["deno", "bun", "chromium"],
    package: "debug",
    file: "test/call-graph-bundle.test.ts",
    reason:
      "it drives esbuild and a Chromium of its own from Node (and runs the bundle with Node); the Node runs cover it (what it checks is the page's call graphs, whatever runs the test)",
  },
  // ----- debug: the in-process parts run in test/in-process.test.ts everywhere
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/viewer.test.ts",
    tests: ["the viewer renders a trace as a timeline and a task table in headless Chromium"],
    reason:
      "times out on Bun 1: the test starts Chromium as a child process and waits for its output (not diagnosed; the Chromium suites cover the browser side)",
  },
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/cli.test.ts",
    tests: ["aio-debug pstree PID and ps PID show the task tree of a live process"],
    reason:
      "times out on Bun 1: the live process is a tsx child whose inspect socket never answers under Bun (not diagnosed)",
  },
  {
    runtimes: ["bun"],
    package: "debug",
    file: "test/instruments.test.ts",
    tests: [
      "enableDebug() reports @aio's own connections, servers and pools left open at loop close",
    ],
    reason:
      "Bun's stack traces show no user frame for a resource opened after an await (`processTicksAndRejections (native)`), so the creation site cannot be named",
  },
  {
    runtimes: ["deno"],
    package: "debug",
    file: "test/viewer.test.ts",
    tests: ["the viewer renders a trace as a timeline and a task table in headless Chromium"],
    reason:
      "times out on Deno 2: the test starts Chromium as a child process and waits for its output (not diagnosed; the Chromium suites cover the browser side)",
  },
  {
    runtimes: ["deno"],
    package: "debug",
    file: "test/cli.test.ts",
    tests: [
      "aio-debug pstree PID and ps PID show the task tree of a live process",
      "aio-debug removes a stale socket and says so",
      "aio-debug rejects a malformed reply",
    ],
    reason:
      "the test's helper processes are Node scripts (tsx, node -e) run with process.execPath, which is deno here: they print Deno's own errors or bind their socket under another name (not diagnosed further)",
  },
  {
    runtimes: ["deno"],
    package: "debug",
    file: "test/task-tree.test.ts",
    tests: ["formatTaskTree() outside a loop shows every running loop, or says there is none"],
    reason:
      "on Deno 2 a setImmediate callback scheduled inside AsyncLocalStorage.exit() still sees the task's store, so the test's 'outside a loop' callback is not outside (a Deno difference in the test's set-up)",
  },
  { runtimes: ["chromium"], package: "debug", file: "test/auto.test.ts", reason: NODE_ONLY_FILE },
  { runtimes: ["chromium"], package: "debug", file: "test/cli.test.ts", reason: NODE_ONLY_FILE },
  {
    runtimes: ["chromium"],
    package: "debug",
    file: "test/instruments.test.ts",
    reason:
      "it checks reports of executors and streams and reads files (Node APIs); test/in-process.test.ts covers the instruments in the browser",
  },
  {
    runtimes: ["chromium"],
    package: "debug",
    file: "test/trace.test.ts",
    reason:
      "it writes and reads trace files (node:fs); test/in-process.test.ts covers trace recording in the browser",
  },
  {
    runtimes: ["chromium"],
    package: "debug",
    file: "test/viewer.test.ts",
    reason: "it reads the viewer page from disk and starts Chromium itself",
  },
  {
    runtimes: ["chromium"],
    package: "debug",
    file: "test/task-tree.test.ts",
    tests: ["formatTaskTree() outside a loop shows every running loop, or says there is none"],
    reason: NO_SET_IMMEDIATE,
  },
];

/** A whole package that does not run on some runtimes (`.ci/run` does not start its suite there). */
export interface PackageSkipRule {
  runtimes: readonly TestRuntime[];
  package: string;
  reason: string;
}

export const PACKAGE_SKIP_RULES: readonly PackageSkipRule[] = [
  {
    runtimes: ["chromium"],
    package: "bullmq",
    reason: "a Redis connection is TCP: not reachable from a page",
  },
];

/**
 * The packages whose suites run on `runtime`, from the package directory names.
 * `npx tsx scripts/runtime-skips.ts RUNTIME PKG...` prints them (used by `.ci/run`).
 */
export function packagesOn(runtime: TestRuntime, all: readonly string[]): string[] {
  return all.filter(
    (p) => !PACKAGE_SKIP_RULES.some((r) => r.package === p && r.runtimes.includes(runtime)),
  );
}

/** The rules of `pkg` on `runtime`. */
export function skipRules(pkg: string, runtime: TestRuntime): SkipRule[] {
  return SKIP_RULES.filter((r) => r.package === pkg && r.runtimes.includes(runtime));
}

// `npx tsx scripts/runtime-skips.ts RUNTIME PKG...`: the packages that run there.
if (process.argv[1]?.endsWith("runtime-skips.ts") && process.argv.length > 3) {
  console.log(packagesOn(process.argv[2] as TestRuntime, process.argv.slice(3)).join(" "));
}
