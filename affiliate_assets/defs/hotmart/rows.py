"""Hotmart API items → warehouse rows (tuples in the TableSpec's column order), or a reject with the reason.

Written for the real API's untidiness, not only the fake's: missing nested objects, ``currency_code`` vs
``currency_value``, states as names ("São Paulo") or UFs, countries as names ("Brasil"), numbers as
strings. Clear-text PII (buyer name, e-mail, phone) is hashed here and never leaves this module.

Hot path of the 1M-row benchmark (measured per sale, see ``bench/ingest_api.py``): items are msgspec structs
(:mod:`.items`), and rows carry *text* for timestamps and money (``'2025-03-05 12:34:56.789+00'``,
``'197.5'``) where the value is the plain JSON int/float the API sends: psycopg's COPY dumps ``str`` about
3x faster than ``datetime``/``Decimal`` (2.5 vs 7.5 µs a row) and PostgreSQL parses the text into
``timestamptz``/``numeric(12,2)`` exactly as it would the objects. Anything else (numbers as strings,
floats for dates) takes the slow path that builds ``datetime``/``Decimal`` and says why it rejects.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

import msgspec

from affiliate_assets.defs.hotmart.items import CommissionsItem, HistoryItem, Purchase, UsersItem
from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_PRODUCTS, HOTMART_SALES
from affiliate_assets.lib import pii
from affiliate_assets.lib.warehouse import Reject

CENT = Decimal("0.01")
MAX_PRICE = Decimal("1000000")
_MAX_PRICE_F = 1_000_000
_MIN_MS, _MAX_MS = 100_000_000_000, 4_000_000_000_000  # 1973..2096 in ms: smaller is seconds or a placeholder
_DAY_MS = 86_400_000
_EPOCH = date(1970, 1, 1)
_SHA256_BLOCK = 64


class RowError(ValueError):
    """An item that cannot become a row; the message is the reject reason."""


UF_BY_NAME = {
    "acre": "AC", "alagoas": "AL", "amapa": "AP", "amazonas": "AM", "bahia": "BA", "ceara": "CE",
    "distrito federal": "DF", "espirito santo": "ES", "goias": "GO", "maranhao": "MA", "mato grosso": "MT",
    "mato grosso do sul": "MS", "minas gerais": "MG", "para": "PA", "paraiba": "PB", "parana": "PR",
    "pernambuco": "PE", "piaui": "PI", "rio de janeiro": "RJ", "rio grande do norte": "RN",
    "rio grande do sul": "RS", "rondonia": "RO", "roraima": "RR", "santa catarina": "SC", "sao paulo": "SP",
    "sergipe": "SE", "tocantins": "TO",
}
UFS = frozenset(UF_BY_NAME.values())
COUNTRY_BY_NAME = {"brasil": "BR", "brazil": "BR", "portugal": "PT", "united states": "US",
                   "estados unidos": "US", "eua": "US", "usa": "US"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()


@lru_cache(maxsize=1024)
def normalize_state(value: str | None, country: str | None) -> str | None:
    """UF for Brazilian states given as UF or name; other countries' states kept as given."""
    if not value or not str(value).strip():
        return None
    text = str(value).strip()
    if country not in (None, "BR"):
        return text
    if text.upper() in UFS:
        return text.upper()
    return UF_BY_NAME.get(_fold(text), text)


@lru_cache(maxsize=256)
def normalize_country(value: str | None) -> str | None:
    if not value or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) == 2:
        return text.upper()
    return COUNTRY_BY_NAME.get(_fold(text), text)


def ms_to_dt(value: Any, field: str, *, required: bool = False) -> datetime | None:
    if value in (None, ""):
        if required:
            raise RowError(f"missing {field}")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(f"{field} is not epoch milliseconds: {value!r}") from None
    if not _MIN_MS < number < _MAX_MS:
        raise RowError(f"{field} out of range: {value!r}")
    return datetime.fromtimestamp(number / 1000, UTC)


_day_prefixes: dict[int, str] = {}
_hms: list[str] = []
_millis = [f".{i:03d}+00" for i in range(1000)]


def ms_text(ms: int) -> str:
    """Epoch milliseconds as the timestamptz text COPY parses (UTC): ~0.4 µs, a third of building a datetime."""
    sec = ms // 1000
    day = sec // 86_400
    prefix = _day_prefixes.get(day)
    if prefix is None:
        prefix = _day_prefixes[day] = (_EPOCH + timedelta(days=day)).isoformat() + " "
        if not _hms:  # 86,400 "HH:MM:SS" strings (~5 MB), built on first use rather than at import
            _hms.extend(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))
    return prefix + _hms[sec - day * 86_400] + _millis[ms - sec * 1000]


