import { getRuntime } from "@aio/core";
import { kLoopOwned, type PoolExecutor } from "../pool-executor.js";

/**
 * Registers the loop's default executor (asyncio creates a ThreadPoolExecutor
 * lazily too): a pool of `Pool` that the loop shuts down itself, so debug
 * mode does not report it as left open. Each entry calls it with its own
 * thread pool; the first registration wins.
 */
export function registerDefaultExecutor(Pool: new () => PoolExecutor): void {
  getRuntime().defaultExecutorFactory ??= () => {
    const pool = new Pool();
    pool[kLoopOwned]();
    return pool;
  };
}
