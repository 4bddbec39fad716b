"""A fake of the three social APIs an affiliate reads, on one server, one URL prefix per platform.

- ``/instagram/v21.0``: Instagram Graph API (Facebook Login flavour, graph.facebook.com): the IG user
  (``followers_count``), its ``/media`` edge (cursor paging, newest first) and ``/{media-id}/insights``
  (lifetime totals; ``impressions`` errors for media created from 2024-07-02 on, as the real API does).
- ``/facebook/v21.0``: a Facebook Page: ``/{page-id}/posts`` (``since``/``until``, cursor paging, nested
  ``comments.summary(true)``/``reactions.summary(true)``/``shares`` fields), ``/{post-id}/insights``
  (lifetime) and ``/{page-id}/insights?metric=page_follows|page_fans&period=day&since&until`` (daily
  history, at most 93 days per call).
- ``/tiktok``: TikTok API v2: ``GET /v2/user/info/``, ``POST /v2/video/list/`` (``max_count`` ≤ 20,
  ``cursor`` in epoch ms) and ``POST /v2/video/query/`` (``filters.video_ids`` ≤ 20).

Errors speak each platform's dialect: Graph ``{"error": {"type": "OAuthException", "code": 190, ...}}``
for bad tokens and code 80002/80001 with ``X-Business-Use-Case-Usage`` when throttled; TikTok
``{"error": {"code": "access_token_invalid" | "rate_limit_exceeded", ...}}`` with 401/429.

The data are :mod:`affiliate_assets.sample_data.social` as seen at the server's clock. A token minted by
:func:`token_as_of` sees the world at that moment instead, like a sandbox frozen in time: that is how
the offline demo simulates the daily snapshots a scheduled run would have taken (clients cannot tell).

Options (``python -m affiliate_assets.fakes social -o key=value``): ``tokens`` ({platform: token}),
``faults`` ({platform: ["rate_limit" | "server_error" | "truncated" | "bad_token", ...]}, consumed one per
request), ``regain_minutes`` (Graph throttling wait hint), ``now`` (ISO clock; default: real time).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any, ClassVar
from urllib.parse import urlencode

from affiliate_assets.fakes.base import FakeHandler, FakeServer, serve
from affiliate_assets.sample_data import social as sample

DEFAULT_TOKENS = {
    "instagram": "fake-instagram-token",
    "facebook": "fake-facebook-page-token",
    "tiktok": "act.fake-tiktok-token",
}
ASOF_SEPARATOR = ".asof."
GRAPH_PAGE_MAX = 100
TIKTOK_PAGE_MAX = 20
PAGE_INSIGHTS_MAX_DAYS = 93

IG_MEDIA_METRICS = {"reach", "views", "likes", "comments", "shares", "saved", "total_interactions", "impressions"}
FB_POST_METRICS = {"post_impressions", "post_impressions_unique", "post_clicks_by_type", "post_video_views",
                   "post_reactions_by_type_total"}
FB_PAGE_METRICS = {"page_follows", "page_fans"}
TIKTOK_VIDEO_FIELDS = {"id", "create_time", "cover_image_url", "share_url", "video_description", "duration",
                       "height", "width", "title", "embed_html", "embed_link", "like_count", "comment_count",
                       "share_count", "view_count"}

GRAPH = r"/(?P<platform>instagram|facebook)/v\d+\.\d+"


def token_as_of(token: str, at: datetime) -> str:
    """A token the fake answers as if it were ``at`` (see the module doc)."""
    return f"{token}{ASOF_SEPARATOR}{int(at.timestamp())}"


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def split_fields(text: str) -> list[str]:
    """Split a Graph ``fields`` list on top-level commas (``comments.summary(true).limit(0),shares``)."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        out.append(current.strip())
    return out


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


