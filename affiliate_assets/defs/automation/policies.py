"""Platform-wide automation and freshness, applied once to the merged code location.

Domains declare their own assets; this module reads the whole graph and gives every asset what it needs
to run itself and to show red when it is late (the dagster-open-platform shape: one place applies the
defaults, a domain's own choice always wins).

Automation (declarative, evaluated by ``automation_sensor``):
- Raw sources are started by the outside world: file sensors (sales files, screenshots), schedules
  (daily API partitions at 02:00 São Paulo, the 8-hourly crawl). Raw assets that neither touches get a
  clock here: the catalogue and Hotmart products reload daily, crawl targets follow the catalogue.
- Everything downstream is ``eager``: it runs when a parent updates. Dagster's ``eager`` waits while any
  parent is *missing*; for an unpartitioned model over a daily-partitioned table (a dbt view over
  ``raw.hotmart_sales``) that would mean "wait until every day since 2024-01-01 is loaded", so a single
  gap in history (or today's not-yet-loaded day) would stop the whole flow. For such assets the missing
  test ignores the partitioned parents: the view is correct whatever days are loaded.
- Partitioned models (``fct_sales``) keep ``eager``'s latest-day rule; older days are backfills.
- Recommendations follow their inputs too (latest day); with the LLM engine at most once per 6 hours.

Freshness (what the UI shows red):
- Unpartitioned assets get ``FreshnessPolicy.time_window``. A source's window follows its trigger
  (8 h crawl → warn after 9 h, fail after 17 h: one missed crawl warns, two fail; daily → 26 h / 50 h;
  file inboxes → 7 / 30 days, as the dbt source freshness of those sources). An eager asset updates
  whenever any parent does, so its window is the tightest of its parents' plus an hour of slack.
- Daily-partitioned assets get ``build_time_partition_freshness_checks`` (the policy does not look at
  partitions): raw partitions are due by 04:00 São Paulo (schedule at 02:00 + 2 h), partitioned models
  by 05:00, recommendations by 08:00 (their own schedule is 07:00). ``freshness_checks_sensor`` runs them.
"""

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from affiliate_assets.defs.automation.schedules import SCHEDULE_TZ
from affiliate_assets.lib.settings import Settings, load_settings

RAW_PARTITION_DEADLINE = "0 4 * * *"  # daily loads start 02:00 São Paulo
MODEL_PARTITION_DEADLINE = "0 5 * * *"  # partitioned models follow the loads through automation
# Assets whose own schedule runs later than the loads: due an hour after it.
PARTITION_DEADLINES = {"reco/recommendations": "0 8 * * *"}  # its schedule: 07:00 São Paulo
DERIVED_SLACK = timedelta(hours=1)
EAGER_OVER_PARTITIONED = "eager_over_partitioned"


@dataclass(frozen=True)
class Window:
    warn: timedelta
    fail: timedelta

    def policy(self) -> dg.FreshnessPolicy:
        return dg.FreshnessPolicy.time_window(fail_window=self.fail, warn_window=self.warn)

    def plus(self, slack: timedelta) -> "Window":
        return Window(self.warn + slack, self.fail + slack)


EIGHT_HOURLY = Window(warn=timedelta(hours=9), fail=timedelta(hours=17))
DAILY = Window(warn=timedelta(hours=26), fail=timedelta(hours=50))
EVENT_DRIVEN = Window(warn=timedelta(days=7), fail=timedelta(days=30))

# How often each raw source is expected to update, from what triggers it. Raw assets not listed here are
# fed by file drops (sensors) and take EVENT_DRIVEN; daily-partitioned ones are covered by checks.
SOURCE_WINDOWS: dict[str, Window] = {
    "raw/price_observations": EIGHT_HOURLY,
    "raw/crawl_errors": EIGHT_HOURLY,
    "raw/product_catalogue": DAILY,
    "raw/hotmart_products": DAILY,
    "raw/crawl_targets": DAILY,
}
PARTITIONED_PARENT_WINDOW = DAILY  # a daily-partitioned parent is loaded once a day by its schedule


def recommendations_condition(settings: Settings | None = None) -> dg.AutomationCondition:
    """Recommendations follow their inputs; with the LLM engine (every run spends tokens) at most once per
    6-hour window. The 07:00 São Paulo schedule of the recommendations domain stays as the daily floor."""
    settings = settings or load_settings()
    llm = (settings.reco_mode or "auto").lower() == "llm" or (
        settings.anthropic_api_key and (settings.reco_mode or "auto").lower() != "offline")
    if not llm:
        return follows_parents().with_label("follows its inputs (offline ranking)")
    guard = ~dg.AutomationCondition.newly_requested().since(
        dg.AutomationCondition.cron_tick_passed("0 */6 * * *", SCHEDULE_TZ))
    return (follows_parents() & guard).with_label("follows its inputs, at most every 6 h (LLM tokens)")


