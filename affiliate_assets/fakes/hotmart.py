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

``scale`` multiplies sales volume (see the generator); ``scale=200`` serves ~30k sales a day.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections import Counter, OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import orjson

from affiliate_assets.fakes.base import FakeHandler, FakeServer, serve
from affiliate_assets.sample_data import sales as gen
from affiliate_assets.sample_data.catalogue import catalogue

DEFAULT_CLIENT_ID = "fake-hotmart-client-id"
DEFAULT_CLIENT_SECRET = "fake-hotmart-client-secret"
DEFAULT_STATUSES = ("APPROVED", "COMPLETE")
MAX_RESULTS_CAP = 500
PREFETCH_SCALE = 20.0
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
# Data: rendered days, cached
# --------------------------------------------------------------------------------------------------


class SalesStore:
    """Rendered items per (endpoint, day), kept in a small LRU: paging through a day touches it once.

    Each day is a list of ``(order_ms, status, product_id, transaction, json_bytes)``. Commissions are
    listed only for sales that were paid at some point (an expired boleto pays nobody).
    """

    def __init__(self, scale: float, max_days: int = 16):
        self.scale = scale
        self.max_days = max_days
        self._days: OrderedDict[tuple[str, date], list[tuple]] = OrderedDict()
        self._filtered: OrderedDict[tuple, list[bytes]] = OrderedDict()
        self._generated: OrderedDict[date, list[gen.Sale]] = OrderedDict()
        self._pending: dict[tuple[str, date], threading.Event] = {}
        self._lock = threading.Lock()

    def day(self, endpoint: str, day: date) -> list[tuple]:
        key = (endpoint, day)
        with self._lock:
            if key in self._days:
                self._days.move_to_end(key)
                return self._days[key]
            pending = self._pending.get(key)
        if pending is not None and pending.wait(timeout=120):
            return self.day(endpoint, day)
        rows = self._render(endpoint, day)
        with self._lock:
            self._days[key] = rows
            while len(self._days) > self.max_days:
                self._days.popitem(last=False)
        if self.scale >= PREFETCH_SCALE:
            self._prefetch(endpoint, day + timedelta(days=1))
        return rows

    def _prefetch(self, endpoint: str, day: date) -> None:
        """At benchmark scales, render the next day while the client digests this one (the fake's own
        process is otherwise idle then), so generation overlaps the client instead of adding to it."""
        key = (endpoint, day)
        with self._lock:
            if key in self._days or key in self._pending:
                return
            done = self._pending[key] = threading.Event()

        def work() -> None:
            rows = self._render(endpoint, day)
            with self._lock:
                self._days[key] = rows
                del self._pending[key]
            done.set()

        threading.Thread(target=work, daemon=True).start()

    def _render(self, endpoint: str, day: date) -> list[tuple]:
        render = RENDERERS[endpoint]
        return [
            (epoch_ms(s.order_date), s.status, s.product_id, s.transaction, orjson.dumps(render(s)))
            for s in self._sales(day)
            if endpoint != "commissions" or s.is_paid
        ]

    def _sales(self, day: date) -> list[gen.Sale]:
        """Generated sales of a day, shared by the endpoints (history and users read the same days)."""
        with self._lock:
            hit = self._generated.get(day)
        if hit is None:
            hit = gen.sales_for_day(day, self.scale)
            with self._lock:
                self._generated[day] = hit
                while len(self._generated) > 3:
                    self._generated.popitem(last=False)
        return hit

    def filtered(self, endpoint: str, day: date, filter_key: tuple, keep) -> list[bytes]:
        """The day's rendered items that pass ``keep``, memoized per (endpoint, day, filter)."""
        key = (endpoint, day, filter_key)
        with self._lock:
            hit = self._filtered.get(key)
            if hit is not None:
                self._filtered.move_to_end(key)
                return hit
        items = [r[4] for r in self.day(endpoint, day) if keep(r)]
        with self._lock:
            self._filtered[key] = items
            while len(self._filtered) > 4 * self.max_days:
                self._filtered.popitem(last=False)
        return items


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

    def _send_page(self, items: list[bytes], total: int, offset: int, size: int, *, truncate: bool = False):
        page_info = {
            "total_results": total,
            "next_page_token": _encode_token(offset + size, size) if offset + size < total else None,
            "prev_page_token": _encode_token(max(0, offset - size), size) if offset > 0 else None,
            "results_per_page": size,
        }
        body = b'{"items":[' + b",".join(items) + b'],"page_info":' + orjson.dumps(page_info) + b"}"
        if truncate:
            body = body[: max(1, len(body) // 2)]
        self.send_bytes(200, body, "application/json;charset=UTF-8", self._rate_headers())

    # Endpoints -------------------------------------------------------------------------------------
    def products(self) -> None:
        if not self._guard():
            return
        params = self._page_params()
        if params is None:
            return
        size, offset = params
        q = self.query
        items = [product_item(p) for p in catalogue()]
        if q.get("status"):
            items = [i for i in items if i["status"] == q["status"]]
        if q.get("id"):
            items = [i for i in items if str(i["id"]) == q["id"]]
        rendered = [orjson.dumps(i) for i in items[offset:offset + size]]
        self._send_page(rendered, len(items), offset, size)

    def sales(self, endpoint: str) -> None:
        if not self._guard():
            return
        params = self._page_params()
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
        statuses = {status} if status else (None if transaction else set(DEFAULT_STATUSES))
        product_id = int(q["product_id"]) if q.get("product_id", "").isdigit() else None
        first_day = datetime.fromtimestamp(start_ms / 1000, UTC).date()
        if end_ms < start_ms or first_day < gen.FIRST_DAY - timedelta(days=1):
            self._send_page([], 0, 0, size)
            return

        def keep(row: tuple) -> bool:
            return (start_ms <= row[0] <= end_ms and (statuses is None or row[1] in statuses)
                    and (product_id is None or row[2] == product_id)
                    and (transaction is None or row[3] == transaction))

        # Per day, the items passing the filter (cached: the pages of one stream re-read the same days).
        filter_key = (start_ms, end_ms, tuple(sorted(statuses or ())), product_id, transaction)
        days = [d for d in _days_between(start_ms, end_ms) if d >= gen.FIRST_DAY]
        counts = [(d, len(self.store.filtered(endpoint, d, filter_key, keep))) for d in days]
        total = sum(n for _, n in counts)
        page: list[bytes] = []
        skip = offset
        for d, n in counts:
            if len(page) >= size:
                break
            if skip >= n:
                skip -= n
                continue
            rows = self.store.filtered(endpoint, d, filter_key, keep)
            page.extend(rows[skip: skip + size - len(page)])
            skip = 0
        page_number = offset // size + 1
        self._send_page(page, total, offset, size, truncate=page_number == self.state["truncate_page"])

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

    def stats(self) -> None:
        self.send_json(200, {"requests": dict(self.state["requests"]),
                             "tokens_issued": self.state["tokens_issued"]})


FAULTS: dict[str, Any] = {"fail_429": 0, "fail_500": 0, "truncate_page": 0, "page_delay_s": 0.0,
                          "rate_limit_reset": 1, "token_ttl": 3600}


def build_server(host: str = "127.0.0.1", port: int = 0, *, scale: float = 1.0,
                 client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET,
                 **faults: Any) -> FakeServer:
    """A Hotmart fake on ``host:port``. ``faults`` are the initial :data:`FAULTS` (see module docs)."""
    expire = faults.pop("expire_tokens", False)
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise TypeError(f"unknown hotmart fake options: {sorted(unknown)}")
    state: dict[str, Any] = {**FAULTS, **faults, "tokens": {}, "tokens_issued": 0, "requests": Counter(),
                             "lock": threading.Lock()}
    if expire:
        state["token_ttl"] = 0
    return serve(HotmartHandler, host, port, client_id=client_id, client_secret=client_secret,
                 store=SalesStore(float(scale), max_days=4 if float(scale) >= PREFETCH_SCALE else 16),
                 state=state)
