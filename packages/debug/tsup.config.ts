import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { defineConfig } from "tsup";

/** `import text from "./file?raw"`: the file's text, inlined (as vite does in the tests). */
const rawText = {
  name: "raw-text",
  setup(build: {
    onResolve: (
      o: { filter: RegExp },
      cb: (a: { path: string; resolveDir: string }) => { path: string; namespace: string },
    ) => void;
    onLoad: (
      o: { filter: RegExp; namespace: string },
      cb: (a: { path: string }) => Promise<{ contents: string; loader: "text" }>,
    ) => void;
  }) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -"?raw".length)),
      namespace: "raw-text",
    }));
    build.onLoad({ filter: /.*/, namespace: "raw-text" }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "text",
    }));
  },
};

export default defineConfig({
  entry: ["src/index.ts", "src/auto.ts", "src/cli.ts"],
  format: ["esm"],
  target: "node20",
  dts: { entry: ["src/index.ts", "src/auto.ts"] },
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
  esbuildPlugins: [rawText],
});
