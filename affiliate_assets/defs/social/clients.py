"""Thin clients of the Instagram Graph API, the Facebook Page (Graph) API and TikTok API v2.

Each one reads a platform the way its documentation says and returns :class:`PostSnapshot`s: the lifetime
totals of recent posts as the API reports them at the moment of the call. Retries, backoff and JSON
errors come from :class:`affiliate_assets.lib.http.HttpClient`; what is platform-specific stays here:

- Graph throttling arrives as HTTP 400/403 with error codes (4, 17, 32, 613, 80001, 80002, ...) and a
  wait hint in ``X-Business-Use-Case-Usage`` (minutes). A response hook rewrites those to what the base
  understands (429 + ``Retry-After``), so retry logic lives in one place.
- Graph access-token errors (``OAuthException``, code 190) and TikTok ``access_token_invalid`` become
  :class:`SocialAuthError` with a clear message: retrying cannot fix a bad token.
- Instagram stopped reporting ``impressions`` for media created from 2024-07-02; the client only asks it
  for older media (and drops it if the API refuses anyway).

:class:`SocialApis` is the Dagster resource: a platform with credentials in the environment talks to the
real service ("live"); one without talks to the bundled fake (``shared_fake("social")``, "fake").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
import requests

from affiliate_assets.lib.http import HttpClient, HttpError, paginate
from affiliate_assets.lib.settings import load_settings

log = logging.getLogger(__name__)

GRAPH_DEFAULT_URL = "https://graph.facebook.com/v21.0"
TIKTOK_DEFAULT_URL = "https://open.tiktokapis.com"
GRAPH_THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80014})
GRAPH_AUTH_CODES = frozenset({102, 190, 200, 2500})  # session/token invalid, permission missing, no token
IG_IMPRESSIONS_UNTIL = datetime(2024, 7, 2, tzinfo=UTC)
IG_METRICS = ("reach", "views", "likes", "comments", "shares", "saved")
FB_POST_METRICS = ("post_impressions", "post_impressions_unique", "post_clicks_by_type", "post_video_views")
FB_FOLLOWER_METRICS = ("page_follows", "page_fans")  # page_fans is the pre-2025 name
TIKTOK_FIELDS = ("id", "create_time", "share_url", "video_description", "title", "like_count", "comment_count",
                 "share_count", "view_count")


class SocialAuthError(RuntimeError):
    """The platform refused the access token: fix the credentials, retrying will not help."""


@dataclass
class PostSnapshot:
    """One post's lifetime totals as one API call reported them."""

    platform: str
    post_id: str
    account_id: str
    posted_at: datetime
    caption: str | None
    permalink: str | None
    media_type: str | None
    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    clicks: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_time(value: Any) -> datetime | None:
    """Graph ``2024-05-01T13:00:00+0000``, ISO with ``Z``, or epoch seconds → aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) or str(value).isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------
# Graph (Instagram + Facebook)
# ---------------------------------------------------------------------------------------------------


def graph_error(body: str) -> dict[str, Any]:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def _normalize_graph_throttling(resp: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """Response hook: Graph throttling (HTTP 400/403 + code) → 429 + Retry-After, for the base's retries."""
    if resp.status_code not in (400, 403):
        return resp
    error = graph_error(resp.text)
    if _int(error.get("code")) not in GRAPH_THROTTLE_CODES:
        return resp
    wait_s = 0.0
    for header in ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage"):
        try:
            usage = json.loads(resp.headers.get(header) or "{}")
        except ValueError:
            continue
        for entries in usage.values() if isinstance(usage, dict) else []:
            for entry in entries if isinstance(entries, list) else [entries]:
                minutes = _int((entry or {}).get("estimated_time_to_regain_access")) or 0
                wait_s = max(wait_s, minutes * 60.0)
    resp.status_code = 429
    if wait_s:
        resp.headers["Retry-After"] = str(int(wait_s))
    return resp


