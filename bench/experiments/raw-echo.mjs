#!/usr/bin/env node
// Experiment (issue 17, target (d)): the floor of a TCP echo and of 100-byte
// round trips on Node's raw socket handles, to see what a StreamReader /
// StreamWriter could still gain. Not a suite: `run.mjs` does not run it.
//
//   node --expose-gc bench/experiments/raw-echo.mjs            every variant
//   node --expose-gc bench/experiments/raw-echo.mjs --quick    a tenth of the bytes
//   node --expose-gc bench/experiments/raw-echo.mjs echo-data echo-onread-64k   some variants
//
// Variants (client and server in one process on 127.0.0.1, as in
// bench/streams.bench.mjs; the server is always the same 'data' echo unless
// the name says otherwise):
//   echo-data            the client reads with 'data' events (Node's default path)
//   echo-onread-64k      the client reads with `onread` into one reused 64 KiB buffer
//   echo-onread-256k     the same with a 256 KiB buffer (fewer, larger reads)
//   echo-cork-server     'data' client; the server corks and uncorks once per tick,
//                        so the chunks it echoes within one tick go out in one writev
//   echo-onread-hwm      onread 64 KiB client, both sides with a 256 KiB write high-water mark
//   echo-onread-both     onread 64 KiB client, and the server reads its accepted sockets with
//                        `onread` too: it is made with `pauseOnConnect`, and each accepted
//                        handle is moved into a new `net.Socket({ handle, onread })`; each read
//                        is copied out of the one reused buffer before it is written back
//   echo-onread-both-gen the same, but `onread.buffer` is a function (Node calls it for each
//                        read's buffer): the server writes each read back without a copy and
//                        reads the next one into a new 64 KiB buffer
//   rtt-data             100-byte round trips, 'data' on both sides
//   rtt-onread           the same, the client reading with `onread` into a reused buffer
//
// Every variant runs REPS times, interleaved with the others (round robin), in
// this one process; the least CPU time (user + system of the process: client
// and server together) is kept. Rates are per CPU second, so the figures are
// comparable within one run only.

import net from "node:net";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SCALE = QUICK ? 10 : 1;
const CHUNK = 64 << 10;
const ECHO_BYTES = Math.floor((256 << 20) / SCALE / CHUNK) * CHUNK;
const RTT_N = 100_000 / SCALE;
const MSG = 100;
const REPS = QUICK ? 3 : 5;

