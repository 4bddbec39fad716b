"""The Hotmart client against the fake over real HTTP: paging, token cache and refresh, retries, errors;
and the item → row mapping on untidy items the fake does not produce."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from affiliate_assets.defs.hotmart import rows
from affiliate_assets.defs.hotmart.client import HotmartClient
from affiliate_assets.defs.hotmart.items import HistoryItem
from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.fakes.hotmart import DEFAULT_CLIENT_ID
from affiliate_assets.lib.http import HttpError, MalformedResponseError
from affiliate_assets.sample_data import sales as gen

DAY = date(2025, 3, 4)
START = datetime(2025, 3, 4, tzinfo=UTC)
END = START + timedelta(days=1)


def _client(fake, **kwargs) -> HotmartClient:
    return HotmartResource(fake_base_url=fake.base_url, **kwargs).get_client()


def test_pages_through_history_with_one_token(fake, fake_stats):
    client = _client(fake, page_size=25)
    items = list(client.sales("history", START, END, statuses=("COMPLETE",)))
    expected = [s.transaction for s in gen.sales_for_day(DAY) if s.status == "COMPLETE"]
    assert [i.purchase.transaction for i in items] == expected
    assert client.total_results["history"] == len(expected)
    assert client.stats["requests"] == 1 + math.ceil(len(expected) / 25)  # token + pages
    assert fake_stats()["tokens_issued"] == 1


def test_without_status_filter_the_api_returns_only_approved_and_complete(fake):
    client = _client(fake)
    items = list(client.iter_items("/payments/api/v1/sales/history",
                                   {"start_date": int(START.timestamp() * 1000),
                                    "end_date": int(END.timestamp() * 1000) - 1}, label="h"))
    assert {i["purchase"]["status"] for i in items} == {"APPROVED", "COMPLETE"}
    assert len(items) == sum(s.status in ("APPROVED", "COMPLETE") for s in gen.sales_for_day(DAY))


def test_expired_token_is_refreshed_once(fake, set_faults, fake_stats):
    client = _client(fake)
    first = list(client.products())
    set_faults(expire_tokens=True)
    second = list(client.products())
    assert first == second and len(first) == 62
    assert client.stats["auth_refreshes"] == 1
    assert fake_stats()["tokens_issued"] == 2


def test_bad_credentials_fail_clearly(fake):
    client = HotmartClient(api_base_url=fake.base_url, auth_url=fake.base_url + "/security/oauth/token",
                           client_id=DEFAULT_CLIENT_ID, client_secret="wrong")
    with pytest.raises(HttpError, match=r"token request failed.*HTTP 401"):
        list(client.products())


def test_429_and_500_are_retried(fake, set_faults):
    client = _client(fake)
    set_faults(fail_429=2, fail_500=2)
    items = list(client.sales("history", START, END, statuses=("APPROVED",)))
    assert len(items) == sum(s.status == "APPROVED" for s in gen.sales_for_day(DAY))
    assert client.stats["retries"] == 4


def test_persistent_500_gives_up(fake, set_faults):
    client = _client(fake, max_attempts=2)
    set_faults(fail_500=5)
    with pytest.raises(HttpError, match="HTTP 500"):
        list(client.products())


def test_truncated_page_raises_malformed(fake, set_faults):
    client = _client(fake, page_size=20)
    set_faults(truncate_page=2)
    with pytest.raises(MalformedResponseError, match="malformed JSON"):
        list(client.sales("history", START, END, statuses=("COMPLETE",)))


# -- mapping ------------------------------------------------------------------------------------------

WINDOW = rows.Window.of(START, END)


def _item(**purchase) -> HistoryItem:
    base = {"transaction": "HP1", "order_date": int(START.timestamp() * 1000) + 5000, "status": "COMPLETE",
            "price": {"value": "197.5", "currency_value": "BRL"}}
    return msgspec.convert({"product": {"id": "1234", "name": "X"}, "buyer": {"email": " Ana@Mail.com "},
                            "purchase": {**base, **purchase}}, HistoryItem)


def _sale_row(item: HistoryItem) -> tuple:
    return rows.sale_row(item, None, rows.PiiHasher("salt"), WINDOW)


def test_sale_row_tolerates_untidy_but_valid_items():
    row = dict(zip(rows.HOTMART_SALES.column_names, _sale_row(_item()), strict=True))
    assert row["price"] == "197.50" and row["currency"] == "BRL" and row["product_id"] == 1234
    assert row["buyer_email_hash"] == rows.pii.hash_email("ana@mail.com", "salt")
    assert row["approved_date"] is None and row["buyer_state"] is None


@pytest.mark.parametrize(("purchase", "reason"), [
    ({"transaction": None}, "missing purchase.transaction"),
    ({"order_date": None}, "missing purchase.order_date"),
    ({"order_date": 1}, "out of range"),
    ({"order_date": int(START.timestamp())}, "out of range"),  # seconds, not milliseconds
    ({"order_date": int((START - timedelta(hours=1)).timestamp() * 1000)}, "outside the requested window"),
    ({"price": {"value": "abc", "currency_code": "BRL"}}, "not a number"),
    ({"price": {"value": 10}}, "missing purchase.price.currency_code"),
    ({"status": ""}, "missing purchase.status"),
])
def test_sale_row_rejects_with_reason(purchase, reason):
    with pytest.raises(rows.RowError, match=reason):
        _sale_row(_item(**purchase))


def test_states_and_countries_are_normalized():
    assert rows.normalize_state("São Paulo", "BR") == "SP"
    assert rows.normalize_state("sp", "BR") == "SP"
    assert rows.normalize_state("Lisboa", "PT") == "Lisboa"
    assert rows.normalize_country("Brasil") == "BR" and rows.normalize_country("pt") == "PT"
