#!/usr/bin/env node
/**
 * The `aio-debug` command: `aio-debug ps PID`, `aio-debug pstree PID`,
 * `aio-debug trace FILE`. See `aio-debug --help`.
 * @packageDocumentation
 */
import { cliMain } from "./internal/cli-main.js";

process.exitCode = await cliMain(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
