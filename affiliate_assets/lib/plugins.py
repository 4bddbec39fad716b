"""Optional modules: domains plug extras in (demo inputs, ...) by simply providing a module."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_optional(name: str) -> ModuleType | None:
    """Import ``name`` if it exists; None when that very module is missing (errors inside it still raise)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
