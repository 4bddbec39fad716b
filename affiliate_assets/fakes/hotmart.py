"""A local Hotmart Developers API: same endpoints, auth, paging and errors as the real one.

Serves the bundled catalogue (``/products/api/v1/products``) and the deterministic sample sales
(``/payments/api/v1/sales/history``, ``/sales/users``, ``/sales/commissions``) from
:mod:`affiliate_assets.sample_data.sales`. Behaviour copied from the real API (developers.hotmart.com docs
and the ``hotmart-python`` SDK models):

- OAuth2 client credentials: ``POST /security/oauth/token?grant_type=client_credentials&client_id=..&
  client_secret=..`` with ``Authorization: Basic base64(id:secret)``; answers ``access_token``,
  ``token_type``, ``expires_in``. API calls need ``Authorization: Bearer <token>``; unknown or expired
  tokens get 401 ``invalid_token`` / ``token_expired``.
- ``start_date``/``end_date`` in epoch milliseconds, both inclusive; ``max_results`` + ``page_token`` cursor paging with
  ``page_info`` {total_results, next_page_token, prev_page_token, results_per_page}.
- Without ``transaction`` or ``transaction_status`` the sales endpoints return only APPROVED and COMPLETE
  sales (as the real API does); ``transaction_status`` takes one status.
- ``RateLimit-Limit``/``-Remaining``/``-Reset`` headers on every answer; 429 ``too_many_requests``.

Fault injection for tests, as build options or at run time with ``POST /_fake/faults`` (JSON body, same
names): ``fail_429`` (next N API calls answer 429 with ``RateLimit-Reset: rate_limit_reset``), ``fail_500``
(next N answer 500), ``expire_tokens`` (every issued token expires now), ``token_ttl`` (seconds),
``truncate_page`` (page number K of every sales stream is cut mid-JSON, with status 200),
``page_delay_s`` (sleep before each API answer). ``GET /_fake/stats`` counts requests by path.

Volume: ``scale`` multiplies sales (see the generator; ``scale=220`` serves ~33k sales a day, 1M a month).
Each (endpoint, day) is rendered once into a :class:`DayPack` (items as JSON bytes grouped by status, with
an index), so a page is one byte range, written to the socket as is. ``cache_dir`` keeps packs on disk
across runs and processes (memory stays flat at any volume); ``POST /_fake/prepare {"start_date",
"end_date", "processes"}`` renders a range ahead (in worker processes), as a real API's data exists
before it is called: the benchmark does this before it starts its clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import marshal
import multiprocessing
import os
import secrets
import shutil
import sys
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import orjson

from affiliate_assets.fakes.base import FakeHandler, FakeServer, serve
from affiliate_assets.sample_data import sales as gen
from affiliate_assets.sample_data.catalogue import catalogue

DEFAULT_CLIENT_ID = "fake-hotmart-client-id"
DEFAULT_CLIENT_SECRET = "fake-hotmart-client-secret"
DEFAULT_STATUSES = ("APPROVED", "COMPLETE")
MAX_RESULTS_CAP = 500
RATE_LIMIT = 500
API = r"/(?:payments|products)/api/v1"

STATE_NAMES = {
    "SP": "São Paulo", "MG": "Minas Gerais", "RJ": "Rio de Janeiro", "BA": "Bahia", "PR": "Paraná",
    "RS": "Rio Grande do Sul", "PE": "Pernambuco", "CE": "Ceará", "PA": "Pará", "SC": "Santa Catarina",
}
COUNTRY_NAMES = {"BR": "Brasil", "PT": "Portugal", "US": "United States"}


def epoch_ms(value: datetime | date | None) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return int(value.timestamp() * 1000)


def _money(value) -> float:
    return float(value)


# --------------------------------------------------------------------------------------------------
# Item shapes (the real API's JSON)
# --------------------------------------------------------------------------------------------------


def product_item(p) -> dict[str, Any]:
    return {
        "id": p.product_id, "name": p.name, "ucode": p.ucode,
        "status": "PAUSED" if p.temperature < 12 else "ACTIVE",
        "created_at": epoch_ms(p.created_at), "format": p.format, "is_subscription": False,
        "warranty_period": 30 if p.category == "mentoria" else 7,
    }


def _product_ref(s: gen.Sale) -> dict[str, Any]:
    return {"name": s.product_name, "id": s.product_id}


@lru_cache(maxsize=256)
def _producer_ucode(name: str) -> str:
    return gen._Bits(sum(map(ord, name)) * 7919).uuid()


def history_item(s: gen.Sale) -> dict[str, Any]:
    fee = s.hotmart_fee
    return {
        "product": _product_ref(s),
        "buyer": {"name": s.buyer.name, "ucode": s.buyer.ucode, "email": s.buyer.email},
        "producer": {"name": s.producer, "ucode": _producer_ucode(s.producer)},
        "purchase": {
            "transaction": s.transaction,
            "order_date": epoch_ms(s.order_date),
            "approved_date": epoch_ms(s.approved_date),
            "status": s.status,
            "recurrency_number": 1,
            "is_subscription": False,
            "commission_as": "AFFILIATE",
            "price": {"value": _money(s.price), "currency_code": "BRL"},
            "payment": {"method": s.payment_method or s.payment_type,
                        "installments_number": s.installments, "type": s.payment_type},
            "tracking": {"source_sck": f"{s.tracking_source}_bio", "source": s.tracking_source.upper(),
                         "external_code": None},
            "warranty_expire_date": epoch_ms(s.order_date + timedelta(days=s.warranty_days)),
            "offer": {"payment_mode": "INVOICE" if s.installments == 1 else "INSTALLMENTS", "code": s.offer_code},
            "hotmart_fee": {"total": _money(s.hotmart_fee), "fixed": 1.0, "currency_code": "BRL",
                            "base": _money(fee - gen.HOTMART_FEE_FIXED), "percentage": 9.9},
        },
    }


def users_item(s: gen.Sale) -> dict[str, Any]:
    b = s.buyer
    # Real data is untidy: some addresses carry the state's name instead of its UF, countries are names.
    state = STATE_NAMES.get(b.state or "", b.state) if len(b.ucode) and b.ucode[0] in "0123" else b.state
    buyer = {
        "ucode": b.ucode, "locale": "pt_BR" if b.country == "BR" else "pt_PT", "name": b.name,
        "trade_name": None, "cellphone": b.phone, "phone": None, "email": b.email, "documents": [],
        "address": {"city": b.city, "state": state, "country": COUNTRY_NAMES.get(b.country, b.country),
                    "zip_code": None, "address": None, "complement": None, "neighborhood": None, "number": None},
    }
    users = [
        {"role": "BUYER", "user": buyer},
        {"role": "PRODUCER", "user": {"ucode": _producer_ucode(s.producer), "name": s.producer, "locale": "pt_BR"}},
        {"role": "AFFILIATE", "user": {"ucode": gen.AFFILIATE[1], "name": gen.AFFILIATE[0], "locale": "pt_BR"}},
    ]
    return {"transaction": s.transaction, "product": _product_ref(s), "users": users}


def commissions_item(s: gen.Sale) -> dict[str, Any]:
    def one(value, ucode: str, name: str, source: str) -> dict[str, Any]:
        return {"commission": {"currency_value": "BRL", "value": _money(value)},
                "user": {"ucode": ucode, "name": name}, "source": source}

    commissions = [one(s.producer_commission, _producer_ucode(s.producer), s.producer, "PRODUCER"),
                   one(s.affiliate_commission, gen.AFFILIATE[1], gen.AFFILIATE[0], "AFFILIATE")]
    if s.coproducer_commission:
        commissions.append(one(s.coproducer_commission, gen.COPRODUCER[1], gen.COPRODUCER[0], "COPRODUCER"))
    return {"transaction": s.transaction, "product": _product_ref(s), "exchange_rate_currency_payout": 1.0,
            "commissions": commissions}


RENDERERS = {"history": history_item, "users": users_item, "commissions": commissions_item}


# --------------------------------------------------------------------------------------------------
# Data: each (endpoint, day) packed once as JSON bytes grouped by status, served as byte ranges
# --------------------------------------------------------------------------------------------------

STATUS_ORDER = ("COMPLETE", "APPROVED", "REFUNDED", "PARTIALLY_REFUNDED", "CHARGEBACK", "CANCELLED", "EXPIRED")
"""Statuses the generator produces; a pack lists its items grouped by status in this order."""
ENDPOINTS = tuple(RENDERERS)
PACK_FORMAT = 1


class DayPack:
    """The items of one (endpoint, day): each item's JSON followed by a comma, grouped by status, each group
    ordered by (order date, transaction), with a small index (byte offsets, order ms, product ids).

    A request for one status and a time window (what a client paging day by day sends) is then one
    contiguous byte range found by bisection: a 500-item page is a single read, no per-item work, so the
    fake serves a million sales without being the bottleneck and without holding them (the bytes live on
    disk when a cache directory is set, else in this object).
    """

    __slots__ = ("_blob", "_path", "_transactions", "groups", "offsets", "order_ms", "product_ids")

    def __init__(self, index: dict[str, Any], blob: bytes | None = None, path: Path | None = None):
        self.offsets = array("q", index["offsets"])
        self.order_ms = array("q", index["order_ms"])
        self.product_ids = array("q", index["product_ids"])
        self._transactions: str | list[str] = index["transactions"]  # split only when a request filters on it
        self.groups: dict[str, tuple[int, int]] = dict(index["groups"])
        self._blob = blob
        self._path = path

    @property
    def transactions(self) -> list[str]:
        if isinstance(self._transactions, str):
            self._transactions = self._transactions.split("\n") if self._transactions else []
        return self._transactions

    @classmethod
    def build(cls, endpoint: str, sales: list[gen.Sale]) -> tuple[dict[str, Any], bytes]:
        """``(index, blob)`` of the endpoint's items for ``sales`` (one day, sorted by order date)."""
        render = RENDERERS[endpoint]
        rank = {status: i for i, status in enumerate(STATUS_ORDER)}
        chosen = [s for s in sales if endpoint != "commissions" or s.is_paid]  # unpaid sales pay nobody
        chosen.sort(key=lambda s: (rank.get(s.status, len(rank)), s.status))  # stable: date order kept
        parts = [orjson.dumps(render(s)) + b"," for s in chosen]
        offsets = array("q", [0])
        for part in parts:
            offsets.append(offsets[-1] + len(part))
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(chosen):
            groups.setdefault(s.status, [i, i])[1] = i + 1
        index = {
            "offsets": offsets.tobytes(),
            "order_ms": array("q", [epoch_ms(s.order_date) for s in chosen]).tobytes(),
            "product_ids": array("q", [s.product_id for s in chosen]).tobytes(),
            "transactions": "\n".join(s.transaction for s in chosen),
            "groups": [(status, tuple(span)) for status, span in groups.items()],
        }
        return index, b"".join(parts)

    def __len__(self) -> int:
        return len(self.order_ms)

    def read(self, first: int, last: int) -> bytes:
        """The bytes of items ``[first, last)``, each followed by a comma."""
        start, end = self.offsets[first], self.offsets[last]
        if self._blob is not None:
            return self._blob[start:end]
        with open(self._path, "rb") as fh:  # type: ignore[arg-type]
            return os.pread(fh.fileno(), end - start, start)

    def select(self, start_ms: int, end_ms: int, statuses: frozenset[str] | None, product_id: int | None,
               transaction: str | None) -> range | list[int]:
        """Item numbers matching a request, in order date order: a ``range`` when contiguous."""
        spans = [span for status, span in self.groups.items() if statuses is None or status in statuses]
        order = self.order_ms
        if len(spans) == 1 and product_id is None and transaction is None:
            lo, hi = spans[0]
            return range(bisect_left(order, start_ms, lo, hi), bisect_right(order, end_ms, lo, hi))
        picked = [i for lo, hi in spans for i in range(lo, hi)
                  if start_ms <= order[i] <= end_ms
                  and (product_id is None or self.product_ids[i] == product_id)
                  and (transaction is None or self.transactions[i] == transaction)]
        picked.sort(key=lambda i: (order[i], self.transactions[i]))
        return picked

    def pieces(self, chosen: range | list[int]) -> list[bytes]:
        if isinstance(chosen, range):
            return [self.read(chosen.start, chosen.stop)] if len(chosen) else []
        return [self.read(i, i + 1) for i in chosen]


