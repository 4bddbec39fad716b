"""The fixture shop the price crawler crawls: a few hundred product pages, listings, robots.txt, failures.

``python -m affiliate_assets.fakes shop --port 8090 [-o delay_ms=150] [-o slow_ms=1500]`` serves it; the
page content is in :mod:`affiliate_assets.fakes.shop_pages`. Like a real shop it answers with a realistic
delay (``delay_ms`` on every page; ``slow_ms`` on the ``/lento/`` pages), keeps connections alive, and
serves ``robots.txt`` (the crawler must not fetch ``/privado/``) and ``sitemap.xml``.

The server counts requests per path (``server.hits``) so tests can prove what the crawler did *not*
fetch. It binds any loopback address (127.0.0.2, 127.0.0.3, ...): the benchmark runs one per "domain".
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any, ClassVar

from affiliate_assets.fakes.base import FakeHandler, FakeServer
from affiliate_assets.fakes.shop_pages import (
    BROKEN,
    PAGE_SIZE,
    all_offers,
    broken_paths,
    offer,
    render_captcha,
    render_listing,
    render_no_price,
    render_product,
)
from affiliate_assets.sample_data.catalogue import catalogue

ROBOTS = """User-agent: *
Disallow: /privado/
Disallow: /carrinho
Allow: /

Sitemap: /sitemap.xml
"""


class ShopHandler(FakeHandler):
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/robots\.txt", "robots"),
        ("GET", r"/sitemap\.xml", "sitemap"),
        ("GET", r"/", "home"),
        ("GET", r"/categoria/(?P<category>[a-z_]+)", "listing"),
        ("GET", r"/(?P<prefix>" + "|".join(BROKEN) + r")/(?P<slug>[a-z0-9-]+)", "broken"),
        ("GET", r"/.+", "product"),
    ]
    delay_ms: ClassVar[float] = 0.0
    slow_ms: ClassVar[float] = 1500.0
    pages: ClassVar[dict[str, Any]] = {}
    broken_pages: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        self.server.count(self.path_only)  # type: ignore[attr-defined]
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000)
        self._dispatch()

    do_HEAD = do_GET

    def send_html(self, status: int, text: str, charset: str = "utf-8") -> None:
        self.send_bytes(status, text.encode(charset, "xmlcharrefreplace"), f"text/html; charset={charset}")

    def robots(self) -> None:
        self.send_text(200, ROBOTS)

    def sitemap(self) -> None:
        host = self.headers.get("Host", "localhost")
        urls = "".join(f"<url><loc>http://{host}{o.path}</loc></url>" for o in all_offers())
        self.send_bytes(200, ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                              f'schemas/sitemap/0.9">{urls}</urlset>').encode(), "application/xml")

    def home(self) -> None:
        links = "".join(f'<li><a href="/categoria/{c}">{c}</a></li>' for c in sorted({p.category for p in catalogue()}))
        self.send_html(200, f"<html><body><h1>Loja Modelo</h1><ul>{links}</ul></body></html>")

    def listing(self, category: str) -> None:
        products = [p for p in catalogue() if p.category == category]
        if not products:
            self.send_html(404, "<h1>Categoria não encontrada</h1>")
            return
        pages = max(1, -(-len(products) // PAGE_SIZE))
        try:
            page = int(self.query.get("page", "1"))
        except ValueError:
            page = 1
        if not 1 <= page <= pages:
            self.send_html(404, "<h1>Página não encontrada</h1>")
            return
        chunk = products[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        self.send_html(200, render_listing(category, page, chunk, pages))

    def product(self) -> None:
        found = self.pages.get(self.path_only)
        if found is None:
            self.send_html(404, "<h1>Ops! Página não encontrada</h1>")
            return
        self.send_html(200, *render_product(found))

    def broken(self, prefix: str, slug: str) -> None:
        entry = self.broken_pages.get(self.path_only)
        if entry is None:
            self.send_html(404, "<h1>Ops! Página não encontrada</h1>")
            return
        product, kind = entry
        if kind == "404":
            self.send_html(404, "<h1>Produto descontinuado</h1>")
        elif kind == "500":
            self.send_html(500, "<h1>Erro interno</h1>")
        elif kind == "503 once" and self.server.hits[self.path_only] == 1:  # type: ignore[attr-defined]
            self.send_bytes(503, b"<h1>Volte em instantes</h1>", "text/html", {"Retry-After": "1"})
        elif kind == "no price":
            self.send_html(200, render_no_price(product))
        elif kind == "captcha":
            self.send_html(200, render_captcha())
        else:  # slow, 503 once (later), robots disallowed (when a crawler ignores robots.txt)
            if kind == "slow":
                time.sleep(self.slow_ms / 1000)
            self.send_html(200, *render_product(offer(product, "jsonld")))


class ShopServer(FakeServer):
    """Counts hits per path (thread-safe): what the crawler fetched, and what it did not."""

    request_queue_size = 256  # a crawler opens many connections at once

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A crawler that gave up (download timeout) hangs up mid-response: normal for a shop, not a bug."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def count(self, path: str) -> None:
        with self._hits_lock:
            self.hits[path] += 1


def build_server(host: str = "127.0.0.1", port: int = 0, delay_ms: float = 0.0, slow_ms: float = 1500.0,
                 **_: Any) -> ShopServer:
    handler = type("ShopHandler", (ShopHandler,), {
        "delay_ms": float(delay_ms), "slow_ms": float(slow_ms),
        "pages": {o.path: o for o in all_offers()}, "broken_pages": broken_paths()})
    server = ShopServer((host, port), handler)
    return server


__all__ = ["ROBOTS", "ShopServer", "build_server"]
