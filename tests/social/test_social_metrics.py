"""``raw/social_metrics`` materialized for real: fake HTTP, real PostgreSQL, contents checked."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg
import pytest
from social_testkit import AT, NOW

from affiliate_assets.defs.social import checks
from affiliate_assets.defs.social.assets import day_end, engagement_rate, snapshot_row, social_metrics
from affiliate_assets.defs.social.clients import PostSnapshot, SocialApis
from affiliate_assets.defs.social.linking import ProductLinker
from affiliate_assets.fakes.runtime import start_fake
from affiliate_assets.fakes.social import DEFAULT_TOKENS, base_urls
from affiliate_assets.lib.warehouse import Reject
from affiliate_assets.sample_data import social as sample

ASSET = dg.AssetKey(["raw", "social_metrics"])
CHECKS = [checks.social_metrics_schema, checks.social_metrics_keys_and_ranges, checks.social_metrics_totals_monotonic]
TRACK_DAYS = 14
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def run(resources, *, partition: str | None = None, first: str | None = None, last: str | None = None,
        raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    tags = {RANGE_START: first, RANGE_END: last} if first else None
    return dg.materialize([social_metrics, *CHECKS], resources=resources, partition_key=partition, tags=tags,
                          raise_on_error=raise_on_error)


def expected_posts(day: date) -> dict[tuple[str, str], sample.Post]:
    """What a snapshot of ``day`` must hold: every post of the 14 days before the day's end."""
    end = day_end(day)
    return {(p.platform, p.post_id): p for platform in sample.PLATFORMS
            for p in sample.iter_posts(platform, end, end - timedelta(days=TRACK_DAYS))}


def rows_of(warehouse, first: date, last: date) -> list[tuple]:
    return warehouse.fetchall(
        "select platform, post_id, metric_date, likes, views, reach, product_ids, followers, source_mode, "
        "observed_at from raw.social_metrics where metric_date between %s and %s order by 1, 2, 3", (first, last))


def materialization(result: dg.ExecuteInProcessResult) -> dict:
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key == ASSET)
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_a_partition_holds_the_snapshot_a_daily_run_would_have_taken(warehouse, social_resources):
    day = date(2026, 11, 20)
    result = run(social_resources, partition=day.isoformat())
    assert result.success
    want = expected_posts(day)
    rows = rows_of(warehouse, day, day)
    assert {(r[0], r[1]) for r in rows} == set(want)
    as_of = day_end(day) + timedelta(hours=2)  # the simulated schedule reads at 02:00 the next day
    for platform, post_id, _, likes, views, reach, product_ids, followers, mode, observed_at in rows:
        post = want[(platform, post_id)]
        totals = post.totals(as_of)
        assert (likes, views) == (totals["likes"], totals["views"] if platform != "facebook" or
                                  post.media_type == "added_video" else 0)
        assert reach == (totals["reach"] if platform != "tiktok" else None)
        assert set(product_ids) == set(post.product_ids) or (platform == "tiktok" and len(post.caption) == 150)
        assert followers == sample.followers(platform, as_of if platform != "facebook" else day_end(day))
        assert (mode, observed_at) == ("fake", as_of)
    meta = materialization(result)
    assert meta["source_mode"] == "fake"
    assert meta["rows_loaded"] == len(want) == meta["dagster/row_count"]
    assert meta["rows_rejected"] == 0
    assert meta["rows_linked_to_products"] > len(want) // 2
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_rerunning_a_partition_gives_the_same_rows(warehouse, social_resources):
    day = date(2026, 11, 18)
    run(social_resources, partition=day.isoformat())
    first = rows_of(warehouse, day, day)
    run(social_resources, partition=day.isoformat())
    assert rows_of(warehouse, day, day) == first
    assert len(first) == len(expected_posts(day))
    assert warehouse.count("raw.social_metrics", dg_sql("metric_date = %s"), (day,)) == len(first)


def dg_sql(text: str):
    from psycopg import sql

    return sql.SQL(text)


def test_a_seven_day_backfill_is_one_run_with_a_snapshot_per_day(warehouse, social_resources):
    first, last = date(2026, 10, 1), date(2026, 10, 7)
    result = run(social_resources, first=first.isoformat(), last=last.isoformat())
    assert result.success
    # One run (one execution, one set of HTTP reads) materialized all seven partitions.
    partitions = {e.partition for e in result.get_asset_materialization_events() if e.asset_key == ASSET}
    assert partitions == {(first + timedelta(days=i)).isoformat() for i in range(7)}
    rows = rows_of(warehouse, first, last)
    for offset in range(7):
        day = first + timedelta(days=offset)
        assert {(r[0], r[1]) for r in rows if r[2] == day} == set(expected_posts(day)), day
    # Totals grow (or stay) from one day's snapshot to the next, as lifetime totals do.
    by_post: dict[tuple, list[int]] = {}
    for r in rows:
        by_post.setdefault((r[0], r[1]), []).append(r[3])
    assert any(len(v) > 1 and v[-1] > v[0] for v in by_post.values())
    assert all(v == sorted(v) for v in by_post.values())
    meta = materialization(result)
    assert meta["partition_days"] == 7
    assert meta["instagram"]["days_observed"] == meta["tiktok"]["days_observed"] == 7
    assert all(c.passed for c in result.get_asset_check_evaluations())