def follows_parents() -> dg.AutomationCondition:
    """``eager`` without its memory (``since_last_handled``), for a partitioned asset at the end of a chain
    of unpartitioned ones (the recommendations): it runs on the tick its last parent has just updated.

    Runs are split by partitioning, so such an asset can never share a run with its parents; with
    ``eager``'s memory, an update of an early parent (the dimensions) seen while it waited would fire it
    on the very tick the forecasts are requested, beside them, on the old forecasts. Without the memory
    the last parent to finish is what starts it; a day rollover alone does not (the daily schedule does)."""
    return (
        dg.AutomationCondition.in_latest_time_window()
        & dg.AutomationCondition.any_deps_updated()
        & ~dg.AutomationCondition.any_deps_missing()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    )


def _default_conditions() -> dict[str, dg.AutomationCondition]:
    """Assets with no sensor, schedule or condition of their own that should still run themselves."""
    daily = (dg.AutomationCondition.on_cron("0 1 * * *", SCHEDULE_TZ)  # before the 02:00 loads
             | dg.AutomationCondition.on_missing()).with_label("on_cron(0 1 * * *) or missing")
    return {
        "raw/product_catalogue": daily,
        "raw/hotmart_products": daily,
        "raw/crawl_targets": dg.AutomationCondition.eager(),
        "reco/recommendations": recommendations_condition(),
    }


Specs = Mapping[dg.AssetKey, dg.AssetSpec]
Conditions = Mapping[dg.AssetKey, dg.AutomationCondition | None]


def eager_over_partitioned(partitioned_parents: Iterable[dg.AssetKey]) -> dg.AutomationCondition:
    """``eager`` for an unpartitioned asset that reads daily-partitioned parents: missing days of those
    parents do not hold it back (only missing unpartitioned parents do)."""
    ignore = dg.AssetSelection.assets(*sorted(partitioned_parents, key=lambda k: k.to_user_string()))
    return dg.AutomationCondition.eager().replace(
        "any_deps_missing", dg.AutomationCondition.any_deps_missing().ignore(ignore)
    ).with_label(EAGER_OVER_PARTITIONED)


def about_to_change(specs: Specs, conditions: Conditions) -> dict[dg.AssetKey, dg.AutomationCondition | None]:
    """For each asset, a condition (evaluated on that asset) that is true while a partitioned asset that
    automation rebuilds, at or upstream of it, has new inputs and has not been rebuilt yet.

    Why: a partitioned model (``fct_sales``) cannot share a run with its unpartitioned parents, so it is
    rebuilt one tick after them. Without waiting, whatever reads both the dimensions and the fact (KPIs,
    features, forecasts, recommendations) would run once on new dimensions and the old fact (inconsistent
    data; the dbt tests of the KPIs fail on it) and once more after the fact."""
    memo: dict[dg.AssetKey, dg.AutomationCondition | None] = {}

    def pending(key: dg.AssetKey) -> dg.AutomationCondition | None:
        if key in memo:
            return memo[key]
        memo[key] = None  # cycles (none expected) resolve to "not pending"
        spec, condition = specs.get(key), conditions.get(key)
        if spec is None or condition is None or _is_cron_driven(condition):
            return None  # not rebuilt by automation when its inputs change
        if spec.partitions_def is not None and any(p in specs and specs[p].partitions_def is None
                                                   for p in _parents(spec)):
            memo[key] = dg.AutomationCondition.any_deps_updated()
        else:
            memo[key] = _any_parent_pending(spec, pending)
        return memo[key]

    return {key: _any_parent_pending(specs[key], pending) for key in specs}


def _any_parent_pending(spec: dg.AssetSpec, pending) -> dg.AutomationCondition | None:
    parts = [dg.AutomationCondition.any_deps_match(cond).allow(dg.AssetSelection.assets(parent))
             for parent in _parents(spec) if (cond := pending(parent)) is not None]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part
    return combined


def _specs(defs: dg.Definitions) -> dict[dg.AssetKey, dg.AssetSpec]:
    specs: dict[dg.AssetKey, dg.AssetSpec] = {}
    for item in defs.assets or []:
        for spec in item.specs if isinstance(item, dg.AssetsDefinition) else [item]:
            specs[spec.key] = spec
    return specs


def _parents(spec: dg.AssetSpec) -> list[dg.AssetKey]:
    return [dep.asset_key for dep in spec.deps]


def _is_cron_driven(condition: dg.AutomationCondition | None) -> bool:
    label = (condition.get_label() or "") if condition is not None else ""
    return label.startswith("on_cron")


