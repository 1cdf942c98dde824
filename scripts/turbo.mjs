#!/usr/bin/env node
// Runs turbo with the Node version in its cache key.
//
// turbo.json lists AIO_NODE_VERSION in `globalEnv`, so every task hash includes
// it; without it a run under Node 24 would replay the results cached under
// Node 20. Usage (from package.json scripts): node scripts/turbo.mjs run test …
import { spawnSync } from "node:child_process";

process.env.AIO_NODE_VERSION ||= process.version;
const result = spawnSync("turbo", process.argv.slice(2), {
  stdio: "inherit",
  shell: process.platform === "win32",
});
if (result.error) {
  console.error(`turbo could not start: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
