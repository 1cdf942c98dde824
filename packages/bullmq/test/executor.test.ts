import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BullMQExecutor, isModuleNotAllowedError } from "@aio/bullmq";
import { isCancelledError, isTimeoutError } from "@aio/core";
import { isBrokenExecutorError, moduleFunction } from "@aio/executors";
import { gather, timeout, waitFor } from "@aio/futures";
import { run } from "@aio/loop";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  hasRedis,
  JOBS,
  OUTSIDE,
  type RedisServer,
  startRedis,
  startWorker,
  stopAll,
  tempDir,
  uniqueQueue,
  until,
  type WorkerProcess,
} from "./helpers.js";

const add = moduleFunction<(a: number, b: number) => number>(JOBS, "add");
const square = moduleFunction<(x: number) => number>(JOBS, "square");
const echo = moduleFunction<(...args: unknown[]) => unknown[]>(JOBS, "echo");
const sleep = moduleFunction<(ms: number, v: unknown) => unknown>(JOBS, "sleep");
const fail = moduleFunction<(m: string) => never>(JOBS, "fail");
const evil = moduleFunction<(marker: string) => string>(OUTSIDE, "run");

describe.skipIf(!hasRedis)("BullMQExecutor", () => {
  let redis: RedisServer;
  let queue: string;
  let worker: WorkerProcess;

  beforeAll(async () => {
    redis = await startRedis();
    queue = uniqueQueue("exec");
    worker = await startWorker(redis.url, queue, ["--concurrency", "4"]);
  });
  afterAll(async () => {
    await stopAll();
  });

  test("BullMQExecutor.submit() runs a module function on a worker process and gives its result", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const pid = moduleFunction<() => number>(JOBS, "pid");
    const f = ex.submit(add, 20, 22);
    expect(typeof f.jobId).toBe("string");
    expect(await f).toBe(42);
    expect(await ex.submit(pid)).toBe(worker.pid);
  });

  test("BullMQExecutor.submit() keeps the types of arguments and results (structured clone)", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const date = new Date(1_700_000_000_000);
    const map = new Map<unknown, unknown>([["k", new Set([1, 2])]]);
    const args = [date, map, 2n ** 70n, new Float64Array([1.5, -0]), { nested: [undefined, null] }];
    const back = await ex.submit(echo, ...args);
    expect(back).toEqual(args);
    expect(back[0]).toBeInstanceOf(Date);
    expect(back[1]).toBeInstanceOf(Map);
    expect(back[3]).toBeInstanceOf(Float64Array);
    const errBack = (await ex.submit(echo, new TypeError("as a value")))[0] as Error;
    expect(errBack).toBeInstanceOf(TypeError);
    expect(errBack.message).toBe("as a value");
  });

  test("plain JSON values travel as JSON (j: in Redis); values JSON would change take the structured clone and come back identical", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const plain = await ex.submit(echo, 1.5, "é\ud800", true, null, [1, [2]], { a: { b: [] } });
    expect(plain).toEqual([1.5, "é\ud800", true, null, [1, [2]], { a: { b: [] } }]);
    const f = ex.submit(add, 2, 3);
    expect(await f).toBe(5);
    const [data, returnvalue] = await redis
      .client()
      .hmget(`bull:${queue}:${f.jobId}`, "data", "returnvalue");
    expect(JSON.parse(data!).args).toBe("j:[2,3]");
    expect(JSON.parse(returnvalue!)).toBe("j:5");
    // Each of these differs after a JSON round trip; each must come back as sent.
    const sparse = [1, 2, 3];
    delete sparse[1];
    const withProp = Object.assign([1, 2], { extra: "x" });
    const nullProto = Object.assign(Object.create(null) as object, { k: 1 });
    const protoKey = JSON.parse('{"__proto__": 1}') as object;
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i++) deep = [deep];
    const odd = [
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      { u: undefined },
      sparse,
      withProp,
      nullProto,
      protoKey,
      deep,
    ];
    const back = await ex.submit(echo, ...odd);
    expect(Object.is(back[0], -0)).toBe(true);
    expect(back[1]).toBeNaN();
    expect(back[2]).toBe(Number.POSITIVE_INFINITY);
    expect(back.length).toBe(odd.length);
    expect(back[3]).toBe(undefined);
    expect("u" in (back[4] as object)).toBe(true);
    expect(1 in (back[5] as unknown[])).toBe(false);
    expect((back[6] as { extra?: string }).extra).toBe("x");
    expect(back[7]).toEqual({ k: 1 });
    expect(Object.getOwnPropertyNames(back[8])).toEqual(["__proto__"]);
    expect(back[9]).toEqual(deep);
  });

  test("BullMQExecutor.submit(): a remote exception arrives with its name, message, props, cause and remote stack", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const err = await ex.submit(fail, "bad input").then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.name).toBe("ValidationError");
    expect(err!.message).toBe("bad input");
    expect(err!.code).toBe("E_VALID");
    expect(err!.cause).toBeInstanceOf(RangeError);
    expect((err!.cause as Error).message).toBe("the cause");
    // Node and Deno name the frame's file by URL, Bun by path.
    expect(err!.stack).toMatch(/at fail \((file:\/\/)?\/.*jobs\.mjs/);
  });

  test("BullMQExecutor.submit(): a non-cloneable argument throws before anything is sent", async () => {
    const q = uniqueQueue("noclone");
    await using ex = new BullMQExecutor({ queue: q, connection: redis.url });
    expect(() => ex.submit(echo, { f: () => 1 })).toThrow(TypeError);
    expect(() => ex.submit(echo, 1, Symbol("s"))).toThrow(
      /submit\(\) arguments must be structured-cloneable to reach a worker: args\[1\]/,
    );
    // No worker serves this queue: the valid job stays waiting, alone.
    const valid = ex.submit(add, 1, 1);
    const client = redis.client();
    const jobKeys = async () =>
      (await client.keys(`bull:${q}:*`)).filter((k) => /^bull:[^:]+:[0-9a-f-]{36}$/.test(k));
    await until(async () => (await jobKeys()).length > 0);
    expect(await jobKeys()).toEqual([`bull:${q}:${valid.jobId}`]);
    valid.cancel();
  });

  test("loop.runInExecutor(), gather(), waitFor() and timeout() work with its futures", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    await run(async () => {
      const { getRunningLoop } = await import("@aio/core");
      const loop = getRunningLoop();
      expect(await loop.runInExecutor(ex, add, 2, 3)).toBe(5);
      expect(await gather(...[1, 2, 3, 4].map((x) => ex.submit(square, x)))).toEqual([1, 4, 9, 16]);
      expect(await waitFor(ex.submit(add, 1, 2), 10_000)).toBe(3);
      const slow = ex.submit(sleep, 5_000, "late");
      const err = await waitFor(slow, 100).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isTimeoutError(err)).toBe(true);
      expect(slow.cancelled()).toBe(true);
      const err2 = await timeout(100, async () => await ex.submit(sleep, 5_000, "late")).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isTimeoutError(err2)).toBe(true);
    });
  });

  test("BullMQExecutor.map() yields results in input order; buffersize submits lazily, at most N ahead", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const out: number[] = [];
    for await (const r of ex.map(square, [1, 2, 3, 4, 5])) out.push(r);
    expect(out).toEqual([1, 4, 9, 16, 25]);
    let pulled = 0;
    function* items() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield i;
      }
    }
    const it = ex.map(square, items(), { buffersize: 3 });
    expect(pulled).toBe(3);
    const first = await it.next();
    expect(first.value).toBe(0);
    expect(pulled).toBe(4);
    const rest: number[] = [];
    for await (const r of it) rest.push(r);
    expect(rest).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81]);
    // leaving early cancels what is left
    const it2 = ex.map(sleep as (ms: number) => unknown, [0, 5_000, 5_000], { buffersize: 3 });
    await it2.next();
    await it2.return?.(undefined);
  });

  test("BullMQExecutor.map() raises a job's exception at its place and honours timeout", async () => {
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const r of ex.map(fail as (m: string) => unknown, ["x"])) seen.push(r);
    })().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe("ValidationError");
    const terr = await (async () => {
      for await (const r of ex.map(sleep as (ms: number) => unknown, [5_000], { timeout: 100 }))
        seen.push(r);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTimeoutError(terr)).toBe(true);
    expect(seen).toEqual([]);
  });

  test("a job whose module is outside the worker's --allow paths fails with ModuleNotAllowedError and nothing of it runs", async () => {
    const dir = tempDir();
    const marker = join(dir, "evil-ran");
    const bodyMarker = join(dir, "evil-body-ran");
    const q = uniqueQueue("allow");
    const w = await startWorker(redis.url, q, [], { AIO_EVIL_MARKER: bodyMarker });
    await using ex = new BullMQExecutor({ queue: q, connection: redis.url });
    const err = await ex.submit(evil, marker).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isModuleNotAllowedError(err)).toBe(true);
    expect(err?.message).toMatch(/is not under this worker's allowed paths/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(bodyMarker)).toBe(false);
    expect(await ex.submit(add, 1, 2)).toBe(3);
    await w.stop();
  });

  test("shipping function source needs allowSource on both the executor and the worker", async () => {
    await using plain = new BullMQExecutor({ queue, connection: redis.url });
    expect(() => plain.submit((x: number) => x + 1, 1)).toThrow(
      /fn must be a moduleFunction\(url, exportName\) from @aio\/executors.*allowSource/,
    );
    await using ex = new BullMQExecutor({ queue, connection: redis.url, allowSource: true });
    const err = await ex
      .submit((x: number) => x + 1, 1)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isModuleNotAllowedError(err)).toBe(true);
    expect((err as Error).message).toMatch(/--allow-source/);
    const q = uniqueQueue("source");
    const w = await startWorker(redis.url, q, ["--allow-source"]);
    await using ex2 = new BullMQExecutor({ queue: q, connection: redis.url, allowSource: true });
    expect(await ex2.submit((x: number) => x + 1, 41)).toBe(42);
    await w.stop();
  });

  test("BullMQExecutor.futureFor() takes up a job's result by id after the producer restarted", async () => {
    // A producer in its own process: submits a 1.5 s job, prints the id, and dies
    // (process.exit: no shutdown) before the result comes.
    const script = `import { BullMQExecutor } from "@aio/bullmq";
       import { moduleFunction } from "@aio/executors";
       const ex = new BullMQExecutor({ queue: ${JSON.stringify(queue)}, connection: ${JSON.stringify(redis.url)} });
       const f = ex.submit(moduleFunction(${JSON.stringify(JOBS.href)}, "sleep"), 1500, { answer: 42n });
       setTimeout(() => { console.log(f.jobId); process.exit(0); }, 300);`;
    const jobId = await new Promise<string>((resolve, reject) => {
      // Deno runs `-e` code as a script (no import statements): `deno eval` there.
      const args =
        (globalThis as { Deno?: unknown }).Deno !== undefined
          ? ["eval", script]
          : ["--input-type=module", "-e", script];
      const child = spawn(process.execPath, args, {
        cwd: new URL("..", import.meta.url),
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.once("exit", (code) =>
        code === 0 ? resolve(out.trim()) : reject(new Error(`producer exited ${code}`)),
      );
    });
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await using ex = new BullMQExecutor({ queue, connection: redis.url });
    expect(await ex.futureFor(jobId)).toEqual({ answer: 42n }); // still running when asked
    expect(await ex.futureFor(jobId)).toEqual({ answer: 42n }); // finished, kept in Redis
    const missing = await ex.futureFor("no-such-job").then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isBrokenExecutorError(missing)).toBe(true);
    expect(missing?.message).toMatch(/no job no-such-job in the queue/);
  });

  test("BullMQExecutor.shutdown() refuses new work, waits for running jobs, and is idempotent", async () => {
    const ex = new BullMQExecutor({ queue, connection: redis.url });
    const f = ex.submit(sleep, 200, "done");
    await ex.shutdown();
    expect(f.result()).toBe("done");
    expect(() => ex.submit(add, 1, 2)).toThrow("cannot schedule new futures after shutdown");
    await ex.shutdown();
    expect(String(ex)).toMatch(
      /^<BullMQExecutor \[closed\] queue=exec-\d+-\d+ redis:\/\/127\.0\.0\.1:\d+ pending=0>$/,
    );
  });

  test("BullMQExecutor.shutdown({ cancelFutures: true }) cancels what has not finished", async () => {
    const ex = new BullMQExecutor({ queue, connection: redis.url });
    const futures = [1, 2, 3].map(() => ex.submit(sleep, 10_000, "never"));
    await ex.shutdown({ cancelFutures: true });
    for (const f of futures) {
      expect(f.cancelled()).toBe(true);
      let thrown: unknown;
      try {
        f.result();
      } catch (e) {
        thrown = e;
      }
      expect(isCancelledError(thrown)).toBe(true);
    }
  });

  test("BullMQExecutor: Redis unreachable makes submit fail clearly", async () => {
    const { freePort } = await import("./helpers.js");
    const port = await freePort();
    const ex = new BullMQExecutor({
      queue,
      connection: `redis://127.0.0.1:${port}`,
      connectionLostTimeoutMs: 500,
    });
    const err = await ex.submit(add, 1, 2).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isBrokenExecutorError(err)).toBe(true);
    expect(err?.message).toMatch(
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`),
    );
    await ex.shutdown();
  });
});

describe.skipIf(!hasRedis)("BullMQExecutor with a password", () => {
  afterAll(async () => {
    await stopAll();
  });

  test("a Redis password passes through to the executor (URL) and the worker (AIO_REDIS_PASSWORD)", async () => {
    const redis = await startRedis({ password: "s3cret pass" });
    const queue = uniqueQueue("auth");
    await startWorker(redis.url, queue, [], { AIO_REDIS_PASSWORD: "s3cret pass" });
    await using ex = new BullMQExecutor({
      queue,
      connection: `redis://:${encodeURIComponent("s3cret pass")}@127.0.0.1:${redis.port}`,
    });
    expect(await ex.submit(add, 40, 2)).toBe(42);
    await using obj = new BullMQExecutor({
      queue,
      connection: { host: "127.0.0.1", port: redis.port, password: "s3cret pass" },
    });
    expect(await obj.submit(add, 1, 2)).toBe(3);
    const wrong = new BullMQExecutor({
      queue,
      connection: redis.url,
      connectionLostTimeoutMs: 500,
    });
    const err = await Promise.resolve(wrong.submit(add, 1, 2)).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isBrokenExecutorError(err)).toBe(true);
    expect(err?.message).toMatch(/cannot reach Redis at .*NOAUTH|Authentication required/i);
    await wrong.shutdown();
  });
});

