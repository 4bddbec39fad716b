"""The one HTTP client base for the REST APIs we call ourselves (Hotmart, Instagram, Facebook, TikTok).

It owns what every API client needs and nobody should re-invent: a pooled ``requests`` session, timeouts,
retries with exponential backoff and jitter that honour ``Retry-After`` and ``RateLimit-Reset``, one
credential refresh on 401, clear errors for malformed JSON, and a paging helper. Subclasses add
authentication (``auth_headers``/``refresh_auth``) and endpoint methods only.

The Speech and Anthropic clients are the vendors' own SDKs (google-cloud-speech, anthropic), which carry
their own transport and retry logic; we configure those instead of wrapping them.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 529})
USER_AGENT = "affiliate-data/0.1 (+https://github.com/affiliate-data)"

T = TypeVar("T")


class HttpError(RuntimeError):
    """A request that failed for good (after retries), with what the server said."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        body: str = "",
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.url = url
        self.body = body
        self.headers = dict(headers or {})


class MalformedResponseError(HttpError):
    """The server answered 2xx with a body that is not the JSON it promised (e.g. truncated)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_wait_s: float = 120.0  # never sleep longer than this on a server's say-so

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (AWS architecture blog's recommendation)."""
        return random.uniform(0, min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1)))


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: ``Retry-After`` (seconds or HTTP date) or ``RateLimit-Reset``
    (seconds, or an epoch timestamp as some APIs send, Hotmart among them)."""
    now = time.time() if now is None else now
    value = headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in ("RateLimit-Reset", "X-RateLimit-Reset", "ratelimit-reset"):
        value = headers.get(name)
        if value:
            try:
                number = float(value)
            except ValueError:
                continue
            if number > 1e12:  # epoch milliseconds
                return max(0.0, number / 1000 - now)
            if number > 1e9:  # epoch seconds
                return max(0.0, number - now)
            return max(0.0, number)
    return None


class HttpClient:
    """Base for API clients. ``base_url`` is configurable so the same client talks to a local fake."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers.setdefault("Accept", "application/json")
        self._sleep = sleep
        self.stats = {"requests": 0, "retries": 0, "auth_refreshes": 0}

    # Authentication hooks ------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {}

    def refresh_auth(self) -> bool:
        """Called once after a 401; return True when new credentials are worth one more try."""
        return False

    # Core ----------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request with retries; returns the 2xx response or raises :class:`HttpError`."""
        url = self.url(path)
        extra_headers = dict(kwargs.pop("headers", None) or {})
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = {**self.auth_headers(), **extra_headers}
            self.stats["requests"] += 1
            try:
                resp = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.retry.max_attempts:
                    raise HttpError(f"{method} {url} failed after {attempt} attempts: {exc}", url=url) from exc
                self._wait(attempt, None, f"{type(exc).__name__}")
                continue
            if resp.status_code == 401 and not refreshed and self.refresh_auth():
                refreshed = True
                self.stats["auth_refreshes"] += 1
                continue
            if resp.status_code in RETRY_STATUSES and attempt < self.retry.max_attempts:
                self._wait(attempt, retry_after_seconds(resp.headers), f"HTTP {resp.status_code}")
                continue
            if resp.status_code >= 400:
                raise HttpError(
                    f"{method} {url} answered HTTP {resp.status_code}: {resp.text[:300]}",
                    status=resp.status_code,
                    url=url,
                    body=resp.text[:2000],
                    headers=resp.headers,
                )
            return resp

    def _wait(self, attempt: int, server_says: float | None, why: str) -> None:
        delay = server_says if server_says is not None else self.retry.backoff(attempt)
        delay = min(delay, self.retry.max_wait_s)
        self.stats["retries"] += 1
        log.warning("retrying after %s (attempt %d), waiting %.2fs", why, attempt, delay)
        self._sleep(delay)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        resp = self.request("GET", path, params=params, **kwargs)
        return parse_json(resp)

    def post_json(self, path: str, payload: Any = None, **kwargs: Any) -> Any:
        resp = self.request("POST", path, json=payload, **kwargs)
        return parse_json(resp)


def parse_json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise MalformedResponseError(
            f"{resp.request.method} {resp.url} returned malformed JSON ({len(resp.content)} bytes): {exc}",
            status=resp.status_code,
            url=resp.url,
            body=resp.text[:2000],
        ) from exc


def paginate(fetch_page: Callable[[str | None], tuple[list[T], str | None]]) -> Iterator[T]:
    """Yield items across pages: ``fetch_page(token)`` returns (items, next_token); None ends paging.

    Guards against a server that repeats a token (which would otherwise loop forever).
    """
    token: str | None = None
    seen: set[str] = set()
    while True:
        items, token = fetch_page(token)
        yield from items
        if not token:
            return
        if token in seen:
            raise HttpError(f"pagination loop: next page token {token!r} was already served")
        seen.add(token)
