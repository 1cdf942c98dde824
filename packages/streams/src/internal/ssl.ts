import * as tls from "node:tls";

/**
 * The `ssl` option: `true` (client: verify against the default CAs), a
 * `tls.SecureContext`, or options (client: `tls.ConnectionOptions` such as
 * `ca`, `rejectUnauthorized`; server: `tls.TlsOptions` such as `key`, `cert`).
 */
export type SslOption = true | tls.SecureContext | tls.ConnectionOptions | tls.TlsOptions;

/** True for a `tls.SecureContext` made by `tls.createSecureContext()`. */
export function isSecureContext(value: unknown): value is tls.SecureContext {
  return (
    typeof value === "object" &&
    value !== null &&
    "context" in value &&
    (value as { constructor?: { name?: string } }).constructor?.name === "SecureContext"
  );
}

/** Splits an `ssl` option into a SecureContext and the remaining per-connection options. */
export function resolveSsl(
  ssl: unknown,
  side: "client" | "server",
): { context: tls.SecureContext; options: tls.ConnectionOptions & tls.TlsOptions } {
  if (ssl === true) {
    if (side === "server")
      throw new TypeError(
        "ssl must be a tls.SecureContext or tls options with a key and cert for a server, received true",
      );
    return { context: tls.createSecureContext(), options: {} };
  }
  if (isSecureContext(ssl)) return { context: ssl, options: {} };
  if (typeof ssl === "object" && ssl !== null) {
    const opts = ssl as tls.ConnectionOptions & tls.TlsOptions;
    const context = opts.secureContext ?? tls.createSecureContext(opts);
    return { context, options: opts };
  }
  throw new TypeError(
    `ssl must be true, a tls.SecureContext or an options object, received ${String(ssl)}`,
  );
}
