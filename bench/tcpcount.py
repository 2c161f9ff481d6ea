"""A TCP relay that counts the bytes on the wire, for the benchmark.

The browser talks to the relay, the relay to the Streamlit server, both on
127.0.0.1. It counts what passes in each direction, separately for the page's
websocket (a connection whose first request is ``GET /_stcore/stream``) and for
everything else (HTML, scripts, styles, images). These are the bytes a network
would carry: after the websocket's own compression when the server uses it
(``server.enableWebsocketCompression``), with HTTP and websocket framing,
without TCP/IP headers. The browser's own count of a websocket message
(Playwright's ``framereceived``) is the message after decompression.
"""

from __future__ import annotations

import asyncio
import socket
import threading

__all__ = ["CountingRelay"]


class CountingRelay:
    """Relay 127.0.0.1:<port> to ``target_port``; ``down["ws"]``/``down["http"]`` count the bytes
    from the server to the browser, ``up`` the other way. Use as a context manager."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.down = {"ws": 0, "http": 0}
        self.up = {"ws": 0, "http": 0}
        self.connections = {"ws": 0, "http": 0}
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="counting-relay")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._sock = sock

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, sock=self._sock))
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(self, reader, writer, counter: dict, kind: str, first: bytes = b"") -> None:
        try:
            if first:
                writer.write(first)
                await writer.drain()
            while True:
                chunk = await reader.read(1 << 16)
                if not chunk:
                    break
                counter[kind] += len(chunk)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _handle(self, client_r, client_w) -> None:
        try:
            await self._relay(client_r, client_w)
        except asyncio.CancelledError:  # the relay is shutting down
            pass

    async def _relay(self, client_r, client_w) -> None:
        try:
            first = await client_r.read(1 << 16)
            if not first:
                client_w.close()
                return
            kind = "ws" if first.startswith(b"GET /_stcore/stream") else "http"
            self.connections[kind] += 1
            self.up[kind] += len(first)
            server_r, server_w = await asyncio.open_connection(*self.target)
        except (ConnectionError, OSError):
            client_w.close()
            return
        await asyncio.gather(self._pipe(client_r, server_w, self.up, kind, first),
                             self._pipe(server_r, client_w, self.down, kind))

    def __enter__(self) -> CountingRelay:
        self._thread.start()
        self._ready.wait(10)
        return self

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            if not self._thread.is_alive():
                self._loop.close()
