import * as dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import {
  _checkFunction,
  _checkOneOf,
  _checkOptions,
  _resourceOpened,
  describeValue,
  type EventLoop,
  getRunningLoop,
  getRuntime,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { checkAddr, checkBoolean, checkHost, checkPort } from "./internal/check.js";
import { waitEvent } from "./internal/wait-event.js";

const rt = getRuntime();

/** A `[host, port]` address, as asyncio's `(host, port)` tuples. */
export type DatagramAddress = [host: string, port: number];

/**
 * The callbacks of a UDP endpoint (asyncio `DatagramProtocol`). Every method
 * is optional; each runs on the event loop (scheduled with `callSoon`, as
 * asyncio's transports do), never inside Node's socket events, so an
 * exception it throws goes to the loop's exception handler.
 *
 * Order: `connectionMade` once, first; then `datagramReceived` /
 * `errorReceived` any number of times; `connectionLost` once, last.
 *
 * @example
 * ```ts
 * import type { DatagramProtocol, DatagramTransport } from "@aio/streams";
 * class Echo implements DatagramProtocol {
 *   transport: DatagramTransport | null = null;
 *   connectionMade(t: DatagramTransport) { this.transport = t; }
 *   datagramReceived(data: Uint8Array, addr: [string, number]) { this.transport!.sendto(data, addr); }
 * }
 * ```
 */
export interface DatagramProtocol {
  /** The endpoint is ready; `transport` sends and closes it. */
  connectionMade?(transport: DatagramTransport): void;
  /** A datagram arrived from `addr` (`[host, port]`). Never called once `close()` or `abort()` was. */
  datagramReceived?(data: Uint8Array, addr: DatagramAddress): void;
  /** A send or receive failed (e.g. `ECONNREFUSED` from an ICMP error on a connected endpoint, `EMSGSIZE`, a host that does not resolve). The endpoint stays open. */
  errorReceived?(exc: Error): void;
  /** The endpoint is closed: `null` after `close()`/`abort()`. Called once. */
  connectionLost?(exc: Error | null): void;
}

/** Options of {@link createDatagramEndpoint}. */
export interface DatagramEndpointOptions {
  /** Bind the local end to `[host, port]` (port 0: any free port). */
  localAddr?: readonly [string, number];
  /** Connect to `[host, port]`: `sendto(data)` goes there, and only its datagrams are received. */
  remoteAddr?: readonly [string, number];
  /** `4` (IPv4) or `6` (IPv6); default: the family of `localAddr`/`remoteAddr`. */
  family?: 4 | 6;
  /** `SO_REUSEADDR`: let other sockets bind the same address (off by default; see the porting notes). */
  reuseAddress?: boolean;
  /** `SO_BROADCAST`: allow sending to broadcast addresses. With `remoteAddr`, the socket is not connected (asyncio). */
  allowBroadcast?: boolean;
}

const WHERE = "createDatagramEndpoint()";

/** An address family from an IP literal, or by resolving a name (asyncio's getaddrinfo step). */
async function familyOf(host: string): Promise<4 | 6> {
  const literal = isIP(host);
  if (literal !== 0) return literal as 4 | 6;
  return (await lookup(host)).family as 4 | 6;
}

function formatAddr(addr: readonly [string, number]): string {
  return JSON.stringify(addr);
}

let makeTransport: (
  loop: EventLoop,
  socket: dgram.Socket,
  protocol: DatagramProtocol,
  family: 4 | 6,
  remote: DatagramAddress | null,
  connected: boolean,
) => DatagramTransport;

/**
 * The sending half of a UDP endpoint (asyncio `DatagramTransport`), made by
 * {@link createDatagramEndpoint}.
 *
 * Invariant: once `isClosing()` is true no datagram is sent or delivered
 * any more, and `connectionLost` is called exactly once — after the sends
 * already accepted have been handed to the kernel (`close()`) or at once
 * (`abort()`).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createDatagramEndpoint } from "@aio/streams";
 * await run(async () => {
 *   const [transport] = await createDatagramEndpoint(() => ({}), { remoteAddr: ["127.0.0.1", 9999] });
 *   transport.sendto("ping");
 *   transport.close();
 * });
 * ```
 */
export class DatagramTransport {
  readonly #loop: EventLoop;
  readonly #socket: dgram.Socket;
  readonly #protocol: DatagramProtocol;
  readonly #family: 4 | 6;
  /** asyncio's `_address`: where `sendto(data)` goes; null without `remoteAddr`. */
  readonly #remote: DatagramAddress | null;
  /** The socket itself is connected (`remoteAddr` without `allowBroadcast`). */
  readonly #connected: boolean;
  #closing = false;
  #lost = false;
  /** Sends handed to Node whose callback has not run yet. */
  #pending = 0;
  /**
   * `[sockname, peername]`, read just before the socket closes: Node forgets
   * them then, asyncio's transport keeps its extra info for its lifetime.
   */
  #names: [DatagramAddress | undefined, DatagramAddress | undefined] | null = null;
  #untrack: () => void = () => {};

  private constructor(
    loop: EventLoop,
    socket: dgram.Socket,
    protocol: DatagramProtocol,
    family: 4 | 6,
    remote: DatagramAddress | null,
    connected: boolean,
  ) {
    this.#loop = loop;
    this.#socket = socket;
    this.#protocol = protocol;
    this.#family = family;
    this.#remote = remote;
    this.#connected = connected;
    socket.on("message", this.#onMessage);
    socket.on("error", this.#onError);
    this.#untrack = _resourceOpened(this, "DatagramTransport", () => this.close());
  }

  static {
    // `this`, not the class's name: a class that names itself in its body is
    // renamed in the bundle (`class _DatagramTransport`), and its `name` with it.
    makeTransport = (loop, socket, protocol, family, remote, connected) =>
      new this(loop, socket, protocol, family, remote, connected);
  }

  #onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (this.#closing) return;
    this.#call("datagramReceived", msg, [rinfo.address, rinfo.port]);
  };

  #onError = (err: Error): void => {
    if (this.#lost) return;
    this.#call("errorReceived", err);
  };

  /**
   * Runs a protocol callback on the loop (asyncio schedules them with
   * `call_soon`). A datagram is dropped if `close()` came before its turn:
   * asyncio reads one datagram per reader callback and `close()` removes the
   * reader, so none is delivered after it — even one Node had already read.
   */
  #call(name: keyof DatagramProtocol, ...args: unknown[]): void {
    const fn = this.#protocol[name] as ((...a: unknown[]) => void) | undefined;
    if (typeof fn !== "function" || this.#loop.isClosed()) return;
    this.#loop.callSoon(() => {
      if (name !== "datagramReceived" || !this.#closing) fn.apply(this.#protocol, args);
    });
  }

  /**
   * Sends one datagram (asyncio `sendto`). On a connected endpoint
   * (`remoteAddr`), `addr` may be left out and must otherwise be that
   * address. Never blocks; a failure of the send itself (`EMSGSIZE`, a name
   * that does not resolve, …) goes to the protocol's `errorReceived`.
   * An empty datagram is sent too (asyncio 3.13).
   * @param data - the bytes (a string is encoded as UTF-8).
   * @param addr - `[host, port]`; required unless the endpoint is connected.
   * @throws {TypeError} when `data` is neither a Uint8Array nor a string, or `addr` is not a `[host, port]` array
   *   (or missing on an endpoint that is not connected).
   * @throws {RangeError} when the port is not 1–65535.
   * @throws {ValueError} when `addr` differs from the remote address of a connected endpoint, or is an IP
   *   literal of the other family.
   * @throws {RuntimeError} after `close()` or `abort()`.
   * @example
   * ```ts
   * import { createDatagramEndpoint } from "@aio/streams";
   * const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
   * transport.sendto(new Uint8Array([1, 2, 3]), ["127.0.0.1", 9999]);
   * ```
   */
  sendto(data: Uint8Array | string, addr?: readonly [string, number]): void {
    if (!(data instanceof Uint8Array) && typeof data !== "string") {
      throw new TypeError(
        `sendto() data must be a Uint8Array or a string, received ${describeValue(data)}`,
      );
    }
    if (addr !== undefined) {
      checkAddr("sendto()", "addr", addr);
      checkPort("sendto()", addr[1], 1, "addr[1] (port)");
      checkHost("sendto()", addr[0], "addr[0] (host)");
    }
    const remote = this.#remote;
    if (remote !== null) {
      if (addr !== undefined && !this.#isRemote(addr)) {
        throw new ValueError(
          `sendto() addr must be undefined or the remote address ${formatAddr(remote)}, received ${formatAddr(addr)}`,
        );
      }
    } else if (addr === undefined) {
      throw new TypeError(
        "sendto() addr must be a [host, port] array on an endpoint without remoteAddr, received undefined",
      );
    } else {
      const literal = isIP(addr[0]);
      if (literal !== 0 && literal !== this.#family) {
        throw new ValueError(
          `sendto() addr[0] (host) must be an IPv${this.#family} address or a host name on an IPv${this.#family} endpoint, received ${describeValue(addr[0])}`,
        );
      }
    }
    if (this.#closing) throw new RuntimeError("sendto() on a closed DatagramTransport");
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.#pending++;
    const done = (err: Error | null): void => {
      this.#pending--;
      if (err !== null && !this.#lost) this.#call("errorReceived", err);
      if (this.#closing && this.#pending === 0) this.#finish();
    };
    if (this.#connected) this.#socket.send(bytes, done);
    else {
      const [host, port] = addr ?? remote!;
      this.#socket.send(bytes, port, host, done);
    }
  }

  #isRemote(addr: readonly [string, number]): boolean {
    const remote = this.#remote!;
    if (addr[1] !== remote[1]) return false;
    if (addr[0] === remote[0]) return true;
    const peer = this.getExtraInfo<DatagramAddress>("peername");
    return peer !== undefined && addr[0] === peer[0];
  }

  /**
   * Closes the endpoint (asyncio `close`): nothing more is received;
   * datagrams already passed to `sendto()` are still sent; then the socket
   * closes and `connectionLost(null)` is called. Idempotent.
   * @example
   * ```ts
   * import { createDatagramEndpoint } from "@aio/streams";
   * const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
   * transport.close();
   * console.log(transport.isClosing()); // true
   * ```
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#socket.off("message", this.#onMessage);
    if (this.#pending === 0) this.#finish();
  }

  /**
   * Closes the endpoint at once (asyncio `abort`): sends still queued are
   * dropped; `connectionLost(null)` is called. Idempotent.
   * @example
   * ```ts
   * import { createDatagramEndpoint } from "@aio/streams";
   * const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
   * transport.abort();
   * ```
   */
  abort(): void {
    this.#closing = true;
    this.#socket.off("message", this.#onMessage);
    this.#finish();
  }

  #finish(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#untrack();
    this.#names = [this.#address("sockname"), this.#address("peername")];
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
    this.#call("connectionLost", null);
  }

  /**
   * True once `close()` or `abort()` was called.
   * @returns whether the endpoint is closing or closed.
   * @example
   * ```ts
   * import { createDatagramEndpoint } from "@aio/streams";
   * const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
   * console.log(transport.isClosing()); // false
   * ```
   */
  isClosing(): boolean {
    return this.#closing;
  }

  /**
   * Transport information (asyncio `get_extra_info`): `"sockname"` (the
   * bound `[host, port]`), `"peername"` (the remote `[host, port]` of a
   * connected endpoint), `"socket"` (the Node `dgram.Socket`). `"sockname"`
   * and `"peername"` still answer after the endpoint closed, as asyncio's.
   * @param name - the key.
   * @param defaultValue - returned when the key is unknown or not available (e.g. `"peername"` when not connected).
   * @returns the value.
   * @throws {TypeError} when `name` is not a string.
   * @example
   * ```ts
   * import { createDatagramEndpoint } from "@aio/streams";
   * const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
   * const [host, port] = transport.getExtraInfo("sockname") as [string, number];
   * ```
   */
  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    if (typeof name !== "string") {
      throw new TypeError(`getExtraInfo() name must be a string, received ${describeValue(name)}`);
    }
    let value: unknown;
    if (name === "socket") value = this.#socket;
    else if (name === "sockname" || name === "peername") {
      const known = this.#names?.[name === "sockname" ? 0 : 1];
      value = this.#names === null ? this.#address(name) : known && [...known];
    }
    return value === undefined ? defaultValue : (value as T);
  }

  /** The socket's own or its peer's `[host, port]`; undefined when not bound, not connected or closed. */
  #address(name: "sockname" | "peername"): DatagramAddress | undefined {
    try {
      const a = name === "sockname" ? this.#socket.address() : this.#socket.remoteAddress();
      return [a.address, a.port];
    } catch {
      return undefined;
    }
  }

  /**
   * `<DatagramTransport 127.0.0.1:5000 -> 127.0.0.1:6000>`, with `closing` or `closed` when so.
   * @returns the description.
   */
  toString(): string {
    const fmt = (a: DatagramAddress | undefined) => (a === undefined ? "" : `${a[0]}:${a[1]}`);
    const local = fmt(this.getExtraInfo<DatagramAddress>("sockname"));
    const peer = fmt(this.#remote ?? undefined);
    const state = this.#lost ? " closed" : this.#closing ? " closing" : "";
    return `<DatagramTransport${local ? ` ${local}` : ""}${peer ? ` -> ${peer}` : ""}${state}>`;
  }

  /** @returns `"DatagramTransport"`. */
  get [Symbol.toStringTag](): string {
    return "DatagramTransport";
  }

  /** @returns the same as {@link DatagramTransport.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Creates a UDP endpoint (asyncio `loop.create_datagram_endpoint`):
 * `protocolFactory()` makes the protocol, which receives datagrams through
 * its callbacks and sends with the transport. IPv4 and IPv6; with
 * `localAddr` the socket is bound there, with `remoteAddr` it is connected
 * (it then receives only that peer's datagrams, and `sendto(data)` needs no
 * address).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param protocolFactory - called once, returns the protocol object.
 * @param options - `localAddr`, `remoteAddr`, `family`, `reuseAddress`, `allowBroadcast`.
 * @returns `[transport, protocol]`, once bound (and connected); `connectionMade` has run.
 * @throws {TypeError} when `protocolFactory` is not a function or returns no object, or an option has the wrong type.
 * @throws {RangeError} when a port is out of range (`remoteAddr` needs 1–65535).
 * @throws {ValueError} when neither an address nor `family` is given, or `localAddr` and `remoteAddr` (or `family`)
 *   disagree on the address family.
 * @throws the Node error when binding or connecting fails (`EADDRINUSE`, `EADDRNOTAVAIL`, `ENOTFOUND`).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createDatagramEndpoint, type DatagramTransport } from "@aio/streams";
 * await run(async () => {
 *   let t: DatagramTransport;
 *   const [server] = await createDatagramEndpoint(() => ({
 *     connectionMade: (transport) => { t = transport; },
 *     datagramReceived: (data, addr) => t.sendto(data, addr), // echo
 *   }), { localAddr: ["127.0.0.1", 0] });
 *   console.log(server.getExtraInfo("sockname")); // ["127.0.0.1", 41234]
 *   server.close();
 * });
 * ```
 */
export async function createDatagramEndpoint<P extends DatagramProtocol>(
  protocolFactory: () => P,
  options?: DatagramEndpointOptions,
): Promise<[DatagramTransport, P]> {
  _checkFunction(WHERE, "protocolFactory", protocolFactory);
  const opts = _checkOptions(WHERE, options);
  const local = checkAddr(WHERE, "localAddr", opts.localAddr);
  const remote = checkAddr(WHERE, "remoteAddr", opts.remoteAddr);
  if (local !== undefined) checkHost(WHERE, local[0], "localAddr[0] (host)");
  if (remote !== undefined) {
    checkHost(WHERE, remote[0], "remoteAddr[0] (host)");
    checkPort(WHERE, remote[1], 1, "remoteAddr[1] (port)");
  }
  if (opts.family !== undefined) _checkOneOf(WHERE, "family", opts.family, [4, 6]);
  const reuseAddr = checkBoolean(WHERE, "reuseAddress", opts.reuseAddress) === true;
  const broadcast = checkBoolean(WHERE, "allowBroadcast", opts.allowBroadcast) === true;
  const loop = getRunningLoop();

  // The family: given, or that of the addresses (asyncio resolves both and
  // needs one family they share: test_create_datagram_endpoint_no_matching_family).
  const families = new Set<4 | 6>();
  if (opts.family !== undefined) families.add(opts.family);
  if (local !== undefined) families.add(await familyOf(local[0]));
  if (remote !== undefined) families.add(await familyOf(remote[0]));
  if (families.size === 0) {
    throw new ValueError(
      `${WHERE} needs localAddr, remoteAddr or family (unexpected address family)`,
    );
  }
  if (families.size > 1) {
    throw new ValueError(
      `${WHERE} localAddr, remoteAddr and family must share one address family, received ${[...families].map((f) => `IPv${f}`).join(" and ")}`,
    );
  }
  const family = [...families][0]!;

  const protocol = protocolFactory();
  if (typeof protocol !== "object" || protocol === null) {
    throw new TypeError(
      `${WHERE} protocolFactory must return a protocol object, received ${describeValue(protocol)}`,
    );
  }
  const socket = rt.taskContext.exit(() =>
    dgram.createSocket({ type: family === 4 ? "udp4" : "udp6", reuseAddr }),
  );
  const fail = (): void => {
    try {
      socket.close();
    } catch {
      // never bound
    }
  };
  if (local !== undefined || broadcast) {
    // SO_BROADCAST can only be set on a bound socket: bind to the wildcard address if no localAddr.
    socket.bind(local === undefined ? {} : { address: local[0], port: local[1] });
    await waitEvent(loop, socket, "listening", null, "", fail);
    if (broadcast) socket.setBroadcast(true);
  }
  // With allowBroadcast the socket stays unconnected (asyncio): sendto(data) still goes to remoteAddr.
  const connected = remote !== undefined && !broadcast;
  if (connected) {
    socket.connect(remote[1], remote[0]);
    await waitEvent(loop, socket, "connect", null, "", fail);
  }
  const transport = makeTransport(
    loop,
    socket,
    protocol,
    family,
    remote === undefined ? null : [remote[0], remote[1]],
    connected,
  );
  // asyncio: connection_made is scheduled, then the waiter; so it has run when this resolves.
  if (typeof protocol.connectionMade === "function") {
    loop.callSoon(() => protocol.connectionMade!(transport));
  }
  const ready = loop.createFuture<void>();
  loop.callSoon(() => {
    if (!ready.done()) ready.setResult(undefined);
  });
  try {
    await ready;
  } catch (err) {
    transport.abort();
    throw err;
  }
  return [transport, protocol];
}