def live_resources(resources: dict, url: str, *, ig_token: str | None = None) -> dict:
    """Every platform "live": credentials set, base URLs pointing at a fake standing in for the real APIs."""
    urls = base_urls(url)
    return {**resources, "social": SocialApis(
        instagram_access_token=ig_token or DEFAULT_TOKENS["instagram"], instagram_user_id=sample.IG_USER_ID,
        instagram_base_url=urls["instagram"], facebook_access_token=DEFAULT_TOKENS["facebook"],
        facebook_page_id=sample.FB_PAGE_ID, facebook_base_url=urls["facebook"],
        tiktok_access_token=DEFAULT_TOKENS["tiktok"], tiktok_base_url=urls["tiktok"], now=NOW)}


def test_a_live_backfill_files_only_the_day_it_can_observe(warehouse, social_resources, fake):
    first, last = date(2026, 11, 21), date(2026, 11, 23)
    run(social_resources, first=first.isoformat(), last=last.isoformat())
    before = rows_of(warehouse, first, last)
    result = run(live_resources(social_resources, fake.base_url), first=first.isoformat(), last=last.isoformat())
    after = rows_of(warehouse, first, last)
    # Yesterday (relative to NOW) is re-read live, as of now; older days cannot be observed and are kept.
    assert [r for r in after if r[2] < last] == [r for r in before if r[2] < last]
    live = [r for r in after if r[2] == last]
    assert {(r[0], r[1]) for r in live} == set(expected_posts(last))
    assert {(r[8], r[9]) for r in live} == {("live", AT)}
    meta = materialization(result)
    assert meta["source_mode"] == "live"
    assert meta["instagram"]["days_observed"] == 1 and meta["instagram"]["days_skipped"] == 2
    assert meta["rows_kept_unobserved"] == 0  # the replaced window is the observed day only

    # Mixed: Instagram live, the others fake. The fake days widen the replaced window; Instagram's rows of
    # the days it cannot observe are carried through unchanged instead of being deleted.
    ig_before = [r for r in rows_of(warehouse, first, last) if r[0] == "instagram" and r[2] < last]
    mixed = SocialApis(instagram_access_token=DEFAULT_TOKENS["instagram"], instagram_user_id=sample.IG_USER_ID,
                       instagram_base_url=base_urls(fake.base_url)["instagram"], fake_url=fake.base_url, now=NOW)
    result = run({**social_resources, "social": mixed}, first=first.isoformat(), last=last.isoformat())
    meta = materialization(result)
    assert meta["source_mode"] == "mixed"
    assert meta["rows_kept_unobserved"] == len(ig_before) > 0
    assert [r for r in rows_of(warehouse, first, last) if r[0] == "instagram" and r[2] < last] == ig_before
    assert {(r[0], r[1], r[2]) for r in rows_of(warehouse, first, last)} == {
        (platform, post_id, d) for d in (first, first + timedelta(days=1), last)
        for platform, post_id in expected_posts(d)}


def test_throttling_and_server_errors_are_retried_inside_the_run(warehouse, resources):
    faults = {p: ["rate_limit", "server_error"] for p in sample.PLATFORMS}
    fake = start_fake("social", now=NOW, faults=faults)
    try:
        day = date(2026, 9, 15)
        result = run({**resources, "social": SocialApis(fake_url=fake.base_url, now=NOW)}, partition=day.isoformat())
        assert result.success
        assert {(r[0], r[1]) for r in rows_of(warehouse, day, day)} == set(expected_posts(day))
        meta = materialization(result)
        assert [meta[p]["retries"] for p in sample.PLATFORMS] == [2, 2, 2]
    finally:
        fake.stop()


def test_a_refused_token_fails_the_run_and_writes_nothing(warehouse, social_resources, fake):
    day = date(2026, 11, 23)
    before = rows_of(warehouse, date(2024, 1, 1), day)
    rejects_before = warehouse.count("raw.rejects")
    result = run(live_resources(social_resources, fake.base_url, ig_token="expired"),
                 partition=day.isoformat(), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "instagram" in failure.step_failure_data.error.message
    assert "access token was refused" in failure.step_failure_data.error.message
    assert "expired" not in failure.step_failure_data.error.message  # no secret in the error
    assert rows_of(warehouse, date(2024, 1, 1), day) == before
    assert warehouse.count("raw.rejects") == rejects_before


def test_unusable_api_records_become_rejects_with_reasons():
    day = date(2026, 11, 20)
    linker = ProductLinker([])
    snap = PostSnapshot("instagram", "1", "acct", datetime(2026, 11, 19, tzinfo=AT.tzinfo), "oi", None, "IMAGE",
                        likes=-3, reach=10)
    row = snapshot_row(snap, day, 100, AT, "fake", linker, {})
    assert isinstance(row, Reject) and "likes is negative" in row.reason
    future = PostSnapshot("tiktok", "2", "acct", day_end(day) + timedelta(hours=1), "x", None, "VIDEO")
    row = snapshot_row(future, day, 100, AT, "fake", linker, {})
    assert isinstance(row, Reject) and "published after" in row.reason


@pytest.mark.parametrize(("likes", "reach", "views", "expected"), [
    (10, 100, None, "0.1"), (10, None, 200, "0.05"), (10, 0, 0, None), (500, 100, None, None),
])
def test_engagement_rate_stays_within_zero_and_one(likes, reach, views, expected):
    snap = PostSnapshot("instagram", "1", "a", AT, None, None, None, likes=likes, reach=reach, views=views)
    rate = engagement_rate(snap)
    assert (None if rate is None else str(rate.normalize())) == expected
