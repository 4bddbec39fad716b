"""``raw/social_metrics``: daily snapshots of the affiliate's Instagram, Facebook and TikTok posts.

Why snapshots: the platforms only report lifetime totals "as of now" (see ``tables.py``). How each
partition day D is observed depends on the source:

- **live**: the API can only describe the present, so a run files what it reads under the latest day
  of its window that ended at most ``live_grace_hours`` ago (normally yesterday, read by the morning
  schedule). Older days in a backfill are *skipped and reported*, never filled with today's numbers.
- **fake**: the bundled fake can answer as of any moment, so each day D is read as of D's end + 2 h,
  i.e. what the daily schedule would have seen. That gives the offline demo an honest history.

Each snapshot covers posts published in the ``track_days`` before D's end (engagement flattens within
days; older posts would only repeat their final totals). Products are linked per post (link → hashtag →
fuzzy name) against ``raw.product_catalogue`` (or the bundled catalogue before it is loaded).
"""

import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import dagster as dg
from psycopg import sql

from affiliate_assets.defs.catalogue.lookup import catalogue_rows
from affiliate_assets.defs.social.clients import PlatformSource, PostSnapshot, SocialApis, SocialAuthError
from affiliate_assets.defs.social.linking import ProductLinker, catalogue_entries
from affiliate_assets.defs.social.tables import COUNT_COLUMNS, SOCIAL_METRICS
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.money import format_number
from affiliate_assets.lib.partitions import daily_partitions, days, partition_batch, partition_window
from affiliate_assets.lib.warehouse import Reject, Warehouse, to_json

SIMULATED_SCHEDULE_DELAY = timedelta(hours=2)
ENGAGEMENT_COLUMNS = ("likes", "comments", "shares", "saves")
CAPTION_LIMITS = {"tiktok": 150}  # TikTok's API returns video_description cut at 150 characters


class SocialMetricsConfig(dg.Config):
    track_days: int = 14
    """Posts published in this many days before a snapshot are snapshotted."""
    live_grace_hours: int = 36
    """A live read may stand for a day that ended at most this long ago."""


def day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)


def observation_plan(source: PlatformSource, window_days: list[date], now: datetime,
                     grace: timedelta) -> tuple[list[tuple[date, datetime]], dict[date, str]]:
    """(day, as_of) reads to make, and the days skipped with why."""
    skipped: dict[date, str] = {}
    closed = [d for d in window_days if day_end(d) <= now]
    for d in window_days:
        if day_end(d) > now:
            skipped[d] = "day not over yet"
    if source.mode == "fake":
        return [(d, min(day_end(d) + SIMULATED_SCHEDULE_DELAY, now)) for d in closed], skipped
    recent = [d for d in closed if now - day_end(d) <= grace]
    plan = [(recent[-1], now)] if recent else []
    for d in closed:
        if not plan or d != plan[0][0]:
            skipped[d] = "a live API only reports totals as of now; this day can no longer be observed"
    return plan, skipped


def read_day(source: PlatformSource, day: date, as_of: datetime,
             track_days: int) -> tuple[list[PostSnapshot], int | None, str, dict]:
    """One platform's snapshot for ``day``: posts, account followers, account id, client stats."""
    client = source.client(as_of)
    end = day_end(day)
    since = end - timedelta(days=track_days)
    account = source.account_id
    if source.platform == "instagram":
        snaps = client.snapshots(account, since, end)  # type: ignore[arg-type]
        followers = client.followers(account)  # type: ignore[union-attr, arg-type]
    elif source.platform == "facebook":
        snaps = client.snapshots(account, since, end)  # type: ignore[arg-type]
        # The daily page metric for D closes at Pacific midnight (07:00/08:00 UTC on D+1): a morning run may
        # not see it yet, and then the page's current follower count is the closest honest number.
        history = client.followers_by_day(account, day - timedelta(days=1), day + timedelta(days=1))  # type: ignore[union-attr, arg-type]
        followers = history.get(day) or client.followers(account)  # type: ignore[union-attr, arg-type]
    else:
        user = client.user()  # type: ignore[union-attr]
        account = str(user.get("open_id") or "")
        followers = user.get("follower_count")
        snaps = client.snapshots(account, since, end)
    return snaps, followers, account or "", dict(client.stats)


def engagement_rate(snap: PostSnapshot) -> Decimal | None:
    """Interactions per account reached (per view where reach is unknown); None when undefined."""
    interactions = sum(getattr(snap, c) or 0 for c in ENGAGEMENT_COLUMNS)
    base = snap.reach or snap.views
    if not base:
        return None
    rate = interactions / base
    return Decimal(str(round(rate, 6))) if rate <= 1 else None


