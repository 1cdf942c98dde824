"""asyncio side of bench/sync.bench.mjs: the same workloads, printed as one JSON line.

Usage: python3 bench/python/sync.py [--quick] [--uvloop]
"""
import asyncio
import json
import sys
import time

SCALE = 0.1 if "--quick" in sys.argv else 1.0

# --uvloop: the same workloads on uvloop's event loop (asyncio.run() takes the policy on 3.11).
UVLOOP = None
if "--uvloop" in sys.argv:
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    UVLOOP = uvloop.__version__
LOCK_TASKS = 100
LOCK_OPS = round(200_000 * SCALE)
SEM_JOBS = round(200_000 * SCALE)
SEM_LIMIT = 10
QUEUE_ITEMS = round(1_000_000 * SCALE)
LOCK_SLEEP_OPS = round(100_000 * SCALE)
SEM_SLEEP_JOBS = round(100_000 * SCALE)
QUEUE_MAX = 100
ROUNDS = 3


def best(make, ops):
    """Best of ROUNDS after a warm-up: CPU and wall milliseconds."""
    asyncio.run(make())  # warm-up
    cpu, wall = [], []
    for _ in range(ROUNDS):
        c0, t0 = time.process_time(), time.perf_counter()
        asyncio.run(make())
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    return {"cpu_ms": min(cpu), "ms": min(wall), "ops": ops}


async def lock_bench():
    lock = asyncio.Lock()
    per = LOCK_OPS // LOCK_TASKS

    async def worker():
        for _ in range(per):
            await lock.acquire()
            lock.release()

    # Hold the lock until every worker queues on it: each acquisition is then a hand-off.
    await lock.acquire()
    workers = [asyncio.create_task(worker()) for _ in range(LOCK_TASKS)]
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*workers)


async def sem_bench():
    sem = asyncio.Semaphore(SEM_LIMIT)

    async def job():
        pass

    async def limited():
        async with sem:
            await job()

    await asyncio.gather(*(limited() for _ in range(SEM_JOBS)))


async def lock_sleep_bench():
    """(d) LOCK_TASKS tasks, each holding the lock across one sleep(0) per acquisition."""
    lock = asyncio.Lock()
    per = LOCK_SLEEP_OPS // LOCK_TASKS

    async def worker():
        for _ in range(per):
            async with lock:
                await asyncio.sleep(0)

    await asyncio.gather(*(asyncio.create_task(worker()) for _ in range(LOCK_TASKS)))


async def sem_sleep_bench():
    """(e) SEM_SLEEP_JOBS tasks through Semaphore(SEM_LIMIT), each job one sleep(0)."""
    sem = asyncio.Semaphore(SEM_LIMIT)

    async def one():
        async with sem:
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(one()) for _ in range(SEM_SLEEP_JOBS)]
    for t in tasks:
        await t


def queue_bench(consumers):
    async def main():
        q = asyncio.Queue(QUEUE_MAX)
        share = QUEUE_ITEMS // consumers

        async def consumer():
            for _ in range(share):
                await q.get()

        cs = [asyncio.create_task(consumer()) for _ in range(consumers)]
        for i in range(QUEUE_ITEMS):
            await q.put(i)
        await asyncio.gather(*cs)

    return main


print(json.dumps({
    "python": sys.version.split()[0],
    "uvloop": UVLOOP,
    "lock": best(lambda: lock_bench(), LOCK_OPS),
    "semaphore": best(lambda: sem_bench(), SEM_JOBS),
    "queue1": best(queue_bench(1), QUEUE_ITEMS),
    "queue4": best(queue_bench(4), QUEUE_ITEMS),
    "lockSleep": best(lambda: lock_sleep_bench(), LOCK_SLEEP_OPS),
    "semSleep": best(lambda: sem_sleep_bench(), SEM_SLEEP_JOBS),
}))
