/**
 * `throw undefined` (and `null`, `0`, `""`, `false`) is a failure, in every
 * helper alike (issue 14 item 8; `isFailed()` from @aio/core).
 */
import { ExceptionGroup, isExceptionGroup } from "@aio/core";
import {
  createTask,
  FIRST_EXCEPTION,
  gather,
  shield,
  sleep,
  taskGroup,
  wait,
  waitFor,
} from "@aio/futures";
import { runVirtual } from "@aio/loop/testing";
import { describe, expect, it } from "vitest";

const FALSY = [undefined, null, 0, "", false] as const;
const thrower = (value: unknown) => async () => {
  await sleep(10);
  throw value;
};

describe("taskGroup()", () => {
  for (const value of FALSY) {
    it(`taskGroup(): a child throwing ${JSON.stringify(value) ?? "undefined"} fails the group and cancels its sibling`, async () => {
      const log: string[] = [];
      await runVirtual(async () => {
        const err = await taskGroup(async (tg) => {
          tg.createTask(async () => {
            try {
              await sleep(1_000);
              log.push("sibling finished");
            } catch (e) {
              log.push("sibling cancelled");
              throw e;
            }
          });
          tg.createTask(thrower(value));
        }).then(
          () => "resolved",
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ExceptionGroup);
        expect(isExceptionGroup(err) && err.exceptions).toEqual([value]);
      });
      expect(log).toEqual(["sibling cancelled"]);
    });
  }

  it("taskGroup(): a body throwing undefined is in the ExceptionGroup too", async () => {
    await runVirtual(async () => {
      const err = await taskGroup(async () => {
        throw undefined;
      }).catch((e: unknown) => e);
      expect(isExceptionGroup(err) && err.exceptions).toEqual([undefined]);
    });
  });
});

describe("gather(), wait(), waitFor(), shield()", () => {
  for (const value of FALSY) {
    const shown = JSON.stringify(value) ?? "undefined";
    it(`gather() rejects with a thrown ${shown}, or returns it with returnExceptions`, async () => {
      await runVirtual(async () => {
        const err = await gather(thrower(value), () => sleep(20, 1)).then(
          () => "resolved",
          (e: unknown) => ({ rejected: e }),
        );
        expect(err).toEqual({ rejected: value });
        expect(await gather(thrower(value), () => sleep(5, 1), { returnExceptions: true })).toEqual(
          [value, 1],
        );
        await sleep(20);
      });
    });

    it(`wait(FIRST_EXCEPTION) returns on a thrown ${shown}`, async () => {
      await runVirtual(async () => {
        const failing = createTask(thrower(value));
        const slow = createTask(() => sleep(1_000));
        const [done, pending] = await wait([failing, slow], { returnWhen: FIRST_EXCEPTION });
        expect([done.has(failing), pending.has(slow)]).toEqual([true, true]);
        slow.cancel();
        await failing.catch(() => {});
      });
    });

    it(`waitFor() and shield() reject with a thrown ${shown}`, async () => {
      await runVirtual(async () => {
        const r1 = await waitFor(thrower(value), 100).then(
          () => "resolved",
          (e: unknown) => ({ rejected: e }),
        );
        const r2 = await shield(thrower(value)).then(
          () => "resolved",
          (e: unknown) => ({ rejected: e }),
        );
        expect([r1, r2]).toEqual([{ rejected: value }, { rejected: value }]);
      });
    });
  }
});