def snapshot_row(snap: PostSnapshot, day: date, followers: int | None, observed_at: datetime, mode: str,
                 linker: ProductLinker, links_cache: dict) -> tuple | Reject:
    """A table row, or a Reject saying why the API's record cannot be one."""
    key = f"{snap.platform}:{snap.post_id}:{day.isoformat()}"
    counts = {c: getattr(snap, c, None) for c in COUNT_COLUMNS if c != "followers"}
    problems = [f"{c} is negative ({v})" for c, v in counts.items() if v is not None and v < 0]
    if not snap.post_id:
        problems.append("post without id")
    if snap.posted_at is None:
        problems.append("post without publication time")
    elif snap.posted_at >= day_end(day):
        problems.append("published after the day it would describe")
    if problems:
        return Reject(key, "; ".join(problems), {**snap.raw, "platform": snap.platform})
    cache_key = (snap.caption, snap.permalink)
    if cache_key not in links_cache:
        links_cache[cache_key] = linker.link(snap.caption, snap.permalink,
                                             max_length=CAPTION_LIMITS.get(snap.platform))
    matches = links_cache[cache_key]
    values = {
        "platform": snap.platform, "post_id": snap.post_id, "metric_date": day, "account_id": snap.account_id,
        "posted_at": snap.posted_at, "caption": snap.caption, "permalink": snap.permalink,
        "media_type": snap.media_type, **counts, "followers": followers, "engagement_rate": engagement_rate(snap),
        "product_ids": [m.product_id for m in matches],
        "product_matches": to_json([m.as_dict() for m in matches]),
        "observed_at": observed_at, "source_mode": mode,
    }
    return tuple(values[c] for c in SOCIAL_METRICS.column_names)


def load_linker(warehouse: Warehouse) -> tuple[ProductLinker, str]:
    """Link against the warehouse catalogue when it is loaded, else the bundled one."""
    rows, source = catalogue_rows(warehouse, ("product_id", "name", "hashtag", "ucode"))
    # No slug column: catalogue_entries derives it from the name (as the sample catalogue does).
    return ProductLinker(catalogue_entries((pid, name, None, tag, ucode) for pid, name, tag, ucode in rows)), source


def kept_rows(warehouse: Warehouse, first: date, last: date, observed: set[tuple[str, date]]) -> list[tuple]:
    """Rows of the replaced window this run did not re-observe (live days out of reach): kept as they are."""
    if not warehouse.table_exists(SOCIAL_METRICS.qualified):
        return []
    platforms = [p for p, _ in observed]
    dates = [d for _, d in observed]
    query = sql.SQL(
        "select {cols} from {table} where metric_date >= %s and metric_date <= %s "
        "and (platform, metric_date) not in (select * from unnest(%s::text[], %s::date[]))"
    ).format(cols=sql.SQL(", ").join(map(sql.Identifier, SOCIAL_METRICS.column_names)), table=SOCIAL_METRICS.ident)
    return [tuple(to_json(v) if c == "product_matches" else v for c, v in zip(SOCIAL_METRICS.column_names, row,
                                                                           strict=True))
            for row in warehouse.fetchall(query, (first, last, platforms, dates))]


def top_products_md(rows: list[tuple], limit: int = 8) -> str:
    """Markdown: products by interactions in the batch's latest snapshots (a quick sanity read)."""
    idx = {c: i for i, c in enumerate(SOCIAL_METRICS.column_names)}
    latest: dict[tuple, tuple] = {}
    for row in rows:
        key = (row[idx["platform"]], row[idx["post_id"]])
        if key not in latest or row[idx["metric_date"]] > latest[key][idx["metric_date"]]:
            latest[key] = row
    score: Counter[int] = Counter()
    posts: Counter[int] = Counter()
    for row in latest.values():
        interactions = sum(row[idx[c]] or 0 for c in ENGAGEMENT_COLUMNS)
        for pid in row[idx["product_ids"]]:
            score[pid] += interactions
            posts[pid] += 1
    return markdown_table([(pid, posts[pid], format_number(n, 0)) for pid, n in score.most_common(limit)],
                          ["product_id", "posts", "interactions"], align="lrr")


