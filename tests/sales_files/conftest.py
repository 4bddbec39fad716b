"""Fixtures for the sales_files tests: a clean inbox and a helper that materializes the real asset."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest
from isolation import domain_database

from affiliate_assets.defs.sales_files import checks
from affiliate_assets.defs.sales_files.assets import OP_NAME, SalesFilesConfig, ingest_sales_files
from affiliate_assets.lib.settings import load_settings

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("sales_files")

CHECKS = dg.load_asset_checks_from_modules([checks])


@pytest.fixture
def inbox(database_url: str) -> Path:
    """SALES_INBOX of the test session's data dir, emptied before each test."""
    path = load_settings().sales_inbox
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def ingest(resources: dict) -> Callable[..., dg.ExecuteInProcessResult]:
    """Materialize raw/sales_history (+ checks), optionally naming files as the sensor does."""

    def run(*paths: Path) -> dg.ExecuteInProcessResult:
        run_config = dg.RunConfig(ops={OP_NAME: SalesFilesConfig(paths=[str(p) for p in paths])})
        result = dg.materialize([ingest_sales_files, *CHECKS], resources=resources, run_config=run_config)
        assert result.success
        return result

    return run
