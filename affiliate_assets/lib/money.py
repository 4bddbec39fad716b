"""Brazilian money and numbers, read and written one way: ``R$ 1.234,56`` (dot thousands, decimal comma).

Writing: :func:`format_number` and :func:`format_brl` for every pt-BR text the project shows (metadata
previews, recommendation sentences, forecast reports) or fakes (shop pages, screenshots, sample files).
Python's format mini-language has no locale-free pt-BR mode and ``locale`` is process-global (and the
``pt_BR`` locale is often not installed), hence the separator swap.

Reading: :func:`parse_price` wraps ``price-parser`` for amounts written for people (it tells ``1.234,56``
from ``1,234.56``, reads the space OCR makes of a thin thousands separator, knows the currency symbols).
:func:`parse_decimal` reads the plain numbers of typed files (``149,90``, ``0,3``, ``R$ 1.234,56``,
``1234.56``). Sales files decide their separators once per *file* (see ``defs/sales_files/parsing.py``)
and keep their own fast reader; they share the bounds below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # the largest numeric(12,2): every money column of the warehouse
MISSING = "—"


def format_number(value: float | Decimal | int | None, decimals: int = 2) -> str:
    """``1.234,5`` style: dots for thousands, comma for decimals; ``—`` for a missing value."""
    if value is None:
        return MISSING
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_brl(value: float | Decimal | int | None) -> str:
    """``R$ 1.234,56``; negatives as Brazilian spreadsheets and banks write them, ``-R$ 12,30``."""
    if value is None:
        return MISSING
    text = format_number(value, 2)
    return f"-R$ {text[1:]}" if text.startswith("-") else f"R$ {text}"


@dataclass(frozen=True)
class ParsedPrice:
    amount: Decimal | None  # rounded to cents; None when the text holds no number
    currency: str | None  # the symbol or code as written ("R$", "US$", "BRL"), None when none is


def parse_price(text: object, *, currency_hint: str | None = None,
                decimal_separator: str | None = None) -> ParsedPrice:
    """An amount as shops and apps print it (``R$ 1.234,56``, ``1.299``, ``US$ 12.50``, ``149,9``).

    ``decimal_separator``: force it when the source is known to be pt-BR (price-parser guesses from the
    text otherwise). Spaces inside a number are thousands separators (``1 234,56``, as OCR reads a thin
    space). The amount is rounded to cents (half-even) but not range-checked: callers decide whether zero
    or huge amounts are errors.
    """
    from price_parser import Price  # imported here: the code location must load fast

    if text is None:
        return ParsedPrice(None, None)
    text = " ".join(str(text).split())
    if not text:
        return ParsedPrice(None, None)
    parsed = Price.fromstring(text, currency_hint=currency_hint, decimal_separator=decimal_separator)
    amount = parsed.amount
    if amount is not None:
        try:
            amount = amount.quantize(CENT)
        except InvalidOperation:  # more digits than the decimal context holds: not a price
            amount = None
    return ParsedPrice(amount, parsed.currency)


def parse_decimal(value: object, *, strict: bool = True) -> Decimal | None:
    """A number typed by a person or a tool: ``149,90`` / ``1.234,56`` (pt-BR, a comma means decimal
    comma), ``1234.56``, ``0.3``, an optional ``R$``. Empty → None. Unreadable text raises
    ``InvalidOperation`` (the caller's reject reason), or returns None with ``strict=False``."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value).replace("R$", "").strip()
    if "," in text:  # pt-BR: 1.234,56
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        if strict:
            raise
        return None
