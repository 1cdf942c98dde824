import { defineConfig } from "tsup";
import { dualBuild } from "../../scripts/tsup-dual.ts";

// `Semaphore.#PERMITS`: a class that refers to itself, so the Node bundle keeps names.
export default defineConfig(dualBuild({ index: "src/index.ts" }, true));
