"""A TCP proxy between services and a dependency (MongoDB, Meilisearch) that can add latency or reset
connections on demand: the faults a flaky network gives, without touching the dependency itself."""

import asyncio
import socket
import struct
import threading
from contextlib import suppress

from boi_devtools.stack.process import free_port

CHUNK = 64 * 1024


class FaultyProxy:
    """Listens on 127.0.0.1:`port` and forwards to `target`. `latency` (seconds) delays every chunk;
    `resetting` aborts every open connection and refuses new ones with a TCP reset while it is on."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.latency = 0.0
        self.resetting = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def start(self) -> "FaultyProxy":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server:
                self._server.close()
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def reset_all(self) -> None:
        """Abort every open connection now (RST, not FIN)."""
        asyncio.run_coroutine_threadsafe(self._abort_all(), self._loop).result(timeout=10)

    async def _abort_all(self) -> None:
        for writer in list(self._writers):
            _abort(writer)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.resetting:
            _abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort(writer)
            return
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._writers.difference_update((writer, up_writer))
            for w in (writer, up_writer):
                with suppress(Exception):
                    w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(ConnectionError, OSError, asyncio.IncompleteReadError):
            while data := await reader.read(CHUNK):
                if self.latency:
                    await asyncio.sleep(self.latency)
                if self.resetting:
                    _abort(writer)
                    return
                writer.write(data)
                await writer.drain()
        with suppress(Exception):
            writer.close()


def _abort(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
