import type { ModuleRef } from "./internal/fn-spec.js";
import { checkModuleArgs, moduleRefFunction } from "./internal/module-ref.js";

/**
 * `moduleFunction()` in a browser: names a function exported by an ES
 * module the page can load, so a {@link ThreadPoolExecutor} (on Web Workers)
 * can run it — the worker imports the module with `import(url)` and calls the
 * export. Use it for code that has imports of its own.
 *
 * The module must be reachable by URL from the worker: an absolute URL
 * (`new URL("./work.js", import.meta.url)`, `https://…`), or a path from the
 * page's origin (`/assets/work.js`, resolved against the page's address).
 * A relative specifier or a bare package name cannot be resolved by a
 * worker (it has no import map): a `TypeError` says so. Called directly, it
 * imports the module in the page and calls the export; its result is then
 * always a Promise. A missing export rejects the job with a `TypeError`
 * naming the export and the module's exports.
 *
 * @typeParam F - the function's type, e.g. `typeof import("./work.js").sum`.
 * @param module - an absolute URL (a `URL` or a string), or a path from the page's origin.
 * @param exportName - the export to call; default `"default"`.
 * @returns a function that stands for `module[exportName]`.
 * @throws {TypeError} when `module` is not a URL or a non-empty string, is
 *   relative or a bare specifier, or `exportName` is not a non-empty string.
 * @example
 * ```ts
 * import { ThreadPoolExecutor, moduleFunction } from "@aio/executors";
 * const sum = moduleFunction<(n: number) => number>(new URL("./work.js", import.meta.url), "sum");
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit(sum, 1_000_000));
 * ```
 */
export function moduleFunction<F extends (...args: any[]) => any = (...args: any[]) => unknown>(
  module: string | URL,
  exportName = "default",
): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> {
  let specifier = checkModuleArgs(module, exportName);
  if (!/^[a-z][a-z0-9+.-]+:/i.test(specifier)) {
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    if (!specifier.startsWith("/") || page === undefined) {
      throw new TypeError(
        `moduleFunction() module must be an absolute URL or a path from the page's origin (a worker cannot resolve ${JSON.stringify(specifier)}): use new URL(${JSON.stringify(specifier)}, import.meta.url)`,
      );
    }
    specifier = new URL(specifier, page).href;
  }
  const ref: ModuleRef = { mod: specifier, name: exportName };
  return moduleRefFunction(ref) as never;
}
