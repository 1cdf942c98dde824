"""Celery on the same Redis, the peer of bench/bullmq.bench.mjs.

Usage:
  python bench/python/bullmq_celery.py worker REDIS_URL CONCURRENCY
      a Celery worker process (thread pool of CONCURRENCY); prints "celery-ready"
  python bench/python/bullmq_celery.py produce REDIS_URL JOBS LATENCY_ROUNDS
      submits JOBS tiny jobs at once and waits for every result, then runs
      LATENCY_ROUNDS one at a time; prints one JSON line per measurement:
      {"name", "metric", "value"}

The worker is started through celery.apps.worker.Worker rather than the
`celery` command, whose click plugins are not always installable offline.
"""

import json
import sys
import time

from celery import Celery
from celery.signals import worker_ready


def make_app(url):
    app = Celery("aio_bench", broker=url, backend=url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=4,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    @app.task(name="add")
    def add(x, y):
        return x + y

    return app, add


def emit(name, metric, value):
    print(json.dumps({"name": name, "metric": metric, "value": value}), flush=True)


def worker(url, concurrency):
    app, _ = make_app(url)

    @worker_ready.connect
    def ready(**_kwargs):
        print("celery-ready", flush=True)

    w = app.Worker(pool_cls="threads", concurrency=concurrency, loglevel="WARNING", quiet=True)
    w.start()


def produce(url, jobs, rounds):
    _, add = make_app(url)
    for r in [add.delay(i, 1) for i in range(50)]:
        r.get(timeout=60)
    t0 = time.perf_counter()
    pending = [add.delay(i, 1) for i in range(jobs)]
    for i, r in enumerate(pending):
        assert r.get(timeout=300) == i + 1
    emit("celery", "jobs_per_s", jobs / (time.perf_counter() - t0))
    lat = []
    for i in range(rounds):
        t = time.perf_counter()
        add.delay(i, 1).get(timeout=60)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    emit("celery", "p50_ms", lat[len(lat) // 2])
    emit("celery", "p99_ms", lat[min(len(lat) - 1, int(len(lat) * 0.99))])


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        produce(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
