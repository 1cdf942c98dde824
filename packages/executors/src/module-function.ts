import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ModuleRef } from "./internal/fn-spec.js";
import { checkModuleArgs, moduleRefFunction } from "./internal/module-ref.js";

/**
 * Names a function exported by a module, so a pool can run it: the worker
 * imports the module and calls the export. Use it for any code that has
 * imports or is too big to ship as source — TypeScript built to JavaScript,
 * a library, a WebAssembly wrapper.
 *
 * The result is a real function, so it goes wherever a function goes
 * (`submit`, `map`, `loop.runInExecutor`, `toThread`, `initializer`).
 * Called directly, it imports the module in the calling thread and calls
 * the export (handy in tests); its result is then always a Promise.
 *
 * The module is resolved when the worker imports it; a missing export
 * rejects the job with a `TypeError` naming the export and the module's
 * exports. A missing file (for `file:` URLs and paths) throws here.
 *
 * @typeParam F - the function's type, e.g. `typeof import("./work.js").sum`.
 * @param module - a `file:` URL (e.g. `new URL("./work.js", import.meta.url)`),
 *   an absolute path, or a bare package specifier resolvable from the worker.
 * @param exportName - the export to call; default `"default"`.
 * @returns a function that stands for `module[exportName]`.
 * @throws {TypeError} when `module` is not a string or URL, the file does not
 *   exist, or `exportName` is not a non-empty string.
 * @example
 * ```ts
 * import { ProcessPoolExecutor, moduleFunction } from "@aio/executors";
 * const sum = moduleFunction<(n: number) => number>(new URL("./work.js", import.meta.url), "sum");
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit(sum, 1_000_000));
 * ```
 */
export function moduleFunction<F extends (...args: any[]) => any = (...args: any[]) => unknown>(
  module: string | URL,
  exportName = "default",
): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> {
  let specifier = checkModuleArgs(module, exportName);
  let path: string | null = null;
  if (specifier.startsWith("file:")) path = fileURLToPath(specifier);
  else if (specifier.startsWith("/") || /^[A-Za-z]:[\\/]/.test(specifier)) path = specifier;
  if (path !== null) {
    if (!existsSync(path)) {
      throw new TypeError(`moduleFunction() module does not exist: ${specifier}`);
    }
    specifier = pathToFileURL(path).href;
  } else if (specifier.startsWith(".")) {
    throw new TypeError(
      `moduleFunction() module must be absolute (a worker cannot resolve ${JSON.stringify(specifier)}): use new URL(${JSON.stringify(specifier)}, import.meta.url)`,
    );
  }
  const ref: ModuleRef = { mod: specifier, name: exportName };
  return moduleRefFunction(ref) as never;
}
