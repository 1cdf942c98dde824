import type * as tls from "node:tls";
import { type FutureLike, TimeoutError } from "@aio/core";
import type { StreamProtocol } from "./protocol.js";

/** asyncio's `SSL_HANDSHAKE_TIMEOUT`: 60 s, in ms. */
export const SSL_HANDSHAKE_TIMEOUT = 60_000;

/** The error of a TLS handshake the peer closed (asyncio's `ConnectionResetError`). */
function handshakeLost(): Error {
  return Object.assign(
    new Error("startTls(): the peer closed the connection during the TLS handshake"),
    { code: "ECONNRESET" },
  );
}

/**
 * Waits for a TLS handshake on `socket` (already created); the protocol is
 * attached to it as the handshake completes. On failure or timeout the
 * socket is destroyed.
 * @internal
 */
export async function handshake(
  p: StreamProtocol,
  socket: tls.TLSSocket,
  event: "secure" | "secureConnect",
  timeoutMs: number | undefined,
): Promise<void> {
  const fut: FutureLike<void> = p.loop.createFuture<void>();
  const ms = timeoutMs ?? SSL_HANDSHAKE_TIMEOUT;
  // The protocol takes the socket over in the handshake's own event, so no
  // event between the handshake and the awaiting task's resumption (a peer
  // that closes right after its handshake) goes unheard.
  let attached = false;
  const onOk = (): void => {
    if (fut.done()) return;
    p.attach(socket);
    p.rememberNames();
    attached = true;
    fut.setResult(undefined);
  };
  const onErr = (err: unknown): void => {
    if (!fut.done()) fut.setException(err);
  };
  // The peer may give up without a TLS alert — a client that rejects our
  // certificate just closes — and Node then reports no error, only 'end' or
  // 'close': without these the handshake would wait for its whole timeout
  // (asyncio's SSLProtocol fails the handshake with ConnectionResetError).
  const onClosed = (): void => {
    if (!fut.done()) fut.setException(handshakeLost());
  };
  // Whether the socket emitted 'close' before the protocol listened: then
  // it closed for good (Deno emits it before a failed handshake's task
  // resumes) and the protocol must be told, or the server waits for it.
  let closeSeen = false;
  const onClose = (): void => {
    closeSeen = true;
    onClosed();
  };
  socket.once(event, onOk);
  socket.once("error", onErr);
  socket.once("end", onClosed);
  socket.once("close", onClose);
  const timer = p.loop.callLater(ms, () => {
    if (!fut.done()) fut.setException(new TimeoutError(`TLS handshake took longer than ${ms} ms`));
  });
  try {
    await fut;
  } catch (err) {
    // A handshake that failed or timed out, or one that completed under a
    // task cancelled meanwhile (asyncio's start_tls closes the transport then).
    socket.destroy();
    if (!attached) p.attach(socket, closeSeen);
    p.lost = true;
    throw err;
  } finally {
    timer.cancel();
    socket.off(event, onOk);
    socket.off("error", onErr);
    socket.off("end", onClosed);
    socket.off("close", onClose);
  }
}
