import { defineConfig } from "tsup";
import { dualBuild } from "../../scripts/tsup-dual.ts";

export default defineConfig(dualBuild({ index: "src/index.ts", testing: "src/testing.ts" }));
