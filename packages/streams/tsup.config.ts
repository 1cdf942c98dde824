import { defineConfig } from "tsup";

export default defineConfig({
  // index.browser.ts: the `browser` export condition (every entry point a RuntimeError); one set of types.
  entry: ["src/index.ts", "src/index.browser.ts"],
  format: ["esm"],
  target: "node20",
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
});