describe.skipIf(!hasRedis)("BullMQExecutor methods called with wrong types", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopAll();
  });

  test("submit(), map(), futureFor() and shutdown() check their arguments as plain JavaScript calls them", async () => {
    const ex = new BullMQExecutor({
      queue: uniqueQueue("types"),
      connection: redis.url,
    }) as unknown as {
      submit(...a: unknown[]): unknown;
      map(...a: unknown[]): unknown;
      futureFor(...a: unknown[]): unknown;
      shutdown(...a: unknown[]): Promise<void>;
    };
    expect(() => ex.submit(42)).toThrow(
      new TypeError("submit() fn must be a moduleFunction(), received 42"),
    );
    expect(() => ex.map(square, 5)).toThrow(
      new TypeError("map() iterable must be iterable, received 5"),
    );
    expect(() => ex.map(square, [1], { buffersize: 0 })).toThrow(RangeError);
    expect(() => ex.map(square, [1], { buffersize: "2" })).toThrow(TypeError);
    expect(() => ex.map(square, [1], { timeout: -1 })).toThrow(RangeError);
    expect(() => ex.futureFor(7)).toThrow(
      new TypeError("futureFor() jobId must be a non-empty string, received 7"),
    );
    let sync: unknown = null;
    let p: Promise<void> | undefined;
    try {
      p = ex.shutdown("now");
    } catch (e) {
      sync = e;
    }
    expect(sync).toBe(null);
    await expect(p).rejects.toThrow(TypeError);
    await ex.shutdown();
    expect(() => ex.submit(add, 1, 2)).toThrow("cannot schedule new futures after shutdown");
    expect(() => ex.futureFor("x")).toThrow("cannot schedule new futures after shutdown");
  });
});

