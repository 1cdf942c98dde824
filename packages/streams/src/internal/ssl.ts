import { isIP } from "node:net";
import * as tls from "node:tls";
import { describeValue } from "@aio/core";

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

/**
 * Splits an `ssl` option into a SecureContext and the remaining
 * per-connection options. A server needs a certificate: options with none
 * (`ssl: {}`) would listen and then fail every handshake with "no shared
 * cipher", so they are refused here.
 * @throws {TypeError} anything but `true` (client), a SecureContext or an options object; server options without a certificate.
 */
export function resolveSsl(
  where: string,
  ssl: unknown,
  side: "client" | "server",
): { context: tls.SecureContext; options: tls.ConnectionOptions & tls.TlsOptions } {
  const expectation =
    side === "server"
      ? "a tls.SecureContext or tls options with a cert and key (or pfx)"
      : "true, a tls.SecureContext or a tls options object";
  if (ssl === true && side === "client") return { context: tls.createSecureContext(), options: {} };
  if (isSecureContext(ssl)) return { context: ssl, options: {} };
  if (typeof ssl === "object" && ssl !== null && !Array.isArray(ssl)) {
    const opts = ssl as tls.ConnectionOptions & tls.TlsOptions;
    if (
      side === "server" &&
      opts.secureContext === undefined &&
      opts.cert === undefined &&
      opts.pfx === undefined &&
      opts.SNICallback === undefined
    ) {
      throw new TypeError(
        `${where} ssl must be ${expectation} for a server, received an object without cert, pfx, secureContext or SNICallback`,
      );
    }
    const context = opts.secureContext ?? tls.createSecureContext(opts);
    return { context, options: opts };
  }
  throw new TypeError(`${where} ssl must be ${expectation}, received ${describeValue(ssl)}`);
}

/**
 * The client-side identity options for the name the caller gave (asyncio's
 * `server_hostname`, default: the host connected to).
 *
 * SNI (`servername`) carries a DNS name only — RFC 6066 forbids an IP
 * there — but the certificate is checked against the given name or IP
 * either way. Node would otherwise check an IP-only name against whatever
 * host the socket connected to (with `socket:` in `startTls()`, the
 * original `host`), so `serverHostname: "10.0.0.1"` on a connection to
 * 127.0.0.1 passed a certificate for 127.0.0.1. A `checkServerIdentity` of
 * the caller's own is kept and called with the given name.
 */
export function clientIdentity(
  name: string | undefined,
  options: tls.ConnectionOptions,
): Pick<tls.ConnectionOptions, "servername" | "checkServerIdentity"> {
  if (name === undefined) return {};
  const check = options.checkServerIdentity ?? tls.checkServerIdentity;
  return {
    ...(isIP(name) === 0 ? { servername: name } : {}),
    checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => check(name, cert),
  };
}
