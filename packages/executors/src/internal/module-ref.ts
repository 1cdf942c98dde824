import { describeValue } from "@aio/core";
import { MODULE_REF, type ModuleRef } from "./fn-spec.js";

/**
 * The argument checks of `moduleFunction()` shared by its Node and browser
 * forms: the specifier as a string (a URL's `href`).
 *
 * @throws {TypeError} when `module` is not a URL or a non-empty string, or
 *   `exportName` is not a non-empty string.
 */
export function checkModuleArgs(module: unknown, exportName: unknown): string {
  let specifier: string;
  if (module instanceof URL) specifier = module.href;
  else if (typeof module === "string" && module.length > 0) specifier = module;
  else
    throw new TypeError(
      `moduleFunction() module must be a URL or a non-empty string, received ${describeValue(module)}`,
    );
  if (typeof exportName !== "string" || exportName.length === 0) {
    throw new TypeError(
      `moduleFunction() exportName must be a non-empty string, received ${describeValue(exportName)}`,
    );
  }
  return specifier;
}

/**
 * The function `moduleFunction()` returns for `ref`: marked with the
 * reference (the pools ship that), and, called directly, importing the
 * module in the calling thread and calling the export.
 */
export function moduleRefFunction(ref: ModuleRef): (...args: unknown[]) => Promise<unknown> {
  const name = `${ref.name}`;
  const local = {
    async [name](...args: unknown[]): Promise<unknown> {
      const mod = (await import(/* @vite-ignore */ ref.mod)) as Record<string, unknown>;
      const fn = mod[ref.name];
      if (typeof fn !== "function") {
        throw new TypeError(`module ${ref.mod} has no exported function "${ref.name}"`);
      }
      return fn(...args);
    },
  }[name]!;
  Object.defineProperty(local, MODULE_REF, { value: ref });
  return local;
}
