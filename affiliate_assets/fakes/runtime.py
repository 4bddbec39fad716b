"""Start fakes in-process (a daemon thread each) for tests and the offline demo."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any

from affiliate_assets.fakes import FAKES

_running: dict[tuple[str, tuple], RunningFake] = {}
_lock = threading.Lock()


@dataclass
class RunningFake:
    name: str
    server: Any
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def build_server(name: str, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Any:
    if name not in FAKES:
        raise KeyError(f"unknown fake {name!r}; known: {', '.join(sorted(FAKES))}")
    module = importlib.import_module(FAKES[name])
    return module.build_server(host, port, **options)


def start_fake(name: str, host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningFake:
    """Start a fresh fake on ``port`` (0 = a free port) and return it; stop it with ``.stop()``."""
    server = build_server(name, host, port, **options)
    thread = threading.Thread(target=server.serve_forever, name=f"fake-{name}", daemon=True)
    thread.start()
    return RunningFake(name, server, thread)


def shared_fake(name: str, **options: Any) -> RunningFake:
    """One fake per (name, options) for the life of the process: what assets use when no credentials are
    configured, so an offline run talks HTTP to the same server across assets."""
    key = (name, tuple(sorted(options.items())))
    with _lock:
        fake = _running.get(key)
        if fake is None or not fake.thread.is_alive():
            fake = _running[key] = start_fake(name, **options)
        return fake
