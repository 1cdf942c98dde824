/**
 * A subprocess whose output is read line by line as it is produced
 * (`create_subprocess_exec` + `async for line in proc.stdout`), then
 * `communicate()` for a child that gets input and produces output at once.
 * No shell is involved: arguments reach the program as they are.
 */
import { run } from "@aio/loop";
import { createSubprocessExec, PIPE } from "@aio/streams";

await run(async () => {
  const counter = await createSubprocessExec(
    process.execPath,
    [
      "-e",
      'let i = 0; const t = setInterval(() => { console.log("tick " + ++i); if (i === 3) clearInterval(t); }, 30);',
    ],
    { stdout: PIPE },
  );
  console.log(`started pid>0: ${counter.pid > 0}, returncode: ${counter.returncode}`);
  for await (const line of counter.stdout!) console.log("child says:", String(line).trimEnd());
  console.log("exit code:", await counter.wait());

  const sorter = await createSubprocessExec("sort", [], { stdin: PIPE, stdout: PIPE });
  const [out] = await sorter.communicate("pear\napple\nfig\n");
  console.log("sorted:", String(out).trimEnd().split("\n"), "returncode:", sorter.returncode);
});
