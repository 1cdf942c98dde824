/**
 * The `aio-debug` socket against other local users (issue 14): where it
 * lives, who may own it, what the CLI prints from it, how much it reads.
 * Two-user cases create a throwaway user and run the attacker as it.
 */
import { createHook } from "node:async_hooks";
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { RuntimeError } from "@aio/core";
import { disableDebug, enableDebug, inspectSocketPath, isDebugEnabled } from "@aio/debug";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { cliMain, MAX_REPLY_BYTES, MAX_REPLY_TASKS } from "../src/internal/cli-main.js";
import { createOtherUser, type OtherUser, twoUserSkipReason } from "./helpers/users.js";

const CHILD_TIME_LIMIT_MS = 15_000;
const uid = process.getuid!();

/**
 * A plain-node helper process (run as us or as the other user): makes the
 * directories and symlinks it is told to, listens on the paths it is told
 * to, answers every connection with `reply` (or `hugeBytes` of JSON that
 * never ends), prints "ready", and stops when stdin closes.
 */
const HELPER = `
const fs = require("node:fs");
const net = require("node:net");
const cfg = JSON.parse(process.argv[1]);
for (const d of cfg.mkdir ?? []) fs.mkdirSync(d, { mode: 0o700, recursive: true });
for (const [target, link] of cfg.symlink ?? []) fs.symlinkSync(target, link);
if (cfg.manyTasks) {
  const tasks = [];
  for (let i = 1; i <= cfg.manyTasks; i++)
    tasks.push({ id: i, name: "", state: "pending", awaiting: "running", awaits: [], awaitedBy: [] });
  cfg.reply = JSON.stringify({ protocol: 1, pid: cfg.pid, loops: [{ loop: "l", tasks }] });
}
const servers = [];
let pending = (cfg.listen ?? []).length;
const ready = () => process.stdout.write("ready\\n");
for (const p of cfg.listen ?? []) {
  const server = net.createServer((s) => {
    s.on("error", () => {});
    if (cfg.hugeBytes) {
      s.write('{"protocol":1,"pid":' + cfg.pid + ',"loops":[{"loop":"');
      const chunk = "x".repeat(1 << 16);
      let sent = 0;
      const more = () => {
        while (sent < cfg.hugeBytes) {
          sent += chunk.length;
          if (!s.write(chunk)) return s.once("drain", more);
        }
        s.end('"}]}\\n');
      };
      more();
    } else s.end(cfg.reply + "\\n");
  });
  servers.push(server);
  server.listen(p, () => { if (--pending === 0) ready(); });
}
if (pending === 0) ready();
process.stdin.on("end", () => { for (const s of servers) s.close(); });
process.stdin.resume();
`;

interface HelperConfig {
  mkdir?: string[];
  symlink?: [string, string][];
  listen?: string[];
  reply?: string;
  hugeBytes?: number;
  manyTasks?: number;
  pid?: number;
}

const children: ChildProcess[] = [];
let other: OtherUser | null = null;
let root = "";
const saved = { TMPDIR: process.env.TMPDIR, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };

beforeAll(() => {
  // A fresh world-writable, sticky tmp dir of our own, as /tmp is: every
  // path below (ours and the attacker's) lives in it.
  root = mkdtempSync(join(tmpdir(), "aio-inspect-"));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  delete process.env.XDG_RUNTIME_DIR;
});

afterEach(async () => {
  disableDebug();
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGKILL");
      await new Promise((resolve) => c.once("exit", resolve));
    }
  }
  for (const name of existsSync(root) ? readdirSync(root) : [])
    rmSync(join(root, name), { recursive: true, force: true });
});

