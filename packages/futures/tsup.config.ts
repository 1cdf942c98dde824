import { defineConfig } from "tsup";

export default defineConfig({
  // One dist module per src module (not one bundle per entry), so that a
  // bundler can drop the modules an app does not reach ("sideEffects": false)
  // instead of keeping a whole bundle for the sake of its top-level
  // statements. Transpiled, not bundled: class declarations keep their
  // names (no `var X = class _X`), so no keepNames helper is needed.
  // See docs/design/size-budget.md.
  entry: ["src/**/*.ts"],
  bundle: false,
  format: ["esm"],
  target: "node20",
  dts: { entry: ["src/index.ts"] },
  sourcemap: true,
  clean: true,
  treeshake: false,
});
