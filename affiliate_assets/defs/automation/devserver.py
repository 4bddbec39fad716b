"""Start and stop ``dagster dev`` (webserver + daemon) for the UI test and the flow demo.

Not imported by the code location. What it handles (see FACTS.md): started in the background ``dagster
dev`` ignores SIGINT unless the child resets it to the default; its code-server child lingers unless
its process group is signalled; it takes ≈ 15 s (much more on a busy machine) to answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

from affiliate_assets.lib.settings import PROJECT_ROOT
from affiliate_assets.lib.warehouse import sqlalchemy_url

CREDENTIAL_VARS = ("HOTMART_CLIENT_ID", "HOTMART_CLIENT_SECRET", "HOTMART_BASIC", "INSTAGRAM_ACCESS_TOKEN",
                   "FACEBOOK_ACCESS_TOKEN", "TIKTOK_ACCESS_TOKEN", "ANTHROPIC_API_KEY",
                   "GOOGLE_APPLICATION_CREDENTIALS", "FAILURE_WEBHOOK_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dagster_home(home: Path, *, max_concurrent_runs: int | None = None) -> Path:
    """A DAGSTER_HOME using the project's dagster.yaml (postgres storage from DAGSTER_PG_URL), optionally
    with another run concurrency (0 queues runs without launching them)."""
    home.mkdir(parents=True, exist_ok=True)
    text = (PROJECT_ROOT / "dagster.yaml").read_text()
    if max_concurrent_runs is not None:
        text = text.replace("max_concurrent_runs: 4", f"max_concurrent_runs: {max_concurrent_runs}")
    (home / "dagster.yaml").write_text(text)
    return home


def offline_env(database_url: str, home: Path, data_dir: Path, extra: Mapping[str, str] | None = None) -> dict:
    """The environment for an isolated instance: warehouse and Dagster storage on ``database_url``, no
    service credentials (the bundled fakes answer), data under ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
    # `dagster dev` makes dagster-dbt prepare the manifest with the `dbt` found on PATH: the venv's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(DATABASE_URL=database_url, DAGSTER_PG_URL=sqlalchemy_url(database_url), DAGSTER_HOME=str(home),
               AFFILIATE_DATA_DIR=str(data_dir), AFFILIATE_ENV_FILE="/nonexistent/.env", PYTHONWARNINGS="ignore",
               **(extra or {}))
    return env


def _dagster_bin() -> str:
    local = Path(sys.executable).parent / "dagster"
    return str(local) if local.exists() else (shutil.which("dagster") or "dagster")


def _reset_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def dagster_dev(env: Mapping[str, str], port: int, log_path: Path, ready_timeout: float = 300.0) -> Iterator[str]:
    """Run ``dagster dev`` until the block ends; yields the base URL once the webserver answers."""
    log = open(log_path, "wb")  # noqa: SIM115 (kept open for the process's lifetime)
    proc = subprocess.Popen(
        [_dagster_bin(), "dev", "-m", "affiliate_assets.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=_reset_sigint,  # own process group; SIGINT not ignored
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"dagster dev exited with {proc.returncode}; see {log_path}")
            try:
                if requests.get(f"{base}/server_info", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"dagster dev did not answer in {ready_timeout:.0f}s; see {log_path}")
            time.sleep(1)
        yield base
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGINT the process group (dagster dev shuts its children down), then SIGKILL what is left."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # lingering code servers of the same group
    proc.wait(timeout=10)


def graphql(base: str, query: str, variables: Mapping | None = None) -> dict:
    resp = requests.post(f"{base}/graphql", json={"query": query, "variables": dict(variables or {})}, timeout=30)
    body = resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
    if not resp.ok and not body.get("errors"):
        resp.raise_for_status()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]
