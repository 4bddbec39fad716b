"""Sample sales files as they arrive in an affiliate's inbox: deterministic, realistic, pt-BR data.

Superstore-shaped orders come from the shared catalogue (62 products, BRL prices, commission rates).
The files come in the shapes the sales_files domain must read:

- this project's export format (``EXPORT_COLUMNS``: UTF-8, ``,``, ISO dates, ``.`` decimals) of the
  shared sales generator (``sample_data.sales``, what the Hotmart fake serves);
- "Sample - Superstore"-shaped files: the classic header in UTF-8 with ``,`` and month-first dates, and the
  newer header (``Country/Region``, ``State/Province``) in cp1252 with ``;``, ``R$ 1.234,56`` and day-first;
- an XLSX with the Portuguese Superstore header and typed cells;
- a Portuguese file with a BOM, bad rows (missing/invalid dates, words for numbers, a totals line) and
  trailing blank lines.

Everything is seeded: the same call writes the same bytes.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from affiliate_assets.lib import pii
from affiliate_assets.lib.money import format_brl
from affiliate_assets.sample_data.catalogue import Product, catalogue

SEED = 4_2024
START = date(2024, 1, 1)
END = date(2025, 6, 30)
CENT = Decimal("0.01")

# (city, UF, region, CEP prefix)
CITIES = [
    ("São Paulo", "SP", "Sudeste", "01"), ("Campinas", "SP", "Sudeste", "13"),
    ("Rio de Janeiro", "RJ", "Sudeste", "20"),
    ("Niterói", "RJ", "Sudeste", "24"), ("Belo Horizonte", "MG", "Sudeste", "30"),
    ("Uberlândia", "MG", "Sudeste", "38"),
    ("Vitória", "ES", "Sudeste", "29"), ("Curitiba", "PR", "Sul", "80"), ("Londrina", "PR", "Sul", "86"),
    ("Porto Alegre", "RS", "Sul", "90"), ("Florianópolis", "SC", "Sul", "88"), ("Joinville", "SC", "Sul", "89"),
    ("Salvador", "BA", "Nordeste", "40"), ("Recife", "PE", "Nordeste", "50"), ("Fortaleza", "CE", "Nordeste", "60"),
    ("São Luís", "MA", "Nordeste", "65"), ("Maceió", "AL", "Nordeste", "57"), ("João Pessoa", "PB", "Nordeste", "58"),
    ("Natal", "RN", "Nordeste", "59"), ("Teresina", "PI", "Nordeste", "64"), ("Aracaju", "SE", "Nordeste", "49"),
    ("Manaus", "AM", "Norte", "69"), ("Belém", "PA", "Norte", "66"), ("Porto Velho", "RO", "Norte", "76"),
    ("Brasília", "DF", "Centro-Oeste", "70"), ("Goiânia", "GO", "Centro-Oeste", "74"),
    ("Cuiabá", "MT", "Centro-Oeste", "78"), ("Campo Grande", "MS", "Centro-Oeste", "79"),
]
FIRST_NAMES = ["Ana", "João", "Maria", "José", "Francisca", "Antônio", "Adriana", "Carlos", "Juliana", "Paulo",
               "Márcia", "Lucas", "Fernanda", "Rafael", "Patrícia", "Gabriel", "Aline", "Bruno", "Camila", "Thiago"]
LAST_NAMES = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
              "Gomes", "Conceição", "Ribeiro", "Carvalho", "Araújo", "Melo", "Barbosa", "Cardoso", "Rocha"]
SEGMENTS = ["Consumidor", "Corporativo", "Home Office"]
SHIP_MODES = [("Normal", 4, 7), ("Expressa", 1, 3), ("Mesmo Dia", 0, 0), ("Retirada", 0, 2)]
PAYMENTS = ["PIX", "PIX", "CREDIT_CARD", "CREDIT_CARD", "BILLET", "PAYPAL"]
CATEGORY_LABEL = {"curso_online": "Curso Online", "ebook": "E-book", "mentoria": "Mentoria", "fisico": "Físico"}

SUPERSTORE_HEADER = ["Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name",
                     "Segment", "Country", "City", "State", "Postal Code", "Region", "Product ID", "Category",
                     "Sub-Category", "Product Name", "Sales", "Quantity", "Discount", "Profit"]
SUPERSTORE_HEADER_NEW = [{"Country": "Country/Region", "State": "State/Province"}.get(h, h)
                         for h in SUPERSTORE_HEADER]
SUPERSTORE_HEADER_PT = ["ID da Linha", "ID do Pedido", "Data do Pedido", "Data de Envio", "Modo de Envio",
                        "ID do Cliente", "Nome do Cliente", "Segmento", "País", "Cidade", "Estado", "CEP",
                        "Região", "ID do Produto", "Categoria", "Subcategoria", "Nome do Produto", "Vendas",
                        "Quantidade", "Desconto", "Lucro"]


@dataclass(frozen=True)
class Line:
    """One order line, in every field any of the file shapes needs."""

    row_id: int
    order_id: str
    order_line: int
    order_date: date
    ship_date: date
    ship_mode: str
    payment_type: str
    customer_id: str
    customer_name: str
    segment: str
    city: str
    state: str
    region: str
    postal_code: str
    product: Product
    quantity: int
    discount: Decimal
    sales: Decimal
    profit: Decimal

    @property
    def product_code(self) -> str:
        """A Superstore-style product id: category, niche, numeric id (FIS-EL-01205123)."""
        p = self.product
        return f"{p.category[:3].upper()}-{p.niche[:2].upper()}-{p.product_id:08d}"


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    segment: str
    city: tuple[str, str, str, str]
    postal_code: str


def _customers(rng: random.Random, n: int) -> list[Customer]:
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city = rng.choice(CITIES)
        out.append(Customer(
            customer_id=f"{first[0]}{last[0]}-{10000 + i * 7 % 89999:05d}",
            name=f"{first} {last}",
            segment=rng.choices(SEGMENTS, weights=(6, 3, 1))[0],
            city=city,
            postal_code=f"{city[3]}{rng.randint(0, 999):03d}-{rng.randint(0, 999):03d}",
        ))
    return out


def _demand_weight(day: date) -> float:
    """Weekly and yearly shape plus Black Friday, so sample files look like real sales."""
    weight = (1.25 if day.weekday() in (0, 1) else 0.8 if day.weekday() >= 5 else 1.0)
    weight *= 1.35 if day.month in (11, 12) else 0.85 if day.month in (6, 7) else 1.0
    if day.month == 11 and 22 <= day.day <= 29:
        weight *= 3.0
    return weight


def order_lines(n_lines: int, *, seed: int = SEED, start: date = START, end: date = END,
                customers: int = 400) -> Iterator[Line]:
    """``n_lines`` order lines between ``start`` and ``end``, grouped in orders of 1-4 lines."""
    rng = random.Random(seed)
    products = catalogue()
    popularity = [p.base_daily_units * (1 + p.temperature / 150) for p in products]
    people = _customers(rng, customers)
    span = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(span)]
    day_weights = [_demand_weight(d) for d in days]
    row_id = 0
    order_no = 100_000 + seed % 1000 * 1000
    while row_id < n_lines:
        order_no += 1
        day = rng.choices(days, weights=day_weights)[0]
        who = rng.choice(people)
        mode, low, high = rng.choice(SHIP_MODES)
        ship = day + timedelta(days=rng.randint(low, high))
        order_id = f"BR-{day.year}-{order_no}"
        payment = rng.choice(PAYMENTS)
        for line_no, product in enumerate(rng.choices(products, weights=popularity, k=rng.randint(1, 4)), 1):
            if row_id >= n_lines:
                break
            row_id += 1
            qty = rng.randint(1, 3) if product.is_physical else 1
            discount = Decimal(rng.choice(["0", "0", "0", "0.1", "0.15", "0.2"]))
            sales = (product.price * qty * (1 - discount)).quantize(CENT, ROUND_HALF_UP)
            cost = (product.unit_cost or product.price * Decimal("0.3")) * qty
            yield Line(
                row_id=row_id, order_id=order_id, order_line=line_no, order_date=day, ship_date=ship,
                ship_mode=mode, payment_type=payment, customer_id=who.customer_id,
                customer_name=who.name, segment=who.segment, city=who.city[0],
                state=who.city[1], region=who.city[2], postal_code=who.postal_code, product=product,
                quantity=qty, discount=discount, sales=sales,
                profit=(sales - cost).quantize(CENT, ROUND_HALF_UP),
            )


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------


def export_rows(n_lines: int, *, start: date = START, scale: float = 1.0,
                salt: str | None = None) -> Iterator[list[object]]:
    """``n_lines`` sales of the shared generator (``sample_data.sales``, the ones the Hotmart fake serves)
    from ``start`` on, as export-format rows: buyer names and e-mails only as salted hashes."""
    from affiliate_assets.lib.settings import load_settings
    from affiliate_assets.sample_data import sales

    salt = load_settings().pii_salt if salt is None else salt
    products = {p.product_id: p for p in catalogue()}
    hashes: dict[str, str | None] = {}

    def hashed(value: str) -> str | None:
        if value not in hashes:
            hashes[value] = pii.hash_email(" ".join(value.split()), salt)
        return hashes[value]

    for n, sale in enumerate(sales.iter_sales(start, date.max - timedelta(days=1), scale)):
        if n >= n_lines:
            return
        product, buyer = products[sale.product_id], sale.buyer
        discount = (1 - sale.offer_price / product.price).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        shipped = sale.approved_date.date() + timedelta(days=2) if product.is_physical and sale.approved_date \
            else None
        yield [sale.transaction, 1, sale.order_date.date().isoformat(), shipped.isoformat() if shipped else "",
               "Normal" if product.is_physical else "Digital", sale.status, sale.payment_type, buyer.ucode,
               hashed(buyer.name), hashed(buyer.email), "Consumidor", buyer.country, buyer.city, buyer.state,
               "", "", product.product_id, CATEGORY_LABEL[product.category], product.niche, product.name,
               sale.price, 1, max(discount, Decimal(0)), "", sale.affiliate_commission, "BRL"]


def write_export_csv(path: Path, n_lines: int, *, start: date = START, scale: float = 1.0,
                     salt: str | None = None) -> Path:
    """This project's export format (what ``raw.sales_history`` holds, minus lineage)."""
    from affiliate_assets.defs.sales_files.parsing import EXPORT_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(export_rows(n_lines, start=start, scale=scale, salt=salt))
    return path


