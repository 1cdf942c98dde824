import { getRuntime } from "@aio/core";
import type { StreamReader } from "../stream-reader.js";

const rt = getRuntime();

/**
 * Feeds `reader` from a Web `ReadableStream` (`StreamReader.fromReadableStream`),
 * with flow control: the stream is not pulled while the reader has paused
 * its transport (buffer over `2 × limit`). The pump runs outside the task
 * context, as a socket's events do.
 */
export function feedFromReadableStream(
  reader: StreamReader,
  stream: ReadableStream<Uint8Array>,
): void {
  const source = stream.getReader();
  let paused = false;
  let pumping = false;
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!paused) {
        const { done, value } = await source.read();
        if (done) {
          reader.feedEof();
          return;
        }
        if (value.length !== 0)
          reader.feedData(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    } catch (err) {
      reader.setException(err);
    } finally {
      pumping = false;
    }
  };
  reader.setTransport({
    pauseReading() {
      paused = true;
    },
    resumeReading() {
      paused = false;
      rt.taskContext.exit(() => void pump());
    },
  });
  rt.taskContext.exit(() => void pump());
}
