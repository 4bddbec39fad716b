"""Reading sales files as people really send them: CSV or XLSX, any of the usual encodings, delimiters,
number and date conventions, and the header variants of the "Sample - Superstore" dataset and its
Portuguese translations.

Everything about a file's conventions is decided once per file, from the file's own data, and reported in
a :class:`FileProfile` (which lands in ``raw.sales_files``):

- encoding: BOM first; else a strict UTF-8 decode of the whole file (cheap, and the only way to be sure);
  else ``charset-normalizer`` limited to the single-byte code pages Brazilian tools write;
- header row and delimiter together: the (line, delimiter) pair whose cells name the most known columns
  wins. Header recognition beats ``csv.Sniffer``/clevercsv here because a decimal comma inside a
  ``;``-separated file fools frequency-based sniffers, while our header names never lie;
- decimal and thousands separators from votes over the money cells (``1.234,56`` is decisive, ``1,234``
  is not); ties go to the locale hint (``;`` delimiter or Portuguese headers → decimal comma);
- day-first vs month-first from the date cells: a first field > 12 means day-first, a second field > 12
  month-first; all ambiguous → the same locale hint; the reason is recorded.

Rows then go through :class:`RowNormalizer`, which returns a typed tuple for ``raw.sales_history`` or a
:class:`Reject` with the reason. Customer names and e-mails never leave it in clear (salted hashes).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

from affiliate_assets.defs.sales_files.tables import SALES_HISTORY
from affiliate_assets.lib import pii
from affiliate_assets.lib.money import CENT, MAX_AMOUNT
from affiliate_assets.lib.warehouse import Reject

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN_LINES = 15
READ_CHUNK = 1 << 20

# The project's own export format: every business column of raw.sales_history, ISO dates, '.' decimals,
# UTF-8, ',' delimiter. Files in it skip the per-row path and stream straight to COPY (see ingest.py).
EXPORT_COLUMNS: tuple[str, ...] = (
    "order_id", "order_line", "order_date", "ship_date", "ship_mode", "status", "payment_type",
    "customer_id", "customer_name_hash", "customer_email_hash", "segment", "country", "city", "state",
    "postal_code", "region", "product_id", "category", "sub_category", "product_name", "sales", "quantity",
    "discount", "profit", "commission", "currency",
)

# field -> (English / Superstore names, Portuguese names), compared after normalize_header().
ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "row_id": (("row id", "row"), ("id da linha", "linha")),
    "order_id": (("order id", "order", "order number", "transaction"),
                 ("id do pedido", "pedido", "numero do pedido", "n do pedido", "codigo do pedido", "transacao")),
    "order_line": (("order line", "line"), ("item do pedido", "item")),
    "order_date": (("order date", "date", "purchase date"),
                   ("data do pedido", "data", "data da venda", "data da compra", "data de compra")),
    "ship_date": (("ship date", "shipping date"), ("data de envio", "data do envio", "data de entrega")),
    "ship_mode": (("ship mode", "shipping mode"), ("modo de envio", "forma de envio", "tipo de envio")),
    "status": (("status", "order status"), ("situacao", "status do pedido")),
    "payment_type": (("payment type", "payment method", "payment"),
                     ("forma de pagamento", "metodo de pagamento", "pagamento", "tipo de pagamento")),
    "customer_id": (("customer id",), ("id do cliente", "codigo do cliente")),
    "customer_name": (("customer name", "customer"), ("nome do cliente", "cliente", "comprador")),
    "customer_email": (("customer email", "email", "e mail"), ("email do cliente", "email do comprador")),
    "customer_name_hash": (("customer name hash",), ()),
    "customer_email_hash": (("customer email hash",), ()),
    "segment": (("segment",), ("segmento",)),
    "country": (("country", "country region"), ("pais", "pais regiao")),
    "city": (("city",), ("cidade", "municipio")),
    "state": (("state", "state province", "province"), ("estado", "uf", "estado provincia")),
    "postal_code": (("postal code", "zip", "zip code", "postcode"), ("cep", "codigo postal")),
    "region": (("region",), ("regiao",)),
    "product_id": (("product id", "sku"), ("id do produto", "codigo do produto", "cod produto")),
    "category": (("category",), ("categoria",)),
    "sub_category": (("sub category", "subcategory"), ("subcategoria", "sub categoria")),
    "product_name": (("product name", "product"), ("nome do produto", "produto", "descricao do produto")),
    "sales": (("sales", "revenue", "amount", "total"),
              ("valor", "vendas", "venda", "valor total", "receita", "valor da venda", "total")),
    "quantity": (("quantity", "qty", "units"), ("quantidade", "qtd", "qtde", "unidades")),
    "discount": (("discount",), ("desconto",)),
    "profit": (("profit",), ("lucro",)),
    "commission": (("commission",), ("comissao", "valor da comissao")),
    "currency": (("currency",), ("moeda",)),
}
_ALIAS_INDEX: dict[str, tuple[str, str]] = {}
for _field, (_en, _pt) in ALIASES.items():
    for _name in _en:
        _ALIAS_INDEX.setdefault(_name, (_field, "en"))
    for _name in _pt:
        _ALIAS_INDEX.setdefault(_name, (_field, "pt"))
    _ALIAS_INDEX.setdefault(_field.replace("_", " "), (_field, "en"))

REQUIRED_FIELDS = ("order_id", "order_date", "sales", "quantity")
MONEY_FIELDS = ("sales", "profit", "commission")
DATE_FIELDS = ("order_date", "ship_date")
EARLIEST_ORDER = date(1990, 1, 1)
MONEY_VOTES_ENOUGH = 5000  # decisive separator votes after which a file's number style is settled
_PLAIN = {".": re.compile(r"-?\d+(?:\.\d+)?"), ",": re.compile(r"-?\d+(?:,\d+)?")}


class UnreadableFile(ValueError):
    """The file is not a sales file we can read (no recognisable header, wrong format)."""


def normalize_header(name: object) -> str:
    """``'Sub-Category'`` → ``'sub category'``, ``'Data do Pedido'`` → ``'data do pedido'``,
    ``'order_id'`` → ``'order id'``, ``'\\ufeffRow ID'`` → ``'row id'``."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def map_header(cells: Sequence[object]) -> tuple[dict[str, int], dict[str, int]]:
    """Map header cells to fields: ``({field: column index}, {"en": n, "pt": n})``; first match wins."""
    columns: dict[str, int] = {}
    langs = {"en": 0, "pt": 0}
    for i, cell in enumerate(cells):
        hit = _ALIAS_INDEX.get(normalize_header(cell))
        if hit and hit[0] not in columns:
            columns[hit[0]] = i
            langs[hit[1]] += 1
    return columns, langs


