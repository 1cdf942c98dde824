import type { ConnectionOptions as TlsOptions } from "node:tls";
import { describeValue } from "@aio/core";
import { Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is: a `redis://[[user]:password@]host:port[/db]` URL
 * (`rediss://` for TLS), or its parts.
 *
 * @example
 * ```ts
 * import type { RedisConnection } from "@aio/bullmq";
 * const local: RedisConnection = "redis://127.0.0.1:6379";
 * const remote: RedisConnection = { host: "redis.internal", port: 6380, password: "s3cret", tls: {} };
 * ```
 */
export type RedisConnection =
  | string
  | {
      /** Host name or address. */
      host: string;
      /** TCP port; default 6379. */
      port?: number;
      /** Redis 6 ACL user name. */
      username?: string;
      /** The password (`requirepass` or the ACL user's). */
      password?: string;
      /** Database number; default 0. */
      db?: number;
      /** TLS options (`node:tls` `connect()` options; `{}` for the defaults): connect over TLS. */
      tls?: TlsOptions;
    };

/** Connection options checked and turned into ioredis options, with a printable name. */
export interface ResolvedConnection {
  options: RedisOptions;
  /** `redis://host:port` without credentials, for messages. */
  display: string;
}

/**
 * Checks a {@link RedisConnection}.
 *
 * @throws {TypeError} when it is neither a `redis:`/`rediss:` URL nor an object with a host.
 * @throws {RangeError} when the port or db is out of range.
 */
export function resolveConnection(where: string, connection: unknown): ResolvedConnection {
  if (typeof connection === "string") {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      url = null as never;
    }
    if (url === null || (url.protocol !== "redis:" && url.protocol !== "rediss:")) {
      throw new TypeError(
        `${where} connection must be a redis:// or rediss:// URL or { host, port }, received ${describeValue(connection)}`,
      );
    }
    const port = url.port === "" ? 6379 : Number(url.port);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0) {
      throw new RangeError(
        `${where} connection database must be an integer >= 0, received ${describeValue(url.pathname.slice(1))}`,
      );
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const options: RedisOptions = { host, port, db };
    if (url.username !== "") options.username = decodeURIComponent(url.username);
    if (url.password !== "") options.password = decodeURIComponent(url.password);
    if (url.protocol === "rediss:") options.tls = {};
    return { options, display: `${url.protocol}//${url.host}` };
  }
  if (typeof connection !== "object" || connection === null) {
    throw new TypeError(
      `${where} connection must be a redis:// or rediss:// URL or { host, port }, received ${describeValue(connection)}`,
    );
  }
  const c = connection as Record<string, unknown>;
  if (typeof c.host !== "string" || c.host.length === 0) {
    throw new TypeError(
      `${where} connection.host must be a non-empty string, received ${describeValue(c.host)}`,
    );
  }
  const port = c.port ?? 6379;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `${where} connection.port must be an integer from 1 to 65535, received ${describeValue(port)}`,
    );
  }
  const db = c.db ?? 0;
  if (typeof db !== "number" || !Number.isInteger(db) || db < 0) {
    throw new RangeError(
      `${where} connection.db must be an integer >= 0, received ${describeValue(db)}`,
    );
  }
  const options: RedisOptions = { host: c.host, port, db };
  for (const key of ["username", "password"] as const) {
    if (c[key] === undefined) continue;
    if (typeof c[key] !== "string") {
      throw new TypeError(
        `${where} connection.${key} must be a string, received ${describeValue(c[key])}`,
      );
    }
    options[key] = c[key];
  }
  if (c.tls !== undefined) {
    if (typeof c.tls !== "object" || c.tls === null) {
      throw new TypeError(
        `${where} connection.tls must be an object of TLS options, received ${describeValue(c.tls)}`,
      );
    }
    options.tls = c.tls as TlsOptions;
  }
  const scheme = options.tls !== undefined ? "rediss" : "redis";
  return {
    options,
    display: `${scheme}://${c.host.includes(":") ? `[${c.host}]` : c.host}:${port}`,
  };
}

/** How long between reconnection attempts (ms): quick at first, then every second. */
function retryStrategy(times: number): number {
  return Math.min(50 * 2 ** times, 1_000);
}

/**
 * A new ioredis client. `blocking`: for `XREAD BLOCK` and BullMQ's workers
 * (commands wait for a reconnection instead of failing after some retries).
 */
export function createClient(resolved: ResolvedConnection, blocking: boolean): Redis {
  const options: RedisOptions = {
    ...resolved.options,
    retryStrategy,
    maxRetriesPerRequest: blocking ? null : 3,
  };
  return new Redis(options as never) as Redis;
}
