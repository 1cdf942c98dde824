/**
 * Port of CPython 3.13 `Lib/test/test_asyncio/test_taskgroups.py`
 * (BaseTestTaskGroup run as TestTaskGroup and TestEagerTaskTaskGroup) to
 * `taskGroup(fn)`; seconds become virtual milliseconds.
 *
 * Not ported: BaseException cases (`test_taskgroup_20/20a/21/21a`,
 * KeyboardInterrupt/SystemExit have no JS analogue), contextvars
 * (`test_taskgroup_task_context`), gc/refcycle tests
 * (`test_exception_refcycles_*`), "coroutine closed" warnings
 * (`test_coro_closed_when_tg_closed` is kept as the "is finished" check),
 * and `test_taskgroup_already_entered`/`test_taskgroup_double_enter` (a
 * group is entered by `taskGroup()` itself; the internal check is kept).
 * `except*` becomes a check of `ExceptionGroup.exceptions`.
 */
import {
  CancelledError,
  ExceptionGroup,
  getRunningLoop,
  isExceptionGroup,
  RuntimeError,
} from "@aio/core";
import {
  createTask,
  currentTask,
  eagerTaskFactory,
  sleep,
  type Task,
  TaskGroup,
  taskGroup,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

class MyExc extends Error {}

function errorTypes(eg: unknown): Set<unknown> {
  expect(eg).toBeInstanceOf(ExceptionGroup);
  return new Set((eg as ExceptionGroup).exceptions.map((e) => (e as object).constructor));
}

const zeroDivision = () => {
  throw new RangeError("division by zero");
};

for (const [className, eager] of [
  ["TestTaskGroup", false],
  ["TestEagerTaskTaskGroup", true],
] as const) {
  /** Like runVirtual, with the eager task factory for the eager variant. */
  const runTg = <T>(main: () => Promise<T>) =>
    runVirtual(async () => {
      if (eager) getRunningLoop().setTaskFactory(eagerTaskFactory);
      return await main();
    });

  describe(className, () => {
    it("test_taskgroup_01", async () => {
      await runTg(async () => {
        let t1!: Task<number>;
        let t2!: Task<number>;
        await taskGroup(async (g) => {
          t1 = g.createTask(async () => {
            await sleep(100);
            return 42;
          });
          t2 = g.createTask(async () => {
            await sleep(200);
            return 11;
          });
        });
        expect(t1.result()).toBe(42);
        expect(t2.result()).toBe(11);
      });
    });

    it("test_taskgroup_02", async () => {
      await runTg(async () => {
        let t1!: Task<number>;
        let t2!: Task<number>;
        await taskGroup(async (g) => {
          t1 = g.createTask(async () => {
            await sleep(100);
            return 42;
          });
          await sleep(150);
          t2 = g.createTask(async () => {
            await sleep(200);
            return 11;
          });
        });
        expect(t1.result()).toBe(42);
        expect(t2.result()).toBe(11);
        expect(getRunningLoop().time()).toBe(350);
      });
    });

    it("test_taskgroup_03", async () => {
      await runTg(async () => {
        let t1!: Task<number>;
        let t2!: Task<number>;
        await taskGroup(async (g) => {
          t1 = g.createTask(async () => {
            await sleep(1000);
            return 42;
          });
          await sleep(150);
          // cancel t1 explicitly: everything else goes on working
          t1.cancel();
          t2 = g.createTask(async () => {
            await sleep(200);
            return 11;
          });
        });
        expect(t1.cancelled()).toBe(true);
        expect(t2.result()).toBe(11);
      });
    });

    it("test_taskgroup_04", async () => {
      await runTg(async () => {
        let num = 0;
        let t2Cancel = false;
        let t2!: Task<void>;
        const runner = async () => {
          await taskGroup(async (g) => {
            g.createTask(async () => {
              await sleep(100);
              zeroDivision();
            });
            t2 = g.createTask(async () => {
              try {
                await sleep(1000);
              } catch (err) {
                t2Cancel = err instanceof CancelledError;
                throw err;
              }
              num += 1;
            });
          });
          num += 10;
        };
        const err = await createTask(runner).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
        expect(num).toBe(0);
        expect(t2Cancel).toBe(true);
        expect(t2.cancelled()).toBe(true);
      });
    });

    it("test_cancel_children_on_child_error", async () => {
      await runTg(async () => {
        let num = 0;
        let t2Cancel = false;
        let runnerCancel = false;
        const foo1 = async () => {
          await sleep(100);
          zeroDivision();
        };
        const runner = async () => {
          await taskGroup(async (g) => {
            g.createTask(foo1);
            g.createTask(foo1);
            g.createTask(foo1);
            g.createTask(async () => {
              try {
                await sleep(5000);
              } catch (err) {
                t2Cancel = true;
                throw err;
              }
              num += 1;
            });
            try {
              await sleep(10_000);
            } catch (err) {
              runnerCancel = true;
              throw err;
            }
          });
          num += 10;
        };
        const err = await createTask(runner).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
        // All three fail at the same moment: asyncio collects all three.
        expect((err as ExceptionGroup).exceptions.length).toBe(3);
        expect(num).toBe(0);
        expect(t2Cancel).toBe(true);
        expect(runnerCancel).toBe(true);
      });
    });

    it("test_cancellation", async () => {
      await runTg(async () => {
        let num = 0;
        const r = createTask(() =>
          taskGroup(async (g) => {
            for (let i = 0; i < 5; i++) {
              g.createTask(async () => {
                try {
                  await sleep(5000);
                } catch (err) {
                  num += 1;
                  throw err;
                }
              });
            }
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel("test");
        const err = await r.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CancelledError);
        expect((err as Error).message).toBe("test");
        expect(num).toBe(5);
      });
    });

    it("test_taskgroup_07", async () => {
      await runTg(async () => {
        let num = 0;
        const r = createTask(() =>
          taskGroup(async (g) => {
            for (let i = 0; i < 5; i++) {
              g.createTask(async () => {
                try {
                  await sleep(5000);
                } catch (err) {
                  num += 1;
                  throw err;
                }
              });
            }
            try {
              await sleep(10_000);
            } catch (err) {
              num += 10;
              throw err;
            }
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        await expect(r).rejects.toThrow(CancelledError);
        expect(num).toBe(15);
      });
    });

    it("test_taskgroup_08", async () => {
      await runTg(async () => {
        const r = createTask(() =>
          taskGroup(async (g) => {
            for (let i = 0; i < 5; i++) {
              g.createTask(async () => {
                try {
                  await sleep(10_000);
                } finally {
                  zeroDivision();
                }
              });
            }
            await sleep(10_000);
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
        expect((err as ExceptionGroup).exceptions.length).toBe(5);
      });
    });

    for (const [name, pause] of [
      ["test_taskgroup_09", true],
      ["test_taskgroup_10", false],
    ] as const) {
      it(name, async () => {
        await runTg(async () => {
          let t1!: Task<number>;
          let t2!: Task<number>;
          const err = await taskGroup(async (g) => {
            t1 = g.createTask(async () => {
              await sleep(1000);
              return 42;
            });
            t2 = g.createTask(async () => {
              await sleep(2000);
              return 11;
            });
            if (pause) await sleep(100);
            zeroDivision();
          }).catch((e: unknown) => e);
          expect(errorTypes(err)).toEqual(new Set([RangeError]));
          expect(t1.cancelled()).toBe(true);
          expect(t2.cancelled()).toBe(true);
        });
      });
    }

    it("test_taskgroup_11", async () => {
      await runTg(async () => {
        const r = createTask(() =>
          taskGroup(() =>
            taskGroup(async (g2) => {
              for (let i = 0; i < 5; i++) {
                g2.createTask(async () => {
                  try {
                    await sleep(10_000);
                  } finally {
                    zeroDivision();
                  }
                });
              }
              await sleep(10_000);
            }),
          ),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([ExceptionGroup]));
        expect(errorTypes((err as ExceptionGroup).exceptions[0])).toEqual(new Set([RangeError]));
      });
    });

    it("test_taskgroup_12", async () => {
      await runTg(async () => {
        const r = createTask(() =>
          taskGroup(async (g1) => {
            g1.createTask(() => sleep(10_000));
            await taskGroup(async (g2) => {
              for (let i = 0; i < 5; i++) {
                g2.createTask(async () => {
                  try {
                    await sleep(10_000);
                  } finally {
                    zeroDivision();
                  }
                });
              }
              await sleep(10_000);
            });
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([ExceptionGroup]));
        expect(errorTypes((err as ExceptionGroup).exceptions[0])).toEqual(new Set([RangeError]));
      });
    });

    const crashAfter = (ms: number) => async () => {
      await sleep(ms);
      throw new MyExc(String(ms));
    };

    it("test_taskgroup_13", async () => {
      await runTg(async () => {
        const err = await createTask(() =>
          taskGroup(async (g1) => {
            g1.createTask(crashAfter(100));
            await taskGroup(async (g2) => {
              g2.createTask(crashAfter(10_000));
            });
          }),
        ).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([MyExc]));
      });
    });

    it("test_taskgroup_14", async () => {
      await runTg(async () => {
        const err = await createTask(() =>
          taskGroup(async (g1) => {
            g1.createTask(crashAfter(10_000));
            await taskGroup(async (g2) => {
              g2.createTask(crashAfter(100));
            });
          }),
        ).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([ExceptionGroup]));
        expect(errorTypes((err as ExceptionGroup).exceptions[0])).toEqual(new Set([MyExc]));
      });
    });

    it("test_taskgroup_15", async () => {
      await runTg(async () => {
        const r = createTask(() =>
          taskGroup(async (g1) => {
            g1.createTask(async () => {
              await sleep(300);
              zeroDivision();
            });
            try {
              await sleep(10_000);
            } catch (err) {
              await sleep(500);
              throw err;
            }
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
      });
    });

    it("test_taskgroup_16", async () => {
      await runTg(async () => {
        const nested = () =>
          taskGroup(async (g1) => {
            g1.createTask(async () => {
              await sleep(300);
              zeroDivision();
            });
            try {
              await sleep(10_000);
            } catch (err) {
              await sleep(500);
              throw err;
            }
          });
        const r = createTask(async () => {
          await createTask(nested);
        });
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
      });
    });

    it("test_taskgroup_17", async () => {
      await runTg(async () => {
        let num = 0;
        const r = createTask(() =>
          taskGroup(async () => {
            try {
              await sleep(10_000);
            } catch (err) {
              num += 10;
              throw err;
            }
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        await expect(r).rejects.toThrow(CancelledError);
        expect(num).toBe(10);
      });
    });

    it("test_taskgroup_18", async () => {
      await runTg(async () => {
        let num = 0;
        const r = createTask(() =>
          taskGroup(async () => {
            try {
              await sleep(10_000);
            } catch {
              num += 10;
              // Not a good idea, but supported.
              throw new MyExc();
            }
          }),
        );
        await sleep(100);
        expect(r.done()).toBe(false);
        r.cancel();
        const err = await r.catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([MyExc]));
        expect(num).toBe(10);
      });
    });

    it("test_taskgroup_19", async () => {
      await runTg(async () => {
        const err = await createTask(() =>
          taskGroup(async (g) => {
            g.createTask(async () => {
              await sleep(100);
              zeroDivision();
            });
            try {
              await sleep(10_000);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the case under test
              throw new MyExc();
            }
          }),
        ).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([MyExc, RangeError]));
      });
    });

    it("test_taskgroup_22", async () => {
      await runTg(async () => {
        const r = createTask(() =>
          taskGroup(async (g) => {
            g.createTask(() => sleep(1000, 42));
            g.createTask(() => sleep(2000, 11));
          }),
        );
        await sleep(50);
        r.cancel();
        await expect(r).rejects.toThrow(CancelledError);
      });
    });

    it("test_taskgroup_23", async () => {
      await runTg(async () => {
        const sizes: number[] = [];
        await taskGroup(async (g) => {
          for (let count = 0; count < 10; count++) {
            await sleep(100);
            g.createTask(() => sleep(300));
            if (count === 5) sizes.push(Number(/tasks=(\d+)/.exec(String(g))?.[1] ?? 0));
          }
          await sleep(1350);
          sizes.push(Number(/tasks=(\d+)/.exec(String(g))?.[1] ?? 0));
        });
        expect(sizes[0]).toBeLessThan(5);
        expect(sizes[1]).toBe(0);
      });
    });

    it("test_taskgroup_24", async () => {
      await runTg(async () => {
        const coro1 = (ms: number) => () => sleep(ms);
        await taskGroup(async (g) => {
          g.createTask(async () => {
            await sleep(100);
            g.createTask(coro1(100));
            g.createTask(coro1(200));
          });
        });
        expect(getRunningLoop().time()).toBe(300);
      });
    });

    it("test_taskgroup_25", async () => {
      await runTg(async () => {
        let nhydras = 0;
        const hydra = (g: TaskGroup) => async () => {
          nhydras += 1;
          await sleep(10);
          g.createTask(hydra(g));
          g.createTask(hydra(g));
        };
        const hercules = async () => {
          while (nhydras < 10) await sleep(15);
          zeroDivision();
        };
        const err = await taskGroup(async (g) => {
          g.createTask(hydra(g));
          g.createTask(hercules);
        }).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
        expect(nhydras).toBeGreaterThanOrEqual(10);
      });
    });

    it("test_taskgroup_task_name / test_name", async () => {
      await runTg(async () => {
        let name: string | null = null;
        await taskGroup(async (g) => {
          const t = g.createTask(
            async () => {
              name = currentTask()!.getName();
              await sleep(0);
            },
            { name: "yolo" },
          );
          expect(t.getName()).toBe("yolo");
        });
        expect(name).toBe("yolo");
      });
    });

    it("test_taskgroup_no_create_task_after_failure", async () => {
      await runTg(async () => {
        const errors: unknown[] = [];
        const coro1 = async () => {
          await sleep(1);
          zeroDivision();
        };
        const err = await taskGroup(async (g) => {
          g.createTask(coro1);
          g.createTask(async () => {
            try {
              await sleep(1000);
            } catch {
              try {
                g.createTask(coro1);
              } catch (e) {
                errors.push(e);
              }
            }
          });
        }).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RangeError]));
        expect(errors.length).toBe(1);
        expect(errors[0]).toBeInstanceOf(RuntimeError);
        expect((errors[0] as Error).message).toMatch(/^TaskGroup <TaskGroup .*> is shutting down$/);
      });
    });

    it("test_taskgroup_context_manager_exit_raises (gh-95289)", async () => {
      class CustomException extends Error {}
      await runTg(async () => {
        await createTask(async () => {
          const task = currentTask()!;
          const err = await taskGroup(async (tg) => {
            try {
              tg.createTask(async () => {
                throw new CustomException();
              });
              await sleep(1000);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: a resource whose cleanup fails
              throw new CustomException();
            }
          }).catch((e: unknown) => e);
          expect(task.cancelling()).toBe(0);
          expect(errorTypes(err)).toEqual(new Set([CustomException]));
          expect((err as ExceptionGroup).exceptions.length).toBe(2);
        });
      });
    });

    it("test_taskgroup_finished / test_coro_closed_when_tg_closed", async () => {
      await runTg(async () => {
        let group!: TaskGroup;
        await taskGroup(async (tg) => {
          group = tg;
        });
        let started = false;
        expect(() =>
          group.createTask(async () => {
            started = true;
          }),
        ).toThrow(/^TaskGroup <TaskGroup.*> is finished$/);
        await sleep(0);
        expect(started).toBe(false);
      });
    });

    it("test_taskgroup_not_entered", () => {
      const tg = new TaskGroup();
      expect(() => tg.createTask(async () => {})).toThrow(
        new RuntimeError("TaskGroup <TaskGroup> has not been entered"),
      );
    });

    it("test_taskgroup_without_parent_task", async () => {
      await runTg(async () => {
        const fut = getRunningLoop().createFuture<unknown>();
        getRunningLoop().callSoon(() => {
          taskGroup(async () => {}).then(
            () => fut.setResult("resolved"),
            (e: unknown) => fut.setResult(e),
          );
        });
        const err = await fut;
        expect(err).toBeInstanceOf(RuntimeError);
        expect((err as Error).message).toBe("TaskGroup cannot determine the parent task");
      });
    });

    it("test_cancelling_level_preserved", async () => {
      await runTg(async () => {
        const err = await taskGroup(async (tg) => {
          tg.createTask(async () => {
            await sleep(0);
            throw new RuntimeError("x");
          });
        }).catch((e: unknown) => e);
        expect(errorTypes(err)).toEqual(new Set([RuntimeError]));
        expect(currentTask()!.cancelling()).toBe(0);
      });
    });

    it("test_nested_groups_both_cancelled", async () => {
      await runTg(async () => {
        const raiseAfter = (ms: number, E: new () => Error) => async () => {
          await sleep(ms);
          throw new E();
        };
        const levels: number[] = [];
        const outerErr = await taskGroup(async (outerTg) => {
          const innerErr = await taskGroup(async (innerTg) => {
            innerTg.createTask(raiseAfter(0, RuntimeError));
            outerTg.createTask(raiseAfter(0, MyExc));
          }).catch((e: unknown) => e);
          expect(errorTypes(innerErr)).toEqual(new Set([RuntimeError]));
          levels.push(currentTask()!.cancelling());
        }).catch((e: unknown) => e);
        expect(errorTypes(outerErr)).toEqual(new Set([MyExc]));
        expect(levels).toEqual([1]);
        expect(currentTask()!.cancelling()).toBe(0);
      });
    });

    it("test_error_and_cancel", async () => {
      await runTg(async () => {
        const event = getRunningLoop().createFuture<void>();
        const log: string[] = [];
        const inner = async () => {
          const err = await taskGroup(async (tg) => {
            tg.createTask(async () => {
              event.setResult();
              await sleep(0);
              throw new RuntimeError();
            });
            await sleep(1000);
            log.push("sleep in group was not cancelled");
          }).catch((e: unknown) => e);
          expect(errorTypes(err)).toEqual(new Set([RuntimeError]));
          log.push(`cancelling after group: ${currentTask()!.cancelling()}`);
          await sleep(1000);
          log.push("sleep after group was not cancelled");
        };
        const t = createTask(inner);
        await event;
        expect(t.cancelling()).toBe(0);
        t.cancel();
        expect(t.cancelling()).toBe(1);
        await expect(t).rejects.toThrow(CancelledError);
        expect(t.cancelled()).toBe(true);
        expect(log).toEqual(["cancelling after group: 1"]);
      });
    });

    it("test_cancels_task_if_created_during_creation (gh-128550)", async () => {
      await runTg(async () => {
        let ran = false;
        const err = await taskGroup(async (tg) => {
          tg.createTask(async () => {
            tg.createTask(async () => {
              throw new MyExc("third task failed");
            });
            await expect(
              (async () => {
                await sleep(0); // eager tasks cancel here
                await sleep(0); // lazy tasks cancel here
              })(),
            ).rejects.toThrow(CancelledError);
            ran = true;
          });
        }).catch((e: unknown) => e);
        expect(ran).toBe(true);
        expect(errorTypes(err)).toEqual(new Set([MyExc]));
      });
    });

    it("test_cancellation_does_not_leak_out_of_tg", async () => {
      await runTg(async () => {
        const err = await taskGroup(async (tg) => {
          tg.createTask(async () => {
            throw new MyExc();
          });
        }).catch((e: unknown) => e);
        expect(isExceptionGroup(err)).toBe(true);
        // If the cancellation leaked, this task would be cancelled here.
        await sleep(0);
        expect(currentTask()!.cancelling()).toBe(0);
      });
    });

    it("TaskGroup.cancel() stops the group without an error (asyncio 3.15)", async () => {
      await runTg(async () => {
        const log: string[] = [];
        const result = await taskGroup(async (tg) => {
          tg.createTask(async () => {
            try {
              await sleep(1000);
            } finally {
              log.push("child cleanup");
            }
          });
          tg.createTask(async () => {
            await sleep(10);
            tg.cancel();
          });
          await sleep(1000);
          return "unreachable";
        });
        expect(result).toBeUndefined();
        expect(log).toEqual(["child cleanup"]);
        expect(currentTask()!.cancelling()).toBe(0);
        expect(getRunningLoop().time()).toBe(10);
      });
    });
  });
}