describe("BullMQExecutor arguments", () => {
  test("new BullMQExecutor() checks its options", () => {
    const C = BullMQExecutor as unknown as new (o: unknown) => BullMQExecutor;
    expect(() => new C(undefined)).toThrow(TypeError);
    expect(() => new C({ queue: "", connection: "redis://x" })).toThrow(
      'BullMQExecutor() queue must be a non-empty string, received ""',
    );
    expect(() => new C({ queue: "q", connection: "http://x" })).toThrow(
      /BullMQExecutor\(\) connection must be a redis:\/\/ or rediss:\/\/ URL or \{ host, port \}, received "http:\/\/x"/,
    );
    expect(() => new C({ queue: "q", connection: { host: "h", port: 70000 } })).toThrow(RangeError);
    expect(() => new C({ queue: "q", connection: { port: 1 } })).toThrow(
      "BullMQExecutor() connection.host must be a non-empty string, received undefined",
    );
    expect(() => new C({ queue: "q", connection: "redis://h:1", allowSource: "yes" })).toThrow(
      TypeError,
    );
    expect(
      () => new C({ queue: "q", connection: "redis://h:1", connectionLostTimeoutMs: -1 }),
    ).toThrow(RangeError);
    expect(
      () => new C({ queue: "q", connection: "redis://h:1", jobOptions: { attempts: 0 } }),
    ).toThrow(RangeError);
  });
});
