// Scenarios that the size-floor model's `seven.js` (gather, timeout, Lock,
// Queue) must run exactly as @aio does. Each takes an API object with the
// names both have ({ run, sleep, createTask, currentTask, getRunningLoop,
// gather, timeout, Lock, Queue, CancelledError, TimeoutError, QueueEmpty,
// QueueFull, QueueShutDown }) and resolves to an event log. Orderings are
// sequenced with sleep(0) (one loop iteration each), never with the clock.

/** Lets `n` loop iterations pass. */
async function turns(api, n) {
  for (let i = 0; i < n; i++) await api.sleep(0);
}

const errorName = (e) => (e instanceof Error ? e.name : String(e));

export const scenarios = {
  async "lock: FIFO hand-off between tasks, no barging by a newcomer"(api) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      const worker = (name) => async () => {
        log.push(`${name} wants`);
        await lock.acquire();
        log.push(`${name} holds`);
        await api.sleep(0);
        log.push(`${name} releases`);
        lock.release();
      };
      log.push(`main acquire ${await lock.acquire()} locked ${lock.locked()}`);
      const a = api.createTask(worker("a"));
      const b = api.createTask(worker("b"));
      await api.sleep(0);
      // c's first step runs before a (woken by release()) does: c must queue behind b.
      const c = api.createTask(worker("c"));
      lock.release();
      log.push(`released, locked ${lock.locked()}`);
      await api.gather(a, b, c);
      log.push(`end locked ${lock.locked()}`);
      try {
        lock.release();
      } catch (e) {
        log.push(`${e.name}: ${e.message}`);
      }
    });
    return log;
  },

  async "lock: a cancelled waiter never leaks the lock and wakes the next"(api) {
    const log = [];
    await api.run(async () => {
      const lock = new api.Lock();
      const waiter = (name) => async () => {
        try {
          await lock.acquire();
        } catch (e) {
          log.push(`${name} ${e.name}`);
          throw e;
        }
        log.push(`${name} holds`);
        lock.release();
      };
      // Cancelled while waiting, not woken.
      await lock.acquire();
      const a = api.createTask(waiter("a"));
      const b = api.createTask(waiter("b"));
      await api.sleep(0);
      a.cancel();
      await api.sleep(0);
      lock.release();
      await api.gather(a, b, { returnExceptions: true });
      log.push(`a cancelled ${a.cancelled()}, locked ${lock.locked()}`);
      // Woken by release(), then cancelled before it ran: the wake-up goes to d.
      await lock.acquire();
      const c = api.createTask(waiter("c"));
      const d = api.createTask(waiter("d"));
      await api.sleep(0);
      lock.release();
      c.cancel();
      await api.gather(c, d, { returnExceptions: true });
      log.push(`c cancelled ${c.cancelled()}, locked ${lock.locked()}`);
    });
    return log;
  },

  async "queue: maxsize blocks put; producers and consumers served in FIFO order"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue(2);
      log.push(`maxsize ${q.maxsize} empty ${q.empty()} full ${q.full()}`);
      const producer = (name) => async () => {
        for (let i = 0; i < 2; i++) {
          await q.put(`${name}${i}`);
          log.push(`${name} put ${name}${i} qsize ${q.qsize()}`);
        }
      };
      const p = api.createTask(producer("p"));
      const r = api.createTask(producer("r"));
      await turns(api, 2);
      log.push(`qsize ${q.qsize()} full ${q.full()}`);
      const consumer = (name) => async () => {
        for (let i = 0; i < 2; i++) log.push(`${name} got ${await q.get()}`);
      };
      const x = api.createTask(consumer("x"));
      const y = api.createTask(consumer("y"));
      await api.gather(p, r, x, y);
      log.push(`end qsize ${q.qsize()} empty ${q.empty()}`);
      // Getters wait in line; a newcomer whose first step runs before the
      // woken getter does not take the item that getter is owed (no barging).
      const g1 = api.createTask(() => q.get());
      const g2 = api.createTask(() => q.get());
      await api.sleep(0);
      const g3 = api.createTask(() => q.get());
      q.putNowait("one");
      await api.sleep(0);
      log.push(`qsize ${q.qsize()}`);
      q.putNowait("two");
      q.putNowait("three");
      log.push(`gets ${(await api.gather(g1, g2, g3)).join(" ")}`);
    });
    return log;
  },

  async "queue: getNowait on empty, putNowait on full, the named errors"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue(1);
      try {
        q.getNowait();
      } catch (e) {
        log.push(`getNowait: ${e.name} ${e instanceof api.QueueEmpty}`);
      }
      q.putNowait("a");
      try {
        q.putNowait("b");
      } catch (e) {
        log.push(`putNowait: ${e.name} ${e instanceof api.QueueFull}`);
      }
      log.push(`getNowait ${q.getNowait()} qsize ${q.qsize()}`);
      const unbounded = new api.Queue();
      for (let i = 0; i < 100; i++) unbounded.putNowait(i);
      log.push(`unbounded full ${unbounded.full()} qsize ${unbounded.qsize()}`);
    });
    return log;
  },

  async "queue: taskDone and join; one taskDone too many"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue();
      await q.join();
      log.push("join on a fresh queue returns at once");
      for (const item of ["a", "b", "c"]) q.putNowait(item);
      const worker = api.createTask(async () => {
        for (;;) {
          const item = await q.get();
          await api.sleep(0);
          log.push(`done ${item}`);
          q.taskDone();
        }
      });
      const joiner = api.createTask(async () => {
        await q.join();
        log.push("joiner released");
      });
      await q.join();
      log.push(`main released, qsize ${q.qsize()}`);
      await api.sleep(0);
      worker.cancel();
      await api.gather(worker, joiner, { returnExceptions: true });
      try {
        q.taskDone();
      } catch (e) {
        log.push(`extra taskDone: ${e.name} ${e instanceof RangeError}`);
      }
    });
    return log;
  },

  async "queue: shutdown wakes blocked getters and putters with QueueShutDown"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue(1);
      const getter = (name) => async () => {
        try {
          log.push(`${name} got ${await q.get()}`);
        } catch (e) {
          log.push(`${name} ${errorName(e)}`);
        }
      };
      const g1 = api.createTask(getter("g1"));
      const g2 = api.createTask(getter("g2"));
      await api.sleep(0);
      q.shutdown();
      await api.gather(g1, g2);
      try {
        await q.put("late");
      } catch (e) {
        log.push(`put after shutdown ${errorName(e)}`);
      }
      // Gets drain what is left before they fail; a blocked put fails.
      const r = new api.Queue(1);
      r.putNowait("left");
      const putter = api.createTask(async () => {
        try {
          await r.put("blocked");
        } catch (e) {
          log.push(`blocked put ${errorName(e)}`);
        }
      });
      await api.sleep(0);
      r.shutdown();
      await putter;
      log.push(`get drains ${await r.get()}`);
      try {
        r.getNowait();
      } catch (e) {
        log.push(`getNowait after drain ${errorName(e)}`);
      }
      // shutdown(true) discards the items and releases join().
      const s = new api.Queue();
      s.putNowait(1);
      s.putNowait(2);
      const joiner = api.createTask(async () => {
        await s.join();
        log.push(`join released, qsize ${s.qsize()}`);
      });
      await api.sleep(0);
      s.shutdown(true);
      await joiner;
      try {
        await s.get();
      } catch (e) {
        log.push(`get after immediate shutdown ${errorName(e)}`);
      }
    });
    return log;
  },

  async "queue: a cancelled getter passes its wake-up on; async iteration ends at shutdown"(api) {
    const log = [];
    await api.run(async () => {
      const q = new api.Queue();
      const getter = (name) => async () => {
        try {
          log.push(`${name} got ${await q.get()}`);
        } catch (e) {
          log.push(`${name} ${errorName(e)}`);
        }
      };
      const a = api.createTask(getter("a"));
      const b = api.createTask(getter("b"));
      await api.sleep(0);
      q.putNowait("x"); // wakes a
      a.cancel(); // before a runs: b gets x
      await api.gather(a, b);
      q.taskDone(); // for x
      log.push(`qsize ${q.qsize()}`);
      const consumer = api.createTask(async () => {
        const seen = [];
        for await (const item of q) {
          seen.push(item);
          q.taskDone();
        }
        log.push(`iteration ended after ${seen.join(",")}`);
      });
      for (const item of [1, 2, 3]) await q.put(item);
      await q.join();
      log.push("joined");
      q.shutdown();
      await consumer;
    });
    return log;
  },

  async "gather: results in argument order from tasks, functions, futures and thenables"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      const fut = loop.createFuture();
      const task = api.createTask(async () => {
        await api.sleep(0);
        log.push("task done");
        return "task";
      });
      const fn = async () => {
        await api.sleep(0);
        await api.sleep(0);
        log.push("fn done");
        return "fn";
      };
      loop.callSoon(() => fut.setResult("future"));
      const results = await api.gather(task, fn, fut, Promise.resolve("thenable"), task);
      log.push(JSON.stringify(results));
      log.push(JSON.stringify(await api.gather()));
      log.push(JSON.stringify(await api.gather(() => 1, {})));
      try {
        api.gather(5);
      } catch (e) {
        log.push(`gather(5): ${e.name}`);
      }
    });
    return log;
  },

  async "gather: the first error propagates, the others keep running; returnExceptions"(api) {
    const log = [];
    await api.run(async () => {
      const slow = api.createTask(async () => {
        await turns(api, 10);
        log.push("slow finished");
        return "slow";
      });
      const failing = async () => {
        await api.sleep(0);
        throw new Error("boom");
      };
      try {
        await api.gather(slow, failing);
      } catch (e) {
        log.push(`gather failed: ${e.message}; slow done ${slow.done()}`);
      }
      await slow;
      const cancelledChild = api.createTask(() => api.sleep(10_000));
      const results = await api.gather(
        failing,
        () => "ok",
        cancelledChild,
        async () => {
          await api.sleep(0);
          cancelledChild.cancel("child msg");
        },
        { returnExceptions: true },
      );
      log.push(
        results.map((r) => (r instanceof Error ? `${r.name}(${r.message})` : `${r}`)).join(" "),
      );
      // A child cancelled from outside, without returnExceptions: CancelledError.
      const victim = api.createTask(() => api.sleep(10_000));
      const g = api.gather(victim, () => api.sleep(10_000));
      await api.sleep(0);
      victim.cancel();
      try {
        await g;
      } catch (e) {
        log.push(`child cancelled: ${e.name} outer cancelled ${g.cancelled()}`);
      }
    });
    return log;
  },

  async "gather: cancelling the outer future cancels the children"(api) {
    const log = [];
    await api.run(async () => {
      const child = (name) => async () => {
        try {
          await api.sleep(10_000);
        } catch (e) {
          log.push(`${name} ${e.name} ${e.message}`);
          throw e;
        }
      };
      const a = api.createTask(child("a"));
      const g = api.gather(a, child("b"), { returnExceptions: true });
      await api.sleep(0);
      log.push(`cancel ${g.cancel("stop")}`);
      try {
        await g;
      } catch (e) {
        log.push(`gather ${e.name} cancelled ${g.cancelled()} a cancelled ${a.cancelled()}`);
      }
      log.push(`cancel again ${g.cancel()}`);
      // Children that swallow their cancellation: the gather still fails.
      const stubborn = async () => {
        try {
          await api.sleep(10_000);
        } catch {
          return "swallowed";
        }
      };
      const h = api.gather(stubborn, stubborn);
      await api.sleep(0);
      h.cancel();
      try {
        await h;
      } catch (e) {
        log.push(`stubborn gather ${e.name}`);
      }
      // Cancelling the task awaiting a gather cancels the gather's children.
      const inner = api.createTask(child("inner"));
      const waiter = api.createTask(() => api.gather(inner));
      await api.sleep(0);
      waiter.cancel();
      try {
        await waiter;
      } catch (e) {
        log.push(`waiter ${e.name} inner cancelled ${inner.cancelled()}`);
      }
    });
    return log;
  },

  async "timeout: expiry gives TimeoutError; no expiry; nested; outer cancellation"(api) {
    const log = [];
    await api.run(async () => {
      const task = api.currentTask();
      let handle;
      try {
        await api.timeout(1, async (t) => {
          handle = t;
          await api.sleep(10_000);
        });
      } catch (e) {
        log.push(`expired: ${e.name} ${e.cause?.name} expired() ${handle.expired()}`);
      }
      log.push(`cancelling ${task.cancelling()}`);
      const value = await api.timeout(10_000, async (t) => {
        handle = t;
        await api.sleep(0);
        return "in time";
      });
      log.push(`${value} expired() ${handle.expired()}`);
      // The body swallows the cancellation: no TimeoutError.
      const swallowed = await api.timeout(1, async (t) => {
        handle = t;
        try {
          await api.sleep(10_000);
        } catch (e) {
          return `swallowed ${e.name}`;
        }
      });
      log.push(`${swallowed} expired() ${handle.expired()} cancelling ${task.cancelling()}`);
      // Nested: only the timeout that expired turns the cancellation into TimeoutError.
      let inner;
      try {
        await api.timeout(1, () =>
          api.timeout(10_000, async (t) => {
            inner = t;
            try {
              await api.sleep(10_000);
            } catch (e) {
              log.push(`inner body ${e.name}`);
              throw e;
            }
          }),
        );
      } catch (e) {
        log.push(`nested: ${e.name} inner expired() ${inner.expired()}`);
      }
      // A cancellation from outside is not a timeout.
      const t2 = api.createTask(() =>
        api.timeout(10_000, async (t) => {
          handle = t;
          await api.sleep(10_000);
        }),
      );
      await api.sleep(0);
      t2.cancel();
      try {
        await t2;
      } catch (e) {
        log.push(`outer cancel: ${e.name} expired() ${handle.expired()}`);
      }
    });
    return log;
  },

  async "timeout: when(), reschedule() forward, to null, into the past; after exit"(api) {
    const log = [];
    await api.run(async () => {
      const loop = api.getRunningLoop();
      let handle;
      const r = await api.timeout(null, async (t) => {
        handle = t;
        log.push(`when ${t.when()}`);
        t.reschedule(loop.time() + 10_000);
        log.push(`rescheduled ${t.when() > loop.time()}`);
        t.reschedule(null);
        await api.sleep(2);
        return "no deadline";
      });
      log.push(`${r} expired() ${handle.expired()}`);
      try {
        handle.reschedule(null);
      } catch (e) {
        log.push(`${e.name}: ${e.message}`);
      }
      try {
        await api.timeout(10_000, async (t) => {
          handle = t;
          t.reschedule(loop.time() - 1);
          log.push("rescheduled into the past");
          await api.sleep(10_000);
        });
      } catch (e) {
        log.push(`${e.name} expired() ${handle.expired()}`);
      }
      try {
        handle.reschedule(null);
      } catch (e) {
        log.push(`${e.name}: ${e.message}`);
      }
      try {
        await api.timeout(10_000, () => {
          throw new Error("body failed");
        });
      } catch (e) {
        log.push(`body error passes: ${e.message}`);
      }
      // Outside a task (a loop callback): asyncio's RuntimeError.
      const done = loop.createFuture();
      loop.callSoon(() =>
        api
          .timeout(10, async () => {})
          .catch((e) => log.push(`${e.name}: ${e.message}`))
          .finally(() => done.setResult()),
      );
      await done;
    });
    return log;
  },
};
