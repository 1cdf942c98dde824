/**
 * A Lock-protected critical section. Two tasks update a shared balance with
 * a read–await–write sequence; without the lock the second write would
 * overwrite the first. `await using _ = await lock.hold()` is asyncio's
 * `async with lock:` — the lock is released however the block ends.
 */
import { createTask, gather, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { Lock } from "@aio/sync";

async function transfer(
  label: string,
  lock: Lock | null,
  account: { balance: number },
  amount: number,
) {
  await using _ = lock === null ? null : await lock.hold();
  const read = account.balance;
  await sleep(5); // e.g. a database round trip: other tasks run here
  account.balance = read - amount;
  console.log(`${label}: withdrew ${amount}, balance now ${account.balance}`);
}

await run(async () => {
  const unsafe = { balance: 100 };
  await gather(
    createTask(() => transfer("no lock  ", null, unsafe, 30)),
    createTask(() => transfer("no lock  ", null, unsafe, 50)),
  );
  console.log(`without a lock: ${unsafe.balance} (expected 20 — one update was lost)`);

  const lock = new Lock();
  const safe = { balance: 100 };
  await gather(
    createTask(() => transfer("with lock", lock, safe, 30)),
    createTask(() => transfer("with lock", lock, safe, 50)),
  );
  console.log(`with a lock: ${safe.balance}; ${lock}`);
});