def _superstore_cells(line: Line) -> list[object]:
    p = line.product
    return [line.row_id, line.order_id, line.order_date, line.ship_date, line.ship_mode, line.customer_id,
            line.customer_name, line.segment, "Brasil", line.city, line.state, line.postal_code, line.region,
            line.product_code, CATEGORY_LABEL[p.category], p.niche, p.name, line.sales, line.quantity,
            line.discount, line.profit]


def write_superstore_csv(path: Path, n_lines: int, *, seed: int = SEED, style: str = "us") -> Path:
    """A Superstore-shaped CSV. ``style="us"``: classic header, UTF-8, ``,``, month-first (``1/13/2024``),
    ``1234.56``. ``style="br"``: newer header (Country/Region, State/Province), cp1252, ``;``, day-first
    (``13/01/2024``), ``R$ 1.234,56`` and ``20%`` discounts."""
    us = style == "us"
    header = SUPERSTORE_HEADER if us else SUPERSTORE_HEADER_NEW
    with path.open("w", encoding="utf-8" if us else "cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter="," if us else ";", lineterminator="\n" if us else "\r\n")
        writer.writerow(header)
        for line in order_lines(n_lines, seed=seed):
            cells = _superstore_cells(line)
            for i in (2, 3):
                d: date = cells[i]  # type: ignore[assignment]
                cells[i] = f"{d.month}/{d.day}/{d.year}" if us else d.strftime("%d/%m/%Y")
            if not us:
                cells[17], cells[20] = format_brl(line.sales), format_brl(line.profit)
                cells[19] = f"{int(line.discount * 100)}%"
            writer.writerow(cells)
    return path


def write_superstore_xlsx(path: Path, n_lines: int, *, seed: int = SEED) -> Path:
    """An XLSX with the Portuguese Superstore header, a title row above it and typed cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vendas"
    sheet.append(["Relatório de vendas — exportado do ERP"])
    sheet.append(SUPERSTORE_HEADER_PT)
    for line in order_lines(n_lines, seed=seed):
        cells = _superstore_cells(line)
        sheet.append([float(c) if isinstance(c, Decimal) else c for c in cells])
    workbook.save(path)
    _freeze_zip(path)
    return path


def _freeze_zip(path: Path) -> None:
    """Rewrite an XLSX with fixed timestamps (openpyxl stamps 'now' into the zip entries and
    docProps/core.xml): the same call must write the same bytes, because the content hash is the file's id."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-07-01T09:00:00Z", data)
            target.writestr(zipfile.ZipInfo(name, date_time=(2025, 7, 1, 9, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)


BAD_ROWS_HEADER = ["Pedido", "Data do Pedido", "Produto", "Cidade", "UF", "Valor", "Quantidade",
                   "Forma de Pagamento"]


def write_bad_rows_csv(path: Path, n_lines: int = 60, *, seed: int = SEED) -> tuple[Path, int]:
    """A Portuguese file with a BOM, ``;``, decimal comma, day-first dates, bad rows and trailing blank
    lines. Returns (path, number of bad rows it holds)."""
    rows: list[list[object]] = []
    for line in order_lines(n_lines, seed=seed):
        rows.append([line.order_id, line.order_date.strftime("%d/%m/%Y"), line.product.name, line.city,
                     line.state, f"{line.sales:.2f}".replace(".", ","), line.quantity, line.payment_type])
    bad = [
        ["BR-2024-999001", "", "Python para Iniciantes", "Recife", "PE", "197,00", "1", "PIX"],
        ["BR-2024-999002", "31/02/2024", "Yoga em Casa", "Natal", "RN", "97,90", "1", "PIX"],
        ["BR-2024-999003", "15/03/2024", "Air Fryer 4L Digital", "Manaus", "AM", "389,90", "dois", "BILLET"],
        ["", "16/03/2024", "Guia Completo do MEI", "Cuiabá", "MT", "27,90", "1", "PIX"],
        ["BR-2024-999005", "17/03/2024", "Mentoria Escala de Afiliados", "Belém", "PA", "mil reais", "1", "PIX"],
        ["BR-2024-999006", "18/03/2024", "Whey Protein Concentrado 900g", "Goiânia", "GO", "149,90", "-1", "PIX"],
        ["Total", "", "", "", "", "12.345,67", "", ""],
    ]
    rng = random.Random(seed)
    for row in bad[:-1]:
        rows.insert(rng.randint(1, len(rows) - 1), row)
    rows.append(bad[-1])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(BAD_ROWS_HEADER)
        writer.writerows(rows)
        fh.write("\n\n;;;;;;;\n")
    return path, len(bad)


def write_demo_files(folder: Path) -> list[Path]:
    """The demo's inbox: one file of each shape (same seed → same bytes → same hashes on every run)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_export_csv(folder / "exportacao_vendas_2024.csv", 1500, start=date(2024, 11, 20)),
        write_superstore_csv(folder / "superstore_us.csv", 800, seed=SEED + 1, style="us"),
        write_superstore_csv(folder / "superstore_br_cp1252.csv", 800, seed=SEED + 2, style="br"),
        write_superstore_xlsx(folder / "superstore_pt.xlsx", 500, seed=SEED + 3),
        write_bad_rows_csv(folder / "vendas_com_erros.csv", 60, seed=SEED + 4)[0],
    ]
