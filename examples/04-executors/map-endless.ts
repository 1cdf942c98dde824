// map() over an endless generator: with `buffersize` the pool reads the
// generator lazily, at most `buffersize` jobs ahead of the consumer
// (asyncio 3.14: `executor.map(fn, itertools.count(), buffersize=4)`).
import { ThreadPoolExecutor } from "@aio/executors";
import { run } from "@aio/loop";

// Endless: it is only ever read as far as the consumer asks.
let read = 0;
function* naturals(): Generator<number> {
  for (let n = 1; ; n++) {
    read++;
    yield n;
  }
}

// Self-contained: its source crosses to a worker thread.
function isPrime(n: number): [number, boolean] {
  if (n < 2) return [n, false];
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return [n, false];
  return [n, true];
}

const primes = await run(async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const found: number[] = [];
  for await (const [n, prime] of pool.map(isPrime, naturals(), { buffersize: 4 })) {
    if (prime) found.push(n);
    if (found.length === 10) break; // leaving closes the generator and cancels the jobs ahead
  }
  return found;
});

console.log(`the first ten primes: ${primes.join(", ")}`);
console.log(`the generator was read ${read} times (the last prime, 29, plus at most 4 ahead)`);
if (read > 29 + 4) throw new Error(`read too far ahead: ${read}`);
