import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/auto.ts", "src/cli.ts"],
  format: ["esm"],
  target: "node20",
  dts: { entry: ["src/index.ts", "src/auto.ts"] },
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
});
