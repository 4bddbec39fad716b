"""What is new in a drop folder since the last look: the scan every inbox sensor (sales files, screenshots,
voice notes) runs on each tick.

A file is remembered by its fingerprint (size, mtime in ns) so a tick hashes only files that are new or
changed, never the whole inbox again; its identity is still the content hash (``lib/files.py``), which is
what run keys and loads rely on, so losing a cursor costs re-hashing, never a double load. A file changed
less than ``settle_seconds`` ago may still be copying (its hash would be half a file's) and waits for a
later tick; so does a file over the batch ``limit``; a file that vanishes or is locked while we look is
reported, not raised (the next tick sees it again). Cursor formats stay the callers' own: they pass the
fingerprints they remember and store what they need of the result.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from affiliate_assets.lib.files import content_hash, file_hash
from affiliate_assets.lib.warehouse import Reject

Fingerprint = tuple[int, int]  # (size in bytes, mtime in ns)


@dataclass(frozen=True)
class InboxFile:
    """A file new or changed since the previous scan, with its content hash."""

    key: str  # path relative to the inbox root
    path: Path
    size: int
    mtime_ns: int
    digest: str

    @property
    def fingerprint(self) -> Fingerprint:
        return (self.size, self.mtime_ns)


@dataclass
class InboxScan:
    new: list[InboxFile] = field(default_factory=list)
    unchanged: dict[str, Fingerprint] = field(default_factory=dict)  # same fingerprint as last time
    settling: int = 0  # changed too recently: left for a later tick
    deferred: int = 0  # over the batch limit: left for a later tick
    errors: dict[str, str] = field(default_factory=dict)  # key -> why it could not be read this tick

    def fingerprints(self) -> dict[str, Fingerprint]:
        """What the next scan should remember: unchanged and new files (not settling/deferred/errors)."""
        return {**self.unchanged, **{f.key: f.fingerprint for f in self.new}}


def scan_inbox(paths: Iterable[Path], root: Path, previous: Mapping[str, Fingerprint | None], *,
               settle_seconds: float = 0.0, limit: int | None = None, now: float | None = None,
               hasher: Callable[[Path], str] = file_hash) -> InboxScan:
    """Compare ``paths`` (files under ``root``) with the fingerprints of the previous scan and hash what is
    new or changed, at most ``limit`` files."""
    now = time.time() if now is None else now
    scan = InboxScan()
    for path in paths:
        key = inbox_key(path, root)
        try:
            stat = path.stat()
            if settle_seconds > 0 and now - stat.st_mtime < settle_seconds:
                scan.settling += 1
                continue
            fingerprint = (stat.st_size, stat.st_mtime_ns)
            if tuple(previous.get(key) or ()) == fingerprint:
                scan.unchanged[key] = fingerprint
                continue
            if limit is not None and len(scan.new) >= limit:
                scan.deferred += 1
                continue
            scan.new.append(InboxFile(key, path, stat.st_size, stat.st_mtime_ns, hasher(path)))
        except OSError as exc:  # removed, renamed or locked between the listing and now
            scan.errors[key] = str(exc)
    return scan


def read_marks(cursor: str | None) -> dict[str, Fingerprint | None]:
    """The screenshots and voice sensors' cursor, ``{key: "size:mtime_ns"}`` JSON, back to fingerprints
    (None for an entry it cannot read: that file is simply hashed again)."""
    marks = json.loads(cursor) if cursor else {}
    return {key: _parse_mark(mark) for key, mark in marks.items()}


def write_marks(fingerprints: Mapping[str, Fingerprint]) -> str:
    """The cursor :func:`read_marks` reads: ``{key: "size:mtime_ns"}`` JSON, keys sorted."""
    return json.dumps({key: f"{size}:{mtime_ns}" for key, (size, mtime_ns) in sorted(fingerprints.items())})


def _parse_mark(mark: object) -> Fingerprint | None:
    try:
        size, mtime_ns = str(mark).split(":")
        return int(size), int(mtime_ns)
    except ValueError:
        return None


def batch_sensor_result(context, paths: Iterable[Path], root: Path, *, op: str, prefix: str, tag: str,
                        limit: int, nothing_new: str):
    """A sensor tick for an inbox read in batches (screenshots, voice notes): one run for the new or changed
    files (config ``files`` = their inbox keys, run key = :func:`batch_key` of their contents), the cursor in
    :func:`read_marks` format; a skip, keeping or updating the cursor, when nothing is new.

    Files over ``limit`` stay out of the cursor, so the next tick picks them up; a file removed or locked
    while we look is logged and tried again next tick.
    """
    import dagster as dg

    seen = read_marks(context.cursor)
    scan = scan_inbox(paths, root, seen, limit=limit)
    for key, error in scan.errors.items():
        context.log.warning("skipping %s: %s", key, error)
    current = scan.fingerprints()
    if not scan.new:
        if seen == current:
            return dg.SkipReason(f"{nothing_new} in {root}")
        return dg.SensorResult(skip_reason=dg.SkipReason(f"inbox changed, {nothing_new}"), cursor=write_marks(current))
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=batch_key(prefix, (f.digest for f in scan.new)),
            run_config={"ops": {op: {"config": {"files": [f.key for f in scan.new]}}}},
            tags={tag: str(len(scan.new))},
        )],
        cursor=write_marks(current),
    )


def batch_key(prefix: str, digests: Iterable[str]) -> str:
    """A run key for a batch of contents: the same set of bytes gives the same key whatever the names."""
    joined = "\n".join(sorted(set(digests)))
    return f"{prefix}-{hashlib.sha256(joined.encode()).hexdigest()[:32]}"


def requested_paths(root: Path, files: Iterable[str], default: Callable[[Path], list[Path]]) -> list[Path]:
    """The files a run was asked for (relative to ``root`` unless absolute), else ``default(root)``."""
    return [Path(f) if Path(f).is_absolute() else root / f for f in files] or default(root)


def read_contents(paths: Iterable[Path], root: Path) -> tuple[dict[str, tuple[Path, bytes]], list[Reject]]:
    """``({content hash: (first path, bytes)}, rejects)``: each distinct content once, whatever its names;
    a file that vanished or cannot be read since it was listed becomes a reject keyed by its inbox path."""
    blobs: dict[str, tuple[Path, bytes]] = {}
    rejects: list[Reject] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:  # vanished between listing and reading, permissions: keep a trace
            rejects.append(Reject(inbox_key(path, root), f"cannot read file: {exc}"))
            continue
        blobs.setdefault(content_hash(data), (path, data))
    return blobs, rejects


def modified_at(path: Path) -> datetime | None:
    """When a dropped file was last written (UTC): the best guess of when it was captured or recorded;
    None when it is gone (read earlier, removed since)."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def inbox_key(path: Path, root: Path) -> str:
    """A file's name in its inbox: the path relative to the root (the path itself when outside it)."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