# --------------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """The file's text encoding: BOM, else strict UTF-8 over the whole file, else charset-normalizer."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(READ_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        sample = fh.read(READ_CHUNK)
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp850"]).best()
    encoding = best.encoding if best else "cp1252"
    if encoding in ("latin_1", "iso8859_15"):
        # Latin-1 maps 0x80-0x9F to control characters nobody types; Windows tools mean cp1252 there.
        try:
            sample.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError:
            pass
    return encoding.replace("_", "-")


def find_header(lines: Sequence[str]) -> tuple[int, str, list[str]]:
    """(index of the header line, delimiter, header cells) for the first lines of a CSV."""
    best: tuple[int, int, int, str, list[str]] | None = None
    for index, line in enumerate(lines[:HEADER_SCAN_LINES]):
        for delimiter in DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            columns, _ = map_header(cells)
            score = (len(columns), -index)
            if columns and (best is None or score > (best[0], best[1])):
                best = (len(columns), -index, index, delimiter, cells)
    if best is None or best[0] < 2:
        raise UnreadableFile("no header row naming known sales columns in the first lines")
    return best[2], best[3], best[4]


def _money_vote(text: str) -> str | None:
    """Which decimal separator this money text proves ('.' or ','), or None when it proves nothing."""
    digits = _strip_money(text)
    has_comma, has_dot = "," in digits, "." in digits
    if has_comma and has_dot:
        return "," if digits.rfind(",") > digits.rfind(".") else "."
    sep = "," if has_comma else "." if has_dot else None
    if sep is None:
        return None
    if digits.count(sep) > 1:  # 1.234.567 → that one is the thousands separator
        return "," if sep == "." else "."
    return None if len(digits) - digits.rfind(sep) - 1 == 3 else sep


