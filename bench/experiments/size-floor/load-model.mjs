// The size-floor model, bundled for running (not for measuring its size:
// size-floor.mjs does that): every part, with or without the speed work
// (P_FAST), and with seven.js's names (gather, timeout, Lock, Queue) when
// asked. Shared by speed.mjs and against-uvloop.mjs.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
/** The floor's parts (see model.js). */
export const PARTS = [
  "P_CANCEL",
  "P_GEN",
  "P_SURFACE",
  "P_RUN",
  "P_REPORTS",
  "P_VALIDATE",
  "P_DEBUG",
];
/** @aio's features beyond the floor (see model.js and size-floor.mjs). */
export const FEATURES = [
  "P_HOOKS",
  "P_VTIME",
  "P_REPR",
  "P_BRAND",
  "P_MSG",
  "P_SIGINT",
  "P_TIMERS",
  "P_SYNCX",
];

/**
 * The model bundled for Node, every floor part on.
 * @param {{ fast?: boolean, seven?: boolean, features?: boolean }} [opts] - fast:
 *   with P_FAST; seven: also export seven.js's names; features: build in
 *   @aio's features too.
 * @returns the bundle's source text.
 */
export async function bundleModel({ fast = false, seven = false, features = false } = {}) {
  const contents = `export * from "./model.js";${seven ? ` export * from "./seven.js";` : ""}`;
  const out = await build({
    stdin: { contents, resolveDir: here, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "node",
    define: {
      ...Object.fromEntries(PARTS.map((p) => [p, "true"])),
      ...Object.fromEntries(FEATURES.map((p) => [p, String(features)])),
      P_FAST: String(fast),
    },
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

/**
 * @param {boolean} fast - with P_FAST.
 * @param {{ seven?: boolean, features?: boolean }} [opts] - as for bundleModel().
 * @returns the model's module namespace.
 */
export async function loadModel(fast, { seven = false, features = false } = {}) {
  const text = await bundleModel({ fast, seven, features });
  return import(`data:text/javascript,${encodeURIComponent(text)}`);
}
