import type { Options } from "tsup";

/**
 * The build of core, loop, futures and sync: two layouts of one package.
 *
 * - For bundlers (the `default` export condition): one dist module per src
 *   module, so that a bundler can drop the modules an app does not reach
 *   ("sideEffects": false) instead of keeping a whole bundle for the sake of
 *   its top-level statements. Transpiled, not bundled: class declarations
 *   keep their names (no `var X = class _X`). See docs/design/size-budget.md.
 * - For Node (the `node` export condition): one bundle per entry point
 *   (shared code in chunks): loading a few files instead of dozens keeps the
 *   import fast.
 *
 * @param entries - the package's entry points by output name (`{ index: "src/index.ts" }`).
 * @param keepNames - keep class names in the Node bundle (classes that refer
 *   to themselves are emitted as `var X = class _X` when bundled).
 */
export function dualBuild(entries: Record<string, string>, keepNames = false): Options[] {
  return [
    {
      entry: ["src/**/*.ts"],
      bundle: false,
      format: ["esm"],
      target: "node20",
      dts: { entry: Object.values(entries) },
      sourcemap: true,
      clean: ["!node/**"],
      treeshake: false,
    },
    {
      entry: entries,
      outDir: "dist/node",
      format: ["esm"],
      target: "node20",
      sourcemap: true,
      clean: true,
      splitting: true,
      treeshake: false,
      ...(keepNames ? { keepNames: true } : {}),
    },
  ];
}