class SocialHandler(FakeHandler):
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", GRAPH + r"/(?P<node>[0-9_]+)", "graph_node"),
        ("GET", GRAPH + r"/(?P<node>[0-9]+)/media", "ig_media"),
        ("GET", GRAPH + r"/(?P<node>[0-9]+)/posts", "fb_posts"),
        ("GET", GRAPH + r"/(?P<node>[0-9_]+)/insights", "graph_insights"),
        ("GET", r"/tiktok/v2/user/info/?", "tiktok_user"),
        ("POST", r"/tiktok/v2/video/list/?", "tiktok_list"),
        ("POST", r"/tiktok/v2/video/query/?", "tiktok_query"),
    ]
    tokens: ClassVar[dict[str, str]] = DEFAULT_TOKENS
    faults: ClassVar[dict[str, list[str]]] = {}
    fault_lock: ClassVar[threading.Lock]
    request_log: ClassVar[list[tuple[str, str]]]
    regain_minutes: ClassVar[int] = 0
    now: ClassVar[str | None] = None

    # Plumbing --------------------------------------------------------------------------------------
    def _authorized_dispatch(self) -> None:
        """Log, authenticate and maybe inject a fault before routing (the base binds do_* to its own)."""
        self.request_log.append((self.command, self.path))
        platform = self.path_only.strip("/").split("/", 1)[0]
        if platform not in DEFAULT_TOKENS:
            self.send_json(404, {"error": "not_found", "message": f"no route for {self.path_only}"})
            return
        self.platform = platform
        at = self._authenticate(platform)
        if at is None:
            return
        self.at = at
        fault = self._next_fault(platform)
        if fault and self._inject(fault):
            return
        self._dispatch()

    do_GET = do_POST = do_HEAD = _authorized_dispatch

    def _next_fault(self, platform: str) -> str | None:
        with self.fault_lock:
            queue = self.faults.get(platform) or []
            return queue.pop(0) if queue else None

    def _clock(self) -> datetime:
        return datetime.fromisoformat(self.now) if self.now else datetime.now(UTC)

    def _authenticate(self, platform: str) -> datetime | None:
        """The moment this caller sees, or None after answering 4xx for a bad token."""
        header = self.headers.get("Authorization") or ""
        token = header.split(" ", 1)[1].strip() if " " in header else self.query.get("access_token", "")
        base, _, asof = token.partition(ASOF_SEPARATOR)
        if base and base == self.tokens.get(platform):
            try:
                return datetime.fromtimestamp(int(asof), UTC) if asof else self._clock()
            except ValueError:
                pass
        self._bad_token(platform, bool(token))
        return None

    def _bad_token(self, platform: str, present: bool) -> None:
        if platform == "tiktok":
            self._tiktok_error(401, "access_token_invalid",
                               "The access token is invalid or not found in the request.")
        else:
            message = ("Invalid OAuth access token - Cannot parse access token" if present
                       else "An active access token must be used to query information about the current user.")
            self._graph_error(400, 190 if present else 2500, message)

    def _inject(self, fault: str) -> bool:
        platform = self.platform
        if fault == "bad_token":
            self._bad_token(platform, True)
        elif fault == "rate_limit":
            if platform == "tiktok":
                self._tiktok_error(429, "rate_limit_exceeded",
                                   "API rate limit was exceeded, only 600 requests per minute are allowed.")
            else:
                code, kind = (80002, "instagram") if platform == "instagram" else (80001, "pages")
                usage = {sample.ACCOUNT_IDS[platform]: [{
                    "type": kind, "call_count": 100, "total_cputime": 12, "total_time": 15,
                    "estimated_time_to_regain_access": self.regain_minutes}]}
                what = "Instagram" if platform == "instagram" else "Page"
                self._graph_error(400, code, f"There have been too many calls to this {what} account. "
                                             "Wait a bit and try again.",
                                  headers={"X-Business-Use-Case-Usage": json.dumps(usage)}, transient=True)
        elif fault == "server_error":
            if platform == "tiktok":
                self._tiktok_error(500, "internal_error", "Something went wrong. Please try again later.")
            else:
                self._graph_error(500, 2, "An unexpected error has occurred. Please retry your request later.",
                                  transient=True)
        elif fault == "truncated":
            body = b'{"data": [{"id": "1790000'
            self.send_bytes(200, body, "application/json; charset=UTF-8")
        else:
            return False
        return True

    def _graph_error(self, status: int, code: int, message: str, *, headers: dict[str, str] | None = None,
                     transient: bool = False) -> None:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                                 "fbtrace_id": uuid.uuid4().hex[:27]}
        if transient:
            error["is_transient"] = True
        self.send_json(status, {"error": error}, headers)

    def _tiktok_error(self, status: int, code: str, message: str) -> None:
        self.send_json(status, {"data": {}, "error": {"code": code, "message": message,
                                                      "log_id": uuid.uuid4().hex.upper()[:30]}})

    def _tiktok_ok(self, data: dict) -> None:
        self.send_json(200, {"data": data, "error": {"code": "ok", "message": "",
                                                     "log_id": uuid.uuid4().hex.upper()[:30]}})

    def _posts(self, platform: str, since: datetime | None = None,
               until: datetime | None = None) -> Iterator[sample.Post]:
        """Posts visible at this caller's moment, newest first, lazily."""
        return sample.iter_posts(platform, min(until or self.at, self.at), since)

    def _find_post(self, platform: str, post_id: str) -> sample.Post | None:
        post = sample.find_post(platform, post_id)
        return post if post is not None and post.posted_at <= self.at else None

    def _graph_page(self, posts: Iterator[sample.Post], render: Callable[[sample.Post], dict], offset: int,
                    limit: int) -> dict:
        window = list(islice(posts, offset, offset + limit + 1))  # one extra: is there a next page?
        page = [render(p) for p in window[:limit]]
        body: dict[str, Any] = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}}
            if len(window) > limit:
                query = {k: v for k, v in self.query.items() if k != "before"}
                query["after"] = _cursor(offset + len(page))
                host = self.headers.get("Host") or "127.0.0.1"
                body["paging"]["next"] = f"http://{host}{self.path_only}?{urlencode(query)}"
        return body

    def _limit(self, default: int = 25) -> int:
        try:
            return max(1, min(GRAPH_PAGE_MAX, int(self.query.get("limit", default))))
        except ValueError:
            return default

    # Graph: nodes -----------------------------------------------------------------------------------
    def graph_node(self, platform: str, node: str) -> None:
        fields = split_fields(self.query.get("fields", "id"))
        if node == sample.ACCOUNT_IDS[platform]:
            n_followers = sample.followers(platform, self.at)
            known = {"id": node, "username": sample.HANDLE, "name": "Achadinhos da Ju",
                     "followers_count": n_followers, "fan_count": n_followers,
                     "media_count": sum(1 for _ in self._posts(platform))}
            self.send_json(200, {f: known[f] for f in fields if f in known})
            return
        post = self._find_post(platform, node)
        if post is None:
            self._graph_error(400, 100, f"Unsupported get request. Object with ID '{node}' does not exist, "
                                        "cannot be loaded due to missing permissions, or does not support this "
                                        "operation.")
            return
        render = self._ig_media if platform == "instagram" else self._fb_post
        item = render(post, fields=fields)
        self.send_json(200, item)

    # Instagram ------------------------------------------------------------------------------------------
    def _ig_media(self, post: sample.Post, *, fields: list[str]) -> dict:
        totals = post.totals(self.at)
        known = {
            "id": post.post_id, "caption": post.caption, "media_type": post.media_type,
            "media_product_type": "REELS" if post.media_type == "VIDEO" else "FEED",
            "permalink": post.permalink, "timestamp": graph_time(post.posted_at),
            "username": sample.HANDLE, "like_count": totals["likes"], "comments_count": totals["comments"],
        }
        return {f: known[f] for f in fields if f in known}

    def _edge_offset(self, platform: str, node: str, owner: str, edge: str) -> int | None:
        """Where a listing of ``owner``'s ``edge`` starts, or None after answering the Graph error."""
        if platform != owner or node != sample.ACCOUNT_IDS[owner]:
            self._graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({edge})")
            return None
        offset = _offset(self.query.get("after"))
        if offset < 0:
            self._graph_error(400, 100, "(#100) The after cursor is invalid")
            return None
        return offset

    def ig_media(self, platform: str, node: str) -> None:
        offset = self._edge_offset(platform, node, "instagram", "media")
        if offset is None:
            return
        fields = split_fields(self.query.get("fields", "id"))
        render = partial(self._ig_media, fields=fields)
        self.send_json(200, self._graph_page(self._posts("instagram"), render, offset, self._limit()))

    def _ig_insights(self, post: sample.Post, metrics: list[str]) -> None:
        unknown = [m for m in metrics if m not in IG_MEDIA_METRICS]
        if unknown:
            self._graph_error(400, 100, f"(#100) metric[0] must be one of the following values: "
                                        f"{', '.join(sorted(IG_MEDIA_METRICS - {'impressions'}))}")
            return
        if "impressions" in metrics and post.posted_at >= sample.IMPRESSIONS_CUTOFF:
            self._graph_error(400, 100, "(#100) Starting from version v22.0 and above, the impressions metric "
                                        "is no longer supported for media created after July 2, 2024.")
            return
        totals = post.totals(self.at)
        values = {**totals, "saved": totals["saves"],
                  "total_interactions": totals["likes"] + totals["comments"] + totals["shares"] + totals["saves"]}
        data = [{"name": m, "period": "lifetime", "values": [{"value": values[m]}],
                 "title": m.replace("_", " ").capitalize(), "description": "",
                 "id": f"{post.post_id}/insights/{m}/lifetime"} for m in metrics]
        self.send_json(200, {"data": data})

    # Facebook -----------------------------------------------------------------------------------------
    def _fb_post(self, post: sample.Post, *, fields: list[str]) -> dict:
        totals = post.totals(self.at)
        out: dict[str, Any] = {}
        for field in fields:
            name = field.split(".", 1)[0].split("{", 1)[0]
            if name == "id":
                out["id"] = post.post_id
            elif name == "message" and post.caption:
                out["message"] = post.caption
            elif name == "created_time":
                out["created_time"] = graph_time(post.posted_at)
            elif name == "permalink_url":
                out["permalink_url"] = post.permalink
            elif name == "status_type":
                out["status_type"] = post.media_type
            elif name == "shares" and totals["shares"]:  # the real API omits shares when there are none
                out["shares"] = {"count": totals["shares"]}
            elif name in ("comments", "reactions"):
                value = totals["comments" if name == "comments" else "likes"]
                edge: dict[str, Any] = {"data": []}
                if "summary(" in field:
                    edge["summary"] = {"total_count": value}
                out[name] = edge
        return out

    def fb_posts(self, platform: str, node: str) -> None:
        offset = self._edge_offset(platform, node, "facebook", "posts")
        if offset is None:
            return
        since, until = self._since_until()
        fields = split_fields(self.query.get("fields", "id,message,created_time"))
        render = partial(self._fb_post, fields=fields)
        self.send_json(200, self._graph_page(self._posts("facebook", since, until), render, offset, self._limit()))

    def _since_until(self) -> tuple[datetime | None, datetime | None]:
        def parse(value: str | None) -> datetime | None:
            if not value:
                return None
            if value.isdigit():
                return datetime.fromtimestamp(int(value), UTC)
            return datetime.fromisoformat(value).replace(tzinfo=UTC)

        return parse(self.query.get("since")), parse(self.query.get("until"))

    def _fb_post_insights(self, post: sample.Post, metrics: list[str]) -> None:
        unknown = [m for m in metrics if m not in FB_POST_METRICS]
        if unknown:
            self._graph_error(400, 100, "(#100) The value must be a valid insights metric")
            return
        totals = post.totals(self.at)
        values = {
            "post_impressions": totals["impressions"],
            "post_impressions_unique": totals["reach"],
            "post_video_views": totals["views"] if post.media_type == "added_video" else 0,
            "post_clicks_by_type": {k: v for k, v in {"link clicks": totals["clicks"],
                                                      "photo view": totals["likes"] // 3,
                                                      "other clicks": totals["likes"] // 5}.items() if v},
            "post_reactions_by_type_total": {"like": totals["likes"] * 4 // 5,
                                             "love": totals["likes"] - totals["likes"] * 4 // 5},
        }
        data = [{"name": m, "period": "lifetime", "values": [{"value": values[m]}], "title": m,
                 "description": "", "id": f"{post.post_id}/insights/{m}/lifetime"} for m in metrics]
        self.send_json(200, {"data": data})

    def _fb_page_insights(self, metrics: list[str]) -> None:
        unknown = [m for m in metrics if m not in FB_PAGE_METRICS]
        if unknown or self.query.get("period", "day") != "day":
            self._graph_error(400, 100, "(#100) The value must be a valid insights metric")
            return
        since, until = self._since_until()
        until = until or self.at
        since = since or until - timedelta(days=2)
        if (until - since).days > PAGE_INSIGHTS_MAX_DAYS:
            self._graph_error(400, 100, "(#100) There cannot be more than 93 days (8035200 s) between since and "
                                        "until")
            return
        # One value per day: end_time is the end of that day (08:00 UTC next morning, Pacific time).
        values = []
        day = since.date()
        while datetime(day.year, day.month, day.day, tzinfo=UTC) < until:
            end = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(days=1)
            if end - timedelta(hours=8) <= self.at:
                values.append({"value": sample.followers("facebook", end - timedelta(hours=8)),
                               "end_time": graph_time(end)})
            day += timedelta(days=1)
        data = [{"name": m, "period": "day", "values": values, "title": "Lifetime Total Followers",
                 "description": "Lifetime: the total number of people who follow your Page.",
                 "id": f"{sample.FB_PAGE_ID}/insights/{m}/day"} for m in metrics]
        self.send_json(200, {"data": data, "paging": {}})

    def graph_insights(self, platform: str, node: str) -> None:
        metrics = [m.strip() for m in self.query.get("metric", "").split(",") if m.strip()]
        if not metrics:
            self._graph_error(400, 100, "(#100) The parameter metric is required")
            return
        if platform == "facebook" and node == sample.FB_PAGE_ID:
            self._fb_page_insights(metrics)
            return
        post = self._find_post(platform, node)
        if post is None:
            self._graph_error(400, 100, f"Unsupported get request. Object with ID '{node}' does not exist.")
        elif platform == "instagram":
            self._ig_insights(post, metrics)
        else:
            self._fb_post_insights(post, metrics)

    # TikTok -------------------------------------------------------------------------------------------
    def _tiktok_fields(self) -> list[str] | None:
        fields = [f.strip() for f in self.query.get("fields", "").split(",") if f.strip()]
        bad = [f for f in fields if f not in TIKTOK_VIDEO_FIELDS]
        if not fields or bad:
            self._tiktok_error(400, "invalid_params", f"Invalid fields: {','.join(bad) or '(none)'}")
            return None
        return fields

    def _tiktok_video(self, post: sample.Post, fields: list[str]) -> dict:
        totals = post.totals(self.at)
        known = {
            "id": post.post_id, "create_time": int(post.posted_at.timestamp()), "share_url": post.permalink,
            "video_description": post.caption, "title": post.caption[:150], "duration": 15 + int(post.post_id) % 45,
            "height": 1920, "width": 1080, "cover_image_url": f"https://p16-sign.tiktokcdn.com/{post.post_id}.jpeg",
            "embed_link": f"https://www.tiktok.com/player/v1/{post.post_id}",
            "embed_html": f'<blockquote class="tiktok-embed" data-video-id="{post.post_id}"></blockquote>',
            "like_count": totals["likes"], "comment_count": totals["comments"], "share_count": totals["shares"],
            "view_count": totals["views"],
        }
        return {f: known[f] for f in fields}

    def tiktok_user(self) -> None:
        fields = [f.strip() for f in self.query.get("fields", "open_id").split(",") if f.strip()]
        known = {"open_id": sample.TIKTOK_OPEN_ID, "union_id": sample.TIKTOK_OPEN_ID, "display_name": "Ju Achadinhos",
                 "username": sample.HANDLE, "follower_count": sample.followers("tiktok", self.at),
                 "video_count": sum(1 for _ in self._posts("tiktok"))}
        self._tiktok_ok({"user": {f: known[f] for f in fields if f in known}})

    def tiktok_list(self) -> None:
        fields = self._tiktok_fields()
        if fields is None:
            return
        try:
            body = self.read_json() or {}
            max_count = int(body.get("max_count", 10))
            cursor = body.get("cursor")
        except (ValueError, TypeError, AttributeError):
            self._tiktok_error(400, "invalid_params", "The request body is not valid JSON.")
            return
        if not 1 <= max_count <= TIKTOK_PAGE_MAX:
            self._tiktok_error(400, "invalid_params", "max_count must be between 1 and 20")
            return
        until = datetime.fromtimestamp(int(cursor) / 1000, UTC) if cursor is not None else None
        window = list(islice(self._posts("tiktok", until=until), max_count + 1))
        page = window[:max_count]
        next_cursor = int(page[-1].posted_at.timestamp() * 1000) if page else int(cursor or 0)
        self._tiktok_ok({"videos": [self._tiktok_video(p, fields) for p in page], "cursor": next_cursor,
                         "has_more": len(window) > max_count})

    def tiktok_query(self) -> None:
        fields = self._tiktok_fields()
        if fields is None:
            return
        body = self.read_json() or {}
        ids = ((body.get("filters") or {}).get("video_ids")) or []
        if not ids or len(ids) > TIKTOK_PAGE_MAX:
            self._tiktok_error(400, "invalid_params", "filters.video_ids must hold 1 to 20 ids")
            return
        found = [self._find_post("tiktok", str(i)) for i in ids]
        videos = [self._tiktok_video(p, fields) for p in found if p is not None]
        self._tiktok_ok({"videos": videos, "cursor": 0, "has_more": False})


def build_server(host: str = "127.0.0.1", port: int = 0, *, tokens: dict[str, str] | None = None,
                 faults: dict[str, list[str]] | None = None, regain_minutes: int = 0,
                 now: str | None = None) -> FakeServer:
    """The social fake. ``faults`` lists are consumed in order, one per request to that platform."""
    return serve(
        SocialHandler, host, port,
        tokens={**DEFAULT_TOKENS, **(tokens or {})},
        faults={k: list(v) for k, v in (faults or {}).items()},
        fault_lock=threading.Lock(),
        request_log=[],
        regain_minutes=int(regain_minutes),
        now=now,
    )


def base_urls(server_url: str, version: str = "v21.0") -> dict[str, str]:
    """The per-platform base URLs of a running social fake (what INSTAGRAM_BASE_URL etc. would hold)."""
    return {"instagram": f"{server_url}/instagram/{version}", "facebook": f"{server_url}/facebook/{version}",
            "tiktok": f"{server_url}/tiktok"}

