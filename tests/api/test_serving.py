"""`activity-day api --workers N` listens on a TCP socket whose connections send without Nagle's delay."""

from __future__ import annotations

import asyncio
import socket

from activity_day.api.serving import TcpConfig
from tests.api.test_api import free_port


def test_the_workers_socket_is_tcp_so_asyncio_turns_nagle_off() -> None:
    config = TcpConfig("activity_day.api:served_app", factory=True, host="127.0.0.1", port=free_port(), workers=2)
    listening = config.bind_socket()
    try:
        assert listening.proto == socket.IPPROTO_TCP and listening.get_inheritable()

        async def accepted_nodelay() -> int:
            seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

            def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                sock = writer.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                writer.close()

            server = await asyncio.start_server(connected, sock=listening)
            _, writer = await asyncio.open_connection(*listening.getsockname())
            try:
                return await asyncio.wait_for(seen, 10)
            finally:
                writer.close()
                server.close()

        assert asyncio.run(accepted_nodelay()) != 0  # the server's side of a connection: TCP_NODELAY set
    finally:
        listening.close()