afterAll(() => {
  other?.remove();
  rmSync(root, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** Starts the helper (as `user`, or as us); resolves once it is ready. */
function startHelper(cfg: HelperConfig, user: OtherUser | null = null): Promise<ChildProcess> {
  const argv = [process.execPath, "-e", HELPER, JSON.stringify(cfg)];
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", TMPDIR: root };
  const child =
    user === null
      ? spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env })
      : user.spawn(argv, env);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const guard = setTimeout(
      () => reject(new Error(`helper did not get ready: ${out}`)),
      CHILD_TIME_LIMIT_MS,
    );
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("ready\n")) {
        clearTimeout(guard);
        resolve(child);
      }
    });
    child.stderr!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(guard);
      if (!out.includes("ready")) reject(new Error(`helper exited with ${code}: ${out}`));
    });
  });
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cliMain(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Our socket directory (where a process of ours listens). */
function ownDir(): string {
  return dirname(inspectSocketPath(process.pid));
}

/** A reply for `pid` whose strings carry terminal control sequences. */
function forgedReply(pid: number): string {
  return JSON.stringify({
    protocol: 1,
    pid,
    loops: [
      {
        loop: "\u001b]0;owned\u0007<loop>",
        tasks: [
          {
            id: 1,
            name: "\u001b[2J\u001b[Hforged\u009b31m",
            state: "pending",
            awaiting: "a\u007fb\r\nc",
            awaits: [],
            awaitedBy: [],
            createdAt: null,
          },
        ],
      },
    ],
  });
}

/** Any C0 (but \n), DEL or C1 character in `text`: what must never reach the terminal raw. */
function rawControls(text: string): number[] {
  return [...text]
    .map((c) => c.charCodeAt(0))
    .filter((code) => code !== 0x0a && (code <= 0x1f || (code >= 0x7f && code <= 0x9f)));
}

describe("inspectSocketPath", () => {
  test("inspectSocketPath() is <pid>.sock in the user's own directory, not a shared /tmp name", () => {
    expect(inspectSocketPath(1234)).toBe(join(root, `aio-debug-${uid}`, "1234.sock"));
  });

  test("inspectSocketPath() rejects a pid that is not a positive integer", () => {
    expect(() => inspectSocketPath("1" as never)).toThrow(
      new TypeError('inspectSocketPath() pid must be an integer >= 1, received "1"'),
    );
    expect(() => inspectSocketPath(0)).toThrow(
      new RangeError("inspectSocketPath() pid must be an integer >= 1, received 0"),
    );
    expect(() => inspectSocketPath(1.5)).toThrow(RangeError);
  });
});

describe("enableDebug({ inspect: true })", () => {
  test("enableDebug({ inspect: true }) listens in a 0700 directory without touching the umask", async () => {
    // The umask is read (from /proc, without changing it) whenever an async
    // resource is created during enableDebug(): the socket server's handle
    // is one, created while the socket file is bound.
    const seen: { type: string; umask: string }[] = [];
    const readUmask = (): string =>
      /^Umask:\s*(\d+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "?";
    const before = readUmask();
    const hook = createHook({
      init(_id, type) {
        seen.push({ type, umask: readUmask() });
      },
    });
    hook.enable();
    try {
      enableDebug({ inspect: true, lagThreshold: Number.POSITIVE_INFINITY });
    } finally {
      hook.disable();
    }
    expect(seen.some((s) => s.type === "PIPESERVERWRAP")).toBe(true);
    expect(seen.filter((s) => s.umask !== before)).toEqual([]);
    expect(readUmask()).toBe(before);
    const dir = ownDir();
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(dir).uid).toBe(uid);
    // Connecting once makes sure the server listens (and chmod ran).
    const r = await cli(["ps", String(process.pid)]);
    expect(r.code).toBe(0);
    expect(statSync(inspectSocketPath(process.pid)).mode & 0o777).toBe(0o600);
    disableDebug();
    expect(existsSync(inspectSocketPath(process.pid))).toBe(false);
  });

  test("enableDebug({ inspect: true }) refuses our own directory with a mode other than 0700", () => {
    mkdirSync(ownDir(), { mode: 0o700 });
    chmodSync(ownDir(), 0o755);
    expect(() => enableDebug({ inspect: true })).toThrow(
      new RuntimeError(
        `enableDebug() will not start inspection: ${ownDir()} has mode 0755, not 0700 (another user may have created it first; remove it and try again)`,
      ),
    );
    expect(isDebugEnabled()).toBe(false);
  });
});

describe("aio-debug output", () => {
  test("aio-debug escapes control characters in every string of a reply", async () => {
    await startHelper({
      mkdir: [ownDir()],
      listen: [inspectSocketPath(process.pid)],
      reply: forgedReply(process.pid),
    });
    for (const command of ["pstree", "ps"]) {
      const r = await cli([command, String(process.pid)]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(rawControls(r.out)).toEqual([]);
      expect(r.out).toContain("\\x1b]0;owned\\x07<loop>");
      expect(r.out).toContain("\\x1b[2J\\x1b[Hforged\\x9b31m");
      expect(r.out).toContain("a\\x7fb\\r\\nc");
    }
  });

  test("aio-debug refuses a reply larger than MAX_REPLY_BYTES", async () => {
    await startHelper({
      mkdir: [ownDir()],
      listen: [inspectSocketPath(process.pid)],
      hugeBytes: MAX_REPLY_BYTES + (1 << 20),
      pid: process.pid,
    });
    expect(await cli(["pstree", String(process.pid)])).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: the reply from process ${process.pid} is larger than ${MAX_REPLY_BYTES} bytes; refused it`,
    });
  });

  test("aio-debug refuses a reply listing more than MAX_REPLY_TASKS tasks", async () => {
    await startHelper({
      mkdir: [ownDir()],
      listen: [inspectSocketPath(process.pid)],
      manyTasks: MAX_REPLY_TASKS + 1,
      pid: process.pid,
    });
    expect(await cli(["pstree", String(process.pid)])).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: the reply from process ${process.pid} lists more than ${MAX_REPLY_TASKS} tasks; refused it`,
    });
  });

  test("aio-debug refuses a reply that answers for another process", async () => {
    await startHelper({
      mkdir: [ownDir()],
      listen: [inspectSocketPath(process.pid)],
      reply: forgedReply(1),
    });
    expect(await cli(["ps", String(process.pid)])).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: malformed reply from process ${process.pid}: it answers for process 1`,
    });
  });
});

const skipReason = twoUserSkipReason();
if (skipReason !== null) console.warn(`skipping the two-user aio-debug tests: ${skipReason}`);

describe.skipIf(skipReason !== null)("aio-debug with two users", () => {
  beforeAll(() => {
    other = createOtherUser();
  });

  test("aio-debug refuses a socket another user planted for a process that never enabled inspection", async () => {
    const attacker = other!;
    const victim = process.pid;
    // Both the shared name of old and our directory's name, taken first.
    await startHelper(
      {
        mkdir: [ownDir()],
        listen: [join(root, `aio-debug-${victim}.sock`), inspectSocketPath(victim)],
        reply: forgedReply(victim),
      },
      attacker,
    );
    const r = await cli(["pstree", String(victim)]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: `aio-debug: refusing to connect: ${ownDir()} is owned by uid ${attacker.uid}, not uid ${uid}, the user of process ${victim} (someone else may have created it)`,
    });
  });

  test("enableDebug({ inspect: true }) refuses a socket directory another user created or symlinked", async () => {
    const attacker = other!;
    await startHelper({ mkdir: [ownDir()] }, attacker);
    const owned = `enableDebug() will not start inspection: ${ownDir()} is owned by uid ${attacker.uid}, not uid ${uid}`;
    expect(() => enableDebug({ inspect: true })).toThrow(RuntimeError);
    expect(() => enableDebug({ inspect: true })).toThrow(owned);
    expect(isDebugEnabled()).toBe(false);
    rmSync(ownDir(), { recursive: true });

    const decoy = join(root, "decoy");
    await startHelper({ mkdir: [decoy], symlink: [[decoy, ownDir()]] }, attacker);
    expect(() => enableDebug({ inspect: true })).toThrow(
      `enableDebug() will not start inspection: ${ownDir()} is a symlink`,
    );
    expect(isDebugEnabled()).toBe(false);
  });

  test("aio-debug inspects another user's process in that user's directory (uid from /proc)", async () => {
    const target = other!;
    const dir = join(root, `aio-debug-${target.uid}`);
    const helper = await startHelper({ mkdir: [dir] }, target);
    const pid = helper.pid!;
    // The helper started by setpriv/runuser/su may be a child of it: use a
    // process that is the target user's for sure — the helper itself when
    // setpriv exec'ed it, else its child. Find the node process of the user.
    const nodePid = ownerPid(pid, target.uid);
    const reply = JSON.stringify({
      protocol: 1,
      pid: nodePid,
      loops: [{ loop: "<loop>", tasks: [] }],
    });
    await startHelper({ listen: [join(dir, `${nodePid}.sock`)], reply }, target);
    const r = await cli(["pstree", String(nodePid)]);
    expect(r).toEqual({ code: 0, out: "<loop>\n(no pending tasks)", err: "" });
  });
});

/** `pid`, or the first descendant of it owned by `owner` (su/runuser fork). */
function ownerPid(pid: number, owner: number): number {
  for (let i = 0; i < 5; i++) {
    if (statSync(`/proc/${pid}`).uid === owner) return pid;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    pid = Number(children[0]);
  }
  throw new Error("no process of the user found");
}
