import { renameSync, statSync, unlinkSync } from "node:fs";

/** The inode of the file at `path`; null when there is none (or the path names no file: an abstract socket). */
export function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

/**
 * Closes a Unix server's listening socket (`close`) as asyncio 3.13's
 * `cleanup_socket` does (`_UnixSelectorEventLoop._stop_serving`): the file
 * at `path` is removed only while it is still the one the server bound
 * (inode `ino`), so a server that replaced it meanwhile keeps its socket.
 * Node (libuv), Deno and Bun unlink the path on close whatever is there
 * now: a file that is no longer ours is moved aside while they close, then
 * put back. Our own is removed here if the runtime left it.
 * @internal
 */
export function closeUnixServer(path: string, ino: number | null, close: () => void): void {
  const now = inodeOf(path);
  let aside: string | null = null;
  if (ino !== null && now !== null && now !== ino) {
    aside = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      renameSync(path, aside);
    } catch {
      aside = null;
    }
  }
  close();
  try {
    if (aside !== null) renameSync(aside, path);
    else if (ino !== null && inodeOf(path) === ino) unlinkSync(path);
  } catch {
    // gone meanwhile
  }
}