def freshness_windows(specs: Specs, conditions: Conditions) -> dict[dg.AssetKey, Window | None]:
    """The freshness window of every asset (partitioned ones included, for their children).

    An asset without an automation condition updates only when its own trigger runs (a sensor, a
    schedule, a person): its window is its source window. An eager asset updates whenever any parent
    does: the tightest parent window plus one hour of slack (not compounded along the chain). Reference
    data that only changes with the code (dbt seeds, ``dim_date``) has no window (None)."""
    base: dict[dg.AssetKey, Window | None] = {}

    def base_of(key: dg.AssetKey, visiting: frozenset = frozenset()) -> Window | None:
        if key in base:
            return base[key]
        spec, condition = specs.get(key), conditions.get(key)
        name = key.to_user_string()
        if name in SOURCE_WINDOWS:
            result = SOURCE_WINDOWS[name]
        elif spec is None or key in visiting:
            result = EVENT_DRIVEN  # an external or cyclic reference: assume the loosest
        elif condition is None:
            result = PARTITIONED_PARENT_WINDOW if spec.partitions_def is not None else EVENT_DRIVEN
        elif _is_cron_driven(condition):
            result = DAILY
        else:
            parents = [w for w in (base_of(p, visiting | {key}) for p in _parents(spec)) if w is not None]
            result = min(parents, key=lambda w: w.fail) if parents else None
        base[key] = result
        return result

    def window(key: dg.AssetKey) -> Window | None:
        derived = key.to_user_string() not in SOURCE_WINDOWS and conditions.get(key) is not None
        found = base_of(key)
        return found.plus(DERIVED_SLACK) if found is not None and derived else found

    return {key: window(key) for key in specs}


def automation_conditions(specs: Specs) -> dict[dg.AssetKey, dg.AutomationCondition | None]:
    """Each asset's condition after the platform defaults (a domain's own non-eager choice is kept)."""
    partitioned = {k for k, s in specs.items() if s.partitions_def is not None}
    defaults = _default_conditions()
    out: dict[dg.AssetKey, dg.AutomationCondition | None] = {}
    for key, spec in specs.items():
        condition = spec.automation_condition or defaults.get(key.to_user_string())
        partitioned_parents = [p for p in _parents(spec) if p in partitioned]
        if (condition is not None and condition.get_label() == "eager" and spec.partitions_def is None
                and partitioned_parents):
            condition = eager_over_partitioned(partitioned_parents)
        out[key] = condition
    # Eager assets downstream of a partitioned model wait until it has caught up (see about_to_change).
    waits = about_to_change(specs, out)
    for key, condition in out.items():
        if condition is not None and waits.get(key) is not None and not _is_cron_driven(condition):
            label = condition.get_label()
            out[key] = (condition & ~waits[key].with_label("a partitioned parent is about to change")
                        ).with_label(f"{label}, after partitioned parents")
    # A partitioned asset never shares a run with its unpartitioned parents (runs are split by
    # partitioning): when a parent is requested on this tick, it waits for that run to finish instead of
    # running beside it on the old data.
    for key, condition in out.items():
        spec = specs[key]
        if (condition is not None and not _is_cron_driven(condition) and spec.partitions_def is not None
                and any(p in specs and specs[p].partitions_def is None for p in _parents(spec))):
            parent_runs = dg.AutomationCondition.any_deps_match(dg.AutomationCondition.will_be_requested())
            out[key] = (condition & ~parent_runs.with_label("a parent is requested on this tick")
                        ).with_label(f"{condition.get_label()}, after its parents' run")
    return out


def partition_freshness_checks(specs: Specs) -> list[dg.AssetChecksDefinition]:
    """Time-partition freshness checks: raw daily partitions due by 04:00, partitioned models by 05:00,
    assets with a later schedule of their own an hour after it (PARTITION_DEADLINES)."""
    by_deadline: dict[str, list[dg.AssetKey]] = {}
    for key in sorted(specs, key=lambda k: k.to_user_string()):
        if not isinstance(specs[key].partitions_def, dg.TimeWindowPartitionsDefinition):
            continue
        name = key.to_user_string()
        default = RAW_PARTITION_DEADLINE if key.path[0] == "raw" else MODEL_PARTITION_DEADLINE
        by_deadline.setdefault(PARTITION_DEADLINES.get(name, default), []).append(key)
    checks: list[dg.AssetChecksDefinition] = []
    for deadline, keys in sorted(by_deadline.items()):
        checks.extend(dg.build_time_partition_freshness_checks(
            assets=keys, deadline_cron=deadline, timezone=SCHEDULE_TZ, severity=dg.AssetCheckSeverity.ERROR))
    return checks


def apply_platform_policies(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with platform automation conditions and freshness policies on every asset, plus the
    time-partition freshness checks and the sensor that runs them."""
    specs = _specs(defs)
    conditions = automation_conditions(specs)
    windows = freshness_windows(specs, conditions)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        changes: dict = {}
        if conditions.get(spec.key) is not spec.automation_condition:
            changes["automation_condition"] = conditions[spec.key]
        if spec.partitions_def is None and spec.freshness_policy is None and windows.get(spec.key):
            changes["freshness_policy"] = windows[spec.key].policy()  # type: ignore[union-attr]
        return spec.replace_attributes(**changes) if changes else spec

    # Chosen on purpose, so not repeated on every load: the time-partition checks (the team's design: the
    # time-window policy does not look at partitions) and the spec mapping (preview in Dagster 1.13).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        checks = partition_freshness_checks(specs)
        extra = dg.Definitions(
            asset_checks=checks,
            sensors=[dg.build_sensor_for_freshness_checks(
                freshness_checks=checks, name="freshness_checks_sensor", minimum_interval_seconds=300,
                default_status=dg.DefaultSensorStatus.RUNNING)] if checks else [],
        )
        return dg.Definitions.merge(defs.map_resolved_asset_specs(func=apply), extra)
