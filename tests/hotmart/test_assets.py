"""Hotmart assets on a real database over real HTTP to the fake: loads, re-runs, backfills, failures."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import dagster as dg
import pytest

from affiliate_assets.defs.hotmart import assets, checks
from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.lib import pii
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.sample_data import sales as gen

SALES = dg.AssetKey(["raw", "hotmart_sales"])
COMMISSIONS = dg.AssetKey(["raw", "hotmart_commissions"])
ALL = [assets.hotmart_products, assets.hotmart_sales, assets.hotmart_commissions,
       *dg.load_asset_checks_from_modules([checks])]


def _materialize(resources, keys, *, partition_key=None, tags=None, raise_on_error=True):
    return dg.materialize(ALL, resources=resources, selection=dg.AssetSelection.assets(*keys),
                          partition_key=partition_key, tags=tags, raise_on_error=raise_on_error)


def _day_rows(warehouse, day: date) -> list[tuple]:
    return warehouse.fetchall(
        "select transaction, status, price, buyer_state from raw.hotmart_sales "
        "where order_date >= %s and order_date < %s order by transaction", (day, day + timedelta(days=1)))


def _metadata(result, key) -> dict:
    mat = next(m for m in result.get_asset_materialization_events() if m.asset_key == key)
    return {k: v.value for k, v in mat.materialization.metadata.items()}


def test_products_load_and_checks_pass(warehouse, hm_resources):
    result = _materialize(hm_resources, [dg.AssetKey(["raw", "hotmart_products"])])
    assert warehouse.count("raw.hotmart_products") == 62
    names = dict(warehouse.fetchall("select product_id, name from raw.hotmart_products"))
    assert names[gen.catalogue()[0].product_id] == gen.catalogue()[0].name
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(c.passed for c in evaluations)


def test_sales_partition_matches_generator_and_rerun_is_idempotent(warehouse, hm_resources):
    day = date(2025, 6, 10)
    result = _materialize(hm_resources, [SALES, COMMISSIONS], partition_key=day.isoformat())
    expected = gen.sales_for_day(day)
    first = _day_rows(warehouse, day)
    assert [r[0] for r in first] == sorted(s.transaction for s in expected)
    assert Counter(r[1] for r in first) == Counter(s.status for s in expected)
    meta = _metadata(result, SALES)
    assert meta["source_mode"] == "fake" and meta["rows_loaded"] == len(expected) and meta["rows_rejected"] == 0
    assert meta["api_total_results"] == len(expected)
    paid = [s for s in expected if s.is_paid]
    n_commissions = sum(3 if s.coproducer_commission else 2 for s in paid)
    assert warehouse.count("raw.hotmart_commissions") == n_commissions
    assert all(c.passed for c in result.get_asset_check_evaluations())

    again = _materialize(hm_resources, [SALES, COMMISSIONS], partition_key=day.isoformat())
    assert _day_rows(warehouse, day) == first
    assert _metadata(again, SALES)["rows_deleted"] == len(expected)
    assert warehouse.count("raw.hotmart_commissions") == n_commissions


def test_buyer_pii_is_stored_only_as_hashes(warehouse, hm_resources):
    day = date(2025, 6, 11)
    _materialize(hm_resources, [SALES], partition_key=day.isoformat())
    salt = load_settings().pii_salt
    by_tx = {s.transaction: s for s in gen.sales_for_day(day)}
    stored = warehouse.fetchall(
        "select transaction, buyer_email_hash, buyer_phone_hash, buyer_name_hash, buyer_state "
        "from raw.hotmart_sales where order_date::date = %s", (day,))
    assert len(stored) == len(by_tx)
    for tx, email_h, phone_h, name_h, state in stored:
        sale = by_tx[tx]
        assert email_h == pii.hash_email(sale.buyer.email, salt)
        assert phone_h == pii.hash_phone(sale.buyer.phone, salt)
        assert name_h == pii.hash_email(sale.buyer.name, salt)
        assert state == sale.buyer.state  # names like "São Paulo" were normalized to the UF
    # No clear-text e-mail, phone or name anywhere in the table.
    (leaks,) = warehouse.fetchall(
        "select count(*) from raw.hotmart_sales s where s::text ~ '@|\\(\\d\\d\\) 9' or s::text ilike any(%s)",
        ([f"%{s.buyer.name}%" for s in list(by_tx.values())[:20]],))
    assert leaks == (0,)


def test_rate_limits_and_server_errors_are_retried(warehouse, hm_resources, set_faults):
    day = date(2025, 6, 12)
    set_faults(fail_429=2, fail_500=2)
    result = _materialize(hm_resources, [SALES], partition_key=day.isoformat())
    assert _metadata(result, SALES)["retries"] == 4
    assert len(_day_rows(warehouse, day)) == len(gen.sales_for_day(day))


def test_truncated_page_fails_clearly_and_writes_nothing(warehouse, hm_resources, fake, set_faults):
    day = date(2025, 6, 13)
    _materialize(hm_resources, [SALES], partition_key=day.isoformat())
    before = _day_rows(warehouse, day)
    assert before
    small_pages = {**hm_resources, "hotmart": HotmartResource(fake_base_url=fake.base_url, page_size=20)}
    set_faults(truncate_page=2)
    result = _materialize(small_pages, [SALES], partition_key=day.isoformat(), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = str(failure.event_specific_data.error)
    assert "not valid JSON" in message and "nothing was written" in message
    assert _day_rows(warehouse, day) == before  # the old rows survive untouched
    # A window never loaded stays empty: no partial page was committed.
    other = date(2025, 6, 14)
    result = _materialize(small_pages, [SALES], partition_key=other.isoformat(), raise_on_error=False)
    assert not result.success and _day_rows(warehouse, other) == []


def test_seven_day_backfill_runs_as_one_run(warehouse, hm_resources, fake_stats):
    first, last = date(2025, 11, 24), date(2025, 11, 30)  # Black Friday week
    result = _materialize(hm_resources, [SALES, COMMISSIONS], tags={
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat()})
    assert result.success
    counts = dict(warehouse.fetchall(
        "select (order_date at time zone 'UTC')::date, count(*) from raw.hotmart_sales "
        "where order_date >= %s and order_date < %s group by 1", (first, last + timedelta(days=1))))
    expected = {first + timedelta(days=i): len(gen.sales_for_day(first + timedelta(days=i))) for i in range(7)}
    assert counts == expected
    assert counts[gen.black_friday(2025)] == max(counts.values())  # the spike is there
    meta = _metadata(result, SALES)
    assert meta["rows_loaded"] == sum(expected.values()) and meta["window_start"].startswith("2025-11-24")
    commission_days = dict(warehouse.fetchall(
        "select sale_date, count(distinct transaction) from raw.hotmart_commissions "
        "where sale_date between %s and %s group by 1", (first, last)))
    assert commission_days == {d: sum(s.is_paid for s in gen.sales_for_day(d)) for d in expected}


@pytest.mark.parametrize("scale", [3.0])
def test_scale_knob_multiplies_volume(fake, scale):
    day = date(2025, 6, 10)
    assert gen.count_sales(day, day + timedelta(days=1), scale) > 2 * len(gen.sales_for_day(day))
