import { mkdir, writeFile } from "node:fs/promises";
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
  // The viewer page as a file too, for `viewerUrl()` (the code carries it for `viewerHtml()`).
  async onSuccess() {
    const { VIEWER_PAGE } = await import("./src/internal/viewer-page.ts");
    await mkdir("viewer", { recursive: true });
    await writeFile("viewer/index.html", VIEWER_PAGE);
  },
});