def _code_digest() -> str:
    """Changes whenever the generator, the catalogue or this fake change (stale packs would silently serve
    other data than ``sales_for_day``)."""
    digest = hashlib.sha256(str(PACK_FORMAT).encode())
    for module in (gen, sys.modules[catalogue.__module__]):
        digest.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    for function in (epoch_ms, _money, _product_ref, _producer_ucode, history_item, users_item,
                     commissions_item, DayPack.build):  # what shapes the bytes served, not the serving
        digest.update(inspect.getsource(function).encode())
    digest.update(repr((STATE_NAMES, COUNTRY_NAMES, STATUS_ORDER)).encode())
    return digest.hexdigest()[:12]


def cache_folder(cache_dir: str | Path, scale: float) -> Path:
    """``<cache_dir>/hotmart-<code digest>/scale-<scale>``; folders of older code are removed (a 1M-sale
    benchmark leaves ~1.4 GB of packs)."""
    root, current = Path(cache_dir), f"hotmart-{_code_digest()}"
    for stale in root.glob("hotmart-*"):
        if stale.name != current and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    folder = root / current / f"scale-{scale:g}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_day(folder: Path, scale: float, day: date) -> None:
    """Generate one day and write its three packs (``<day>.<endpoint>.json`` + ``.idx``) atomically."""
    sales = gen.sales_for_day(day, scale)
    for endpoint in ENDPOINTS:
        index, blob = DayPack.build(endpoint, sales)
        for suffix, data in ((".json", blob), (".idx", marshal.dumps(index))):  # the index last: it marks done
            final = folder / f"{day.isoformat()}.{endpoint}{suffix}"
            tmp = folder / f"{final.name}.{os.getpid()}.{threading.get_ident()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, final)


