"""Loading one sales file into ``raw.sales_history``: once per content hash, then archived.

The order of steps makes every crash safe to retry: (1) rows + rejects in one ``Warehouse.load``
transaction (append for a new hash; upsert on (file_hash, line_number) if a crashed run already wrote
them, so a repeat writes the same rows), (2) the file's row in
``raw.sales_files`` (from then on the hash counts as loaded), (3) the move to the archive. A PostgreSQL
advisory lock per hash keeps two runs (a sensor run and a manual one) from loading one file at once.

Two paths:

- *export fast path*: a UTF-8 file whose header is exactly :data:`EXPORT_COLUMNS` is this project's own
  format; its bytes stream to ``COPY`` with only the lineage columns prepended per line (no CSV parsing
  in Python). PostgreSQL checks the types; if it refuses the file, the general path re-reads it and
  rejects the bad rows individually.
- *general path*: detection (parsing.py), then a row-by-row normalization that yields typed tuples to the
  loader and collects rejects with the reason.
"""

from __future__ import annotations

import csv
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from affiliate_assets.defs.sales_files import parsing
from affiliate_assets.defs.sales_files.tables import SALES_FILES, SALES_HISTORY
from affiliate_assets.lib.files import file_hash
from affiliate_assets.lib.settings import Settings
from affiliate_assets.lib.warehouse import LoadMode, Reject, Warehouse

log = logging.getLogger(__name__)

REJECT_SOURCE = SALES_HISTORY.qualified
IGNORED_PREFIXES = (".", "~$", "~", "_")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")
ACCEPTED_SUFFIXES = parsing.CSV_SUFFIXES + parsing.XLSX_SUFFIXES
LINEAGE = ("file_hash", "source_file", "layout", "line_number")


@dataclass
class FileOutcome:
    """What happened to one file; ``status`` is loaded | duplicate | unreadable | busy."""

    name: str
    file_hash: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    fast_path: bool = False
    archived_path: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    elapsed_s: float = 0.0


def is_candidate(path: Path) -> bool:
    """A finished sales file worth reading (not a hidden, lock or partial-download file)."""
    name = path.name
    return (path.is_file() and not name.startswith(IGNORED_PREFIXES)
            and not name.lower().endswith(IGNORED_SUFFIXES) and path.suffix.lower() in ACCEPTED_SUFFIXES)


def inbox_files(inbox: Path) -> list[Path]:
    """Candidate files in the inbox (top level only: sub-folders are the user's), oldest name first."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if is_candidate(p))


def _archive(path: Path, archive_root: Path, folder: str, digest: str) -> str:
    target_dir = archive_root / "sales" / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{digest[:16]}_{path.name}"
    if target.exists():  # the same bytes under the same name are already archived
        path.unlink()
    else:
        shutil.move(str(path), target)
    return str(target)


# --------------------------------------------------------------------------------------------------
# The export fast path
# --------------------------------------------------------------------------------------------------


def export_header() -> bytes:
    return ",".join(parsing.EXPORT_COLUMNS).encode()


def is_export_file(path: Path) -> bool:
    """This project's export format: exact header, UTF-8 (a BOM is fine), comma-separated."""
    first = parsing.read_header_line(path).removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n")
    return first == export_header()


