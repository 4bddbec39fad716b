"""The social clients against the fake over real HTTP: paging, tokens, throttling, broken bodies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from social_testkit import AT, NOW

from affiliate_assets.defs.social.clients import (
    FacebookClient,
    InstagramClient,
    SocialAuthError,
    TikTokClient,
)
from affiliate_assets.fakes.runtime import start_fake
from affiliate_assets.fakes.social import DEFAULT_TOKENS, base_urls, token_as_of
from affiliate_assets.lib.http import MalformedResponseError, RetryPolicy
from affiliate_assets.sample_data import social as sample

FAST = RetryPolicy(max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)


def client(platform: str, url: str, token: str | None = None):
    cls = {"instagram": InstagramClient, "facebook": FacebookClient, "tiktok": TikTokClient}[platform]
    return cls(base_urls(url)[platform], token or DEFAULT_TOKENS[platform], retry=FAST)


def truth(platform: str, since: datetime, until: datetime) -> list[str]:
    return [p.post_id for p in sample.iter_posts(platform, until, since)]


def test_instagram_media_pages_through_cursors_newest_first(fake):
    ig = client("instagram", fake.base_url)
    items = list(ig.edge(f"{sample.IG_USER_ID}/media", {"fields": "id,timestamp", "limit": 3}))
    want = [p.post_id for p in sample.all_posts("instagram", AT)]
    assert [i["id"] for i in items] == want
    assert len(want) > 100  # really many pages of 3
    pages = [path for method, path in fake.server.RequestHandlerClass.request_log if "/media" in path]
    assert len(pages) == -(-len(want) // 3)
    # The bounded read stops paging once past the window.
    since = AT - timedelta(days=10)
    assert [m["id"] for m in ig.media(sample.IG_USER_ID, since, AT)] == truth("instagram", since, AT)


def test_instagram_insights_are_lifetime_totals_and_skip_retired_impressions(fake):
    ig = client("instagram", fake.base_url)
    old = next(p for p in sample.all_posts("instagram", datetime(2024, 3, 1, tzinfo=UTC)))
    new = sample.all_posts("instagram", AT)[0]
    snaps = {s.post_id: s for s in ig.snapshots(sample.IG_USER_ID, old.posted_at, old.posted_at + timedelta(seconds=1))}
    assert snaps[old.post_id].impressions == old.totals(AT)["impressions"] > 0
    assert snaps[old.post_id].saves == old.totals(AT)["saves"]
    snaps = {s.post_id: s for s in ig.snapshots(sample.IG_USER_ID, new.posted_at, AT)}
    assert snaps[new.post_id].impressions is None  # media after 2024-07-02: the API refuses the metric
    assert snaps[new.post_id].reach == new.totals(AT)["reach"]
    assert ig.followers(sample.IG_USER_ID) == sample.followers("instagram", AT)


def test_an_as_of_token_sees_the_past(fake):
    then = AT - timedelta(days=30)
    ig = client("instagram", fake.base_url, token_as_of(DEFAULT_TOKENS["instagram"], then))
    post = sample.all_posts("instagram", then)[0]
    (snap,) = [s for s in ig.snapshots(sample.IG_USER_ID, post.posted_at, then) if s.post_id == post.post_id]
    assert snap.likes == post.totals(then)["likes"] < post.totals(AT)["likes"]
    assert ig.followers(sample.IG_USER_ID) == sample.followers("instagram", then)


def test_facebook_posts_insights_and_daily_followers(fake):
    fb = client("facebook", fake.base_url)
    since = AT - timedelta(days=20)
    snaps = fb.snapshots(sample.FB_PAGE_ID, since, AT)
    assert [s.post_id for s in snaps] == truth("facebook", since, AT)
    by_id = {p.post_id: p for p in sample.iter_posts("facebook", AT, since)}
    for s in snaps:
        totals = by_id[s.post_id].totals(AT)
        assert (s.reach, s.likes, s.comments, s.shares, s.clicks) == (
            totals["reach"], totals["likes"], totals["comments"], totals["shares"], totals["clicks"])
    assert any(s.clicks for s in snaps)  # link posts report link clicks
    history = fb.followers_by_day(sample.FB_PAGE_ID, date(2026, 11, 1), date(2026, 11, 22))
    assert len(history) == 22
    assert history[date(2026, 11, 10)] == sample.followers("facebook", datetime(2026, 11, 11, tzinfo=UTC))


def test_tiktok_list_pages_by_cursor_and_query_by_id(fake):
    tt = client("tiktok", fake.base_url)
    assert tt.user()["open_id"] == sample.TIKTOK_OPEN_ID
    since = AT - timedelta(days=60)
    videos = list(tt.videos(since, AT))
    assert [v["id"] for v in videos] == truth("tiktok", since, AT)
    assert len(videos) > 20  # more than one page of 20
    queried = tt.query([v["id"] for v in videos[:25]])
    assert [v["id"] for v in queried] == [v["id"] for v in videos[:25]]
    assert queried[0]["view_count"] == videos[0]["view_count"]


@pytest.mark.parametrize("platform", ["instagram", "facebook", "tiktok"])
def test_a_bad_token_fails_clearly_without_retrying(fake, platform):
    c = client(platform, fake.base_url, "not-a-token")
    with pytest.raises(SocialAuthError, match=platform):
        c.user() if platform == "tiktok" else c.get(sample.ACCOUNT_IDS[platform], {"fields": "followers_count"})
    assert c.stats["retries"] == 0


@pytest.mark.parametrize("platform", ["instagram", "facebook", "tiktok"])
def test_rate_limits_and_server_errors_are_retried(platform):
    fake = start_fake("social", now=NOW, faults={platform: ["rate_limit", "server_error", "rate_limit"]})
    try:
        c = client(platform, fake.base_url)
        if platform == "tiktok":
            assert c.user()["follower_count"] == sample.followers("tiktok", AT)
        else:
            body = c.get(sample.ACCOUNT_IDS[platform], {"fields": "followers_count"})
            assert body["followers_count"] == sample.followers(platform, AT)
        assert c.stats["retries"] == 3
    finally:
        fake.stop()


def test_graph_throttling_honours_the_regain_access_hint():
    fake = start_fake("social", now=NOW, faults={"facebook": ["rate_limit"]}, regain_minutes=2)
    waits: list[float] = []
    try:
        fb = FacebookClient(base_urls(fake.base_url)["facebook"], DEFAULT_TOKENS["facebook"],
                            retry=RetryPolicy(max_wait_s=600), sleep=waits.append)
        assert fb.get(sample.FB_PAGE_ID, {"fields": "followers_count"})["followers_count"] > 0
        assert waits == [120.0]
    finally:
        fake.stop()


def test_a_truncated_body_is_a_clear_error():
    fake = start_fake("social", now=NOW, faults={"instagram": ["truncated"]})
    try:
        with pytest.raises(MalformedResponseError, match="malformed JSON"):
            client("instagram", fake.base_url).followers(sample.IG_USER_ID)
    finally:
        fake.stop()
