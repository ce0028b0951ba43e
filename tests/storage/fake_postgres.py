"""A TCP proxy in front of the real PostgreSQL that can play a server restart.

`refuse_startups(n, sqlstate, message)` makes the next `n` connections fail the way a server that
is starting up or shutting down answers them (a FATAL ErrorResponse to the startup packet, wire
protocol 3.0); `down()` refuses every new connection and cuts the open ones (an outage), `up()`
ends it. Everything else is piped through unchanged to the real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
STARTING_UP = ("57P03", "the database system is starting up")
SHUTTING_DOWN = ("57P03", "the database system is shutting down")


def error_response(sqlstate: str, message: str) -> bytes:
    fields = b"".join(
        tag + value.encode() + b"\0"
        for tag, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message))
    ) + b"\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields


class FakePostgres:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.refusals: list[tuple[str, str]] = []
        self.refused = 0
        self.is_down = False
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> FakePostgres:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self._cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def refuse_startups(self, count: int, reason: tuple[str, str] = STARTING_UP) -> None:
        self.refusals += [reason] * count

    def down(self) -> None:
        self.is_down = True
        self._cut()

    def up(self) -> None:
        self.is_down = False

    def _cut(self) -> None:
        for writer in list(self._open):
            writer.close()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_down:
            writer.close()
            return
        try:
            if self.refusals:
                await self._refuse(reader, writer, *self.refusals.pop(0))
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            return
        self._open.update((writer, upstream_writer))
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, code: str, message: str) -> None:
        while True:
            length, version = struct.unpack("!ii", await reader.readexactly(8))
            await reader.readexactly(length - 8)
            if version in (SSL_REQUEST, GSS_REQUEST):
                writer.write(b"N")  # no encryption: go on in plain text
                await writer.drain()
                continue
            break
        self.refused += 1
        writer.write(error_response(code, message))
        await writer.drain()
        writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self._open.discard(writer)