def export_chunks(path: Path, prefix: bytes, counter: list[int]) -> Iterator[bytes]:
    """The file's data lines with ``prefix`` + line number prepended, as COPY-ready CSV chunks.

    Lines are only split and prefixed, never parsed; a quoted field with a newline inside (odd count of
    quotes on a line) is kept together and numbered by the line it starts on. Blank lines are dropped;
    ``counter`` gets [rows, blank lines].
    """
    line_no = 1  # the header
    carry = b""
    pending: bytes | None = None
    pending_line = 0
    with path.open("rb") as fh:
        fh.readline()
        while True:
            chunk = fh.read(parsing.READ_CHUNK)
            if not chunk:
                break
            data = carry + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            lines = data[:cut].split(b"\n")
            if b"\r" in data:
                lines = [ln.rstrip(b"\r") for ln in lines]
            out: list[bytes] = []
            if pending is None and b'"' not in data:
                for ln in lines:  # the hot loop: plain lines, no quotes anywhere in the chunk
                    line_no += 1
                    if ln:
                        out.append(b"%s%d,%s\n" % (prefix, line_no, ln))
                    else:
                        counter[1] += 1
            else:
                for ln in lines:
                    line_no += 1
                    if pending is not None:
                        pending += b"\n" + ln
                        if pending.count(b'"') % 2 == 0:
                            out.append(b"%s%d,%s\n" % (prefix, pending_line, pending))
                            pending = None
                    elif ln.count(b'"') % 2:
                        pending, pending_line = ln, line_no
                    elif ln:
                        out.append(b"%s%d,%s\n" % (prefix, line_no, ln))
                    else:
                        counter[1] += 1
            counter[0] += len(out)
            yield b"".join(out)
        tail = carry.rstrip(b"\r")
        if pending is not None:
            tail = pending + b"\n" + tail if tail else pending
            line_no = pending_line - 1
        if tail.strip():
            counter[0] += 1
            yield b"%s%d,%s\n" % (prefix, line_no + 1, tail)


def _csv_field(text: str) -> bytes:
    return parsing.csv_line([text]).rstrip("\n").encode()


def load_mode(warehouse: Warehouse, digest: str) -> LoadMode:
    """``append`` for a file never loaded (no conflict handling to pay for), ``upsert`` when an earlier run
    loaded its rows but stopped before the ledger: that repeat then rewrites the same rows."""
    found = warehouse.fetchall("select 1 from raw.sales_history where file_hash = %s limit 1", (digest,))
    return "upsert" if found else "append"


def load_export(warehouse: Warehouse, path: Path, digest: str) -> tuple[int, int]:
    """Stream an export-format file to COPY; (rows loaded, blank lines). Raises psycopg errors on bad data."""
    prefix = b",".join([_csv_field(digest), _csv_field(path.name), b"export"]) + b","
    counter = [0, 0]
    result = warehouse.load(
        SALES_HISTORY, csv_chunks=export_chunks(path, prefix, counter),
        columns=[*LINEAGE, *parsing.EXPORT_COLUMNS], mode=load_mode(warehouse, digest), rejects=[],
        reject_source=REJECT_SOURCE, reject_batch=digest,
    )
    return result.rows_loaded, counter[1]


# --------------------------------------------------------------------------------------------------
# The general path
# --------------------------------------------------------------------------------------------------


def load_general(warehouse: Warehouse, path: Path, digest: str, salt: str,
                 profile: parsing.FileProfile | None = None) -> tuple[parsing.FileProfile, int, int]:
    """Detect, normalize and load; (profile, rows loaded, rows rejected)."""
    profile = profile or parsing.open_profile(path)
    parsing.check_required(profile)
    parsing.profile_values(profile)
    normalizer = parsing.RowNormalizer(profile, file_hash=digest, source_file=path.name, salt=salt)
    rejects: list[Reject] = []

    def rows() -> Iterator[tuple]:
        for line_number, cells in parsing.iter_rows(profile):
            out = normalizer.normalize(line_number, cells)
            if isinstance(out, Reject):
                rejects.append(out)
            elif out is not None:
                yield out

    result = warehouse.load(SALES_HISTORY, rows(), mode=load_mode(warehouse, digest), rejects=rejects,
                            reject_source=REJECT_SOURCE, reject_batch=digest)
    profile.blank_lines = normalizer.blank_lines
    return profile, result.rows_loaded, result.rows_rejected


def _export_profile(path: Path) -> parsing.FileProfile:
    columns = {c: i for i, c in enumerate(parsing.EXPORT_COLUMNS)}
    return parsing.FileProfile(path, "csv", list(parsing.EXPORT_COLUMNS), columns, "export", 1,
                               encoding="utf-8", delimiter=",", date_order="YMD",
                               date_order_reason="export format: ISO dates",
                               currency_reason="export format: currency column")


# --------------------------------------------------------------------------------------------------
# One file, end to end
# --------------------------------------------------------------------------------------------------