class SalesStore:
    """Day packs by (endpoint, day), generated on first use. With ``cache_dir`` they are written to disk
    once (reused by later runs of the same generator and scale) and only their small indexes are kept in
    memory; without it, whole packs are kept in a small LRU (fine at test and demo scales)."""

    def __init__(self, scale: float, cache_dir: str | Path | None = None, max_days: int = 16):
        self.scale = scale
        self.max_days = max_days
        self.folder = cache_folder(cache_dir, scale) if cache_dir else None
        if self.folder is not None:
            self.max_days = min(max_days, 4)  # only indexes in memory; a client walks days in order
        self._packs: OrderedDict[tuple[str, date], DayPack] = OrderedDict()
        self._selections: OrderedDict[tuple, list[int]] = OrderedDict()
        self._lock = threading.Lock()
        self._day_locks: dict[date, threading.Lock] = {}

    def pack(self, endpoint: str, day: date) -> DayPack:
        key = (endpoint, day)
        with self._lock:
            hit = self._packs.get(key)
            if hit is not None:
                self._packs.move_to_end(key)
                return hit
            day_lock = self._day_locks.setdefault(day, threading.Lock())
        with day_lock:  # one thread generates a day; the others wait for it
            packs = self._load(day)
        with self._lock:
            self._packs.update(((e, day), p) for e, p in packs.items())
            while len(self._packs) > self.max_days * len(ENDPOINTS):
                self._packs.popitem(last=False)
        return packs[endpoint]

    def _load(self, day: date) -> dict[str, DayPack]:
        if self.folder is None:
            sales = gen.sales_for_day(day, self.scale)
            return {e: DayPack(*DayPack.build(e, sales)) for e in ENDPOINTS}
        if not all((self.folder / f"{day.isoformat()}.{e}.idx").exists() for e in ENDPOINTS):
            write_day(self.folder, self.scale, day)
        return {e: DayPack(marshal.loads((self.folder / f"{day.isoformat()}.{e}.idx").read_bytes()),
                           path=self.folder / f"{day.isoformat()}.{e}.json") for e in ENDPOINTS}

    def prepare(self, first: date, last: date, processes: int = 2) -> dict[str, Any]:
        """Write the packs of ``[first, last]`` not on disk yet, in ``processes`` worker processes: what a
        real API has in its database before anyone calls it, made before a benchmark starts its clock."""
        if self.folder is None:
            raise ValueError("prepare needs the fake's cache_dir option")
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        missing = [d for d in days if not (self.folder / f"{d.isoformat()}.commissions.idx").exists()]
        started = time.perf_counter()
        if missing and processes > 1:
            context = multiprocessing.get_context("spawn")  # never fork a threaded server
            with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
                list(pool.map(write_day, [self.folder] * len(missing), [self.scale] * len(missing), missing))
        else:
            for d in missing:
                write_day(self.folder, self.scale, d)
        return {"days": len(days), "generated": len(missing), "seconds": round(time.perf_counter() - started, 2),
                "folder": str(self.folder)}

    def selection(self, endpoint: str, day: date, request: tuple) -> range | list[int]:
        """:meth:`DayPack.select` for ``request``; the (rare) non-contiguous answers are memoized."""
        key = (endpoint, day, request)
        with self._lock:
            hit = self._selections.get(key)
        if hit is not None:
            return hit
        chosen = self.pack(endpoint, day).select(*request)
        if isinstance(chosen, list):
            with self._lock:
                self._selections[key] = chosen
                while len(self._selections) > 4 * self.max_days:
                    self._selections.popitem(last=False)
        return chosen