def timestamp(value: Any, field: str) -> str | datetime | None:
    """An optional epoch-ms timestamp as COPY-ready text (fast path) or a datetime (untidy values)."""
    if type(value) is int and _MIN_MS < value < _MAX_MS:
        return ms_text(value)
    return ms_to_dt(value, field)


def money(value: Any, field: str) -> Decimal:
    if value in (None, ""):
        raise RowError(f"missing {field}")
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise RowError(f"{field} is not a number: {value!r}") from None
    if not (-MAX_PRICE < amount < MAX_PRICE):
        raise RowError(f"{field} out of range: {value}")
    return amount


def money_text(value: Any, field: str, *, signed: bool = False) -> str:
    """A money value as text for a numeric(12,2) column; negative only when ``signed``."""
    kind = type(value)
    if (kind is float or kind is int) and (-_MAX_PRICE_F if signed else 0) <= value < _MAX_PRICE_F:
        return repr(value)  # PostgreSQL rounds to cents on input
    amount = money(value, field)
    if amount < 0 and not signed:
        raise RowError(f"negative {field} {amount}")
    return str(amount)


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class PiiHasher:
    """The salted hashes of :mod:`lib.pii` (same normalization, same HMAC-SHA256 digests), made cheap for
    a million rows: HMAC is computed as RFC 2104 spells it, from inner and outer SHA-256 states keyed once
    and copied per value (0.9 µs a digest vs 1.5 µs copying an ``hmac`` object, 2.0 µs for ``hmac.new``),
    and a buyer's three hashes are cached for the run. The cache is bounded (cleared when full): most
    buyers of a window are new, so an unbounded one would hold ~200 bytes per sale for little gain.
    """

    CACHE_LIMIT = 65_536

    def __init__(self, salt: str):
        key = salt.encode()
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._buyers: dict[tuple, tuple] = {}

    def _digest(self, normalized: str) -> str:
        inner = self._inner.copy()
        inner.update(normalized.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def email(self, value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        return self._digest(pii.normalize_email(str(value)))

    def phone(self, value: Any) -> str | None:
        normalized = None if value is None else pii.normalize_phone(str(value))
        return self._digest(normalized) if normalized else None

    def buyer(self, name: Any, email: Any, phone: Any) -> tuple:
        """(name hash, e-mail hash, phone hash); the name is normalized like an e-mail (trim + lower)."""
        key = (name, email, phone)
        hit = self._buyers.get(key)
        if hit is None:
            if len(self._buyers) >= self.CACHE_LIMIT:
                self._buyers.clear()
            hit = self._buyers[key] = (self.email(name) if name else None, self.email(email), self.phone(phone))
        return hit


# --------------------------------------------------------------------------------------------------


def product_row(item: dict) -> tuple:
    pid = _int(item.get("id"))
    if pid is None:
        raise RowError("missing or non-numeric product id")
    if not item.get("name"):
        raise RowError("missing product name")
    values = {
        "product_id": pid, "ucode": item.get("ucode"), "name": item["name"], "status": item.get("status"),
        "format": item.get("format"), "is_subscription": item.get("is_subscription"),
        "warranty_period": _int(item.get("warranty_period")),
        "created_at": ms_to_dt(item.get("created_at"), "created_at"),
    }
    return tuple(values[c] for c in HOTMART_PRODUCTS.column_names)


BuyerInfo = tuple[str | None, str | None, str | None, str | None, str | None, str | None]
"""(phone, city, state, country, affiliate name, affiliate ucode) from /sales/users, by transaction."""


def buyer_info(item: UsersItem) -> tuple[Any, BuyerInfo]:
    """The transaction and what /sales/users adds to a sale: buyer phone and address, the affiliate."""
    phone = city = state = country = aff_name = aff_ucode = None
    for participant in item.users or ():
        user = participant.user
        if user is None:
            continue
        role = participant.role
        if role == "BUYER":
            phone = user.cellphone or user.phone
            address = user.address
            if address is not None:
                country = normalize_country(_text(address.country))
                city = _text(address.city)
                state = normalize_state(_text(address.state), country)
        elif role == "AFFILIATE":
            aff_name, aff_ucode = user.name, user.ucode
    return item.transaction, (phone, city, state, country, aff_name, aff_ucode)


_NO_BUYER_INFO: BuyerInfo = (None, None, None, None, None, None)
_NO_PURCHASE = Purchase()


class Window(NamedTuple):
    """A slice of the requested window, as datetimes and as the epoch ms the API speaks."""

    start: datetime
    end: datetime
    start_ms: int
    end_ms: int

    @classmethod
    def of(cls, start: datetime, end: datetime) -> Window:
        return cls(start, end, round(start.timestamp() * 1000), round(end.timestamp() * 1000))


def _order_date(value: Any, window: Window) -> str | datetime:
    when = ms_to_dt(value, "purchase.order_date", required=True)
    if not (window.start <= when < window.end):  # type: ignore[operator]
        raise RowError(f"order_date {when.isoformat()} outside the requested window")  # type: ignore[union-attr]
    return when  # type: ignore[return-value]


def sale_row(item: HistoryItem, info: BuyerInfo | None, hasher: PiiHasher, window: Window) -> tuple:
    """A ``raw.hotmart_sales`` row, or :class:`RowError` with the reason.

    The hottest function of a load: the common cases (int epoch ms, float money) are tested inline and
    everything else goes through the validating helpers.
    """
    purchase = item.purchase or _NO_PURCHASE
    transaction = purchase.transaction
    if not transaction:
        raise RowError("missing purchase.transaction")
    value = purchase.order_date
    order_date = (ms_text(value) if type(value) is int and window.start_ms <= value < window.end_ms
                  else _order_date(value, window))
    status = purchase.status
    if not status:
        raise RowError("missing purchase.status")
    product = item.product
    product_id = None if product is None else product.id if type(product.id) is int else _int(product.id)
    if product_id is None:
        raise RowError("missing product.id")
    price_obj = purchase.price
    if price_obj is None:
        raise RowError("missing purchase.price.value")
    value = price_obj.value
    price = repr(value) if type(value) is float and 0 <= value < _MAX_PRICE_F else money_text(
        value, "purchase.price.value")
    currency = price_obj.currency_code or price_obj.currency_value
    if not currency:
        raise RowError("missing purchase.price.currency_code")
    fee_obj = purchase.hotmart_fee
    value = None if fee_obj is None else fee_obj.total
    fee = None if value is None or value == "" else repr(value) if type(value) is float and 0 <= value < _MAX_PRICE_F \
        else money_text(value, "hotmart_fee.total", signed=True)
    value = purchase.approved_date
    approved = None if value is None else ms_text(value) if type(value) is int and _MIN_MS < value < _MAX_MS \
        else timestamp(value, "purchase.approved_date")
    value = purchase.warranty_expire_date
    warranty = None if value is None else ms_text(value) if type(value) is int and _MIN_MS < value < _MAX_MS \
        else timestamp(value, "purchase.warranty_expire_date")
    buyer = item.buyer
    producer = item.producer
    payment = purchase.payment
    offer = purchase.offer
    tracking = purchase.tracking
    phone, city, state, country, aff_name, aff_ucode = info or _NO_BUYER_INFO
    if buyer is None:
        buyer_ucode, (name_h, email_h, phone_h) = None, hasher.buyer(None, None, phone)
    else:
        buyer_ucode, (name_h, email_h, phone_h) = buyer.ucode, hasher.buyer(buyer.name, buyer.email, phone)
    installments = None if payment is None else payment.installments_number
    return (
        transaction, order_date, approved, status, product_id, product.name, buyer_ucode,  # type: ignore[union-attr]
        name_h, email_h, phone_h, city, state, country,
        producer and producer.name, producer and producer.ucode, aff_name, aff_ucode, purchase.commission_as,
        payment and payment.type, payment and payment.method,
        installments if type(installments) is int else _int(installments),
        price, currency, fee, offer and offer.code, offer and offer.payment_mode, purchase.is_subscription,
        _int(purchase.recurrency_number), tracking and tracking.source, tracking and tracking.source_sck, warranty,
    )


assert len(HOTMART_SALES.columns) == 31, "sale_row builds its tuple positionally: keep it in sync"


def commission_rows(item: CommissionsItem, sale_date: str) -> tuple[list[tuple], list[Reject]]:
    """One row per receiver of a transaction's commission (``sale_date`` as ISO text); bad entries become
    rejects."""
    rows: list[tuple] = []
    rejects: list[Reject] = []
    transaction = item.transaction
    product = item.product
    product_id = _int(product.id) if product is not None else None
    rate = item.exchange_rate_currency_payout
    for entry in item.commissions or ():
        user = entry.user
        try:
            if not transaction:
                raise RowError("missing transaction")
            if product_id is None:
                raise RowError("missing product.id")
            if not entry.source or user is None or not user.ucode:
                raise RowError("missing commission source or user.ucode")
            amount = entry.commission
            if amount is None:
                raise RowError("missing commission.value")
            value = money_text(amount.value, "commission.value", signed=True)
            currency = amount.currency
            if not currency:
                raise RowError("missing commission.currency_value")
            rows.append((transaction, entry.source, user.ucode, user.name, sale_date, product_id,
                         product.name, value, currency, None if rate in (None, "") else _rate(rate)))  # type: ignore[union-attr]
        except RowError as exc:
            rejects.append(Reject(f"{transaction}:{entry.source}", str(exc), msgspec.to_builtins(item)))
    return rows, rejects


def _rate(value: Any) -> str:
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        raise RowError(f"exchange_rate_currency_payout is not a number: {value!r}") from None


assert len(HOTMART_COMMISSIONS.columns) == 10, "commission_rows builds its tuple positionally"
