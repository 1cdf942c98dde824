/**
 * Importing `@aio/debug/auto` switches debug mode on when the environment
 * says `AIO_DEBUG=1`: the instruments of `enableDebug()` and the
 * `aio-debug ps|pstree PID` socket. Use it without touching the program:
 * `AIO_DEBUG=1 node --import @aio/debug/auto app.js`.
 *
 * @example
 * ```ts
 * import "@aio/debug/auto";
 * ```
 * @packageDocumentation
 */
import { enableDebug } from "./instruments.js";

if (process.env.AIO_DEBUG === "1") enableDebug({ inspect: true });
