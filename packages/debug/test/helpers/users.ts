/**
 * A second local user for the tests where one user attacks another's
 * `aio-debug` socket. Creating a user needs root and `useradd`; running as
 * it needs `setpriv`, `runuser` or `su`. Where any is missing the caller
 * skips, with the reason this module gives (logged once).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";

/** A throwaway user: its name and ids, and how to start a process as it. */
export interface OtherUser {
  name: string;
  uid: number;
  gid: number;
  /** Starts `argv` as the user (stdio piped). */
  spawn(argv: readonly string[], env: NodeJS.ProcessEnv): ChildProcess;
  /** Removes the user. */
  remove(): void;
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Why two-user tests cannot run here, or null when they can. */
export function twoUserSkipReason(): string | null {
  if (typeof process.getuid !== "function") return "no user ids on this platform";
  if (process.getuid() !== 0) return "creating a second user needs root (run the tests as root)";
  if (!has("useradd") || !has("userdel")) return "useradd/userdel are not installed";
  if (!has("setpriv") && !has("runuser") && !has("su"))
    return "none of setpriv, runuser, su is installed";
  return null;
}

/** Creates a user `aiodbg<pid>` (no home, no login shell). Call only when {@link twoUserSkipReason} is null. */
export function createOtherUser(): OtherUser {
  const name = `aiodbg${process.pid}`;
  spawnSync("userdel", [name], { stdio: "ignore" }); // a leftover of a killed run
  execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", name], {
    stdio: "ignore",
  });
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  const as = (argv: readonly string[]): [string, string[]] => {
    if (has("setpriv"))
      return ["setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--", ...argv]];
    if (has("runuser")) return ["runuser", ["-u", name, "--", ...argv]];
    const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    return ["su", ["-s", "/bin/sh", name, "-c", quoted]];
  };
  return {
    name,
    uid,
    gid,
    spawn(argv, env) {
      const [cmd, args] = as(argv);
      return spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env });
    },
    remove() {
      spawnSync("userdel", [name], { stdio: "ignore" });
    },
  };
}
