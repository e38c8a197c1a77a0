"""A small HTTP server on 127.0.0.1 at a free port, for the life of a `with` block: the local
advisory service `uv audit` talks to, and the wheel and index servers of the fixtures (a WSGI
application, such as pypiserver's, through `LoopbackServer.wsgi`), and an OTLP collector for the
telemetry tests, and a recorder for hosts that must receive nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import HTTPServer, ThreadingHTTPServer

POLL_SECONDS = 0.02


class LoopbackServer:
    """`with LoopbackServer(handler) as url:` serves `handler` until the block ends."""

    def __init__(self, handler: Callable[..., object], server: HTTPServer | None = None):
        self._server = server or ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # shutdown() waits for the serving loop's next poll: at the default 0.5 s, every
        # `uvmgr audit --db` spent half a second stopping its advisory server
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": POLL_SECONDS}, daemon=True)

    @classmethod
    def wsgi(cls, app: Callable[..., object]) -> LoopbackServer:
        """Serve a WSGI application (one thread per request, no access log on stderr)."""
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

        class Handler(WSGIRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        server = Server(("127.0.0.1", 0), Handler)
        server.set_app(app)
        return cls(Handler, server)

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


class Recorder(LoopbackServer):
    """A server that should receive nothing (for tests): an index or mirror a repository
    names. Keeps every request's `(path, Authorization header)` in `seen` and answers 404, so
    uv moves on as it would against a host serving nothing."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler

        seen: list[tuple[str, str]] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append((self.path, self.headers.get("Authorization", "")))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)


class OtlpReceiver(LoopbackServer):
    """An OTLP/HTTP collector on loopback (for tests): keeps every `(path, body)` it is sent
    in `received` and answers 200, as a collector does."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler

        received: list[tuple[str, bytes]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)
