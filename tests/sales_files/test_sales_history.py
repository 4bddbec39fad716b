"""raw/sales_history from real files: encodings, delimiters, number and date conventions, header variants,
XLSX, bad rows, duplicates, the export fast path; each test materializes the real asset on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
from sales_files_helpers import file_row, history

from affiliate_assets.lib.files import file_hash
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.sample_data import sales_files as sample

CLASSIC = "Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,City,State," \
          "Postal Code,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def test_encodings_are_detected_and_accents_survive(inbox, ingest, warehouse):
    body = ("Pedido;Data do Pedido;Cidade;Produto;Valor;Quantidade\n"
            "P-1;13/01/2024;São Paulo;Café Orgânico “Especial”;10,50;1\n"
            "P-2;14/01/2024;Florianópolis;Pão de Queijo;20,00;2\n")
    files = {
        "utf8.csv": ("utf-8", "utf-8"),
        "bom.csv": ("utf-8-sig", "utf-8-sig"),
        "windows.csv": ("cp1252", "cp1252"),
    }
    paths = [write(inbox, name, body, enc) for name, (enc, _) in files.items()]
    ingest(*paths)
    for path, (_, expected) in zip(paths, files.values(), strict=True):
        meta = file_row(warehouse, path.name)
        assert meta["encoding"] == expected
        rows = history(warehouse, meta["file_hash"], "city", "product_name", "sales")
        assert rows == [("São Paulo", "Café Orgânico “Especial”", Decimal("10.50")),
                        ("Florianópolis", "Pão de Queijo", Decimal("20.00"))]


def test_delimiters_are_sniffed(inbox, ingest, warehouse):
    rows = [["Order ID", "Order Date", "Sales", "Quantity", "Product Name"],
            ["A-1", "2024-03-05", "12.50", "1", "Fone, com fio"],
            ["A-2", "2024-03-06", "99.90", "3", "Mochila | Notebook"]]
    paths = []
    for name, delim in {"comma.csv": ",", "semicolon.csv": ";", "tab.tsv": "\t", "pipe.txt": "|"}.items():
        lines = [delim.join(f'"{c}"' if delim in c else c for c in r) for r in rows]
        paths.append(write(inbox, name, "\n".join(lines) + "\n"))
    ingest(*paths)
    for path, delim in zip(paths, [",", ";", "\t", "|"], strict=True):
        meta = file_row(warehouse, path.name)
        assert meta["delimiter"] == delim
        assert history(warehouse, meta["file_hash"], "order_id", "product_name", "quantity") == [
            ("A-1", "Fone, com fio", 1), ("A-2", "Mochila | Notebook", 3)]


def test_decimal_comma_thousands_and_currency_prefixes(inbox, ingest, warehouse):
    br = write(inbox, "br.csv", "Pedido;Data;Valor;Quantidade;Desconto;Lucro\n"
                                "B-1;05/03/2024;R$ 1.234,56;1;10%;-R$ 12,30\n"
                                "B-2;06/03/2024;R$ 987,00;2;0,2;R$ 1.000.000,00\n")
    us = write(inbox, "us.csv", "Order ID,Order Date,Sales,Quantity,Discount,Profit\n"
                                "U-1,03/05/2024,\"1,234.56\",1,0.1,(12.30)\n"
                                "U-2,03/06/2024,987.5,2,0.2,\"1,000,000.00\"\n")
    ingest(br, us)
    for path, sep in ((br, ","), (us, ".")):
        meta = file_row(warehouse, path.name)
        assert (meta["decimal_separator"], meta["thousands_separator"]) == (sep, "." if sep == "," else ",")
    br_hash = file_row(warehouse, "br.csv")["file_hash"]
    assert history(warehouse, br_hash, "sales", "discount", "profit", "currency") == [
        (Decimal("1234.56"), Decimal("0.1000"), Decimal("-12.30"), "BRL"),
        (Decimal("987.00"), Decimal("0.2000"), Decimal("1000000.00"), "BRL")]
    assert history(warehouse, file_row(warehouse, "us.csv")["file_hash"], "sales", "profit") == [
        (Decimal("1234.56"), Decimal("-12.30")), (Decimal("987.50"), Decimal("1000000.00"))]


def test_date_order_is_decided_per_file_from_the_data(inbox, ingest, warehouse):
    header = "Order ID,Order Date,Ship Date,Sales,Quantity\n"
    files = {
        # a first field > 12 anywhere in the file → day-first for every row, also the ambiguous 02/03
        "dmy.csv": (header + "D-1,02/03/2024,04/03/2024,10,1\nD-2,25/03/2024,26/03/2024,10,1\n",
                    "DMY", dt.date(2024, 3, 2)),
        # a second field > 12 → month-first
        "mdy.csv": (header + "M-1,02/03/2024,2/4/2024,10,1\nM-2,3/25/2024,3/26/2024,10,1\n",
                    "MDY", dt.date(2024, 2, 3)),
        # nothing above 12 and US conventions → month-first, said to be a guess
        "ambiguous_us.csv": (header + "A-1,02/03/2024,02/04/2024,10.50,1\n", "MDY", dt.date(2024, 2, 3)),
        # nothing above 12 but a decimal comma and ';' → day-first
        "ambiguous_br.csv": ("Order ID;Order Date;Ship Date;Sales;Quantity\nB-1;02/03/2024;02/04/2024;10,50;1\n",
                             "DMY", dt.date(2024, 3, 2)),
        "iso.csv": (header + "I-1,2024-02-03,2024-02-04 10:30:00,10,1\n", "YMD", dt.date(2024, 2, 3)),
    }
    paths = {name: write(inbox, name, text) for name, (text, _, _) in files.items()}
    ingest(*paths.values())
    for name, (_, order, first_date) in files.items():
        meta = file_row(warehouse, name)
        assert meta["date_order"] == order, (name, meta["date_order_reason"])
        assert history(warehouse, meta["file_hash"], "order_date")[0] == (first_date,)
    assert "first field > 12 (25/03/2024)" in file_row(warehouse, "dmy.csv")["date_order_reason"]
    assert "ambiguous" in file_row(warehouse, "ambiguous_us.csv")["date_order_reason"]
    assert "pt-BR hint" in file_row(warehouse, "ambiguous_br.csv")["date_order_reason"]


def test_superstore_header_variants_and_xlsx(inbox, ingest, warehouse):
    us = sample.write_superstore_csv(inbox / "superstore_us.csv", 40, seed=11, style="us")
    br = sample.write_superstore_csv(inbox / "superstore_br.csv", 40, seed=11, style="br")
    xlsx = sample.write_superstore_xlsx(inbox / "superstore_pt.xlsx", 40, seed=11)
    ingest(us, br, xlsx)
    expected = [(line.order_id, line.order_date, line.city, line.product.name, line.sales, line.quantity)
                for line in sample.order_lines(40, seed=11)]
    for name, layout, encoding in (("superstore_us.csv", "superstore", "utf-8"),
                                   ("superstore_br.csv", "superstore", "cp1252"),
                                   ("superstore_pt.xlsx", "pt_br", None)):
        meta = file_row(warehouse, name)
        assert (meta["layout"], meta["encoding"], meta["rows_read"], meta["rows_rejected"]) == (
            layout, encoding, 40, 0)
        assert history(warehouse, meta["file_hash"], "order_id", "order_date", "city", "product_name", "sales",
                       "quantity") == expected, name
    # Superstore row ids kept; names only hashed, never in clear.
    rows = history(warehouse, file_row(warehouse, "superstore_pt.xlsx")["file_hash"], "row_id",
                   "customer_name_hash", "line_number")
    assert rows[0][0] == "1" and len(rows[0][1]) == 64 and rows[0][2] == 3  # title row, header, data
    names = {line.customer_name for line in sample.order_lines(40, seed=11)}
    (leaks,), = warehouse.fetchall("select count(*) from raw.sales_history h where h::text ilike any(%s)",
                                   ([f"%{n}%" for n in names],))
    assert leaks == 0


def test_bad_rows_go_to_rejects_and_counts_reconcile(inbox, ingest, warehouse):
    path, n_bad = sample.write_bad_rows_csv(inbox / "vendas_com_erros.csv", 60, seed=5)
    result = ingest(path)
    meta = file_row(warehouse, path.name)
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (60 + n_bad, 60, n_bad)
    assert len(history(warehouse, meta["file_hash"], "line_number")) == 60
    rejects = warehouse.rejects_for("raw.sales_history", meta["file_hash"])
    reasons = {r[2] for r in rejects}
    assert len(rejects) == n_bad
    assert all(r[0].startswith("vendas_com_erros.csv:") and r[1] > 1 for r in rejects)
    assert {"missing order id", "missing order date", "unreadable quantity 'dois'", "quantity '-1' must be positive",
            "unreadable sales 'mil reais'"} <= reasons
    assert any("31/02/2024" in r for r in reasons)
    # The line number in raw.rejects is the file's physical line: reading it back finds the bad row.
    archived = Path(meta["archived_path"]).read_text(encoding="utf-8-sig").splitlines()
    line_of = {r[2]: r[1] for r in rejects}
    assert "dois" in archived[line_of["unreadable quantity 'dois'"] - 1]
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "sales_history"]))
    md = mat.materialization.metadata
    assert (md["rows_in"].value, md["rows_loaded"].value, md["rows_rejected"].value) == (60 + n_bad, 60, n_bad)
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_same_file_twice_loads_once_and_both_are_archived(inbox, ingest, warehouse):
    path = sample.write_superstore_csv(inbox / "dup.csv", 25, seed=21)
    digest = file_hash(path)
    ingest()  # no config: sweeps the inbox
    assert not path.exists()
    archived = Path(file_row(warehouse, "dup.csv")["archived_path"])
    assert archived.is_file() and file_hash(archived) == digest
    # The same bytes dropped again (under another name): nothing new, the copy goes to duplicates/.
    again = sample.write_superstore_csv(inbox / "dup_again.csv", 25, seed=21)
    result = ingest()
    assert warehouse.count("raw.sales_history", _where_hash(), (digest,)) == 25
    assert warehouse.count("raw.sales_files", _where_hash(), (digest,)) == 1
    assert not again.exists()
    assert list((load_settings().archive_dir / "sales" / "duplicates").glob(f"{digest[:16]}_dup_again.csv"))
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "sales_history"]))
    assert mat.materialization.metadata["files_duplicate"].value == 1
    assert mat.materialization.metadata["rows_loaded"].value == 0


def _where_hash():
    from psycopg import sql

    return sql.SQL("file_hash = %s")


def test_export_format_streams_straight_to_copy(inbox, ingest, warehouse):
    path = sample.write_export_csv(inbox / "export.csv", 300, start=dt.date(2024, 5, 1))
    source = path.read_text(encoding="utf-8").splitlines()
    ingest(path)
    meta = file_row(warehouse, "export.csv")
    assert meta["fast_path"] and meta["layout"] == "export" and meta["rows_loaded"] == 300
    rows = history(warehouse, meta["file_hash"], "line_number", "order_id", "order_line", "sales", "commission")
    assert [r[0] for r in rows] == list(range(2, 302))
    first = source[1].split(",")
    assert rows[0][1:3] == (first[0], int(first[1]))
    total = sum(Decimal(line.split(",")[20]) for line in source[1:])
    assert sum(r[3] for r in rows) == total


def test_export_file_with_a_bad_value_falls_back_to_row_by_row(inbox, ingest, warehouse):
    path = sample.write_export_csv(inbox / "export_bad.csv", 50, start=dt.date(2024, 6, 1))
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[10].split(",")
    cells[21] = "três"  # quantity
    lines[10] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    ingest(path)
    meta = file_row(warehouse, "export_bad.csv")
    assert not meta["fast_path"]
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (50, 49, 1)
    (reject,) = warehouse.rejects_for("raw.sales_history", meta["file_hash"])
    assert reject[1] == 11 and "três" in reject[2]


def test_unreadable_file_is_rejected_whole_and_set_aside(inbox, ingest, warehouse):
    path = write(inbox, "notas.csv", "isto não é uma planilha de vendas\nnem tem cabeçalho\n")
    corrupt = inbox / "planilha.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 truncated in the download")
    digest = file_hash(path)
    result = ingest(path, corrupt)  # one broken file does not stop the others
    assert "cannot open workbook" in warehouse.rejects_for("raw.sales_history", file_hash(
        next((load_settings().archive_dir / "sales" / "rejected").glob("*_planilha.xlsx"))))[0][2]
    assert not path.exists()
    assert list((load_settings().archive_dir / "sales" / "rejected").glob(f"{digest[:16]}_notas.csv"))
    (reject,) = warehouse.rejects_for("raw.sales_history", digest)
    assert reject[0] == "notas.csv" and "unreadable file" in reject[2]
    assert warehouse.count("raw.sales_files", _where_hash(), (digest,)) == 0
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "sales_history"]))
    assert mat.materialization.metadata["files_unreadable"].value == 2
