"""Content hashes of dropped files: the one identity every inbox (sales files, screenshots, voice notes) uses.

A file is known by the sha256 of its bytes, never by its name or mtime: the same bytes re-dropped under
another name are the same file, and a file edited in place is a new one. Large files are hashed in chunks
so a 100 MB export never sits in memory whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

READ_CHUNK = 1 << 20


def content_hash(data: bytes) -> str:
    """sha256 hex digest of bytes already in memory (an image about to be decoded anyway)."""
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path, chunk_size: int = READ_CHUNK) -> str:
    """sha256 hex digest of a file's bytes, read in ``chunk_size`` pieces; equals ``content_hash`` of them."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
