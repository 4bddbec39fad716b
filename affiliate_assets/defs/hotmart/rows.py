"""Hotmart API items → warehouse rows (tuples in the TableSpec's column order), or a reject with the reason.

Written for the real API's untidiness, not only the fake's: missing nested objects, ``currency_code`` vs
``currency_value``, states as names ("São Paulo") or UFs, countries as names ("Brasil"), numbers as
strings. Clear-text PII (buyer name, e-mail, phone) is hashed here and never leaves this module.
Hot path of the 1M-row benchmark: plain dict access, no per-item objects.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_PRODUCTS, HOTMART_SALES
from affiliate_assets.lib import pii
from affiliate_assets.lib.warehouse import Reject

CENT = Decimal("0.01")
MAX_PRICE = Decimal("1000000")


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
    if not 1e11 < number < 4e12:  # 1973..2096 in ms: smaller is epoch seconds or a placeholder
        raise RowError(f"{field} out of range: {value!r}")
    return datetime.fromtimestamp(number / 1000, UTC)


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


def _int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def _currency(obj: dict) -> str | None:
    # The API names it currency_code on prices and currency_value on commissions.
    return obj.get("currency_code") or obj.get("currency_value")


@lru_cache(maxsize=65_536)
def _hashes(name: str | None, email: str | None, phone: str | None, salt: str) -> tuple:
    """Buyers come back (about a third of sales): cache their hashes."""
    return (pii.hash_email(name, salt) if name else None,  # same normalization as e-mails: trim + lower
            pii.hash_email(email, salt), pii.hash_phone(phone, salt))


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


def buyer_info(item: dict) -> tuple[str | None, BuyerInfo]:
    """The transaction and what /sales/users adds to a sale: buyer phone and address, the affiliate."""
    phone = city = state = country = aff_name = aff_ucode = None
    for participant in item.get("users") or ():
        user = participant.get("user") or {}
        role = participant.get("role")
        if role == "BUYER":
            phone = user.get("cellphone") or user.get("phone")
            address = user.get("address") or {}
            country = normalize_country(address.get("country"))
            city = (address.get("city") or "").strip() or None
            state = normalize_state(address.get("state"), country)
        elif role == "AFFILIATE":
            aff_name, aff_ucode = user.get("name"), user.get("ucode")
    return item.get("transaction"), (phone, city, state, country, aff_name, aff_ucode)


_NO_BUYER_INFO: BuyerInfo = (None, None, None, None, None, None)


def sale_row(item: dict, info: BuyerInfo | None, salt: str, window: tuple[datetime, datetime]) -> tuple:
    purchase = item.get("purchase") or {}
    transaction = purchase.get("transaction")
    if not transaction:
        raise RowError("missing purchase.transaction")
    order_date = ms_to_dt(purchase.get("order_date"), "purchase.order_date", required=True)
    if not (window[0] <= order_date < window[1]):  # type: ignore[operator]
        raise RowError(f"order_date {order_date.isoformat()} outside the requested window")  # type: ignore[union-attr]
    status = purchase.get("status")
    if not status:
        raise RowError("missing purchase.status")
    product = item.get("product") or {}
    product_id = _int(product.get("id"))
    if product_id is None:
        raise RowError("missing product.id")
    price_obj = purchase.get("price") or {}
    price = money(price_obj.get("value"), "purchase.price.value")
    if price < 0:
        raise RowError(f"negative price {price}")
    currency = _currency(price_obj)
    if not currency:
        raise RowError("missing purchase.price.currency_code")
    buyer = item.get("buyer") or {}
    producer = item.get("producer") or {}
    payment = purchase.get("payment") or {}
    offer = purchase.get("offer") or {}
    tracking = purchase.get("tracking") or {}
    fee = (purchase.get("hotmart_fee") or {}).get("total")
    phone, city, state, country, aff_name, aff_ucode = info or _NO_BUYER_INFO
    name_h, email_h, phone_h = _hashes(buyer.get("name"), buyer.get("email"), phone, salt)
    return (
        transaction, order_date, ms_to_dt(purchase.get("approved_date"), "purchase.approved_date"), status,
        product_id, product.get("name"), buyer.get("ucode"), name_h, email_h, phone_h, city, state, country,
        producer.get("name"), producer.get("ucode"), aff_name, aff_ucode, purchase.get("commission_as"),
        payment.get("type"), payment.get("method"), _int(payment.get("installments_number")), price,
        currency, None if fee in (None, "") else money(fee, "hotmart_fee.total"), offer.get("code"),
        offer.get("payment_mode"), purchase.get("is_subscription"), _int(purchase.get("recurrency_number")),
        tracking.get("source"), tracking.get("source_sck"),
        ms_to_dt(purchase.get("warranty_expire_date"), "purchase.warranty_expire_date"),
    )


assert len(HOTMART_SALES.columns) == 31, "sale_row builds its tuple positionally: keep it in sync"


def commission_rows(item: dict, sale_date: date) -> tuple[list[tuple], list[Reject]]:
    """One row per receiver of a transaction's commission; bad entries become rejects."""
    rows: list[tuple] = []
    rejects: list[Reject] = []
    transaction = item.get("transaction")
    product = item.get("product") or {}
    product_id = _int(product.get("id"))
    rate = item.get("exchange_rate_currency_payout")
    for entry in item.get("commissions") or ():
        user = entry.get("user") or {}
        try:
            if not transaction:
                raise RowError("missing transaction")
            if product_id is None:
                raise RowError("missing product.id")
            if not entry.get("source") or not user.get("ucode"):
                raise RowError("missing commission source or user.ucode")
            amount = entry.get("commission") or {}
            value = money(amount.get("value"), "commission.value")
            currency = _currency(amount)
            if not currency:
                raise RowError("missing commission.currency_value")
            rows.append((transaction, entry["source"], user["ucode"], user.get("name"), sale_date, product_id,
                         product.get("name"), value, currency, None if rate in (None, "") else Decimal(str(rate))))
        except RowError as exc:
            rejects.append(Reject(f"{transaction}:{entry.get('source')}", str(exc), item))
    return rows, rejects


assert len(HOTMART_COMMISSIONS.columns) == 10, "commission_rows builds its tuple positionally"
