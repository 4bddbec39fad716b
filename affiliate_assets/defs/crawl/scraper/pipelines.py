"""Items → a JSON-lines file the Dagster asset loads into the warehouse in batches.

The crawl process does not talk to the database: the asset owns the one loader (``Warehouse.load``), so
rows go in through COPY with validation and rejects like every other source. Lines are flushed every
``FLUSH_EVERY`` items so the asset can load batches while the crawl still runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import IO, Any

FLUSH_EVERY = 100


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class JsonLinesPipeline:
    def __init__(self, path: str) -> None:
        self.path = path
        self.file: IO[str] | None = None
        self.pending = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("ITEMS_PATH"))

    def open_spider(self, spider=None) -> None:
        self.file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the crawl

    def close_spider(self, spider=None) -> None:
        if self.file:
            self.file.close()

    def process_item(self, item, spider=None):
        assert self.file is not None
        self.file.write(json.dumps(asdict(item), default=_default, ensure_ascii=False) + "\n")
        self.pending += 1
        if self.pending >= FLUSH_EVERY:
            self.file.flush()
            self.pending = 0
        return item
