"""The embedded server a fresh machine uses: boots from the wheel, serves SQL, restarts idempotently."""

from __future__ import annotations

import shutil
import uuid

import psycopg

from affiliate_assets.lib import embedded_postgres
from affiliate_assets.lib.settings import PROJECT_ROOT, load_settings
from affiliate_assets.lib.warehouse import SCHEMAS, Warehouse, resolve_database_url


def test_embedded_server_boots_and_bootstraps(monkeypatch):
    # Under the project, as for users: pgserver runs PostgreSQL as its own system user and must reach the
    # data dir through every parent (pytest's 0700 temp root is not reachable for it).
    data_dir = PROJECT_ROOT / "data" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("AFFILIATE_DATA_DIR", str(data_dir))
    settings = load_settings()
    try:
        url = resolve_database_url(settings)
        assert "affiliate" in url and str(settings.pg_data_dir) in url
        # A second start reuses the running server.
        assert resolve_database_url(settings) == url
        with psycopg.connect(url) as conn:
            version = conn.execute("show server_version_num").fetchone()[0]
            dbs = {r[0] for r in conn.execute("select datname from pg_database")}
        assert int(version) >= 160000
        assert {"affiliate", "dagster"} <= dbs
        wh = Warehouse(database_url=url)
        wh.bootstrap()
        schemas = {r[0] for r in wh.fetchall("select schema_name from information_schema.schemata")}
        assert set(SCHEMAS) <= schemas
        assert wh.table_exists("raw.rejects")
    finally:
        stopped = embedded_postgres.stop(settings.pg_data_dir)
    try:
        assert stopped
        assert not embedded_postgres.stop(settings.pg_data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
