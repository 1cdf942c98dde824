/**
 * Importing `@aio/debug/auto` switches debug mode on when the environment
 * says `AIO_DEBUG=1`: the instruments of `enableDebug()` and the
 * `aio-debug ps|pstree PID` socket. Use it without touching the program:
 * `AIO_DEBUG=1 node --import @aio/debug/auto app.js`.
 *
 * @packageDocumentation
 */
import { _env } from "@aio/core";
import { enableDebug } from "./instruments.js";

/**
 * Whether importing `@aio/debug/auto` switched debug mode on (`AIO_DEBUG=1`
 * was set at import time).
 *
 * @example
 * ```ts
 * import { autoEnabled } from "@aio/debug/auto";
 * console.log(autoEnabled); // true under AIO_DEBUG=1
 * ```
 */
export const autoEnabled: boolean = _env("AIO_DEBUG") === "1";

if (autoEnabled) {
  try {
    enableDebug({ inspect: true });
  } catch (err) {
    // The socket directory is not ours: debug mode still, without the socket;
    // the program itself must not fail to start over a debugging aid.
    console.warn(`@aio/debug/auto: ${(err as Error).message}; inspection is off`);
    enableDebug();
  }
}