def ingest_file(path: Path, warehouse: Warehouse, settings: Settings) -> FileOutcome:
    """Load ``path`` once (by content hash) and archive it. Never raises for bad data: an unreadable
    file becomes one reject and moves to ``archive/sales/rejected``."""
    started = time.perf_counter()
    try:
        digest = file_hash(path)
    except FileNotFoundError:  # another run archived it between the listing and now
        return FileOutcome(name=path.name, file_hash="", status="busy", reason="file already taken")
    outcome = FileOutcome(name=path.name, file_hash=digest, status="loaded")
    for spec in (SALES_HISTORY, SALES_FILES):
        warehouse.ensure_table(spec)
    with warehouse.connect(autocommit=True) as lock:
        key = f"sales_files:{digest}"
        if not lock.execute("select pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()[0]:  # type: ignore[index]
            outcome.status, outcome.reason = "busy", "another run is loading this file"
            return outcome
        try:
            if not path.exists():  # the other run finished it while we waited for the lock
                outcome.status, outcome.reason = "busy", "file already taken by another run"
                return outcome
            if warehouse.existing(SALES_FILES, "file_hash", [digest]):
                outcome.status, outcome.reason = "duplicate", "same content already loaded"
                outcome.archived_path = _archive(path, settings.archive_dir, "duplicates", digest)
                return outcome
            _load(path, warehouse, settings, digest, outcome)
        finally:
            lock.execute("select pg_advisory_unlock(hashtext(%s))", (key,))
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


def _load(path: Path, warehouse: Warehouse, settings: Settings, digest: str, outcome: FileOutcome) -> None:
    started = time.perf_counter()
    profile: parsing.FileProfile | None = None
    try:
        if is_export_file(path):
            try:
                outcome.rows_loaded, blank = load_export(warehouse, path, digest)
                profile, outcome.fast_path = _export_profile(path), True
                profile.blank_lines = blank
            except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
                log.warning("%s: export fast path refused (%s); re-reading row by row", path.name,
                            str(exc).splitlines()[0])
        if profile is None:
            profile, outcome.rows_loaded, outcome.rows_rejected = load_general(
                warehouse, path, digest, settings.pii_salt)
    except (parsing.UnreadableFile, UnicodeDecodeError, csv.Error) as exc:
        outcome.status, outcome.reason = "unreadable", str(exc)
        warehouse.load(SALES_HISTORY, [], mode="upsert", reject_source=REJECT_SOURCE, reject_batch=digest,
                       rejects=[Reject(key=path.name, reason=f"unreadable file: {exc}")])
        outcome.archived_path = _archive(path, settings.archive_dir, "rejected", digest)
        return
    outcome.rows_read = outcome.rows_loaded + outcome.rows_rejected
    outcome.profile = profile.describe()
    first, last = warehouse.fetchall(
        "select min(order_date), max(order_date) from raw.sales_history where file_hash = %s", (digest,))[0]
    archive_folder = datetime.now(UTC).strftime("%Y-%m-%d")
    target = settings.archive_dir / "sales" / archive_folder / f"{digest[:16]}_{path.name}"
    record = {
        "file_hash": digest, "file_name": path.name, "size_bytes": path.stat().st_size,
        "file_format": profile.file_format, "layout": profile.layout, "encoding": profile.encoding,
        "delimiter": profile.delimiter, "decimal_separator": profile.decimal_separator,
        "thousands_separator": profile.thousands_separator, "date_order": profile.date_order,
        "date_order_reason": profile.date_order_reason, "fast_path": outcome.fast_path,
        "rows_read": outcome.rows_read, "rows_loaded": outcome.rows_loaded,
        "rows_rejected": outcome.rows_rejected, "first_order_date": first, "last_order_date": last,
        "archived_path": str(target), "elapsed_s": round(time.perf_counter() - started, 3),
    }
    warehouse.load(SALES_FILES, [tuple(record[c] for c in SALES_FILES.column_names)], mode="upsert")
    outcome.archived_path = _archive(path, settings.archive_dir, archive_folder, digest)