_MONEY_NOISE = re.compile(r"(?i)r\$|us\$|brl|usd|\$|\s|\u00a0|%")


def _strip_money(text: str) -> str:
    return _MONEY_NOISE.sub("", text).strip("()+-")


_DATE_RE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


def decide_date_order(samples: Sequence[str], pt_hint: bool) -> tuple[str, str]:
    """``(DMY|MDY|YMD, reason)`` from the file's date strings (see module docstring)."""
    first_big = second_big = None
    n_first = n_second = n_iso = n_other = 0
    for text in samples:
        m = _DATE_RE.match(text)
        if not m:
            continue
        a, b, _ = m.groups()
        if len(a) == 4:
            n_iso += 1
        elif int(a) > 12:
            n_first += 1
            first_big = first_big or text.strip()
        elif int(b) > 12:
            n_second += 1
            second_big = second_big or text.strip()
        else:
            n_other += 1
    if n_first and n_second:
        order = "DMY" if n_first >= n_second else "MDY"
        return order, (f"conflicting: {n_first} values day-first (e.g. {first_big}), {n_second} month-first "
                       f"(e.g. {second_big}); majority {order}, the others are rejected")
    if n_first:
        return "DMY", f"day-first: a first field > 12 ({first_big})"
    if n_second:
        return "MDY", f"month-first: a second field > 12 ({second_big})"
    if n_iso and not n_other:
        return "YMD", "ISO dates (year first)"
    if not n_other:
        return "YMD", "no text dates (typed cells)"
    if pt_hint:
        return "DMY", "ambiguous (no field > 12); pt-BR hint (decimal comma, ';' or Portuguese headers) → day-first"
    return "MDY", "ambiguous (no field > 12); no pt-BR hint → month-first (Superstore/US)"


# --------------------------------------------------------------------------------------------------
# The file profile and row sources
# --------------------------------------------------------------------------------------------------


@dataclass
class FileProfile:
    """What was decided about one file; lands in ``raw.sales_files``."""

    path: Path
    file_format: str  # csv | xlsx
    header: list[str]
    columns: dict[str, int]
    layout: str  # export | superstore | pt_br
    header_line: int  # 1-based physical line (CSV) or sheet row (XLSX) of the header
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    decimal_separator: str = "."
    thousands_separator: str | None = None
    date_order: str = "YMD"
    date_order_reason: str = ""
    currency: str = "BRL"
    currency_reason: str = "no currency stated; the inbox is BRL"
    blank_lines: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def pt_hint(self) -> bool:
        return self.layout == "pt_br" or self.delimiter == ";"

    def describe(self) -> dict[str, Any]:
        return {
            "format": self.file_format, "layout": self.layout, "encoding": self.encoding,
            "delimiter": {"\t": "tab"}.get(self.delimiter or "", self.delimiter), "sheet": self.sheet,
            "decimal": self.decimal_separator, "thousands": self.thousands_separator,
            "date_order": self.date_order, "date_order_reason": self.date_order_reason,
            "currency": self.currency, "blank_lines": self.blank_lines,
        }


def _layout(columns: dict[str, int], header: Sequence[str], langs: dict[str, int]) -> str:
    if tuple(normalize_header(h).replace(" ", "_") for h in header) == EXPORT_COLUMNS:
        return "export"
    return "pt_br" if langs["pt"] > langs["en"] else "superstore"


def _csv_rows(profile: FileProfile) -> Iterator[tuple[int, list[str]]]:
    """(physical line number, cells) for every record after the header."""
    with profile.path.open(encoding=profile.encoding, newline="", errors="strict") as fh:
        reader = csv.reader(fh, delimiter=profile.delimiter or ",")
        previous = 0
        for cells in reader:
            line = previous + 1
            previous = reader.line_num
            if line <= profile.header_line:
                continue
            yield line, cells


