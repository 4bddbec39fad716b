"""The one loader: modes, reconciliation, rejects, transactions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest

from affiliate_assets.lib.warehouse import Column, Reject, TableSpec

SPEC = TableSpec(
    "raw", "loader_probe",
    (Column("id", "int", nullable=False), Column("day", "date"), Column("amount", "numeric(12,2)")),
    primary_key=("id",),
)
HISTORY = TableSpec("raw", "loader_history", (Column("id", "int"), Column("amount", "numeric(12,2)")))


@pytest.fixture(autouse=True)
def clean(warehouse):
    yield
    warehouse.execute("drop table if exists raw.loader_probe, raw.loader_history")
    warehouse.execute("delete from raw.rejects where source like 'raw.loader%%'")


def test_upsert_last_duplicate_wins_and_rejects_reconcile(warehouse):
    result = warehouse.load(
        SPEC, [(1, date(2024, 1, 1), 10), (2, date(2024, 1, 2), 20), (2, date(2024, 1, 2), 21)],
        mode="upsert", rejects=[Reject("9", "amount is not a number", {"amount": "abc"}, 4)], reject_batch="b",
    )
    assert (result.rows_loaded, result.rows_rejected, result.rows_in) == (3, 1, 4)
    assert warehouse.fetchall("select id, amount from raw.loader_probe order by id") == [
        (1, Decimal("10.00")), (2, Decimal("21.00"))]
    assert warehouse.rejects_for("raw.loader_probe", "b") == [("9", 4, "amount is not a number", {"amount": "abc"})]
    # Same batch again: same table, rejects replaced rather than doubled.
    warehouse.load(SPEC, [(1, date(2024, 1, 1), 10), (2, date(2024, 1, 2), 21)], mode="upsert",
                   rejects=[Reject("9", "amount is not a number", None)], reject_batch="b")
    assert warehouse.count("raw.loader_probe") == 2
    assert len(warehouse.rejects_for("raw.loader_probe", "b")) == 1


def test_replace_window_only_touches_the_window(warehouse):
    warehouse.load(SPEC, [(i, date(2024, 1, i), i) for i in range(1, 6)], mode="upsert")
    result = warehouse.load(SPEC, csv_chunks=[b"30,2024-01-03,3.5\n"], mode="replace_window",
                            window_column="day", window=(date(2024, 1, 3), date(2024, 1, 5)))
    assert result.rows_deleted == 2
    assert warehouse.fetchall("select id from raw.loader_probe order by id") == [(1,), (2,), (5,), (30,)]


def test_append_keeps_history(warehouse):
    for _ in range(2):
        warehouse.load(HISTORY, [(1, 5), (2, 6)], mode="append")
    assert warehouse.count("raw.loader_history") == 4


def test_failed_load_leaves_previous_data_intact(warehouse):
    warehouse.load(SPEC, [(1, date(2024, 1, 1), 10)], mode="replace")

    def rows():
        yield (2, date(2024, 1, 2), 20)
        raise RuntimeError("source died mid-stream")

    with pytest.raises(RuntimeError, match="mid-stream"):
        warehouse.load(SPEC, rows(), mode="replace")
    with pytest.raises(psycopg.errors.DataError):
        warehouse.load(SPEC, csv_chunks=[b"3,2024-01-03,not-a-number\n"], mode="replace")
    assert warehouse.fetchall("select id from raw.loader_probe") == [(1,)]


def test_bad_arguments_are_refused(warehouse):
    with pytest.raises(ValueError, match="exactly one"):
        warehouse.load(SPEC, mode="upsert")
    with pytest.raises(ValueError, match="primary key"):
        warehouse.load(HISTORY, [(1, 1)], mode="upsert")
    with pytest.raises(ValueError, match="not in"):
        warehouse.load(SPEC, [(1,)], columns=["nope"], mode="replace")


def test_append_copies_directly_and_refuses_duplicate_keys(warehouse):
    result = warehouse.load(SPEC, [(1, date(2024, 1, 1), 10), (2, date(2024, 1, 2), 20)], mode="append")
    assert (result.rows_loaded, result.rows_deleted) == (2, 0)
    with pytest.raises(psycopg.errors.UniqueViolation):
        warehouse.load(SPEC, [(3, date(2024, 1, 3), 30), (1, date(2024, 1, 1), 11)], mode="append")
    assert warehouse.fetchall("select id, amount from raw.loader_probe order by id") == [
        (1, Decimal("10.00")), (2, Decimal("20.00"))]


def test_a_newer_spec_adds_its_columns_to_an_existing_table(warehouse):
    warehouse.load(SPEC, [(1, date(2024, 1, 1), 10)], mode="upsert")
    newer = TableSpec("raw", "loader_probe", (*SPEC.columns, Column("currency", "text", nullable=False)),
                      primary_key=("id",))
    warehouse.load(newer, [(2, date(2024, 1, 2), 20, "BRL")], mode="upsert")
    assert warehouse.fetchall("select id, currency from raw.loader_probe order by id") == [(1, None), (2, "BRL")]


def test_existing_returns_the_values_a_table_already_holds(warehouse):
    assert warehouse.existing(SPEC, "id", [1, 2]) == set()  # no table yet: nothing, and nothing created
    assert not warehouse.table_exists(SPEC.qualified)
    warehouse.load(SPEC, [(1, date(2024, 1, 1), 10), (3, None, 30)], mode="upsert",
                   rejects=[Reject("7", "it's odd")], reject_batch="existing")
    assert warehouse.existing(SPEC, "id", [1, 2, 3, 3]) == {1, 3}
    assert warehouse.existing("raw.loader_probe", "id", iter([2, 3])) == {3}  # by name, any iterable
    assert warehouse.existing(SPEC, "id", []) == set()
    # Values are parameters, never SQL: a quote in a value is just a value.
    assert warehouse.existing("raw.rejects", "reason", ["it's odd", "x' or '1'='1"]) == {"it's odd"}
    with pytest.raises(ValueError, match="not a column"):
        warehouse.existing(SPEC, "id; drop table raw.loader_probe", [1])
