/**
 * asyncio's streams for TypeScript (streams.py, subprocess.py): TCP, TLS and
 * Unix-socket connections as `StreamReader`/`StreamWriter` pairs with
 * backpressure, servers that run each connection in its own task, and child
 * processes with piped stdio; UDP endpoints in asyncio's protocol shape.
 *
 * @packageDocumentation
 */
export { type OpenConnectionOptions, openConnection, openUnixConnection } from "./connection.js";
export {
  createDatagramEndpoint,
  type DatagramAddress,
  type DatagramEndpointOptions,
  type DatagramProtocol,
  type DatagramTransport,
} from "./datagram.js";
export {
  IncompleteReadError,
  isIncompleteReadError,
  isLimitOverrunError,
  LimitOverrunError,
} from "./errors.js";
export type { SslOption } from "./internal/ssl.js";
export {
  type ClientConnectedCallback,
  Server,
  type StartServerOptions,
  startServer,
  startUnixServer,
} from "./server.js";
export { ServerSocket } from "./server-socket.js";
export {
  DEFAULT_LIMIT,
  type ReadTransport,
  type Separator,
  StreamReader,
  type StreamReaderOptions,
} from "./stream-reader.js";
export { SSL_HANDSHAKE_TIMEOUT, type StartTlsOptions, StreamWriter } from "./stream-writer.js";
export {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  INHERIT,
  PIPE,
  Process,
  STDOUT,
  type StdioOption,
  type SubprocessOptions,
} from "./subprocess.js";
