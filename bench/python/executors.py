"""Python's executors through asyncio's run_in_executor, for bench/executors.bench.mjs.

Prints one JSON line per measurement: {"name", "metric", "value"}.
Usage: python3 bench/python/executors.py [jobs]
"""

import asyncio
import concurrent.futures
import json
import sys
import time


def tiny_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s


def noop():
    return None


def echo(b):
    return b


def emit(name, metric, value):
    print(json.dumps({"name": name, "metric": metric, "value": value}), flush=True)


async def measure(name, executor, jobs):
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(executor, tiny_sum, 10) for _ in range(4)))
    t0 = time.perf_counter()
    await asyncio.gather(*(loop.run_in_executor(executor, tiny_sum, 10_000) for _ in range(jobs)))
    emit(name, "jobs_per_s", jobs / (time.perf_counter() - t0))
    lat = []
    for _ in range(2_000):
        t = time.perf_counter()
        await loop.run_in_executor(executor, noop)
        lat.append(time.perf_counter() - t)
    lat.sort()
    emit(name, "p50_us", lat[len(lat) // 2] * 1e6)
    emit(name, "p99_us", lat[int(len(lat) * 0.99)] * 1e6)
    for size in (1 << 20, 16 << 20):
        buf = bytearray(size)
        t = time.perf_counter()
        for _ in range(5):
            buf = await loop.run_in_executor(executor, echo, buf)
        emit(name, f"roundtrip_{size >> 20}MiB_ms", (time.perf_counter() - t) / 5 * 1e3)


async def main():
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        await measure("python ThreadPoolExecutor", ex, jobs)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        await measure("python ProcessPoolExecutor", ex, jobs)


if __name__ == "__main__":
    asyncio.run(main())