def _workbook(path: Path):
    """The workbook, or :class:`UnreadableFile` for a corrupt or password-protected one."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types (zip, xml, encryption)
        raise UnreadableFile(f"cannot open workbook: {exc}") from None


def _xlsx_rows(profile: FileProfile) -> Iterator[tuple[int, list[Any]]]:
    workbook = _workbook(profile.path)
    sheet = workbook.get_sheet_by_name(profile.sheet or workbook.sheet_names[0])
    for index, cells in enumerate(sheet.iter_rows(), start=1):
        if index > profile.header_line:
            yield index, list(cells)


def iter_rows(profile: FileProfile) -> Iterator[tuple[int, list[Any]]]:
    """Records after the header (blank ones included; the normalizer counts and skips them)."""
    return _xlsx_rows(profile) if profile.file_format == "xlsx" else _csv_rows(profile)


def _is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    with path.open("rb") as fh:  # a workbook renamed .csv is still a zip (or an OLE2 .xls)
        return fh.read(4) in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def open_profile(path: Path) -> FileProfile:
    """Recognise the file's format, encoding, header and delimiter (number and date conventions come from
    :func:`profile_values`, which needs a pass over the data)."""
    if _is_xlsx(path):
        workbook = _workbook(path)
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            for index, cells in enumerate(islice(sheet.iter_rows(), HEADER_SCAN_LINES), start=1):
                columns, langs = map_header(cells)
                if len(columns) >= 2 and all(f in columns for f in ("order_id", "order_date")):
                    header = [str(c) for c in cells]
                    return FileProfile(path, "xlsx", header, columns, _layout(columns, header, langs), index,
                                       sheet=sheet_name)
        raise UnreadableFile("no sheet has a header row naming known sales columns")
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        head = fh.read(64 * 1024)
    lines = head.splitlines()
    index, delimiter, header = find_header(lines)
    columns, langs = map_header(header)
    # Physical line of the header: count the lines before it (none of them holds a quoted newline).
    return FileProfile(path, "csv", header, columns, _layout(columns, header, langs), index + 1,
                       encoding=encoding, delimiter=delimiter)


def check_required(profile: FileProfile) -> None:
    missing = [f for f in REQUIRED_FIELDS if f not in profile.columns]
    if missing:
        raise UnreadableFile(f"missing required columns {missing}; header was {profile.header}")


def profile_values(profile: FileProfile, rows: Iterator[tuple[int, list[Any]]] | None = None) -> None:
    """First pass over the data: decimal/thousands separators, currency and date order, decided from the
    file's own values. Distinct date strings are few (days), so this stays small for any file size."""
    money_idx = [profile.columns[f] for f in MONEY_FIELDS if f in profile.columns]
    date_idx = [profile.columns[f] for f in DATE_FIELDS if f in profile.columns]
    votes = {",": 0, ".": 0}
    seps: set[str] = set()
    currencies = {"BRL": 0, "USD": 0}
    dates: set[str] = set()
    for _, cells in rows if rows is not None else iter_rows(profile):
        for i in money_idx if votes[","] + votes["."] < MONEY_VOTES_ENOUGH else ():
            if i < len(cells) and isinstance(cells[i], str) and cells[i]:
                text = cells[i]
                vote = _money_vote(text)
                if vote:
                    votes[vote] += 1
                seps.update(c for c in ",." if c in text)
                if "R$" in text:
                    currencies["BRL"] += 1
                elif "$" in text:
                    currencies["USD"] += 1
        for i in date_idx:
            if i < len(cells) and isinstance(cells[i], str) and cells[i] and len(dates) < 20000:
                dates.add(cells[i])
    if votes[","] != votes["."]:
        profile.decimal_separator = "," if votes[","] > votes["."] else "."
    else:
        profile.decimal_separator = "," if profile.pt_hint else "."
    other = "." if profile.decimal_separator == "," else ","
    profile.thousands_separator = other if other in seps else None
    if currencies["USD"] > currencies["BRL"]:
        profile.currency, profile.currency_reason = "USD", "values prefixed with $"
    elif currencies["BRL"]:
        profile.currency, profile.currency_reason = "BRL", "values prefixed with R$"
    profile.date_order, profile.date_order_reason = decide_date_order(sorted(dates), profile.pt_hint)


# --------------------------------------------------------------------------------------------------
# Row normalization
# --------------------------------------------------------------------------------------------------


class RowError(ValueError):
    """A cell that cannot be read; the message is the reject reason."""


def _two_digit_year(year: int) -> int:
    return year + (2000 if year < 70 else 1900) if year < 100 else year


