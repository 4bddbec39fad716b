"""The warehouse: where the PostgreSQL server is, connections to it, and the one bulk loader.

Every raw asset writes through :meth:`Warehouse.load`. It streams rows (or ready CSV bytes) with ``COPY``
into a temporary table, then, inside the same transaction, replaces or upserts them into the target and
records rejected rows in ``raw.rejects``. Either everything lands or nothing does, so a failed load leaves
the previous data intact, and loading the same batch twice gives the same table (idempotent).

Table shapes are declared once as :class:`TableSpec`; the loader creates missing tables from them, so an
asset, its table and its dbt source share one definition.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import PrivateAttr

from affiliate_assets.lib import embedded_postgres
from affiliate_assets.lib.settings import Settings, load_settings

log = logging.getLogger(__name__)

SCHEMAS = ("raw", "staging", "marts", "ml", "reco", "ops")
WAREHOUSE_DB = "affiliate"
DAGSTER_DB = "dagster"
ANALYZE_AFTER_ROWS = 10_000

LoadMode = Literal["append", "upsert", "replace", "replace_window"]


# --------------------------------------------------------------------------------------------------
# Where the server is
# --------------------------------------------------------------------------------------------------


def with_database(url: str, dbname: str) -> str:
    """Return ``url`` pointing at database ``dbname`` (keeps host, socket dir and query options)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname), parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def resolve_database_url(settings: Settings | None = None) -> str:
    """``DATABASE_URL`` when set; otherwise start (or reuse) the embedded server and use its warehouse db.

    The embedded path also creates the ``affiliate`` warehouse database and the ``dagster`` database
    that dagster-postgres keeps its runs and events in.
    """
    settings = settings or load_settings()
    if settings.database_url:
        return settings.database_url
    server_url = embedded_postgres.ensure_running(settings.pg_data_dir)
    for dbname in (WAREHOUSE_DB, DAGSTER_DB):
        create_database(server_url, dbname)
    return with_database(server_url, WAREHOUSE_DB)


def create_database(server_url: str, dbname: str) -> bool:
    """Create ``dbname`` on the server of ``server_url`` if missing; True when it was created."""
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
        return True


def drop_database(server_url: str, dbname: str) -> None:
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))


def sqlalchemy_url(url: str) -> str:
    """The URL dagster-postgres wants: SQLAlchemy 2.1 maps bare ``postgresql://`` to psycopg 3, whose
    parameter style breaks dagster-postgres' ``NOTIFY``; name psycopg2 explicitly."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql+psycopg2", *parts[1:]))


def libpq_params(url: str) -> dict[str, str]:
    """Split a URL into host/port/user/password/dbname, the way dbt's profile and ``psql`` want them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    return {
        "host": query.get("host") or parts.hostname or "127.0.0.1",
        "port": str(query.get("port") or parts.port or 5432),
        "user": parts.username or query.get("user") or "postgres",
        "password": parts.password or query.get("password") or "",
        "dbname": database_name(url),
    }


def dbt_env(url: str) -> dict[str, str]:
    """Environment variables ``dbt_project/profiles.yml`` reads."""
    p = libpq_params(url)
    return {
        "DBT_HOST": p["host"],
        "DBT_PORT": p["port"],
        "DBT_USER": p["user"],
        "DBT_PASSWORD": p["password"],
        "DBT_DBNAME": p["dbname"],
    }


