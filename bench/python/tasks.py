"""Python asyncio side of bench/tasks.bench.mjs: the same workloads, printed as JSON.

Usage: python3 bench/python/tasks.py [--quick] [--uvloop]
Each rate case reports the best of 3 runs after a smaller warm-up (memory: one run);
rates are operations per second.
"""

import asyncio
import gc
import json
import platform
import sys
import time
import tracemalloc

QUICK = "--quick" in sys.argv

# --uvloop: the same workloads on uvloop's event loop (asyncio.run() takes the policy on 3.11).
UVLOOP = None
if "--uvloop" in sys.argv:
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    UVLOOP = uvloop.__version__
SCALE = 10 if QUICK else 1

SPAWN_N = 100_000 // SCALE
PINGPONG_N = 200_000 // SCALE
AWAIT_DONE_N = 1_000_000 // SCALE
PENDING_N = 100_000 // SCALE


async def spawn(n):
    """(a) n tasks that each await sleep(0) once, gathered."""

    async def child(i):
        await asyncio.sleep(0)
        return i

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(child(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    dt = time.perf_counter() - t0
    assert len(results) == n
    return dt


async def pingpong(n):
    """(b) two tasks, n round trips: each side awaits a Future the other side resolves.

    The futures carry ints, not the next future: a linked chain of 200k
    futures crashes CPython's recursive deallocation.
    """
    loop = asyncio.get_running_loop()
    box = {"req": loop.create_future(), "reply": None}

    async def ping():
        for i in range(n):
            box["reply"] = reply = loop.create_future()
            box["req"].set_result(i)
            await reply

    async def pong():
        for _ in range(n):
            v = await box["req"]
            box["req"] = loop.create_future()
            box["reply"].set_result(v)

    t0 = time.perf_counter()
    await asyncio.gather(ping(), pong())
    return time.perf_counter() - t0


async def await_done(n):
    """(c) n awaits of an already-done Future inside one task (no yield to the loop)."""
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    total = 0
    t0 = time.perf_counter()
    for _ in range(n):
        total += await fut
    dt = time.perf_counter() - t0
    assert total == n
    return dt


async def pending_bytes(n):
    """(d) bytes (tracemalloc) per task blocked on a Future."""
    fut = asyncio.get_running_loop().create_future()

    async def blocked():
        await fut

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tasks = [asyncio.create_task(blocked()) for _ in range(n)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    fut.set_result(None)
    await asyncio.gather(*tasks)
    return (after - before) / n


def best(coro_fn, n, reps=3):
    """One warm-up at a tenth of the size, then of `reps` runs (each in a fresh
    asyncio.run()) the one that used the least CPU time; returns (wall s, cpu s)."""
    asyncio.run(coro_fn(max(n // 10, 1)))
    runs = []
    for _ in range(reps):
        c0 = time.process_time()
        wall = asyncio.run(coro_fn(n))
        runs.append((time.process_time() - c0, wall))
    cpu, wall = min(runs)
    return wall, cpu


def rate(n, dt, cpu=None):
    return {"n": n, "ms": dt * 1000, "cpuMs": (cpu if cpu is not None else dt) * 1000, "ops": n / (cpu or dt)}


def main():
    out = {"python": platform.python_version(), "uvloop": UVLOOP}
    out["spawn"] = rate(SPAWN_N, *best(spawn, SPAWN_N))
    out["pingpong"] = rate(PINGPONG_N, *best(pingpong, PINGPONG_N))
    out["awaitDone"] = rate(AWAIT_DONE_N, *best(await_done, AWAIT_DONE_N))
    out["pending"] = {"n": PENDING_N, "bytesPerTask": asyncio.run(pending_bytes(PENDING_N))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
