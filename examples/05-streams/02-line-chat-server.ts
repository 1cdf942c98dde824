/**
 * A line-based chat server: every client's lines are broadcast to the others.
 * Each connection runs in its own task; `for await (const line of reader)`
 * iterates over lines until EOF. Three scripted clients join, talk, leave.
 */

import { getRunningLoop } from "@aio/core";
import { sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { openConnection, type StreamReader, type StreamWriter, startServer } from "@aio/streams";

const members = new Map<StreamWriter, string>();

function broadcast(from: StreamWriter | null, text: string): void {
  for (const writer of members.keys()) if (writer !== from) writer.write(text);
}

async function chat(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const name = String(await reader.readline()).trim();
  members.set(writer, name);
  broadcast(writer, `* ${name} joined\n`);
  for await (const line of reader) broadcast(writer, `${name}: ${String(line)}`);
  members.delete(writer);
  broadcast(null, `* ${name} left\n`);
  writer.close();
}

async function client(port: number, name: string, lines: string[]): Promise<string[]> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  writer.write(`${name}\n`);
  await sleep(20);
  for (const line of lines) {
    writer.write(`${line}\n`);
    await sleep(20);
  }
  writer.writeEof(); // half-close: "I am done talking", still listening
  const heard = String(await reader.read())
    .trimEnd()
    .split("\n");
  writer.close();
  return heard;
}

await run(async () => {
  await using server = await startServer(chat, "127.0.0.1", 0);
  const [, port] = server.sockets[0]!.getsockname() as [string, number];
  const loop = getRunningLoop();
  const alice = loop.createTask(() => client(port, "alice", ["hi all", "bye"]));
  await sleep(5);
  const bob = loop.createTask(() => client(port, "bob", ["hello alice"]));
  console.log("alice heard:", await alice);
  console.log("bob heard:  ", await bob);
});