def redact(url: str) -> str:
    """A URL safe to show in logs and metadata (no password)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(":" + parts.password + "@", ":***@")
    query = urlencode([(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# --------------------------------------------------------------------------------------------------
# Table declarations
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a PostgreSQL type, e.g. "numeric(12,2)", "timestamptz", "text"
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table. Every table also gets ``loaded_at timestamptz`` (dbt source freshness reads it)."""

    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    description: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def ident(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def create_sql(self) -> sql.Composed:
        cols = [
            sql.SQL("{} {}{}").format(
                sql.Identifier(c.name), sql.SQL(c.type), sql.SQL("" if c.nullable else " not null")
            )
            for c in self.columns
        ]
        cols.append(sql.SQL("loaded_at timestamptz not null default now()"))
        if self.primary_key:
            cols.append(
                sql.SQL("primary key ({})").format(sql.SQL(", ").join(map(sql.Identifier, self.primary_key)))
            )
        return sql.SQL("create table if not exists {} ({})").format(self.ident, sql.SQL(", ").join(cols))


REJECTS = TableSpec(
    schema="raw",
    name="rejects",
    columns=(
        Column("reject_id", "bigint generated always as identity", nullable=False),
        Column("source", "text", nullable=False, description="Asset or table the row was meant for."),
        Column("batch", "text", nullable=False, description="Partition key, file hash or run that read it."),
        Column("key", "text", description="The row's natural key or file:line, when it has one."),
        Column("line_number", "bigint"),
        Column("reason", "text", nullable=False),
        Column("payload", "jsonb"),
    ),
    primary_key=("reject_id",),
    indexes=(("source", "batch"),),
    description="Rows that failed validation, with the reason; nothing read is silently dropped.",
)


@dataclass(frozen=True)
class Reject:
    key: str | None
    reason: str
    payload: Any = None
    line_number: int | None = None


@dataclass
class LoadResult:
    table: str
    mode: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_deleted: int = 0
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        """Dagster-friendly figures: what came in reconciles with what was loaded and rejected."""
        return {
            "table": self.table,
            "load_mode": self.mode,
            "rows_in": self.rows_in,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_deleted": self.rows_deleted,
            "load_seconds": round(self.elapsed_s, 3),
            **self.extra,
        }


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------
# The warehouse
# --------------------------------------------------------------------------------------------------


class Warehouse(dg.ConfigurableResource):
    """The warehouse resource: connections and the one loader. Cheap to build; connects lazily.

    ``database_url`` defaults to the environment (``DATABASE_URL``, else the embedded server), so the
    code location needs no configuration to run on a laptop.
    """

    database_url: str | None = None

    _bootstrapped: ClassVar[set[str]] = set()
    _resolved: str | None = PrivateAttr(default=None)

    @property
    def url(self) -> str:
        if self._resolved is None:
            self._resolved = self.database_url or resolve_database_url()
        return self._resolved

    @contextmanager
    def connect(self, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        """A psycopg 3 connection; commits on clean exit, rolls back on error."""
        self.bootstrap()
        with psycopg.connect(self.url, autocommit=autocommit) as conn:
            yield conn

    def bootstrap(self) -> None:
        """Create the layer schemas and ``raw.rejects`` once per process and database."""
        if self.url in Warehouse._bootstrapped:
            return
        with psycopg.connect(self.url) as conn:
            # Serialize concurrent bootstraps (parallel runs, test workers) on one advisory lock.
            conn.execute("select pg_advisory_xact_lock(hashtext('affiliate_assets.bootstrap'))")
            for schema in SCHEMAS:
                conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            _ensure_table(conn, REJECTS)
        Warehouse._bootstrapped.add(self.url)

    def ensure_table(self, spec: TableSpec) -> None:
        with self.connect() as conn:
            _ensure_table(conn, spec)

    def execute(self, query: sql.Composable | str, params: Sequence[Any] | dict | None = None) -> None:
        with self.connect() as conn:
            conn.execute(query, params)  # type: ignore[arg-type]

    def fetchall(self, query: sql.Composable | str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def fetch_df(self, query: sql.Composable | str, params: Sequence[Any] | dict | None = None):
        """Run a query and return a pandas DataFrame (pandas imported lazily: it is slow to import)."""
        import pandas as pd

        with self.connect() as conn:
            cur = conn.execute(query, params)  # type: ignore[arg-type]
            columns = [d.name for d in cur.description or []]
            return pd.DataFrame(cur.fetchall(), columns=columns)

    def count(self, table: str, where: sql.Composable | None = None, params: Sequence[Any] = ()) -> int:
        schema, name = table.split(".", 1)
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))
        if where is not None:
            query = query + sql.SQL(" where ") + where
        with self.connect() as conn:
            return conn.execute(query, params).fetchone()[0]  # type: ignore[index]

    def table_exists(self, table: str) -> bool:
        with self.connect() as conn:
            return conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()[0]  # type: ignore[index]

    def existing(self, spec_or_table: TableSpec | str, column: str, values: Iterable[Any]) -> set:
        """The ``values`` already present in ``column`` of a table (a ``TableSpec`` or ``"schema.name"``).

        How inboxes skip content they already hold (file, image and audio hashes): one ``= any(%s)`` query
        for the whole batch. A table that does not exist yet holds nothing, so it is not created here.
        """
        wanted = list(dict.fromkeys(values))
        if isinstance(spec_or_table, TableSpec):
            if column not in spec_or_table.column_names:
                raise ValueError(f"{column!r} is not a column of {spec_or_table.qualified}")
            table = spec_or_table.ident
        else:
            table = sql.Identifier(*spec_or_table.split(".", 1))
        if not wanted:
            return set()
        query = sql.SQL("select distinct {col} from {table} where {col} = any(%s)").format(
            col=sql.Identifier(column), table=table)
        with self.connect() as conn:
            if not conn.execute("select to_regclass(%s) is not null", (table.as_string(conn),)).fetchone()[0]:  # type: ignore[index]
                return set()
            return {row[0] for row in conn.execute(query, (wanted,))}

    # ---------------------------------------------------------------------------------------------
    def load(
        self,
        spec: TableSpec,
        rows: Iterable[Sequence[Any]] | None = None,
        *,
        columns: Sequence[str] | None = None,
        csv_chunks: Iterable[bytes] | None = None,
        csv_header: bool = False,
        mode: LoadMode = "upsert",
        window_column: str | None = None,
        window: tuple[Any, Any] | None = None,
        rejects: Iterable[Reject] = (),
        reject_source: str | None = None,
        reject_batch: str | None = None,
    ) -> LoadResult:
        """Load a batch into ``spec`` in one transaction.

        Feed either ``rows`` (tuples in ``columns`` order; Python values, ``None`` for null) or
        ``csv_chunks`` (bytes of a CSV in ``columns`` order, streamed to ``COPY`` untouched: the fast path
        for files). Modes:

        - ``append``: insert every row (history tables such as price observations);
        - ``upsert``: insert, or update rows whose primary key exists (last row of the batch wins);
        - ``replace``: the batch becomes the whole table;
        - ``replace_window``: delete rows whose ``window_column`` is in ``[window[0], window[1])``, then
          upsert the batch: re-running a partition gives the same rows, never duplicates.

        ``rejects`` are written to ``raw.rejects`` under (``reject_source``, ``reject_batch``), replacing
        that batch's earlier rejects, in the same transaction.
        """
        if (rows is None) == (csv_chunks is None):
            raise ValueError("pass exactly one of rows= or csv_chunks=")
        if mode == "replace_window" and (window_column is None or window is None):
            raise ValueError("replace_window needs window_column and window=(start, end)")
        if mode == "upsert" and not spec.primary_key:
            raise ValueError(f"{spec.qualified} has no primary key to upsert on; use append or replace")
        columns = list(columns or spec.column_names)
        unknown = set(columns) - set(spec.column_names)
        if unknown:
            raise ValueError(f"columns {sorted(unknown)} are not in {spec.qualified}")

        result = LoadResult(table=spec.qualified, mode=mode)
        started = time.perf_counter()
        with self.connect() as conn, conn.transaction():
            _ensure_table(conn, spec)
            if mode == "append":
                # Nothing to replace or merge: COPY straight into the target, still inside this transaction
                # (all or nothing). Half the work of staging big batches (no temp copy, no sort); a key that
                # is already there, or twice in the batch, fails the load instead of last-wins.
                result.rows_loaded = _copy(conn, spec.ident, columns, rows, csv_chunks, csv_header)
            else:
                tmp = sql.Identifier(f"_load_{spec.name}")
                conn.execute(
                    sql.SQL("create temp table {} (like {} including defaults) on commit drop").format(
                        tmp, spec.ident
                    )
                )
                # _ord keeps arrival order so the last duplicate of a key wins deterministically.
                conn.execute(sql.SQL("alter table {} add column _ord bigserial").format(tmp))
                result.rows_loaded = _copy(conn, tmp, columns, rows, csv_chunks, csv_header)
                result.rows_deleted = _delete_replaced(conn, spec, mode, window_column, window)
                _merge(conn, spec, tmp, columns)
            result.rows_rejected = _write_rejects(
                conn, rejects, source=reject_source or spec.qualified, batch=reject_batch or mode
            )
        if result.rows_loaded >= ANALYZE_AFTER_ROWS:
            # Fresh bulk loads leave the planner without statistics until autovacuum comes by; dbt's joins on
            # them then take seconds instead of milliseconds.
            with self.connect(autocommit=True) as conn:
                conn.execute(sql.SQL("analyze {}").format(spec.ident))
        result.rows_in = result.rows_loaded + result.rows_rejected
        result.elapsed_s = time.perf_counter() - started
        log.info(
            "loaded %s: %d rows (%d rejected, %d replaced) in %.2fs",
            spec.qualified, result.rows_loaded, result.rows_rejected, result.rows_deleted, result.elapsed_s,
        )
        return result

    def rejects_for(self, source: str, batch: str | None = None) -> list[tuple]:
        query = "select key, line_number, reason, payload from raw.rejects where source = %s"
        params: list[Any] = [source]
        if batch is not None:
            query += " and batch = %s"
            params.append(batch)
        return self.fetchall(query + " order by reject_id", params)


def _ensure_table(conn: psycopg.Connection, spec: TableSpec) -> None:
    """Create the table if missing, and add columns a newer spec declares (additive evolution: a warehouse
    built by an older release keeps working; dropping or retyping a column stays a deliberate migration)."""
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(spec.schema)))
    conn.execute(spec.create_sql())
    existing = {
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            (spec.schema, spec.name),
        )
    }
    for column in spec.columns:
        if column.name not in existing:
            # Added as nullable: rows loaded before the column existed have no value for it.
            log.warning("adding column %s.%s (%s)", spec.qualified, column.name, column.type)
            conn.execute(
                sql.SQL("alter table {} add column {} {}").format(
                    spec.ident, sql.Identifier(column.name), sql.SQL(column.type)
                )
            )
    for cols in spec.indexes:
        name = f"ix_{spec.name}_{'_'.join(cols)}"[:63]
        conn.execute(
            sql.SQL("create index if not exists {} on {} ({})").format(
                sql.Identifier(name), spec.ident, sql.SQL(", ").join(map(sql.Identifier, cols))
            )
        )
    if spec.description:
        conn.execute(sql.SQL("comment on table {} is {}").format(spec.ident, sql.Literal(spec.description)))


