"""What every HTTP fake shares: a threading server that does not stall, JSON helpers, routing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class FakeHandler(BaseHTTPRequestHandler):
    """Routes ``(METHOD, regex)`` to methods; subclasses fill ``routes``.

    Nagle is disabled: with keep-alive, Python's server otherwise stalls ~44 ms per response (delayed ACK).
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    routes: ClassVar[list[tuple[str, str, str]]] = []  # (method, path regex, handler method name)
    quiet = True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    # Request helpers -------------------------------------------------------------------------------
    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_json(self) -> Any:
        body = self.read_body()
        return json.loads(body) if body else None

    # Responses ------------------------------------------------------------------------------------
    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        self.send_bytes(status, body, "application/json; charset=utf-8", headers)

    def send_text(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_bytes(status, text.encode(), content_type)

    # Dispatch -------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for method, pattern, name in self.routes:
            if method != self.command and not (method == "GET" and self.command == "HEAD"):
                continue
            match = re.fullmatch(pattern, self.path_only)
            if match:
                handler: Callable[..., None] = getattr(self, name)
                handler(**match.groupdict())
                return
        self.send_json(404, {"error": "not_found", "message": f"no route for {self.command} {self.path_only}"})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch


def serve(handler: type[FakeHandler], host: str, port: int, **state: Any) -> FakeServer:
    """Build a server whose handler class carries ``state`` (options, generated data) as attributes."""
    bound = type(handler.__name__, (handler,), dict(state))
    return FakeServer((host, port), bound)
