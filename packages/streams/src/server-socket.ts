import type * as net from "node:net";
// Named apart: a value read as `net.Server` counts as a top-level `Server` to
// the bundler, which then renames @aio's own `Server` class (`Server2`).
import { Server as NetServer } from "node:net";
import { describeValue, RuntimeError } from "@aio/core";

/**
 * One listening socket of a `Server` (asyncio's `TransportSocket`). A
 * server makes these for its `sockets` property.
 *
 * @example
 * ```ts
 * import { startServer } from "@aio/streams";
 * const server = await startServer(() => {}, "127.0.0.1", 0);
 * const [host, port] = server.sockets[0]!.getsockname() as [string, number];
 * ```
 */
export class ServerSocket {
  readonly #server: net.Server;

  /**
   * @param server - the Node server.
   * @throws {TypeError} when `server` is not a `net.Server`.
   */
  constructor(server: net.Server) {
    if (!(server instanceof NetServer)) {
      throw new TypeError(
        `ServerSocket server must be a net.Server, received ${describeValue(server)}`,
      );
    }
    this.#server = server;
  }

  /**
   * The bound address: `[host, port]` for TCP, the path for a Unix socket.
   * @returns the address.
   * @throws {RuntimeError} when the socket is closed.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * console.log(server.sockets[0]!.getsockname()); // ["127.0.0.1", 41234]
   * ```
   */
  getsockname(): [string, number] | string {
    const addr = this.#server.address();
    if (addr === null) throw new RuntimeError("the server socket is closed");
    return typeof addr === "string" ? addr : [addr.address, addr.port];
  }

  /**
   * The address family: `"IPv4"`, `"IPv6"` or `"unix"`.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * console.log(server.sockets[0]!.family); // "IPv4"
   * ```
   */
  get family(): string {
    const addr = this.#server.address();
    return addr === null ? "closed" : typeof addr === "string" ? "unix" : addr.family;
  }

  /**
   * `<ServerSocket 127.0.0.1:5000>`.
   * @returns the description.
   */
  toString(): string {
    const addr = this.#server.address();
    if (addr === null) return "<ServerSocket closed>";
    return typeof addr === "string"
      ? `<ServerSocket ${addr}>`
      : `<ServerSocket ${addr.address}:${addr.port}>`;
  }

  /** @returns `"ServerSocket"`. */
  get [Symbol.toStringTag](): string {
    return "ServerSocket";
  }

  /** @returns the same as {@link ServerSocket.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
