import { BullMQExecutor, runWorker } from "@aio/bullmq";
import { moduleFunction } from "@aio/executors";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  FIXTURES,
  hasRedis,
  JOBS,
  type RedisServer,
  runCli,
  startRedis,
  stopAll,
  uniqueQueue,
} from "./helpers.js";

describe("aio-bullmq-worker", () => {
  test("aio-bullmq-worker --help prints the usage and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^usage: aio-bullmq-worker --connection redis:\/\/HOST:PORT --queue NAME --allow PATH/,
    );
    expect(r.stdout).toContain("--allow-source");
  });

  test("aio-bullmq-worker names a bad or missing flag and exits 2", {
    timeout: 60_000,
  }, async () => {
    const cases: [string[], string][] = [
      [["--queue", "q", "--allow", FIXTURES], "--connection is required"],
      [["--connection", "redis://127.0.0.1:1", "--allow", FIXTURES], "--queue is required"],
      [
        ["--connection", "redis://127.0.0.1:1", "--queue", "q"],
        "at least one --allow PATH is required",
      ],
      [["--bogus"], 'unknown option "--bogus"'],
      [["--queue"], "--queue needs a value"],
      [
        [
          "--connection",
          "redis://127.0.0.1:1",
          "--queue",
          "q",
          "--allow",
          FIXTURES,
          "--concurrency",
          "many",
        ],
        '--concurrency must be a number >= 1, received "many"',
      ],
      [
        ["--connection", "http://x", "--queue", "q", "--allow", FIXTURES],
        "runWorker() connection must be a redis:// or rediss:// URL",
      ],
      [
        ["--connection", "redis://127.0.0.1:1", "--queue", "q", "--allow", "/no/such/dir"],
        "runWorker() allow[0] does not exist: /no/such/dir",
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i]!;
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toContain(`aio-bullmq-worker: ${message}`);
    }
  });
});

describe("runWorker()", () => {
  test("runWorker() rejects (never throws) on wrong options", async () => {
    const call = runWorker as unknown as (o: unknown) => Promise<void>;
    let sync: unknown = null;
    let p: Promise<void> | undefined;
    try {
      p = call(undefined);
    } catch (e) {
      sync = e;
    }
    expect(sync).toBe(null);
    await expect(p).rejects.toThrow(TypeError);
    const base = { queue: "q", connection: "redis://127.0.0.1:1", allow: [FIXTURES] };
    await expect(call({ ...base, queue: 1 })).rejects.toThrow(
      "runWorker() queue must be a non-empty string, received 1",
    );
    await expect(call({ ...base, allow: [] })).rejects.toThrow(
      "runWorker() allow must be a non-empty array of paths, received an instance of Array",
    );
    await expect(call({ ...base, concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(call({ ...base, concurrency: "2" })).rejects.toThrow(TypeError);
    await expect(call({ ...base, signal: "stop" })).rejects.toThrow(
      'runWorker() signal must be an AbortSignal, received "stop"',
    );
    await expect(call({ ...base, abortGraceMs: -1 })).rejects.toThrow(RangeError);
    await expect(call({ ...base, threads: "yes" })).rejects.toThrow(
      'runWorker() threads must be a boolean, received "yes"',
    );
    await expect(call({ ...base, threads: false, abortGraceMs: 100 })).rejects.toThrow(
      "runWorker() abortGraceMs needs threads (only a job in a thread of its own can be terminated), received threads: false",
    );
    await expect(call({ ...base, maxStalledCount: 1.5 })).rejects.toThrow(RangeError);
    await expect(call({ ...base, connection: 42 })).rejects.toThrow(TypeError);
  });

  test("runWorker() returns at once for an already aborted signal", async () => {
    const base = { queue: "q", connection: "redis://127.0.0.1:1", allow: [FIXTURES] };
    await expect(runWorker({ ...base, signal: AbortSignal.abort() })).resolves.toBe(undefined);
  });
});

describe.skipIf(!hasRedis)("runWorker() in this process", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopAll();
  });

  test("runWorker() serves jobs until its signal is aborted, then resolves", async () => {
    const queue = uniqueQueue("inproc");
    const stop = new AbortController();
    let ready!: () => void;
    const isReady = new Promise<void>((r) => {
      ready = r;
    });
    const worker = runWorker({
      queue,
      connection: { host: "127.0.0.1", port: redis.port },
      allow: [FIXTURES],
      concurrency: 2,
      signal: stop.signal,
      onReady: ready,
    });
    await isReady;
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const add = moduleFunction<(a: number, b: number) => number>(JOBS, "add");
    expect(await ex.submit(add, 2, 2)).toBe(4);
    stop.abort();
    await expect(worker).resolves.toBe(undefined);
  });
});