def _copy(
    conn: psycopg.Connection,
    target: sql.Composable,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | None,
    csv_chunks: Iterable[bytes] | None,
    csv_header: bool,
) -> int:
    """COPY rows (Python values) or CSV bytes (streamed untouched) into ``target``; returns rows copied."""
    copy_sql = sql.SQL("copy {} ({}) from stdin").format(target, sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cur:
        if csv_chunks is not None:
            with cur.copy(copy_sql + sql.SQL(" (format csv{})").format(
                    sql.SQL(", header true" if csv_header else ""))) as copy:
                for chunk in csv_chunks:
                    copy.write(chunk)
        else:
            with cur.copy(copy_sql) as copy:
                for row in rows:  # type: ignore[union-attr]
                    copy.write_row(row)
        return cur.rowcount


def _delete_replaced(
    conn: psycopg.Connection, spec: TableSpec, mode: str, window_column: str | None, window: tuple | None
) -> int:
    if mode == "replace":
        return conn.execute(sql.SQL("delete from {}").format(spec.ident)).rowcount
    if mode == "replace_window":
        column = sql.Identifier(window_column)  # type: ignore[arg-type]
        query = sql.SQL("delete from {} where {} >= %s and {} < %s").format(spec.ident, column, column)
        return conn.execute(query, window).rowcount
    return 0


def _merge(conn: psycopg.Connection, spec: TableSpec, tmp: sql.Identifier, columns: Sequence[str]) -> None:
    """Insert the staged batch; with a primary key, the last row per key wins and existing rows are updated."""
    col_idents = sql.SQL(", ").join(map(sql.Identifier, columns))
    if not spec.primary_key:
        conn.execute(sql.SQL("insert into {} ({}) select {} from {}").format(spec.ident, col_idents, col_idents, tmp))
        return
    pk = sql.SQL(", ").join(map(sql.Identifier, spec.primary_key))
    updates = [c for c in columns if c not in spec.primary_key]
    set_clause = sql.SQL(", ").join(
        [sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in updates] + [sql.SQL("loaded_at = now()")]
    )
    conn.execute(
        sql.SQL(
            "insert into {target} ({cols}) select distinct on ({pk}) {cols} from {tmp} order by {pk}, _ord desc "
            "on conflict ({pk}) do update set {updates}"
        ).format(target=spec.ident, cols=col_idents, pk=pk, tmp=tmp, updates=set_clause)
    )


def _write_rejects(conn: psycopg.Connection, rejects: Iterable[Reject], *, source: str, batch: str) -> int:
    conn.execute("delete from raw.rejects where source = %s and batch = %s", (source, batch))
    n = 0
    with conn.cursor() as cur, cur.copy(
        "copy raw.rejects (source, batch, key, line_number, reason, payload) from stdin"
    ) as copy:
        for r in rejects:
            payload = None if r.payload is None else to_json(r.payload)
            copy.write_row((source, batch, r.key, r.line_number, r.reason, payload))
            n += 1
    return n

