"""The model registry (``ml.models``): ids, rows, where model files live, and how many versions stay.

Every training adds rows (history kept: a person can see how a product's error moved over time); the
model a forecast came from is the ``model_id`` stored beside it. Files are pruned to the newest
``keep`` versions per directory so daily retraining does not fill the disk; registry rows stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from affiliate_assets.defs.forecasting.tables import MODELS
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import LoadResult, Warehouse, to_json


def stamp(trained_at: datetime) -> str:
    return trained_at.strftime("%Y%m%dT%H%M%SZ")


def make_model_id(kind: str, product_id: int | None, trained_at: datetime) -> str:
    return f"{kind}-{product_id if product_id is not None else 'all'}-{stamp(trained_at)}"


def models_dir() -> Path:
    """Read at run time (tests and deployments point AFFILIATE_DATA_DIR elsewhere)."""
    return load_settings().models_dir


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@dataclass
class ModelRecord:
    model_id: str
    product_id: int | None
    kind: str
    path: str | None
    trained_at: datetime
    training_rows: int
    is_fallback: bool = False
    holdout_days: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None

    def row(self) -> tuple:
        m = self.metrics
        return (
            self.model_id, self.product_id, self.kind, self.path, self.trained_at, self.training_rows,
            self.holdout_days, _finite(m.get("holdout_mape")), _finite(m.get("holdout_mae")),
            _finite(m.get("baseline_mape")), _finite(m.get("baseline_mae")), self.is_fallback,
            to_json(self.params), to_json({k: _finite(v) for k, v in m.items()}), self.run_id,
        )


def register(warehouse: Warehouse, records: list[ModelRecord]) -> LoadResult:
    """Upsert (not replace): the registry is shared by every model kind and keeps history."""
    return warehouse.load(MODELS, [r.row() for r in records], mode="upsert")


def prune(directory: Path, keep: int, pattern: str = "*") -> int:
    """Delete all but the newest ``keep`` files (names carry a sortable timestamp). Returns how many went."""
    if keep <= 0 or not directory.is_dir():
        return 0
    files = sorted(directory.glob(pattern), key=lambda p: p.name, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
    return max(len(files) - keep, 0)
