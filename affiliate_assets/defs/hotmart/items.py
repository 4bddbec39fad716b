"""The Hotmart API's item shapes, as msgspec structs holding only the fields we load.

Why msgspec and not ``orjson.loads`` into dicts: a typed decoder skips the fields we never read (documents,
locale, zip codes, ...) without building objects for them and fills slotted structs instead of nested dicts,
which is ~3x cheaper per sale (3.5 vs 10-13 µs measured on 500-item history pages), and the structs are
declared ``gc=False`` (JSON cannot make cycles) so a million of them never trigger the cyclic GC.

Scalars are typed ``Any`` on purpose: the real API is untidy (ids and numbers as strings, ``currency_code``
vs ``currency_value``), and the row mapping (:mod:`.rows`) validates each value and turns a bad one into a
reject for that item only. Only the *shape* is checked here (an object where an object belongs); a page whose
shape is off is decoded again item by item (:func:`decode_page`) so one odd item becomes one reject, not a
failed page. Truncated or invalid JSON stays a hard error (:class:`MalformedResponseError`): nothing of a
window is written from a page we could not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from affiliate_assets.lib.http import MalformedResponseError

T = TypeVar("T")


class _Obj(msgspec.Struct, gc=False):
    """Base of the item structs: untracked by the GC; unknown fields are skipped."""


class Named(_Obj):
    """``product``, ``producer``, a commission's ``user``: whichever of id/name/ucode the API sends."""

    id: Any = None
    name: Any = None
    ucode: Any = None


class BuyerRef(_Obj):
    name: Any = None
    ucode: Any = None
    email: Any = None


class Amount(_Obj):
    """A money value: ``currency_code`` on prices, ``currency_value`` on commissions."""

    value: Any = None
    currency_code: Any = None
    currency_value: Any = None

    @property
    def currency(self) -> Any:
        return self.currency_code or self.currency_value


class Payment(_Obj):
    type: Any = None
    method: Any = None
    installments_number: Any = None


class Offer(_Obj):
    code: Any = None
    payment_mode: Any = None


class Tracking(_Obj):
    source: Any = None
    source_sck: Any = None


class Fee(_Obj):
    total: Any = None


class Purchase(_Obj):
    transaction: Any = None
    order_date: Any = None
    approved_date: Any = None
    status: Any = None
    recurrency_number: Any = None
    is_subscription: Any = None
    commission_as: Any = None
    warranty_expire_date: Any = None
    price: Amount | None = None
    payment: Payment | None = None
    offer: Offer | None = None
    tracking: Tracking | None = None
    hotmart_fee: Fee | None = None


class HistoryItem(_Obj):
    """An item of ``GET /payments/api/v1/sales/history``."""

    product: Named | None = None
    buyer: BuyerRef | None = None
    producer: Named | None = None
    purchase: Purchase | None = None


class Address(_Obj):
    city: Any = None
    state: Any = None
    country: Any = None


class User(_Obj):
    ucode: Any = None
    name: Any = None
    cellphone: Any = None
    phone: Any = None
    address: Address | None = None


class Participant(_Obj):
    role: Any = None
    user: User | None = None


class UsersItem(_Obj):
    """An item of ``GET /payments/api/v1/sales/users``: the people of one transaction, by role."""

    transaction: Any = None
    users: list[Participant] | None = None


class Commission(_Obj):
    source: Any = None
    user: Named | None = None
    commission: Amount | None = None


class CommissionsItem(_Obj):
    """An item of ``GET /payments/api/v1/sales/commissions``: who earned what on one transaction."""

    transaction: Any = None
    product: Named | None = None
    exchange_rate_currency_payout: Any = None
    commissions: list[Commission] | None = None


class PageInfo(_Obj):
    total_results: Any = None
    next_page_token: Any = None


class Page(msgspec.Struct, Generic[T], gc=False):
    items: list[T] | None = None
    page_info: PageInfo | None = None


class _LoosePage(msgspec.Struct, gc=False):
    items: list[Any] | None = None
    page_info: PageInfo | None = None


@dataclass(frozen=True, slots=True)
class BadItem:
    """An item whose shape is not the API's (e.g. a string where an object belongs): becomes a reject."""

    raw: Any
    reason: str


ITEM_TYPES: dict[str, type] = {"history": HistoryItem, "users": UsersItem, "commissions": CommissionsItem}
_DECODERS = {name: msgspec.json.Decoder(Page[cls]) for name, cls in ITEM_TYPES.items()}  # type: ignore[valid-type]
_LOOSE = msgspec.json.Decoder(_LoosePage)
_EMPTY: list = []


def decode_page(endpoint: str, body: bytes, url: str = "") -> tuple[list, int | None, str | None]:
    """``(items, total_results, next_page_token)`` of a sales page; odd items come back as :class:`BadItem`."""
    try:
        page = _DECODERS[endpoint].decode(body)
    except msgspec.ValidationError:
        page = _decode_loose(endpoint, body, url)
    except msgspec.DecodeError as exc:
        raise MalformedResponseError(f"GET {url} returned malformed JSON ({len(body)} bytes): {exc}",
                                     url=url, body=body[:500].decode("utf-8", "replace")) from exc
    info = page.page_info
    total = _int_or_none(info.total_results) if info else None
    token = (info.next_page_token or None) if info else None
    return page.items or _EMPTY, total, token if token is None else str(token)


def _decode_loose(endpoint: str, body: bytes, url: str) -> Any:
    """Slow path for a page with an odd item: each item converted on its own, the odd ones kept as BadItem."""
    try:
        loose = _LOOSE.decode(body)
    except msgspec.ValidationError as exc:  # the page itself is not {"items": [...], "page_info": {...}}
        raise MalformedResponseError(f"GET {url}: expected an object with 'items' and 'page_info': {exc}",
                                     url=url, body=body[:500].decode("utf-8", "replace")) from exc
    except msgspec.DecodeError as exc:
        raise MalformedResponseError(f"GET {url} returned malformed JSON ({len(body)} bytes): {exc}",
                                     url=url, body=body[:500].decode("utf-8", "replace")) from exc
    cls = ITEM_TYPES[endpoint]
    items = []
    for raw in loose.items or _EMPTY:
        try:
            items.append(msgspec.convert(raw, cls))
        except msgspec.ValidationError as exc:
            items.append(BadItem(raw, f"unexpected item shape: {exc}"))
    loose.items = items
    return loose


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
