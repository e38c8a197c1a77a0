"""A small HTTP server on 127.0.0.1 at a free port, for the life of a `with` block: the local
advisory service `uv audit` talks to, and the wheel and index servers of the fixtures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer


class LoopbackServer:
    """`with LoopbackServer(handler) as url:` serves `handler` until the block ends."""

    def __init__(self, handler: Callable[..., object]):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