@dg.asset(
    key=["raw", "social_metrics"],
    group_name="social",
    kinds={"python", "postgres", "instagram", "facebook", "tiktok"},
    owners=["team:data-eng"],
    code_version="1",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetKey(["raw", "product_catalogue"])],
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS),
    description="Daily lifetime-total snapshots of every recent Instagram, Facebook and TikTok post, each "
                "linked to the catalogue products it mentions: what marts join with sales to rank products by "
                "social engagement and measure click → sale conversion.",
)
def social_metrics(context: dg.AssetExecutionContext, config: SocialMetricsConfig, warehouse: Warehouse,
                   social: SocialApis) -> dg.MaterializeResult:
    started = time.perf_counter()
    start, end = partition_window(context)
    window_days = days(start.date(), end.date())
    now = social.clock()
    linker, catalogue_source = load_linker(warehouse)
    links_cache: dict = {}
    rows: list[tuple] = []
    rejects: list[Reject] = []
    observed: set[tuple[str, date]] = set()
    per_platform: dict[str, dict] = {}
    for source in social.sources():
        plan, skipped = observation_plan(source, window_days, now, timedelta(hours=config.live_grace_hours))
        stats: Counter[str] = Counter()
        t0 = time.perf_counter()
        # Sequential on purpose: 4 threads gained 5% on the 3-year fake backfill (the in-process fake and
        # the client share one GIL), and a live run reads one day.
        for day, as_of in plan:
            try:
                snaps, followers, account, client_stats = read_day(source, day, as_of, config.track_days)
            except SocialAuthError as exc:  # a retry cannot fix a refused token: fail now, write nothing
                raise dg.Failure(description=str(exc), allow_retries=False,
                                 metadata={"platform": source.platform, "mode": source.mode}) from exc
            stats.update(client_stats)
            seen: set[str] = set()
            for snap in snaps:
                if snap.post_id in seen:  # a post that moved between pages while we paged
                    stats["duplicates"] += 1
                    continue
                seen.add(snap.post_id)
                snap.account_id = snap.account_id or account
                row = snapshot_row(snap, day, followers, as_of, source.mode, linker, links_cache)
                (rejects if isinstance(row, Reject) else rows).append(row)
                stats["rejected" if isinstance(row, Reject) else "rows"] += 1
            observed.add((source.platform, day))
        for day, why in skipped.items():
            context.log.warning("%s %s not observed: %s", source.platform, day, why)
        per_platform[source.platform] = {
            "mode": source.describe(), "days_observed": len(plan), "days_skipped": len(skipped),
            "skip_reasons": sorted(set(skipped.values())), "rows": stats["rows"], "rejected": stats["rejected"],
            "requests": stats["requests"], "retries": stats["retries"], "duplicates": stats["duplicates"],
            "seconds": round(time.perf_counter() - t0, 2),
        }
        context.log.info("%s: %s", source.platform, per_platform[source.platform])

    modes = {s["mode"].split(" ", 1)[0] for s in per_platform.values()}
    metadata: dict = {"source_mode": modes.pop() if len(modes) == 1 else "mixed",
                      "catalogue": catalogue_source, "partition_days": len(window_days),
                      **{f"{p}": dg.MetadataValue.json(v) for p, v in per_platform.items()}}
    if not observed:
        context.log.warning("no day of %s could be observed; the table is left as it was", partition_batch(context))
        return dg.MaterializeResult(metadata={**metadata, "rows_loaded": 0, "rows_rejected": len(rejects),
                                              "dagster/row_count": 0})
    first, last = min(d for _, d in observed), max(d for _, d in observed)
    carried = kept_rows(warehouse, first, last, observed)
    result = warehouse.load(
        SOCIAL_METRICS, rows + carried, mode="replace_window", window_column="metric_date",
        window=(first, last + timedelta(days=1)), rejects=rejects, reject_batch=partition_batch(context),
    )
    linked = sum(1 for r in rows if r[SOCIAL_METRICS.column_names.index("product_ids")])
    by_method = Counter(m.method for ms in links_cache.values() for m in ms)
    return dg.MaterializeResult(metadata={
        **metadata, **result.metadata(),
        "rows_kept_unobserved": len(carried),
        "rows_linked_to_products": linked,
        "links_by_method": dg.MetadataValue.json(dict(by_method)),
        "posts": len({(r[0], r[1]) for r in rows}),
        "dagster/row_count": result.rows_loaded,
        "elapsed_seconds": round(time.perf_counter() - started, 2),
        "top_products": dg.MetadataValue.md(top_products_md(rows)),
        "rows_by_platform": dg.MetadataValue.json(
            {p: n for p, n in sorted(Counter(r[0] for r in rows).items())}),
    })

