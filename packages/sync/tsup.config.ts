import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
  // Classes that refer to themselves (`Semaphore.#PERMITS`) are emitted as
  // `var Semaphore = class _Semaphore`: keep the real names for `name`,
  // reprs and error messages.
  keepNames: true,
});
