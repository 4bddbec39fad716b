"""Run one crawl in a subprocess and hand its items to the caller in batches while it runs.

Scrapy's Twisted reactor can start once per process, and a Dagster worker runs many crawls, so each crawl
is ``python -m affiliate_assets.defs.crawl.scraper.run JOB.json``. Its log lines are passed to ``on_log``
as they come (the asset forwards them to the Dagster run log); its items are JSON lines in a file that is
read as it grows and passed to ``on_batch`` every ``batch_size`` items, so rows reach the warehouse during
a long crawl, not only at its end.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from affiliate_assets.lib.settings import PROJECT_ROOT

RUN_MODULE = "affiliate_assets.defs.crawl.scraper.run"


@dataclass
class CrawlJob:
    crawl_id: str
    workdir: Path
    targets: list[dict[str, Any]]
    host_map: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    rules_file: str | None = None

    @property
    def items_path(self) -> Path:
        return self.workdir / "items.jsonl"

    @property
    def stats_path(self) -> Path:
        return self.workdir / "stats.json"

    def write(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        targets_path = self.workdir / "targets.jsonl"
        targets_path.write_text("".join(json.dumps(t) + "\n" for t in self.targets), encoding="utf-8")
        self.items_path.write_text("", encoding="utf-8")
        job_path = self.workdir / "job.json"
        job_path.write_text(json.dumps({
            "crawl_id": self.crawl_id, "targets_path": str(targets_path), "items_path": str(self.items_path),
            "stats_path": str(self.stats_path), "host_map": self.host_map, "settings": self.settings,
            "rules_file": self.rules_file,
        }), encoding="utf-8")
        return job_path


class CrawlFailed(RuntimeError):
    pass


class _ItemTail:
    """Reads complete JSON lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read(self) -> list[dict[str, Any]]:
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        return [json.loads(line) for line in data[:end].splitlines() if line.strip()]


def run_crawl(job: CrawlJob, on_log: Callable[[str], None], on_batch: Callable[[list[dict]], None],
              batch_size: int = 500, timeout_s: float | None = None) -> dict[str, Any]:
    """Run ``job`` to the end; returns Scrapy's stats. Raises :class:`CrawlFailed` if the process fails."""
    job_path = job.write()
    proc = subprocess.Popen([sys.executable, "-m", RUN_MODULE, str(job_path)], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, name="crawl-log", daemon=True).start()
    tail = _ItemTail(job.items_path)
    pending: list[dict] = []
    log_done = False
    try:
        while not log_done:
            try:
                line = lines.get(timeout=0.5)
                while line is not None:
                    on_log(line)
                    line = lines.get_nowait()
                log_done = True
            except queue.Empty:
                pass
            pending += tail.read()
            while len(pending) >= batch_size:
                on_batch(pending[:batch_size])
                pending = pending[batch_size:]
        returncode = proc.wait(timeout=timeout_s)
    except BaseException:
        proc.kill()
        raise
    pending += tail.read()
    if pending:
        on_batch(pending)
    if returncode != 0:
        raise CrawlFailed(f"crawl process exited with {returncode}; see the log above")
    return json.loads(job.stats_path.read_text(encoding="utf-8")) if job.stats_path.exists() else {}
