/**
 * Test-only stand-in for `node:util` in the Chromium runs (vitest browser
 * mode aliases it; see `vitest.browser.ts`). `inspect()` calls the object's
 * Node inspect hook, which is what the repr tests check; the library itself
 * never imports `node:util`.
 */
const kInspect = Symbol.for("nodejs.util.inspect.custom");

export function inspect(value: unknown): string {
  const hook = (value as { [kInspect]?: (...args: unknown[]) => unknown } | null)?.[kInspect];
  return typeof hook === "function" ? String(hook.call(value, 2, {}, inspect)) : String(value);
}

export default { inspect };
