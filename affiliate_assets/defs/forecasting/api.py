"""Read-only HTTP API over the forecasts.

    GET /products/{id}/demand-forecast[?days=N]
    GET /produtos/{id}/prever-demanda[?days=N]      (the seed's Portuguese route, same answer)
    GET /health

JSON in, JSON out; an unknown product is a 404 with ``{"error": "product_not_found", "message": ...}``,
a known product without a forecast yet a 404 with ``"no_forecast"``. Run it with
``python -m affiliate_assets.defs.forecasting.api --port 8600`` (``DATABASE_URL`` or the embedded server).
Standard library only: a handful of read-only routes do not justify a web framework.
"""

from __future__ import annotations

import argparse
import json
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from affiliate_assets.defs.forecasting.query import NotFound, product_forecast
from affiliate_assets.lib.serving import serve_until_interrupted
from affiliate_assets.lib.warehouse import Warehouse

ROUTES = (re.compile(r"^/products/(?P<id>[^/]+)/demand-forecast/?$"),
          re.compile(r"^/produtos/(?P<id>[^/]+)/prever-demanda/?$"))
MAX_DAYS = 366


class ForecastHandler(BaseHTTPRequestHandler):
    server_version = "affiliate-forecast/1"
    disable_nagle_algorithm = True  # keep-alive responses otherwise stall ~40 ms (FACTS.md)
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and CLI runs
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: HTTPStatus, code: str, message: str) -> None:
        self._send(status, {"error": code, "message": message})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            return self._send(HTTPStatus.OK, {"status": "ok"})
        match = next((m for r in ROUTES if (m := r.match(url.path))), None)
        if match is None:
            return self._error(HTTPStatus.NOT_FOUND, "not_found", f"rota desconhecida: {url.path}")
        raw_id = match.group("id")
        if not raw_id.isdigit():
            return self._error(HTTPStatus.NOT_FOUND, "product_not_found", f"produto {raw_id!r} não encontrado")
        days_arg = parse_qs(url.query).get("days", [None])[0]
        if days_arg is not None and (not days_arg.isdigit() or not 1 <= int(days_arg) <= MAX_DAYS):
            return self._error(HTTPStatus.BAD_REQUEST, "bad_days", f"days deve ser um inteiro entre 1 e {MAX_DAYS}")
        try:
            payload = product_forecast(self.server.warehouse, int(raw_id), int(days_arg) if days_arg else None)
        except NotFound as exc:
            return self._error(HTTPStatus.NOT_FOUND, exc.code, exc.message)
        except Exception as exc:  # the database is down or a table is malformed: say so, stay up
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", f"{type(exc).__name__}: {exc}")
        return self._send(HTTPStatus.OK, payload)

    do_HEAD = do_GET

    def _method_not_allowed(self) -> None:
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "somente GET (API de leitura)")

    do_POST = do_PUT = do_DELETE = do_PATCH = _method_not_allowed


class ForecastServer(ThreadingHTTPServer):
    """Holds the warehouse handlers read from (a Dagster resource is a descriptor: not a class attribute)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], warehouse: Warehouse) -> None:
        super().__init__(address, ForecastHandler)
        self.warehouse = warehouse


def build_server(host: str = "127.0.0.1", port: int = 0, warehouse: Warehouse | None = None) -> ForecastServer:
    return ForecastServer((host, port), warehouse or Warehouse())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Read-only demand forecast API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    args = parser.parse_args(argv)
    server = build_server(args.host, args.port)
    serve_until_interrupted(server, "GET /products/{id}/demand-forecast, /produtos/{id}/prever-demanda")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
