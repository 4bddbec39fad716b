"""Per-product demand forecasting: Prophet with Brazilian calendars, a flagged seasonal-naive fallback,
a holdout backtest against that baseline, and a process pool to fit many products on few cores.

Pure functions over numpy/pandas (no Dagster, no database), so the asset, the benchmark and the tests run
the very same code. Heavy imports (pandas, prophet) happen inside functions: the asset module imports
this one lazily anyway, but a cheap import keeps ``--help`` and the API fast.

Speed knobs, each measured in ``bench/forecast.py`` (none changes a forecast):
- predict only the horizon (and the holdout), never the whole history: Prophet's ``predict`` draws
  ``uncertainty_samples`` trend paths per row, so predicting 1,095 history rows to keep 90 wastes ~90 %;
- the Stan input JSON written by a C encoder (:mod:`.stan_backend`) instead of stanio's Python walk;
- holiday frames built once per process instead of ``add_country_holidays`` per model;
- the final fit warm-started from the backtest fit's optimum (fewer L-BFGS iterations);
- a ``ProcessPoolExecutor`` over products (Stan's optimizer is single-threaded).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist
from typing import Any

from affiliate_assets.defs.forecasting.synthetic import black_friday

SEASON = 7  # the seasonal-naive season: one week


@dataclass(frozen=True)
class ForecastSpec:
    """How products are forecast. Defaults are the production settings."""

    horizon_days: int = 90
    holdout_days: int = 28
    min_history_days: int = 56  # 8 weeks: two holdout-free weekly cycles at least
    min_selling_days: int = 10  # days with any sale; fewer and Prophet just fits noise
    interval_width: float = 0.8
    uncertainty_samples: int = 1000
    seed: int = 20240101
    calendar: bool = True  # Brazilian holidays, retail dates, launches, promotions (off = plain Prophet)
    backtest: bool = True  # fit once more on history minus the holdout to score it against the baseline
    warm_start: bool = True
    fast_json: bool = True
    predict_history: bool = False  # True reproduces Prophet's default "predict every row" (bench only)


@dataclass
class ProductSeries:
    """One product's daily units, contiguous days, oldest first."""

    product_id: int
    ds: Sequence[date]
    y: Sequence[float]
    launch_dates: tuple[date, ...] = ()
    promo_dates: tuple[date, ...] = ()


@dataclass
class ProductForecast:
    product_id: int
    method: str  # prophet | seasonal_naive
    is_fallback: bool
    fallback_reason: str | None
    ds: list[date]
    yhat: list[float]
    yhat_lower: list[float]
    yhat_upper: list[float]
    training_rows: int
    metrics: dict[str, float | None] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    model_path: str | None = None
    backtest: dict[str, list] = field(default_factory=dict)  # ds, actual, model, naive over the holdout
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------------
# Calendars
# --------------------------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=8)
def brazil_calendar(first_year: int, last_year: int):
    """Prophet holidays for Brazil: national holidays (the ``holidays`` package, as
    ``add_country_holidays('BR')`` would add) plus the retail dates that move Brazilian e-commerce —
    Black Friday (with its pre-sale and Cyber Monday), Mother's Day, Valentine's Day (June 12).
    Built once per process and year span; Prophet would rebuild it for every model."""
    import pandas as pd

    rows = [
        {"holiday": name, "ds": pd.Timestamp(day), "lower_window": 0, "upper_window": 0}
        for day, name in sorted(br_holidays(first_year, last_year).items())
    ]
    for year in range(first_year, last_year + 1):
        rows.append({"holiday": "black_friday", "ds": pd.Timestamp(black_friday(year)),
                     "lower_window": -3, "upper_window": 3})
        rows.append({"holiday": "dia_das_maes", "ds": pd.Timestamp(_nth_weekday(year, 5, 6, 2)),
                     "lower_window": -7, "upper_window": 0})
        rows.append({"holiday": "dia_dos_namorados", "ds": pd.Timestamp(date(year, 6, 12)),
                     "lower_window": -5, "upper_window": 0})
    return pd.DataFrame(rows)


