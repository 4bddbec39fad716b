"""pt-BR money written and read one way: what reports show, what fakes print, what parsers read back."""

from decimal import Decimal, InvalidOperation

import pytest

from affiliate_assets.lib.money import MAX_AMOUNT, format_brl, format_number, parse_decimal, parse_price


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (1234.5, 1, "1.234,5"),
    (Decimal("1234567.891"), 2, "1.234.567,89"),
    (0.456, 2, "0,46"),
    (4800, 0, "4.800"),
    (Decimal("4.7"), 1, "4,7"),
    (-1234.5, 2, "-1.234,50"),
    (None, 2, "—"),
])
def test_format_number_swaps_separators(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1234.56"), "R$ 1.234,56"),
    (19.9, "R$ 19,90"),
    (0, "R$ 0,00"),
    (Decimal("-12.3"), "-R$ 12,30"),  # the sign goes before the symbol, as Brazilian spreadsheets write it
    (MAX_AMOUNT, "R$ 9.999.999.999,99"),
    (None, "—"),
])
def test_format_brl(value, expected):
    assert format_brl(value) == expected


@pytest.mark.parametrize("amount", [Decimal("0.01"), Decimal("19.90"), Decimal("1234.56"), Decimal("987654.32")])
def test_what_format_brl_writes_parse_price_reads_back(amount):
    text = format_brl(amount)
    assert parse_price(text).amount == amount
    assert parse_price(text).currency == "R$"
    assert parse_decimal(text) == amount


@pytest.mark.parametrize(("text", "kwargs", "amount", "currency"), [
    ("R$ 1.234,56", {}, Decimal("1234.56"), "R$"),
    ("US$ 12.50", {}, Decimal("12.50"), "US$"),
    ("  R$\n149,9 ", {}, Decimal("149.90"), "R$"),  # whitespace as HTML leaves it
    ("1.299", {}, Decimal("1299.00"), None),  # a pt-BR thousand, not 1.299
    ("12,345", {"decimal_separator": ","}, Decimal("12.34"), None),  # half-even to cents (12.345 → 12.34)
    ("sem preço", {}, None, None),
    ("", {}, None, None),
    (None, {}, None, None),
])
def test_parse_price_reads_prices_as_shops_write_them(text, kwargs, amount, currency):
    parsed = parse_price(text, **kwargs)
    assert parsed.amount == amount
    assert parsed.currency == currency


@pytest.mark.parametrize(("token", "amount"), [
    ("1.234,56", Decimal("1234.56")),
    ("1 234,56", Decimal("1234.56")),  # OCR reads the thin thousands separator as a space
    ("49,90", Decimal("49.90")),
    ("197", Decimal("197.00")),
])
def test_parse_price_reads_screen_tokens_with_a_forced_decimal_comma(token, amount):
    assert parse_price(token, decimal_separator=",").amount == amount


@pytest.mark.parametrize(("value", "expected"), [
    ("149,90", Decimal("149.90")),
    ("R$ 1.234,56", Decimal("1234.56")),
    ("1234.56", Decimal("1234.56")),
    ("0,3", Decimal("0.3")),
    ("0.3", Decimal("0.3")),
    (Decimal("4.5"), Decimal("4.5")),
    (12, Decimal("12")),
    ("", None),
    (None, None),
])
def test_parse_decimal(value, expected):
    assert parse_decimal(value) == expected


def test_parse_decimal_raises_on_junk_unless_told_not_to():
    with pytest.raises(InvalidOperation):
        parse_decimal("doze reais")
    assert parse_decimal("doze reais", strict=False) is None