class RowNormalizer:
    """Turns raw cells into a ``raw.sales_history`` tuple (``SALES_HISTORY.column_names`` order) or a
    :class:`Reject`. Holds the per-file caches (dates, name hashes) and the order-line counters."""

    def __init__(self, profile: FileProfile, *, file_hash: str, source_file: str, salt: str,
                 today: date | None = None) -> None:
        self.p = profile
        self.file_hash = file_hash
        self.source_file = source_file
        self.salt = salt
        self.latest = (today or date.today()) + timedelta(days=1)
        self._dates: dict[str, date] = {}
        self._hashes: dict[tuple[str, str], str | None] = {}
        self._lines: dict[str, int] = {}
        self.blank_lines = 0
        self._decimal = profile.decimal_separator
        self._plain = _PLAIN[profile.decimal_separator]
        self._thousands = profile.thousands_separator
        self._width = max(profile.columns.values()) + 1
        self._fields = list(profile.columns.items())
        self._columns = SALES_HISTORY.column_names

    # -- cells ---------------------------------------------------------------------------------------
    def _date(self, value: Any, what: str) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial day number
            return date(1899, 12, 30) + timedelta(days=int(value))
        text = str(value).strip()
        cached = self._dates.get(text)
        if cached is not None:
            return cached
        m = _DATE_RE.match(text)
        if not m:
            raise RowError(f"unrecognised {what} {text!r}")
        a, b, c = (int(g) for g in m.groups())
        if len(m.group(1)) == 4:
            y, mo, d = a, b, c
        elif self.p.date_order == "MDY":
            mo, d, y = a, b, _two_digit_year(c)
        else:
            d, mo, y = a, b, _two_digit_year(c)
        try:
            parsed = date(y, mo, d)
        except ValueError as exc:
            raise RowError(f"invalid {what} {text!r} as {self.p.date_order}: {exc}") from None
        self._dates[text] = parsed
        return parsed

    def _decimal_value(self, value: Any, what: str) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise RowError(f"{what} is a boolean")
        if isinstance(value, (int, float)):
            return Decimal(repr(value))
        text = str(value).strip()
        if self._plain.fullmatch(text):  # the common case: no symbol, no thousands separator
            return Decimal(text.replace(",", ".") if self._decimal == "," else text)
        if not text or text in ("-", "--"):
            return None
        negative = text.startswith(("-", "(")) or text.endswith("-") or "-R$" in text or "R$-" in text.replace(" ", "")
        digits = _strip_money(text).replace("-", "")
        if self._thousands:
            digits = digits.replace(self._thousands, "")
        if self._decimal == ",":
            digits = digits.replace(",", ".")
        if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", digits):
            raise RowError(f"unreadable {what} {text!r}")
        number = Decimal(digits)
        return -number if negative else number

    def _money(self, value: Any, what: str) -> Decimal | None:
        number = self._decimal_value(value, what)
        if number is None:
            return None
        number = number.quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(number) > MAX_AMOUNT:
            raise RowError(f"{what} {number} out of range")
        return number

    def _quantity(self, value: Any) -> int:
        number = self._decimal_value(value, "quantity")
        if number is None:
            raise RowError("missing quantity")
        if number != number.to_integral_value():
            raise RowError(f"quantity {value!r} is not a whole number")
        if number <= 0:
            raise RowError(f"quantity {value!r} must be positive")
        if number > 1_000_000:
            raise RowError(f"quantity {value!r} out of range")
        return int(number)

    def _discount(self, value: Any) -> Decimal | None:
        percent = isinstance(value, str) and "%" in value
        number = self._decimal_value(value, "discount")
        if number is None:
            return None
        if percent:
            number = number / 100
        if not (0 <= number <= 1):
            raise RowError(f"discount {value!r} is not a fraction 0..1 or a percentage")
        return number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def _hash(self, kind: str, value: Any) -> str | None:
        text = _text(value)
        if text is None:
            return None
        key = (kind, text)
        if key not in self._hashes:
            # Names use the e-mail normalization (trim, lower-case) after collapsing inner whitespace.
            self._hashes[key] = pii.hash_email(" ".join(text.split()), self.salt)
        return self._hashes[key]

    # -- rows ----------------------------------------------------------------------------------------
    def normalize(self, line_number: int, cells: Sequence[Any]) -> tuple | Reject | None:
        """The row as a table tuple, a Reject, or None for a blank line (counted in ``blank_lines``)."""
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            self.blank_lines += 1
            return None
        raw = {f: (cells[i] if i < len(cells) else None) for f, i in self._fields}
        try:
            if len(cells) < self._width:
                raise RowError(f"row has {len(cells)} fields, the header has {len(self.p.header)}")
            return self._row(line_number, raw)
        except RowError as exc:
            return Reject(key=f"{self.source_file}:{line_number}", reason=str(exc),
                          payload=self._payload(raw), line_number=line_number)
        except (InvalidOperation, ArithmeticError) as exc:
            return Reject(key=f"{self.source_file}:{line_number}", reason=f"unreadable number: {exc!r}",
                          payload=self._payload(raw), line_number=line_number)

    def _payload(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The rejected row for a human to fix, without personal data in clear."""
        out = {k: (v if isinstance(v, (str, int, float)) or v is None else str(v)) for k, v in raw.items()}
        for kind in ("customer_name", "customer_email"):
            if kind in out:
                out[kind + "_hash"] = self._hash(kind, out.pop(kind))
        return out

    def _row(self, line_number: int, raw: dict[str, Any]) -> tuple:
        order_id = _text(raw.get("order_id"))
        if order_id is None:
            raise RowError("missing order id")
        order_date = self._date(raw.get("order_date"), "order date")
        if order_date is None:
            raise RowError("missing order date")
        if not (EARLIEST_ORDER <= order_date <= self.latest):
            raise RowError(f"order date {order_date} out of range")
        ship_date = self._date(raw.get("ship_date"), "ship date")
        if ship_date is not None and ship_date < order_date:
            raise RowError(f"ship date {ship_date} before order date {order_date}")
        sales = self._money(raw.get("sales"), "sales")
        if sales is None:
            raise RowError("missing sales value")
        if sales < 0:
            raise RowError(f"negative sales {sales} (refunds belong in status, not in the sign)")
        quantity = self._quantity(raw.get("quantity"))
        given_line = _text(raw.get("order_line"))
        if given_line is not None:
            try:
                order_line = int(float(given_line))
            except ValueError:
                raise RowError(f"unreadable order line {given_line!r}") from None
        else:
            order_line = self._lines.get(order_id, 0) + 1
        self._lines[order_id] = max(order_line, self._lines.get(order_id, 0))
        currency = (_text(raw.get("currency")) or self.p.currency).upper()
        values = {
            "file_hash": self.file_hash, "line_number": line_number, "source_file": self.source_file,
            "layout": self.p.layout, "row_id": _text(raw.get("row_id")), "order_id": order_id,
            "order_line": order_line, "order_date": order_date, "ship_date": ship_date,
            "ship_mode": _text(raw.get("ship_mode")), "status": _text(raw.get("status")),
            "payment_type": _text(raw.get("payment_type")), "customer_id": _text(raw.get("customer_id")),
            "customer_name_hash": _text(raw.get("customer_name_hash")) or self._hash(
                "customer_name", raw.get("customer_name")),
            "customer_email_hash": _text(raw.get("customer_email_hash")) or self._hash(
                "customer_email", raw.get("customer_email")),
            "segment": _text(raw.get("segment")), "country": _text(raw.get("country")),
            "city": _text(raw.get("city")), "state": _text(raw.get("state")),
            "postal_code": _text(raw.get("postal_code")), "region": _text(raw.get("region")),
            "product_id": _text(raw.get("product_id")), "category": _text(raw.get("category")),
            "sub_category": _text(raw.get("sub_category")), "product_name": _text(raw.get("product_name")),
            "sales": sales, "quantity": quantity, "discount": self._discount(raw.get("discount")),
            "profit": self._money(raw.get("profit"), "profit"),
            "commission": self._money(raw.get("commission"), "commission"), "currency": currency,
        }
        return tuple(values[c] for c in self._columns)


def _text(value: Any) -> str | None:
    """A cell as trimmed text; integral floats (Excel numbers) lose their '.0'; empty → None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_header_line(path: Path) -> bytes:
    """The first physical line of a file, as bytes (for the export-format fast path)."""
    with path.open("rb") as fh:
        return fh.readline(64 * 1024)


def csv_line(values: Sequence[Any]) -> str:
    """One CSV line (for writers of the export format)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
