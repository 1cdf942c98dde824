import { _checkInteger, _checkMs, describeValue, ValueError } from "@aio/core";

/*
 * The argument checks of @aio/streams. The generic ones come from @aio/core
 * (docs/design/error-policy.md); these add the shapes that are the streams'
 * own — ports, hosts, socket paths, `[host, port]` addresses — in the same
 * message shape: `<where> <name> must be <expectation>, received <value>`.
 */

/** Validates a port: an integer in [min, 65535]. */
export function checkPort(where: string, port: unknown, min: 0 | 1, name = "port"): number {
  _checkInteger(where, name, port, { min, max: 65535 });
  return port;
}

/** Validates a host name: a non-empty string. */
export function checkHost(where: string, host: unknown, name = "host"): string {
  if (typeof host !== "string" || host.length === 0) {
    throw new TypeError(
      `${where} ${name} must be a non-empty string, received ${describeValue(host)}`,
    );
  }
  return host;
}

/**
 * The longest Unix socket path, in bytes: `sizeof(sun_path)` less the
 * terminating NUL (108 on Linux, 104 on macOS and the BSDs). A longer path
 * is not an error to the kernel API Node uses: it is cut short, the socket
 * file lands at the truncated name and is left behind, and the next server
 * on the same path fails with `EADDRINUSE`. So it is refused up front.
 */
export const UNIX_PATH_MAX = process.platform === "linux" ? 107 : 103;

/** Validates a Unix socket path: a non-empty string within `sun_path` (not on Windows, where it names a pipe). */
export function checkPath(where: string, path: unknown): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `${where} path must be a non-empty string, received ${describeValue(path)}`,
    );
  }
  const bytes = Buffer.byteLength(path);
  if (process.platform !== "win32" && bytes > UNIX_PATH_MAX) {
    throw new ValueError(
      `${where} path must be at most ${UNIX_PATH_MAX} bytes long (the sun_path limit of a Unix socket address), received a path of ${bytes} bytes`,
    );
  }
  return path;
}

/** Validates a timeout in ms (a finite number > 0) or undefined. */
export function checkTimeout(where: string, name: string, ms: unknown): number | undefined {
  if (ms === undefined) return undefined;
  _checkMs(where, name, ms, { infinite: false });
  if (ms <= 0) {
    throw new ValueError(
      `${where} ${name} must be a number of milliseconds > 0, received ${describeValue(ms)}`,
    );
  }
  return ms;
}

/** Validates an optional boolean option. @aio/core has no boolean validator. */
export function checkBoolean(where: string, name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new TypeError(`${where} ${name} must be a boolean, received ${describeValue(value)}`);
}

/** Validates an optional non-empty string option. */
export function checkOptionalString(
  where: string,
  name: string,
  value: unknown,
): string | undefined {
  if (value === undefined) return undefined;
  return checkHost(where, value, name);
}

/** Validates a `[host, port]` address (`port` 0–65535); `undefined` passes. */
export function checkAddr(
  where: string,
  name: string,
  value: unknown,
): readonly [string, number] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== "string" ||
    typeof value[1] !== "number"
  ) {
    throw new TypeError(
      `${where} ${name} must be a [host, port] array, received ${describeValue(value)}`,
    );
  }
  checkPort(where, value[1], 0, `${name}[1] (port)`);
  return value as [string, number];
}

/** Validates one `readuntil()` separator and returns its bytes. */
export function toSeparator(sep: unknown): Buffer {
  if (typeof sep === "string") return Buffer.from(sep, "utf8");
  if (sep instanceof Uint8Array)
    return Buffer.isBuffer(sep) ? sep : Buffer.from(sep.buffer, sep.byteOffset, sep.byteLength);
  throw new TypeError(
    `readuntil() separator must be a Uint8Array, a string or an array of them, received ${describeValue(sep)}`,
  );
}

/** Validates a read size `n` (an integer; >= 0 unless `allowNegative`). */
export function checkSize(method: string, n: unknown, allowNegative: boolean): number {
  if (typeof n !== "number") {
    throw new TypeError(`${method} n must be an integer, received ${describeValue(n)}`);
  }
  if (!Number.isInteger(n))
    throw new ValueError(`${method} n must be an integer, received ${describeValue(n)}`);
  if (!allowNegative && n < 0)
    throw new ValueError(`${method} n must be an integer >= 0, received ${describeValue(n)}`);
  return n;
}
