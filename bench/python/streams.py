"""Python asyncio side of bench/streams.bench.mjs: the same workloads, printed as JSON.

Usage: python3 bench/python/streams.py [--quick] [--uvloop]
(a) echo through a local echo server with asyncio streams and with a low-level
Protocol; (b) 100-byte round trips with streams; (c) connections opened and
closed. Best of 5 runs after a smaller warm-up; everything on 127.0.0.1.
"""

import asyncio
import json
import platform
import sys
import time

QUICK = "--quick" in sys.argv

# --uvloop: the same workloads on uvloop's event loop (asyncio.run() takes the policy on 3.11).
UVLOOP = None
if "--uvloop" in sys.argv:
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    UVLOOP = uvloop.__version__
SCALE = 10 if QUICK else 1
ECHO_BYTES = (256 << 20) // SCALE
CHUNK = 64 << 10
RTT_N = 100_000 // SCALE
MSG = 100
CONN_N = 1000 // SCALE
REPS = 5


async def best(once):
    """Best wall ms and best CPU ms (time.process_time: client and server together) of REPS runs."""
    await once(True)
    wall, cpu = [], []
    for _ in range(REPS):
        c0 = time.process_time()
        wall.append(await once(False))
        cpu.append((time.process_time() - c0) * 1000)
    return min(wall), min(cpu)


async def echo_handler(reader, writer):
    while True:
        data = await reader.read(CHUNK)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def echo_streams():
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    payload = b"x" * CHUNK

    async def once(warm):
        total = ECHO_BYTES // 8 if warm else ECHO_BYTES
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        t0 = time.perf_counter()

        async def send():
            sent = 0
            while sent < total:
                writer.write(payload)
                await writer.drain()
                sent += CHUNK

        task = asyncio.create_task(send())
        received = 0
        while received < total:
            received += len(await reader.read(CHUNK))
        await task
        dt = (time.perf_counter() - t0) * 1000
        writer.close()
        await writer.wait_closed()
        return dt

    ms, cpu_ms = await best(once)
    server.close()
    await server.wait_closed()
    return {"bytes": ECHO_BYTES, "ms": ms, "cpuMs": cpu_ms}


class EchoServerProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class EchoClientProtocol(asyncio.Protocol):
    def __init__(self, total, done):
        self.total = total
        self.received = 0
        self.done = done
        self.can_write = asyncio.Event()
        self.can_write.set()

    def data_received(self, data):
        self.received += len(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)

    def pause_writing(self):
        self.can_write.clear()

    def resume_writing(self):
        self.can_write.set()


async def echo_protocol():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoServerProtocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    payload = b"x" * CHUNK

    async def once(warm):
        total = ECHO_BYTES // 8 if warm else ECHO_BYTES
        done = loop.create_future()
        transport, proto = await loop.create_connection(lambda: EchoClientProtocol(total, done), "127.0.0.1", port)
        t0 = time.perf_counter()
        sent = 0
        while sent < total:
            await proto.can_write.wait()
            transport.write(payload)
            sent += CHUNK
        await done
        dt = (time.perf_counter() - t0) * 1000
        transport.close()
        return dt

    ms, cpu_ms = await best(once)
    server.close()
    await server.wait_closed()
    return {"bytes": ECHO_BYTES, "ms": ms, "cpuMs": cpu_ms}


async def rtt_streams():
    async def handler(reader, writer):
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    msg = b"y" * MSG

    async def once(warm):
        n = RTT_N // 10 if warm else RTT_N
        t0 = time.perf_counter()
        for _ in range(n):
            writer.write(msg)
            await reader.readexactly(MSG)
        return (time.perf_counter() - t0) * 1000

    ms, cpu_ms = await best(once)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return {"n": RTT_N, "ms": ms, "cpuMs": cpu_ms}


async def conn_streams():
    async def handler(reader, writer):
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def once(warm):
        n = CONN_N // 10 if warm else CONN_N
        t0 = time.perf_counter()
        for _ in range(n):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await reader.read()
            writer.close()
            await writer.wait_closed()
        return (time.perf_counter() - t0) * 1000

    ms, cpu_ms = await best(once)
    server.close()
    await server.wait_closed()
    return {"n": CONN_N, "ms": ms, "cpuMs": cpu_ms}


async def main():
    return {
        "python": platform.python_version(),
        "uvloop": UVLOOP,
        "echo_streams": await echo_streams(),
        "echo_protocol": await echo_protocol(),
        "rtt_streams": await rtt_streams(),
        "conn_streams": await conn_streams(),
    }


print(json.dumps(asyncio.run(main())))
