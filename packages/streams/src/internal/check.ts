import { describeValue } from "@aio/core";

/** Validates a port: an integer in [min, 65535]. */
export function checkPort(where: string, port: unknown, min: 0 | 1): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `${where} port must be an integer between ${min} and 65535, received ${describeValue(port)}`,
    );
  }
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new RangeError(
      `${where} port must be an integer between ${min} and 65535, received ${describeValue(port)}`,
    );
  }
  return port;
}

/** Validates a host name: a non-empty string. */
export function checkHost(where: string, host: unknown): string {
  if (typeof host !== "string" || host.length === 0) {
    throw new TypeError(
      `${where} host must be a non-empty string, received ${describeValue(host)}`,
    );
  }
  return host;
}

/** Validates a Unix socket path. */
export function checkPath(where: string, path: unknown): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `${where} path must be a non-empty string, received ${describeValue(path)}`,
    );
  }
  return path;
}

/** Validates a timeout in ms (> 0) or undefined. */
export function checkTimeout(where: string, name: string, ms: unknown): number | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== "number" || Number.isNaN(ms) || ms <= 0) {
    throw new RangeError(
      `${where} ${name} must be a number of milliseconds > 0, received ${describeValue(ms)}`,
    );
  }
  return ms;
}
