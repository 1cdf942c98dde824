"""Python asyncio side of bench/loop.bench.mjs: the same workloads, printed as JSON.

Usage: python3 bench/python/loop.py [--quick]
Each rate case reports the best of 3 runs after a smaller warm-up (timers: one run,
for its peak RSS); rates are operations per second.
"""

import asyncio
import json
import platform
import random
import resource
import sys
import time

QUICK = "--quick" in sys.argv
SCALE = 10 if QUICK else 1

FANOUT_N = 1_000_000 // SCALE
CHAIN_N = 200_000 // SCALE
TIMERS_N = 100_000 // SCALE
FUTURES_N = 1_000_000 // SCALE
FUTURES_BATCH = 10_000


def fanout(n):
    """(a) n call_soon callbacks scheduled, then run by run_forever."""
    loop = asyncio.new_event_loop()
    count = 0

    def cb():
        nonlocal count
        count += 1

    t0 = time.perf_counter()
    for _ in range(n):
        loop.call_soon(cb)
    loop.call_soon(loop.stop)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    assert count == n
    return dt


def chain(n):
    """(b) n callbacks, each scheduling the next with call_soon."""
    loop = asyncio.new_event_loop()
    left = n

    def cb():
        nonlocal left
        left -= 1
        if left > 0:
            loop.call_soon(cb)
        else:
            loop.stop()

    t0 = time.perf_counter()
    loop.call_soon(cb)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    return dt


def timers(n):
    """(c) n call_later timers with random delays of 0-50 ms; wall time until the last one fired."""
    rng = random.Random(42)
    delays = [rng.random() * 0.050 for _ in range(n)]
    loop = asyncio.new_event_loop()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    left = n

    def cb():
        nonlocal left
        left -= 1
        if left == 0:
            loop.stop()

    t0 = time.perf_counter()
    for d in delays:
        loop.call_later(d, cb)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return dt, rss_before * 1024, peak * 1024


def futures(n):
    """(d) n times: create_future -> add_done_callback -> set_result, in batches of 10k per iteration."""
    loop = asyncio.new_event_loop()
    done = 0
    made = 0

    def on_done(_fut):
        nonlocal done
        done += 1
        if done == n:
            loop.stop()

    def driver():
        nonlocal made
        end = min(made + FUTURES_BATCH, n)
        while made < end:
            fut = loop.create_future()
            fut.add_done_callback(on_done)
            fut.set_result(made)
            made += 1
        if made < n:
            loop.call_soon(driver)

    t0 = time.perf_counter()
    loop.call_soon(driver)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    return dt


def best(fn, n, reps=3):
    """One warm-up at a tenth of the size, then of `reps` runs the one that used
    the least CPU time (the machine may be shared); returns (wall s, cpu s)."""
    fn(max(n // 10, 1))
    runs = []
    for _ in range(reps):
        c0 = time.process_time()
        wall = fn(n)
        runs.append((time.process_time() - c0, wall))
    cpu, wall = min(runs)
    return wall, cpu


def rate(n, dt, cpu=None):
    return {"n": n, "ms": dt * 1000, "cpuMs": (cpu if cpu is not None else dt) * 1000, "ops": n / (cpu or dt)}


def main():
    out = {"python": platform.python_version()}
    # timers first, so that its peak RSS is not the peak of the earlier cases
    dt, before, peak = timers(TIMERS_N)
    out["timers"] = {**rate(TIMERS_N, dt), "rssBefore": before, "peakRss": peak}
    out["fanout"] = rate(FANOUT_N, *best(fanout, FANOUT_N))
    out["chain"] = rate(CHAIN_N, *best(chain, CHAIN_N))
    out["futures"] = rate(FUTURES_N, *best(futures, FUTURES_N))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