class BearerClient(HttpClient):
    """An API client authenticated by a long-lived access token sent as ``Authorization: Bearer`` (kept out
    of URLs, which end up in logs and error messages)."""

    platform = "api"

    def __init__(self, base_url: str, access_token: str, **kwargs: Any):
        super().__init__(base_url, **kwargs)
        self.access_token = access_token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class GraphClient(BearerClient):
    """Graph API base: throttling normalized for the base's retries, ``paging.next`` cursors."""

    platform = "graph"

    def __init__(self, base_url: str, access_token: str, **kwargs: Any):
        super().__init__(base_url, access_token, **kwargs)
        self.session.hooks["response"].append(_normalize_graph_throttling)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return self.get_json(path, params)
        except HttpError as exc:
            error = graph_error(exc.body)
            if _int(error.get("code")) in GRAPH_AUTH_CODES:
                raise SocialAuthError(
                    f"{self.platform}: the access token was refused ({error.get('type')} {error.get('code')}: "
                    f"{error.get('message')}); renew it") from exc
            raise

    def edge(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        """Items of a Graph edge across pages (``paging.next`` is a complete URL)."""

        def fetch(next_url: str | None) -> tuple[list[dict], str | None]:
            body = self.get(next_url or path, None if next_url else params)
            return list(body.get("data") or []), (body.get("paging") or {}).get("next")

        return paginate(fetch)

    def followers(self, node_id: str) -> int | None:
        """``followers_count`` of an IG user or a Page, now."""
        return _int(self.get(node_id, {"fields": "followers_count"}).get("followers_count"))

    def insights(self, node_id: str, metrics: list[str], **params: Any) -> dict[str, Any]:
        """``GET /{node}/insights``: {metric name: its latest value} (lifetime metrics have one value)."""
        body = self.get(f"{node_id}/insights", {"metric": ",".join(metrics), **params})
        out: dict[str, Any] = {}
        for item in body.get("data") or []:
            values = item.get("values") or []
            if values:
                out[item.get("name")] = values[-1].get("value")
        return out


class InstagramClient(GraphClient):
    platform = "instagram"

    def media(self, user_id: str, since: datetime, until: datetime) -> Iterator[dict]:
        """Media published in [since, until), newest first; stops paging once past ``since``."""
        fields = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
        for item in self.edge(f"{user_id}/media", {"fields": fields, "limit": 50}):
            posted = parse_time(item.get("timestamp"))
            if posted is None:
                continue
            if posted < since:
                return
            if posted < until:
                yield item

    def media_insights(self, media_id: str, posted_at: datetime) -> dict[str, Any]:
        metrics = list(IG_METRICS) + (["impressions"] if posted_at < IG_IMPRESSIONS_UNTIL else [])
        try:
            return self.insights(media_id, metrics)
        except HttpError as exc:
            code = graph_error(exc.body).get("code")
            if code == 10:  # "(#10) Not enough viewers for the media to show insights": no numbers yet
                return {}
            if "impressions" in metrics and code == 100:
                return self.insights(media_id, list(IG_METRICS))
            raise

    def snapshots(self, user_id: str, since: datetime, until: datetime) -> list[PostSnapshot]:
        out = []
        for item in self.media(user_id, since, until):
            posted = parse_time(item["timestamp"])
            assert posted is not None
            values = self.media_insights(item["id"], posted)
            out.append(PostSnapshot(
                platform="instagram", post_id=str(item["id"]), account_id=user_id, posted_at=posted,
                caption=item.get("caption"), permalink=item.get("permalink"),
                media_type=item.get("media_product_type") if item.get("media_product_type") == "REELS"
                else item.get("media_type"),
                impressions=_int(values.get("impressions")), reach=_int(values.get("reach")),
                views=_int(values.get("views")),
                likes=_int(values.get("likes", item.get("like_count"))),
                comments=_int(values.get("comments", item.get("comments_count"))),
                shares=_int(values.get("shares")), saves=_int(values.get("saved")), raw=item,
            ))
        return out


class FacebookClient(GraphClient):
    platform = "facebook"

    def posts(self, page_id: str, since: datetime, until: datetime) -> Iterator[dict]:
        fields = ("id,message,created_time,permalink_url,status_type,shares,"
                  "comments.summary(true).limit(0),reactions.summary(true).limit(0)")
        params = {"fields": fields, "limit": 50, "since": int(since.timestamp()), "until": int(until.timestamp())}
        for item in self.edge(f"{page_id}/posts", params):
            posted = parse_time(item.get("created_time"))
            if posted is not None and since <= posted < until:
                yield item

    def followers_by_day(self, page_id: str, first: date, last: date) -> dict[date, int]:
        """Page followers at the end of each day in [first, last] (``page_follows``, else ``page_fans``).

        Daily page metrics carry ``end_time`` = the end of the day they describe (Pacific midnight, i.e.
        07:00/08:00 UTC next morning): the value belongs to the day before ``end_time``'s date."""
        since = datetime(first.year, first.month, first.day, tzinfo=UTC)
        until = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
        for metric in FB_FOLLOWER_METRICS:
            try:
                body = self.get(f"{page_id}/insights", {"metric": metric, "period": "day",
                                                        "since": int(since.timestamp()),
                                                        "until": int(until.timestamp())})
            except HttpError as exc:
                if graph_error(exc.body).get("code") == 100:
                    continue  # metric retired or not yet available in this API version: try the next name
                raise
            out: dict[date, int] = {}
            for item in body.get("data") or []:
                for value in item.get("values") or []:
                    end = parse_time(value.get("end_time"))
                    if end is not None and _int(value.get("value")) is not None:
                        out[(end - timedelta(hours=12)).date()] = int(value["value"])
            return out
        return {}

    def snapshots(self, page_id: str, since: datetime, until: datetime) -> list[PostSnapshot]:
        out = []
        for item in self.posts(page_id, since, until):
            values = self.insights(item["id"], list(FB_POST_METRICS))
            clicks = values.get("post_clicks_by_type")
            out.append(PostSnapshot(
                platform="facebook", post_id=str(item["id"]), account_id=page_id,
                posted_at=parse_time(item["created_time"]),  # type: ignore[arg-type]
                caption=item.get("message"), permalink=item.get("permalink_url"), media_type=item.get("status_type"),
                impressions=_int(values.get("post_impressions")), reach=_int(values.get("post_impressions_unique")),
                views=_int(values.get("post_video_views")),
                likes=_int(((item.get("reactions") or {}).get("summary") or {}).get("total_count")),
                comments=_int(((item.get("comments") or {}).get("summary") or {}).get("total_count")),
                shares=_int((item.get("shares") or {}).get("count", 0)),  # absent when nobody shared
                clicks=_int(clicks.get("link clicks", 0)) if isinstance(clicks, dict) else None, raw=item,
            ))
        return out


# ---------------------------------------------------------------------------------------------------
# TikTok
# ---------------------------------------------------------------------------------------------------


class TikTokClient(BearerClient):
    """TikTok API v2 (Display API): every body carries ``error.code`` ("ok" on success)."""

    platform = "tiktok"

    def call(self, method: str, path: str, fields: tuple[str, ...], body: dict | None = None) -> dict:
        try:
            if method == "GET":
                payload = self.get_json(path, {"fields": ",".join(fields)})
            else:
                payload = self.post_json(f"{path}?fields={','.join(fields)}", body or {})
        except HttpError as exc:
            code = _tiktok_code(exc.body)
            if code in ("access_token_invalid", "scope_not_authorized", "access_token_expired"):
                raise SocialAuthError(f"tiktok: the access token was refused ({code}); renew it") from exc
            raise
        code = (payload.get("error") or {}).get("code", "ok")
        if code != "ok":
            raise HttpError(f"tiktok {path} answered error {code}: {payload.get('error')}", url=path,
                            body=json.dumps(payload)[:2000])
        return payload.get("data") or {}

    def user(self) -> dict:
        return self.call("GET", "v2/user/info/", ("open_id", "display_name", "follower_count")).get("user") or {}

    def videos(self, since: datetime, until: datetime) -> Iterator[dict]:
        """Videos published in [since, until), newest first; ``cursor`` is an epoch-ms upper bound."""

        def fetch(cursor: str | None) -> tuple[list[dict], str | None]:
            body: dict[str, Any] = {"max_count": 20}
            if cursor:
                body["cursor"] = int(cursor)
            data = self.call("POST", "v2/video/list/", TIKTOK_FIELDS, body)
            videos = list(data.get("videos") or [])
            oldest = min((parse_time(v.get("create_time")) or until for v in videos), default=until)
            more = data.get("has_more") and oldest >= since and data.get("cursor")
            return videos, str(data["cursor"]) if more else None

        for video in paginate(fetch):
            posted = parse_time(video.get("create_time"))
            if posted is not None and since <= posted < until:
                yield video

    def query(self, video_ids: list[str]) -> list[dict]:
        """``POST /v2/video/query/`` for up to 20 ids per call."""
        out: list[dict] = []
        for start in range(0, len(video_ids), 20):
            data = self.call("POST", "v2/video/query/", TIKTOK_FIELDS,
                             {"filters": {"video_ids": video_ids[start:start + 20]}})
            out.extend(data.get("videos") or [])
        return out

    def snapshots(self, account_id: str, since: datetime, until: datetime) -> list[PostSnapshot]:
        return [
            PostSnapshot(
                platform="tiktok", post_id=str(v["id"]), account_id=account_id,
                posted_at=parse_time(v["create_time"]),  # type: ignore[arg-type]
                caption=v.get("video_description") or v.get("title"), permalink=v.get("share_url"),
                media_type="VIDEO", views=_int(v.get("view_count")), likes=_int(v.get("like_count")),
                comments=_int(v.get("comment_count")), shares=_int(v.get("share_count")), raw=v,
            )
            for v in self.videos(since, until)
        ]


def _tiktok_code(body: str) -> str | None:
    try:
        return (json.loads(body).get("error") or {}).get("code")
    except (ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------------
# The resource
# ---------------------------------------------------------------------------------------------------


@dataclass
class PlatformSource:
    """How to reach one platform: live credentials or the bundled fake."""

    platform: str
    mode: str  # live | fake
    base_url: str
    access_token: str
    account_id: str | None  # IG user id / FB page id; TikTok learns its open_id from /v2/user/info/

    def client(self, as_of: datetime | None = None) -> InstagramClient | FacebookClient | TikTokClient:
        """A client; in fake mode ``as_of`` picks the moment the fake answers for (see fakes.social)."""
        token = self.access_token
        if self.mode == "fake" and as_of is not None:
            from affiliate_assets.fakes.social import token_as_of

            token = token_as_of(token, as_of)
        cls = {"instagram": InstagramClient, "facebook": FacebookClient, "tiktok": TikTokClient}[self.platform]
        return cls(self.base_url, token)

    def describe(self) -> str:
        host = self.base_url.split("//", 1)[-1].split("/", 1)[0]
        return f"{self.mode} ({host})"


class SocialApis(dg.ConfigurableResource):
    """Instagram, Facebook and TikTok access. Every field defaults to the environment (INSTAGRAM_*,
    FACEBOOK_*, TIKTOK_*); a platform without an access token uses the bundled fake."""

    instagram_access_token: str | None = None
    instagram_user_id: str | None = None
    instagram_base_url: str | None = None
    facebook_access_token: str | None = None
    facebook_page_id: str | None = None
    facebook_base_url: str | None = None
    tiktok_access_token: str | None = None
    tiktok_base_url: str | None = None
    fake_url: str | None = None  # a running social fake to use instead of the in-process shared one
    now: str | None = None  # ISO instant standing for "now" (tests); default: the real clock

    def clock(self) -> datetime:
        return parse_time(self.now) if self.now else datetime.now(UTC)  # type: ignore[return-value]

    def sources(self) -> list[PlatformSource]:
        s = load_settings()
        token = {"instagram": self.instagram_access_token or s.instagram_access_token,
                 "facebook": self.facebook_access_token or s.facebook_access_token,
                 "tiktok": self.tiktok_access_token or s.tiktok_access_token}
        account = {"instagram": self.instagram_user_id or s.instagram_user_id,
                   "facebook": self.facebook_page_id or s.facebook_page_id, "tiktok": None}
        base = {"instagram": self.instagram_base_url or s.instagram_base_url or GRAPH_DEFAULT_URL,
                "facebook": self.facebook_base_url or s.facebook_base_url or GRAPH_DEFAULT_URL,
                "tiktok": self.tiktok_base_url or s.tiktok_base_url or TIKTOK_DEFAULT_URL}
        out: list[PlatformSource] = []
        for platform in ("instagram", "facebook", "tiktok"):
            if token[platform]:
                if platform != "tiktok" and not account[platform]:
                    name = "INSTAGRAM_USER_ID" if platform == "instagram" else "FACEBOOK_PAGE_ID"
                    raise ValueError(f"{platform}: an access token is set but {name} is not")
                out.append(PlatformSource(platform, "live", base[platform], token[platform],  # type: ignore[arg-type]
                                          account[platform]))
            else:
                out.append(self._fake_source(platform))
        return out

    def _fake_source(self, platform: str) -> PlatformSource:
        from affiliate_assets.fakes.runtime import shared_fake
        from affiliate_assets.fakes.social import DEFAULT_TOKENS, base_urls
        from affiliate_assets.sample_data.social import ACCOUNT_IDS

        url = self.fake_url or shared_fake("social").base_url
        account = ACCOUNT_IDS[platform] if platform != "tiktok" else None
        return PlatformSource(platform, "fake", base_urls(url)[platform], DEFAULT_TOKENS[platform], account)