def _days_between(start_ms: int, end_ms: int) -> list[date]:
    first = datetime.fromtimestamp(start_ms / 1000, UTC).date()
    last = datetime.fromtimestamp(max(start_ms, end_ms) / 1000, UTC).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _encode_token(offset: int, size: int) -> str:
    return base64.b64encode(orjson.dumps({"rows": size, "offset": offset})).decode()


def _decode_token(token: str) -> int:
    try:
        return int(orjson.loads(base64.b64decode(token, validate=True))["offset"])
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise ValueError("The page_token parameter is invalid") from exc


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------


class HotmartHandler(FakeHandler):
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("POST", r"/security/oauth/token", "token"),
        ("GET", API.replace("(?:payments|products)", "products") + r"/products", "products"),
        ("GET", API.replace("(?:payments|products)", "payments") + r"/sales/(?P<endpoint>history|users|commissions)",
         "sales"),
        ("POST", r"/_fake/faults", "set_faults"),
        ("POST", r"/_fake/reset", "reset"),
        ("POST", r"/_fake/prepare", "prepare"),
        ("GET", r"/_fake/stats", "stats"),
    ]
    # Class attributes set by serve(): client_id, client_secret, store, state (shared mutable dict).
    client_id: ClassVar[str]
    client_secret: ClassVar[str]
    store: ClassVar[SalesStore]
    state: ClassVar[dict[str, Any]]

    # Auth ------------------------------------------------------------------------------------------
    def token(self) -> None:
        self.read_body()
        q = self.query
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if q.get("grant_type") != "client_credentials":
            self.send_json(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
            return
        if (self.headers.get("Authorization") != expected or q.get("client_id") != self.client_id
                or q.get("client_secret") != self.client_secret):
            self.send_json(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
            return
        token = secrets.token_urlsafe(32)
        ttl = int(self.state["token_ttl"])
        with self.state["lock"]:
            self.state["tokens"][token] = time.time() + ttl
            self.state["tokens_issued"] += 1
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": ttl,
                             "scope": "read write", "jti": secrets.token_hex(16)})

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
        expires = self.state["tokens"].get(token) if token else None
        if expires is None:
            self.send_json(401, {"error": "invalid_token", "error_description": "Invalid access token"})
            return False
        if expires <= time.time():
            self.send_json(401, {"error": "token_expired", "error_description": "Access token expired"})
            return False
        return True

    # Faults ----------------------------------------------------------------------------------------
    def _rate_headers(self) -> dict[str, str]:
        return {"RateLimit-Limit": str(RATE_LIMIT), "RateLimit-Remaining": str(RATE_LIMIT - 1),
                "RateLimit-Reset": "60", "X-RateLimit-Limit-Minute": str(RATE_LIMIT)}

    def _injected_failure(self) -> bool:
        """Apply queued faults to this API call; True when an error answer was sent."""
        st = self.state
        with st["lock"]:
            st["requests"][self.path_only] += 1
            fail_429 = st["fail_429"] > 0
            fail_500 = not fail_429 and st["fail_500"] > 0
            if fail_429:
                st["fail_429"] -= 1
            elif fail_500:
                st["fail_500"] -= 1
        if st["page_delay_s"]:
            time.sleep(float(st["page_delay_s"]))
        if fail_429:
            self.send_json(429, {"error": "too_many_requests", "error_description": "Rate limit exceeded"},
                           {**self._rate_headers(), "RateLimit-Remaining": "0",
                            "RateLimit-Reset": str(st["rate_limit_reset"])})
            return True
        if fail_500:
            self.send_json(500, {"error": "internal_server_error", "error_description": "Unexpected error"})
            return True
        return False

    def _guard(self) -> bool:
        return not self._injected_failure() and self._authorized()

    # Paging ----------------------------------------------------------------------------------------
    def _page_params(self) -> tuple[int, int] | None:
        q = self.query
        try:
            size = min(MAX_RESULTS_CAP, max(1, int(q.get("max_results") or 10)))
            offset = _decode_token(q["page_token"]) if q.get("page_token") else 0
        except ValueError as exc:
            self.send_json(400, {"error": "invalid_parameter", "error_description": str(exc)})
            return None
        return size, offset

    def _send_page(self, pieces: list[bytes], total: int, offset: int, size: int, *, truncate: bool = False):
        """Send ``{"items": [...], "page_info": {...}}`` from item pieces that each end with a comma,
        written to the socket piece by piece (no copy of the page into one body)."""
        page_info = {
            "total_results": total,
            "next_page_token": _encode_token(offset + size, size) if offset + size < total else None,
            "prev_page_token": _encode_token(max(0, offset - size), size) if offset > 0 else None,
            "results_per_page": size,
        }
        parts: list[bytes | memoryview] = [b'{"items":[', *pieces, b'],"page_info":' + orjson.dumps(page_info) + b"}"]
        if pieces:
            parts[-2] = memoryview(parts[-2])[:-1]  # the last item's trailing comma
        if truncate:
            body = b"".join(parts)
            parts = [body[: max(1, len(body) // 2)]]
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(sum(len(p) for p in parts)))
        for name, value in self._rate_headers().items():
            self.send_header(name, value)
        self.end_headers()
        for part in parts:
            self.wfile.write(part)

    # Endpoints -------------------------------------------------------------------------------------
    def _begin_page(self) -> tuple[int, int] | None:
        """Faults, auth and paging of an API call: ``(size, offset)``, or None when an error was sent."""
        return self._page_params() if self._guard() else None

    def products(self) -> None:
        params = self._begin_page()
        if params is None:
            return
        size, offset = params
        q = self.query
        items = [product_item(p) for p in catalogue()]
        if q.get("status"):
            items = [i for i in items if i["status"] == q["status"]]
        if q.get("id"):
            items = [i for i in items if str(i["id"]) == q["id"]]
        rendered = [orjson.dumps(i) + b"," for i in items[offset:offset + size]]
        self._send_page(rendered, len(items), offset, size)

    def sales(self, endpoint: str) -> None:
        params = self._begin_page()
        if params is None:
            return
        size, offset = params
        q = self.query
        try:
            end_ms = int(q["end_date"]) if q.get("end_date") else int(time.time() * 1000)
            start_ms = int(q["start_date"]) if q.get("start_date") else end_ms - 30 * 86_400_000
        except ValueError:
            self.send_json(400, {"error": "invalid_value_parameter",
                                 "error_description": "start_date and end_date are epoch milliseconds"})
            return
        status = q.get("transaction_status")
        transaction = q.get("transaction")
        statuses = frozenset({status}) if status else (None if transaction else frozenset(DEFAULT_STATUSES))
        product_id = int(q["product_id"]) if q.get("product_id", "").isdigit() else None
        first_day = datetime.fromtimestamp(start_ms / 1000, UTC).date()
        if end_ms < start_ms or first_day < gen.FIRST_DAY - timedelta(days=1):
            self._send_page([], 0, 0, size)
            return
        request = (start_ms, end_ms, statuses, product_id, transaction)
        days = [d for d in _days_between(start_ms, end_ms) if d >= gen.FIRST_DAY]
        chosen = [(d, self.store.selection(endpoint, d, request)) for d in days]
        total = sum(len(c) for _, c in chosen)
        pieces: list[bytes] = []
        skip, wanted = offset, size
        for d, items in chosen:
            if wanted <= 0:
                break
            if skip >= len(items):
                skip -= len(items)
                continue
            part = items[skip: skip + wanted]
            pieces.extend(self.store.pack(endpoint, d).pieces(part))
            wanted -= len(part)
            skip = 0
        page_number = offset // size + 1
        self._send_page(pieces, total, offset, size, truncate=page_number == self.state["truncate_page"])

    # Control ---------------------------------------------------------------------------------------
    def set_faults(self) -> None:
        changes = self.read_json() or {}
        with self.state["lock"]:
            if changes.pop("expire_tokens", False):
                self.state["tokens"] = dict.fromkeys(self.state["tokens"], 0.0)
            unknown = set(changes) - set(FAULTS)
            if unknown:
                self.send_json(400, {"error": "invalid_parameter", "error_description": f"unknown {sorted(unknown)}"})
                return
            self.state.update(changes)
        self.send_json(200, {k: self.state[k] for k in FAULTS})

    def reset(self) -> None:
        self.read_body()
        with self.state["lock"]:
            self.state.update(FAULTS)
            self.state["requests"] = Counter()
        self.send_json(200, {"reset": True})

    def prepare(self) -> None:
        """``POST /_fake/prepare {"start_date": "YYYY-MM-DD", "end_date": "YYYY-MM-DD", "processes": 2}``:
        generate the days' packs into the cache folder now (answers when done, with the figures)."""
        body = self.read_json() or {}
        try:
            figures = self.store.prepare(date.fromisoformat(body["start_date"]), date.fromisoformat(body["end_date"]),
                                         int(body.get("processes", 2)))
        except (KeyError, ValueError) as exc:
            self.send_json(400, {"error": "invalid_parameter", "error_description": str(exc)})
            return
        self.send_json(200, figures)

    def stats(self) -> None:
        self.send_json(200, {"requests": dict(self.state["requests"]),
                             "tokens_issued": self.state["tokens_issued"]})


FAULTS: dict[str, Any] = {"fail_429": 0, "fail_500": 0, "truncate_page": 0, "page_delay_s": 0.0,
                          "rate_limit_reset": 1, "token_ttl": 3600}


def build_server(host: str = "127.0.0.1", port: int = 0, *, scale: float = 1.0, cache_dir: str | None = None,
                 client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET,
                 **faults: Any) -> FakeServer:
    """A Hotmart fake on ``host:port``. ``faults`` are the initial :data:`FAULTS` (see module docs);
    ``cache_dir`` keeps generated days on disk (benchmark scales), see :class:`SalesStore`."""
    expire = faults.pop("expire_tokens", False)
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise TypeError(f"unknown hotmart fake options: {sorted(unknown)}")
    state: dict[str, Any] = {**FAULTS, **faults, "tokens": {}, "tokens_issued": 0, "requests": Counter(),
                             "lock": threading.Lock()}
    if expire:
        state["token_ttl"] = 0
    return serve(HotmartHandler, host, port, client_id=client_id, client_secret=client_secret,
                 store=SalesStore(float(scale), cache_dir=cache_dir),
                 state=state)
