import { run } from "@aio/loop";
import { openConnection } from "@aio/streams";
import { expect, test } from "vitest";
import { echoServer, shutdown } from "./helpers.js";

test("echo smoke", async () => {
  const out = await run(async () => {
    const { server, port } = await echoServer();
    const [reader, writer] = await openConnection("127.0.0.1", port);
    writer.write("hello\nworld\n");
    await writer.drain();
    const a = String(await reader.readline());
    const b = String(await reader.readline());
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
    return [a, b];
  });
  expect(out).toEqual(["hello\n", "world\n"]);
});
