import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  Process,
  STDOUT,
} from "@aio/streams";
import { describe, expect, test } from "vitest";

const node = process.execPath;
const str = (x: Uint8Array | null) => (x === null ? null : Buffer.from(x).toString());

describe("createSubprocessExec", () => {
  test("Process.communicate() collects 10 MiB of stdout and stderr without deadlock", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec(
        node,
        [
          "-e",
          "process.stderr.write('e'.repeat(1 << 20)); process.stdout.write(Buffer.alloc(10 << 20, 97))",
        ],
        { stdout: PIPE, stderr: PIPE },
      );
      const [stdout, stderr] = await proc.communicate();
      return [stdout!.length, stdout!.every((c) => c === 97), stderr!.length, proc.returncode];
    });
    expect(out).toEqual([10 << 20, true, 1 << 20, 0]);
  });

  test("Process.communicate(input) feeds stdin while reading stdout", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec("cat", [], { stdin: PIPE, stdout: PIPE });
      const input = Buffer.alloc(4 << 20, 98);
      const [stdout, stderr] = await proc.communicate(input);
      return [stdout!.equals(input), stderr, proc.returncode];
    });
    expect(out).toEqual([true, null, 0]);
  });

  test("Process.stdout is read line by line with async iteration", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec("printf", ["a\\nb\\nc\\n"], { stdout: PIPE });
      const lines: string[] = [];
      for await (const line of proc.stdout!) lines.push(str(line)!.trimEnd());
      return [lines, await proc.wait(), String(proc)];
    });
    expect(out[0]).toEqual(["a", "b", "c"]);
    expect(out[1]).toBe(0);
    expect(out[2]).toMatch(/^<Process \d+ returncode=0>$/);
  });

  test("Process.stdin writer and stdout reader talk to an interactive child", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec(
        node,
        [
          "-e",
          "require('readline').createInterface({input:process.stdin}).on('line', l => console.log(l.toUpperCase()))",
        ],
        { stdin: PIPE, stdout: PIPE },
      );
      const answers: string[] = [];
      for (const word of ["ping", "pong"]) {
        proc.stdin!.write(`${word}\n`);
        await proc.stdin!.drain();
        answers.push(str(await proc.stdout!.readline())!);
      }
      proc.stdin!.close();
      await proc.wait();
      return answers;
    });
    expect(out).toEqual(["PING\n", "PONG\n"]);
  });

  test("Process.returncode is the exit code, or -signal when killed", async () => {
    const out = await run(async () => {
      const codes: (number | null)[] = [];
      const exit3 = await createSubprocessExec(node, ["-e", "process.exit(3)"]);
      codes.push(exit3.returncode === null ? null : -1);
      codes.push(await exit3.wait());
      const sleeper = await createSubprocessExec("sleep", ["10"]);
      sleeper.kill();
      codes.push(await sleeper.wait());
      const term = await createSubprocessExec("sleep", ["10"]);
      term.terminate();
      codes.push(await term.wait());
      const int = await createSubprocessExec("sleep", ["10"]);
      int.sendSignal("SIGINT");
      codes.push(await int.wait());
      int.kill();
      return codes;
    });
    expect(out).toEqual([null, 3, -9, -15, -2]);
  });

  test("stderr: STDOUT merges stderr into stdout; DEVNULL gives no reader", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec(
        node,
        ["-e", "process.stderr.write('err\\n', () => process.stdout.write('out\\n'))"],
        { stdout: PIPE, stderr: STDOUT, stdin: DEVNULL },
      );
      const [stdout, stderr] = await proc.communicate();
      return [str(stdout), stderr, proc.stderr, proc.stdin];
    });
    expect(out).toEqual(["err\nout\n", null, null, null]);
  });

  test("createSubprocessExec() of a missing program rejects with ENOENT", async () => {
    await run(async () => {
      await expect(createSubprocessExec("no-such-program-aio")).rejects.toMatchObject({
        code: "ENOENT",
      });
    });
  });

  test("createSubprocessExec() validates its arguments", async () => {
    await run(async () => {
      await expect(createSubprocessExec("")).rejects.toThrow(TypeError);
      await expect(createSubprocessExec("ls", "-l" as never)).rejects.toThrow(
        'createSubprocessExec() args must be an array of strings, received "-l"',
      );
      await expect(createSubprocessExec("ls", [], { stdout: "file" as never })).rejects.toThrow(
        TypeError,
      );
      await expect(createSubprocessExec("ls", [], { stderr: STDOUT })).rejects.toThrow(
        "stderr: STDOUT needs stdout: PIPE",
      );
      await expect(createSubprocessExec("ls", [], { limit: 0 })).rejects.toThrow(RangeError);
    });
  });

  test("createSubprocessExec() passes arguments without a shell", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec("echo", ["$HOME", "a;b"], { stdout: PIPE });
      const [stdout] = await proc.communicate();
      return str(stdout);
    });
    expect(out).toBe("$HOME a;b\n");
  });

  test("a task cancelled in Process.wait() leaves the process running and waitable", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessExec("sleep", ["10"]);
      const t = createTask(() => proc.wait());
      await sleep(5);
      t.cancel();
      const first = await t.catch((e: Error) => e.name);
      const running = proc.returncode === null;
      proc.kill();
      return [first, running, await proc.wait()];
    });
    expect(out).toEqual(["CancelledError", true, -9]);
  });
});

describe("createSubprocessShell", () => {
  test("createSubprocessShell() runs the command through the shell", async () => {
    const out = await run(async () => {
      const proc = await createSubprocessShell("echo $((1 + 2)) | tr 3 x", { stdout: PIPE });
      expect(proc).toBeInstanceOf(Process);
      const [stdout] = await proc.communicate();
      return [str(stdout), proc.returncode];
    });
    expect(out).toEqual(["x\n", 0]);
    await expect(run(() => createSubprocessShell(""))).rejects.toThrow(TypeError);
  });
});
