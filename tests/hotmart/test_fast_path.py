"""The pieces that make the Hotmart load fast must not change what is loaded: hashes equal lib.pii's,
timestamp text equals the datetime, fetch threads give the same pages in the same order, odd items become
rejects, and the fake's disk packs serve exactly what its in-memory packs serve."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import orjson
import pytest
import requests

from affiliate_assets.defs.hotmart import ingest, rows
from affiliate_assets.defs.hotmart.client import Stream, basic_header
from affiliate_assets.defs.hotmart.items import BadItem, HistoryItem, decode_page
from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.fakes import hotmart as fake_module
from affiliate_assets.fakes.runtime import start_fake
from affiliate_assets.lib import pii
from affiliate_assets.lib.http import MalformedResponseError
from affiliate_assets.sample_data import sales as gen

DAY = date(2025, 4, 8)
START = datetime(2025, 4, 8, tzinfo=UTC)


@pytest.mark.parametrize("salt", ["", "s", "ç" * 40, "x" * 100])
def test_hasher_gives_lib_pii_digests(salt):
    hasher = rows.PiiHasher(salt)
    for email in (" Ana@Mail.com ", "joão.silva@uol.com.br", ""):
        assert hasher.email(email) == pii.hash_email(email, salt)
    for phone in ("(11) 98765-4321", "+351 912 345 678", "sem telefone", None):
        assert hasher.phone(phone) == pii.hash_phone(phone, salt)
    assert hasher.buyer("Ana Souza", "a@b.com", None) == (
        pii.hash_email("Ana Souza", salt), pii.hash_email("a@b.com", salt), None)


def test_timestamp_text_is_the_same_instant():
    for ms in (100_000_000_001, 1_741_132_800_584, 1_741_219_199_999, 3_999_999_999_999):
        text = rows.ms_text(ms)
        assert datetime.strptime(text + "00", "%Y-%m-%d %H:%M:%S.%f%z") == datetime.fromtimestamp(ms / 1000, UTC)


def test_fetch_threads_give_the_same_pages_in_order(fake, fake_stats):
    streams = [Stream(endpoint, START + timedelta(days=d), START + timedelta(days=d + 1), status)
               for d in range(2) for endpoint in ("users", "history")
               for status in ("COMPLETE", "BLOCKED", "APPROVED", "EXPIRED")]

    def read(workers: int):
        client = HotmartResource(fake_base_url=fake.base_url, page_size=37, workers=workers).get_client()
        pages = [(s, [orjson.dumps(msgspec.to_builtins(i)) for i in items])
                 for s, items in client.stream_pages(streams)]
        return pages, client

    sequential, one = read(0)
    threaded, many = read(4)
    assert threaded == sequential and len(sequential) > len(streams)
    assert many.stats["requests"] == one.stats["requests"] and many.total_results == one.total_results
    assert fake_stats()["tokens_issued"] == 2  # one per client, shared by its fetch threads


def test_odd_items_become_rejects_and_bad_json_fails():
    good = {"product": {"id": 1, "name": "Curso"}, "buyer": {"email": "a@b.com", "name": "Ana"},
            "purchase": {"transaction": "HP1", "order_date": 1_744_070_400_000 + 1, "status": "COMPLETE",
                         "price": {"value": 97.0, "currency_code": "BRL"}}}
    odd = {"purchase": "HP2", "buyer": {"email": "b@c.com", "name": "Bia"}}
    body = orjson.dumps({"items": [good, odd], "page_info": {"total_results": 2}})
    items, total, token = decode_page("history", body)
    assert isinstance(items[0], HistoryItem) and isinstance(items[1], BadItem) and total == 2 and token is None

    class Client:  # stands in for HotmartClient.stream_pages: one users page, one history page
        def stream_pages(self, streams):
            yield next(s for s in streams if s.endpoint == "users"), []
            yield next(s for s in streams if s.endpoint == "history"), items

    rejects: list = []
    loaded = list(ingest.sale_rows(Client(), START, START + timedelta(days=1), salt="s", rejects=rejects,
                                   statuses=("COMPLETE",)))
    assert [r[0] for r in loaded] == ["HP1"] and loaded[0][21] == "97.0"
    assert len(rejects) == 1 and "unexpected item shape" in rejects[0].reason
    assert rejects[0].payload["buyer"]["email"].startswith("sha256:")  # no clear-text PII in raw.rejects
    with pytest.raises(MalformedResponseError, match="malformed JSON"):
        decode_page("history", body[:-10])


def _page(base_url: str, token: str, **params) -> bytes:
    resp = requests.get(f"{base_url}/payments/api/v1/sales/history", params=params, timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
    resp.raise_for_status()
    return resp.content


def _token(base_url: str) -> str:
    client_id, secret = fake_module.DEFAULT_CLIENT_ID, fake_module.DEFAULT_CLIENT_SECRET
    return requests.post(f"{base_url}/security/oauth/token", timeout=10, headers={
        "Authorization": basic_header(client_id, secret)}, params={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}).json()["access_token"]


def test_disk_packs_serve_what_memory_packs_serve(tmp_path, monkeypatch):
    memory, disk = start_fake("hotmart"), start_fake("hotmart", cache_dir=str(tmp_path))
    try:
        prepared = requests.post(f"{disk.base_url}/_fake/prepare", timeout=60,
                                 json={"start_date": DAY.isoformat(), "end_date": DAY.isoformat()}).json()
        assert prepared["generated"] == 1 and len(list(tmp_path.rglob("*.idx"))) == 3
        window = {"start_date": int(START.timestamp() * 1000), "end_date": int(START.timestamp() * 1000) + 86_399_999}
        queries = [{"transaction_status": "COMPLETE", "max_results": 25},  # contiguous byte ranges
                   {"max_results": 500},  # APPROVED + COMPLETE merged by date
                   {"product_id": str(gen.sales_for_day(DAY)[0].product_id), "transaction_status": "COMPLETE"}]
        for query in queries:
            assert (_page(memory.base_url, _token(memory.base_url), **window, **query)
                    == _page(disk.base_url, _token(disk.base_url), **window, **query))
        merged = orjson.loads(_page(disk.base_url, _token(disk.base_url), **window, max_results=500))["items"]
        dates = [i["purchase"]["order_date"] for i in merged]
        assert dates == sorted(dates) and {i["purchase"]["status"] for i in merged} == {"APPROVED", "COMPLETE"}
    finally:
        memory.stop()
        disk.stop()
    # A new fake on the same folder serves from the files without generating anything.
    refunded = sum(s.status == "REFUNDED" for s in gen.sales_for_day(DAY))
    monkeypatch.setattr(gen, "sales_for_day", lambda *a, **k: pytest.fail("regenerated a cached day"))
    again = start_fake("hotmart", cache_dir=str(tmp_path))
    try:
        body = orjson.loads(_page(again.base_url, _token(again.base_url), **window, transaction_status="REFUNDED"))
        assert body["page_info"]["total_results"] == refunded > 0
    finally:
        again.stop()