/** An echo server on 127.0.0.1; `cork`: batch the echoes of one tick into one writev. */
function echoServer({ cork = false, hwm, serverOnread = false } = {}) {
  if (serverOnread) return onreadEchoServer(serverOnread === "gen");
  return new Promise((resolve) => {
    const server = net.createServer(hwm === undefined ? {} : { highWaterMark: hwm }, (sock) => {
      let corked = false;
      const uncork = () => {
        corked = false;
        sock.uncork();
      };
      sock.on("data", (chunk) => {
        if (cork && !corked) {
          corked = true;
          sock.cork();
          process.nextTick(uncork);
        }
        if (!sock.write(chunk)) {
          sock.pause();
          sock.once("drain", () => sock.resume());
        }
      });
      sock.on("end", () => sock.end());
      sock.on("error", () => {});
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * An echo server whose accepted sockets read with `onread`: into one reused
 * 64 KiB buffer, copied out per read, or (`gen`) into a new buffer per read.
 */
function onreadEchoServer(gen) {
  return new Promise((resolve) => {
    const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      const handle = accepted._handle;
      accepted._handle = null;
      accepted.destroy();
      const sock = new net.Socket({
        handle,
        readable: true,
        writable: true,
        onread: {
          buffer: gen ? () => Buffer.allocUnsafe(64 << 10) : Buffer.allocUnsafe(64 << 10),
          callback: (n, buf) => {
            if (!sock.write(gen ? buf.subarray(0, n) : Buffer.from(buf.subarray(0, n)))) {
              sock.pause();
              sock.once("drain", () => sock.resume());
            }
          },
        },
      });
      sock.on("end", () => sock.end());
      sock.on("error", () => {});
      sock.resume();
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * A client: `onread` (a reused buffer of that size) or 'data' events.
 * Resolves to the connected socket and a way to wait for `total` bytes back.
 */
function connect(port, { onread, hwm, onBytes }) {
  return new Promise((resolve, reject) => {
    const opts = { port, host: "127.0.0.1" };
    if (hwm !== undefined) opts.highWaterMark = hwm;
    if (onread !== undefined) {
      opts.onread = {
        buffer: Buffer.allocUnsafe(onread),
        callback: (nread, _buf) => {
          onBytes(nread);
        },
      };
    }
    const sock = net.connect(opts, () => resolve(sock));
    if (onread === undefined) sock.on("data", (chunk) => onBytes(chunk.length));
    sock.on("error", reject);
  });
}

async function echoOnce(variant, total) {
  const server = await echoServer({
    cork: variant.cork,
    hwm: variant.hwm,
    serverOnread: variant.serverOnread,
  });
  const { port } = server.address();
  let received = 0;
  let done;
  const finished = new Promise((r) => {
    done = r;
  });
  const sock = await connect(port, {
    onread: variant.onread,
    hwm: variant.hwm,
    onBytes: (n) => {
      received += n;
      if (received >= total) done();
    },
  });
  const payload = Buffer.alloc(CHUNK, 120);
  const t0 = performance.now();
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += CHUNK;
      if (!sock.write(payload)) {
        sock.once("drain", pump);
        return;
      }
    }
  };
  pump();
  await finished;
  const ms = performance.now() - t0;
  sock.destroy();
  await new Promise((r) => server.close(r));
  return ms;
}

async function rttOnce(variant, n) {
  const server = await echoServer();
  const { port } = server.address();
  const msg = Buffer.alloc(MSG, 121);
  let got = 0;
  let left = n;
  let done;
  const finished = new Promise((r) => {
    done = r;
  });
  let sock;
  const onBytes = (k) => {
    got += k;
    while (got >= MSG) {
      got -= MSG;
      if (--left === 0) return done();
      sock.write(msg);
    }
  };
  sock = await connect(port, { onread: variant.onread, onBytes });
  const t0 = performance.now();
  sock.write(msg);
  await finished;
  const ms = performance.now() - t0;
  sock.destroy();
  await new Promise((r) => server.close(r));
  return ms;
}

const variants = {
  "echo-data": { kind: "echo" },
  "echo-onread-64k": { kind: "echo", onread: 64 << 10 },
  "echo-onread-256k": { kind: "echo", onread: 256 << 10 },
  "echo-cork-server": { kind: "echo", cork: true },
  "echo-onread-hwm": { kind: "echo", onread: 64 << 10, hwm: 256 << 10 },
  "echo-onread-both": { kind: "echo", onread: 64 << 10, serverOnread: true },
  "echo-onread-both-gen": { kind: "echo", onread: 64 << 10, serverOnread: "gen" },
  "rtt-data": { kind: "rtt" },
  "rtt-onread": { kind: "rtt", onread: 4 << 10 },
};

async function once(name, warm) {
  const v = variants[name];
  if (v.kind === "echo") return echoOnce(v, warm ? ECHO_BYTES / 8 : ECHO_BYTES);
  return rttOnce(v, warm ? RTT_N / 10 : RTT_N);
}

const picked = argv.filter((a) => !a.startsWith("--"));
const names = picked.length > 0 ? picked : Object.keys(variants);
const best = Object.fromEntries(names.map((n) => [n, { cpuMs: Infinity, ms: Infinity }]));
for (const name of names) await once(name, true);
for (let rep = 0; rep < REPS; rep++) {
  for (const name of names) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const ms = await once(name, false);
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    if (cpuMs < best[name].cpuMs) best[name] = { cpuMs, ms };
  }
}

console.log(`Node ${process.version}${QUICK ? " (quick)" : ""}, best of ${REPS}, interleaved`);
console.log("| variant | CPU time | wall time | per CPU second | ÷ first of its kind |");
console.log("|---|---:|---:|---:|---:|");
const base = {};
for (const name of names) {
  const { cpuMs, ms } = best[name];
  const kind = variants[name].kind;
  const r = kind === "echo" ? ECHO_BYTES / 2 ** 20 / (cpuMs / 1000) : RTT_N / (cpuMs / 1000);
  base[kind] ??= r;
  const text = kind === "echo" ? `${r.toFixed(0)} MiB/s` : `${(r / 1000).toFixed(1)}k/s`;
  console.log(
    `| ${name} | ${cpuMs.toFixed(0)} ms | ${ms.toFixed(0)} ms | ${text} | ${(r / base[kind]).toFixed(2)}× |`,
  );
}
