import { defineConfig } from "tsup";

export default defineConfig([
  // For bundlers (the `default` export condition): one dist module per src
  // module, so that a bundler can drop the modules an app does not reach
  // ("sideEffects": false) instead of keeping a whole bundle for the sake of
  // its top-level statements. Transpiled, not bundled: class declarations
  // keep their names (no `var X = class _X`), so no keepNames helper is
  // needed. See docs/design/size-budget.md.
  {
    entry: ["src/**/*.ts"],
    bundle: false,
    format: ["esm"],
    target: "node20",
    dts: { entry: ["src/index.ts", "src/testing.ts"] },
    sourcemap: true,
    clean: ["!node/**"],
    treeshake: false,
  },
  // For Node (the `node` export condition): one bundle per
  // entry point (shared code in chunks), as before — loading a few files
  // instead of dozens keeps the import fast.
  {
    entry: { index: "src/index.ts", testing: "src/testing.ts" },
    outDir: "dist/node",
    format: ["esm"],
    target: "node20",
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: false,
  },
]);