def br_holidays(first_year: int, last_year: int):
    """National holidays plus the optional ones commerce feels (Carnaval, Christmas and New Year's eves,
    Corpus Christi), named in Portuguese like the rest of the data (the package defaults to English)."""
    import holidays

    years = range(first_year, last_year + 1)
    try:
        return holidays.country_holidays("BR", years=years, language="pt_BR", categories=("public", "optional"))
    except (ValueError, NotImplementedError, TypeError):  # an older holidays without translations/categories
        return holidays.country_holidays("BR", years=years)


def product_holidays(series: ProductSeries, first_year: int, last_year: int):
    """The national/retail calendar plus this product's launches (a week of spike) and past promotion days.

    Promotion days are known only in the past; Prophet learns their lift so it does not leak into trend
    or seasonality, and the future is forecast without promotions (none are planned in the data)."""
    import pandas as pd

    frame = brazil_calendar(first_year, last_year)
    extra = [{"holiday": "lancamento", "ds": pd.Timestamp(d), "lower_window": 0, "upper_window": 6}
             for d in series.launch_dates]
    extra += [{"holiday": "promocao", "ds": pd.Timestamp(d), "lower_window": 0, "upper_window": 0}
              for d in series.promo_dates]
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True) if extra else frame


# --------------------------------------------------------------------------------------------------
# Seasonal naive (the baseline and the fallback)
# --------------------------------------------------------------------------------------------------


