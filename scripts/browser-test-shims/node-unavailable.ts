/**
 * Test-only stand-in for Node built-ins that have no browser equivalent
 * (`node:async_hooks`, `node:events`) in the Chromium runs: importing works,
 * using throws. The tests that use them are listed in
 * `scripts/runtime-skips.ts`.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is a Node API: this test is listed in scripts/runtime-skips.ts`);
}

export class AsyncLocalStorage {
  constructor() {
    unavailable("AsyncLocalStorage");
  }
}

export function getEventListeners(): never {
  return unavailable("getEventListeners");
}

export default { AsyncLocalStorage, getEventListeners };
