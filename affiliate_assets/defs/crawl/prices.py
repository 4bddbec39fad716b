"""Prices the way shops write them: ``R$ 1.234,56``, ``12x de R$ 19,90``, ``de R$ 199,90 por R$ 149,90``.

Numbers and currency symbols are parsed by ``price-parser`` through ``lib/money.parse_price`` (it knows
``1.234,56`` from ``1,234.56``).
What it does not do is read the *role* of a price in a sentence — which amount is the instalment, which
the old "de" price and which the current "por" price — so that part is a few hand-written patterns here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from affiliate_assets.lib.money import CENT, MAX_AMOUNT, parse_price

# Symbols price-parser returns (or shops write) → ISO 4217. "$" alone is ambiguous; pt-BR shops mean R$.
SYMBOLS = {
    "R$": "BRL", "BRL": "BRL", "REAIS": "BRL", "REAL": "BRL",
    "US$": "USD", "USD": "USD", "U$": "USD", "$": "USD",
    "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "ARS": "ARS", "MXN": "MXN", "CLP": "CLP", "COP": "COP",
}
_MONEY = r"(?:R\$|US\$|U\$|\$|€|£|BRL|USD|EUR)\s*\d[\d.,]*\d|(?:R\$|US\$|\$|€|BRL)\s*\d"
_MONEY_RE = re.compile(_MONEY, re.I)
_INSTALLMENT_RE = re.compile(r"(\d{1,2})\s*[x×]\s*(?:de\s+)?(" + _MONEY + r")", re.I)
_FROM_TO_RE = re.compile(r"\bde:?\s*(" + _MONEY + r")\s*(?:[^\d]{0,20}?)\bpor:?\s*(" + _MONEY + r")", re.I)
_SCHEMA_NUMBER_RE = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_THOUSANDS_ONLY_RE = re.compile(r"^\s*\d{1,3}(?:\.\d{3})+\s*$")  # "1.234": a pt-BR thousand, not 1.234


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None  # ISO 4217, or None when the text names none


@dataclass(frozen=True)
class OfferText:
    """The prices one piece of text states, each in its role."""

    price: Money | None = None
    old_price: Money | None = None
    installments: int | None = None
    installment_price: Money | None = None
    installments_text: str | None = None


def currency_code(symbol: str | None) -> str | None:
    if not symbol:
        return None
    symbol = symbol.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", symbol):
        return SYMBOLS.get(symbol, symbol)
    return SYMBOLS.get(symbol)


def quantize(amount: Decimal | None) -> Decimal | None:
    """Round to cents; None for amounts a ``numeric(12,2)`` price cannot hold or that are not positive."""
    if amount is None:
        return None
    try:
        value = amount.quantize(CENT)
    except InvalidOperation:
        return None
    return value if Decimal(0) < value <= MAX_AMOUNT else None


def parse_money(text: object, currency_hint: str | None = None) -> Money | None:
    """One amount written for people: ``R$ 1.234,56``, ``1.299``, ``US$ 12.50``, ``149,9``."""
    parsed = parse_price(text, currency_hint=currency_hint)
    amount = quantize(parsed.amount)
    if amount is None:
        return None
    return Money(amount, currency_code(parsed.currency) or currency_code(currency_hint))


def parse_schema_price(value: object, currency: str | None = None) -> Money | None:
    """A price from structured data. schema.org says ``1234.56`` (dot decimal, no thousands); many
    Brazilian shops still write ``1.234,56`` or ``R$ 149,90`` there, so anything else is read as text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return _money_or_none(quantize(Decimal(str(value))), currency)
    text = str(value).strip()
    if _SCHEMA_NUMBER_RE.match(text) and not _THOUSANDS_ONLY_RE.match(text):
        return _money_or_none(quantize(Decimal(text)), currency)
    money = parse_money(text, currency_hint=currency)
    if money and currency and not money.currency:
        money = Money(money.amount, currency_code(currency))
    return money


def _money_or_none(amount: Decimal | None, currency: str | None) -> Money | None:
    return Money(amount, currency_code(currency)) if amount is not None else None


def parse_offer_text(text: str | None) -> OfferText:
    """Read the roles of the amounts in an offer text.

    ``de R$ 199,90 por R$ 149,90 ou 12x de R$ 12,49`` → price 149.90, old 199.90, 12 × 12.49. An amount
    that is only an instalment is never taken as the price. With several plain amounts and no "de/por",
    the last one is the price (shops print the struck-through old price first).
    """
    if not text:
        return OfferText()
    text = " ".join(text.split())
    installments = installment_price = installments_text = None
    consumed: list[tuple[int, int]] = []
    match = _INSTALLMENT_RE.search(text)
    if match:
        installments = int(match.group(1))
        installment_price = parse_money(match.group(2))
        installments_text = _installment_phrase(text, match)
        consumed.append(match.span())
    price = old_price = None
    from_to = _FROM_TO_RE.search(text)
    if from_to and not _overlaps(from_to.span(), consumed):
        old_price, price = parse_money(from_to.group(1)), parse_money(from_to.group(2))
        consumed.append(from_to.span())
    if price is None:
        plain = [m for m in _MONEY_RE.finditer(text) if not _overlaps(m.span(), consumed)]
        amounts = [a for a in (parse_money(m.group(0)) for m in plain) if a is not None]
        if amounts:
            price = amounts[-1]
            if len(amounts) >= 2 and amounts[-2].amount > price.amount:
                old_price = amounts[-2]
    if price is None and installment_price is not None and installments == 1:
        price = installment_price
    return OfferText(price, old_price, installments, installment_price, installments_text)


def _installment_phrase(text: str, match: re.Match) -> str:
    """The instalment offer with its qualifier: ``12x de R$ 19,90 sem juros``."""
    tail = re.match(r"\s*(sem juros|com juros|s/ juros|sem acr[ée]scimo)", text[match.end():], re.I)
    return (match.group(0) + (" " + tail.group(1) if tail else "")).strip()


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)