def seasonal_naive(history: Sequence[float], steps: int, width: float = 0.8):
    """Repeat the last week; intervals from the spread of week-over-week changes, widening per season
    ahead (Hyndman & Athanasopoulos, fpp3 §5.5). Shorter than a week: the missing weekdays take the
    mean of the days there are, and the spread is Poisson-like (√mean) — a product with 3 days of sales
    still gets a usable, clearly flagged forecast."""
    import numpy as np

    y = np.clip(np.asarray(history, dtype=float), 0, None)
    if len(y) == 0:
        y = np.zeros(1)
    if len(y) >= SEASON:
        season = y[-SEASON:]
    else:
        # Keep weekday alignment: the known days sit at the end of the season, the rest take the mean.
        season = np.concatenate([np.full(SEASON - len(y), y.mean()), y])
    diffs = y[SEASON:] - y[:-SEASON] if len(y) >= 2 * SEASON else np.array([])
    sigma = float(diffs.std(ddof=1)) if len(diffs) >= 2 else math.sqrt(max(float(y.mean()), 1.0))
    z = NormalDist().inv_cdf(0.5 + width / 2)
    h = np.arange(steps)
    yhat = season[h % SEASON]
    spread = z * sigma * np.sqrt(h // SEASON + 1)
    return yhat, np.clip(yhat - spread, 0, None), yhat + spread


# --------------------------------------------------------------------------------------------------
# Prophet
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _backend():
    from affiliate_assets.defs.forecasting.stan_backend import FastJsonBackend

    return FastJsonBackend()


def quiet_stan_logs() -> None:
    """cmdstanpy logs two INFO lines per fit: thousands per run. Keep warnings.

    cmdstanpy installs its own handler on first use and sets the logger to DEBUG; build it now, then
    raise the level, so later calls find it configured and leave it alone."""
    from cmdstanpy.utils.logging import get_logger

    get_logger().setLevel(logging.WARNING)
    for name in ("prophet", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.WARNING)
    prophet_log = logging.getLogger("prophet")
    if not any(isinstance(f, _ShortYearFilter) for f in prophet_log.filters):
        prophet_log.addFilter(_ShortYearFilter())


class _ShortYearFilter(logging.Filter):
    """Prophet warns on every fit with 1-2 years of data and yearly seasonality on; we enable it there on
    purpose with a low Fourier order (see build_prophet), so the warning is noise — one per product."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Yearly seasonality is enabled with less than")


def build_prophet(holidays_frame, n_days: int, spec: ForecastSpec):
    from prophet import Prophet

    model = Prophet(
        holidays=holidays_frame,
        weekly_seasonality=n_days >= 2 * SEASON,
        # A full Fourier order needs two cycles; with one year a gentler curve avoids chasing noise.
        yearly_seasonality=10 if n_days >= 730 else (4 if n_days >= 365 else False),
        daily_seasonality=False,
        interval_width=spec.interval_width,
        uncertainty_samples=spec.uncertainty_samples,
    )
    if spec.fast_json:
        model.stan_backend = _backend()
    return model


def fit_prophet(ds, y, holidays_frame, spec: ForecastSpec, init: dict | None = None):
    import pandas as pd

    model = build_prophet(holidays_frame, len(y), spec)
    frame = pd.DataFrame({"ds": pd.to_datetime(list(ds)), "y": list(y)})
    model.fit(frame, init=init) if init else model.fit(frame)
    return model


def predict_days(model, days: Iterable, seed: int):
    """yhat/lower/upper (clipped at 0: units) for exactly ``days``; seeded so reruns give the same rows."""
    import numpy as np
    import pandas as pd

    np.random.seed(seed % (2**32))  # Prophet samples intervals from numpy's global generator
    out = model.predict(pd.DataFrame({"ds": pd.to_datetime(list(days))}))
    return (np.clip(out["yhat"].to_numpy(), 0, None), np.clip(out["yhat_lower"].to_numpy(), 0, None),
            np.clip(out["yhat_upper"].to_numpy(), 0, None))


def warm_start(model) -> dict[str, Any]:
    """The fitted optimum as an init for the next fit of the same product (Prophet's documented
    ``init=`` warm start); a refit with a few more days converges in fewer iterations."""
    scalars = ("k", "m", "sigma_obs")
    return {name: (value[0][0] if name in scalars else value[0]) for name, value in model.params.items()}


def errors(actual, predicted) -> dict[str, float | None]:
    """MAE over every day; MAPE over the days that sold (a zero day has no percentage error); WAPE."""
    import numpy as np

    a = np.asarray(actual, dtype=float)
    f = np.asarray(predicted, dtype=float)
    sold = a > 0
    return {
        "mae": float(np.mean(np.abs(a - f))),
        "mape": float(np.mean(np.abs(a[sold] - f[sold]) / a[sold]) * 100) if sold.any() else None,
        "wape": float(np.abs(a - f).sum() / a.sum() * 100) if a.sum() > 0 else None,
    }


# --------------------------------------------------------------------------------------------------
# One product
# --------------------------------------------------------------------------------------------------


def trim_leading_zeros(series: ProductSeries) -> ProductSeries:
    """History starts at the first sale: zero-filled days before a product existed are not demand."""
    first = next((i for i, v in enumerate(series.y) if v and v > 0), len(series.y))
    return ProductSeries(series.product_id, list(series.ds[first:]), list(series.y[first:]),
                         series.launch_dates, series.promo_dates)


def future_days(last_day: date, horizon: int) -> list[date]:
    return [last_day + timedelta(days=i) for i in range(1, horizon + 1)]


def forecast_product(series: ProductSeries, spec: ForecastSpec, last_day: date,
                     model_path: str | None = None) -> ProductForecast:
    """Forecast one product for the ``horizon_days`` after ``last_day`` (the last day of data for all
    products, so every product shares one horizon).

    Enough history → backtest Prophet vs seasonal naive on the last ``holdout_days``, refit on
    everything (warm-started), forecast, save the model JSON. Too little → the flagged fallback."""
    started = time.perf_counter()
    quiet_stan_logs()
    trimmed = trim_leading_zeros(series)
    y = [max(float(v or 0), 0.0) for v in trimmed.y]
    days = future_days(last_day, spec.horizon_days)
    selling_days = sum(1 for v in y if v > 0)
    reason = None
    if len(y) < spec.min_history_days:
        reason = f"only {len(y)} days of history (Prophet needs {spec.min_history_days})"
    elif selling_days < spec.min_selling_days:
        reason = f"only {selling_days} days with sales (Prophet needs {spec.min_selling_days})"
    if reason:
        yhat, lower, upper = seasonal_naive(y, spec.horizon_days, spec.interval_width)
        return ProductForecast(
            series.product_id, "seasonal_naive", True, reason, days, yhat.tolist(), lower.tolist(),
            upper.tolist(), training_rows=len(y), params={"season_days": SEASON, "fallback_reason": reason},
            seconds=time.perf_counter() - started,
        )

    from prophet.serialize import model_to_json

    years = (trimmed.ds[0].year, days[-1].year)
    hol = product_holidays(trimmed, *years) if spec.calendar else None
    seed = spec.seed + series.product_id
    cut = len(y) - spec.holdout_days
    metrics: dict[str, float | None] = {}
    backtest: dict[str, list] = {}
    init = None
    if spec.backtest and cut >= spec.min_history_days:
        holdout_ds = list(trimmed.ds[cut:])
        back_model = fit_prophet(trimmed.ds[:cut], y[:cut], hol, spec)
        back_yhat, _, _ = predict_days(back_model, holdout_ds, seed)
        naive_yhat, _, _ = seasonal_naive(y[:cut], spec.holdout_days, spec.interval_width)
        model_err, naive_err = errors(y[cut:], back_yhat), errors(y[cut:], naive_yhat)
        metrics = {"holdout_mae": model_err["mae"], "holdout_mape": model_err["mape"],
                   "holdout_wape": model_err["wape"], "baseline_mae": naive_err["mae"],
                   "baseline_mape": naive_err["mape"], "baseline_wape": naive_err["wape"]}
        backtest = {"ds": holdout_ds, "actual": y[cut:], "model": back_yhat.tolist(),
                    "naive": naive_yhat.tolist()}
        init = warm_start(back_model) if spec.warm_start else None

    model = fit_prophet(trimmed.ds, y, hol, spec, init=init)
    if spec.predict_history:  # Prophet's default path: every history row plus the horizon
        all_days = list(trimmed.ds) + days
        yhat, lower, upper = (a[-spec.horizon_days:] for a in predict_days(model, all_days, seed))
    else:
        yhat, lower, upper = predict_days(model, days, seed)
    if model_path:
        Path(model_path).parent.mkdir(parents=True, exist_ok=True)
        Path(model_path).write_text(model_to_json(model), encoding="utf-8")
    return ProductForecast(
        series.product_id, "prophet", False, None, days, yhat.tolist(), lower.tolist(), upper.tolist(),
        training_rows=len(y),
        metrics=metrics,
        params={
            "holdout_days": spec.holdout_days if metrics else 0, "interval_width": spec.interval_width,
            "uncertainty_samples": spec.uncertainty_samples, "seed": seed,
            "yearly_seasonality": model.yearly_seasonality, "weekly_seasonality": model.weekly_seasonality,
            "holidays": sorted(set(hol["holiday"])) if hol is not None else [], "changepoints": len(model.changepoints),
            "launches": [d.isoformat() for d in trimmed.launch_dates],
            "promo_days": len(trimmed.promo_dates),
        },
        model_path=model_path,
        backtest=backtest,
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------------
# Many products
# --------------------------------------------------------------------------------------------------


def _warm_worker() -> None:
    """Pay the imports once per worker process, not once per product, and keep numpy's BLAS to one
    thread: two workers × two BLAS threads on two cores oversubscribe and slow predict down."""
    import prophet  # noqa: F401  (first: threadpoolctl only limits libraries already loaded)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    quiet_stan_logs()

    _backend()


def pool_context():
    """How workers start. Importing prophet costs ~1 s per process (3 s on a loaded box), so:

    - a single-threaded parent forks, with prophet imported first: workers start with it loaded, free;
    - a parent with threads (a Dagster run process: log capture, event threads) must not fork — a lock held
      by another thread at fork time stays held forever in the child — so it uses a forkserver that
      imports prophet once and forks clean workers from itself.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() == 1 and "fork" in methods:
        import prophet  # noqa: F401

        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["prophet", __name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _forecast_task(args: tuple) -> ProductForecast:
    return forecast_product(*args)


def forecast_many(series: Sequence[ProductSeries], spec: ForecastSpec, last_day: date,
                  model_paths: dict[int, str] | None = None, workers: int | None = None) -> list[ProductForecast]:
    """Forecast every product, in a process pool when ``workers`` > 1 (default: the CPU count).
    Largest series go first so the workers finish together."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    model_paths = model_paths or {}
    order = sorted(series, key=lambda s: -len(s.y))
    tasks = [(s, spec, last_day, model_paths.get(s.product_id)) for s in order]
    if workers <= 1 or len(tasks) <= 1:
        results = [_forecast_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=_warm_worker,
                                 mp_context=pool_context()) as pool:
            results = list(pool.map(_forecast_task, tasks, chunksize=1))
    by_id = {r.product_id: r for r in results}
    return [by_id[s.product_id] for s in series]
