"""The run-failure sensor on a really failed run: the row in ops.run_failures and the webhook POST, served
by a local HTTP server; a webhook that is down is recorded, never fatal."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from affiliate_assets.defs.automation.failures import run_failure_recorder
from affiliate_assets.lib.partitions import daily_partitions


@dg.asset(key=["raw", "always_fails"], partitions_def=daily_partitions)
def always_fails(context: dg.AssetExecutionContext) -> None:
    raise ValueError("API da Hotmart fora do ar (HTTP 503)")


class Hook:
    """A webhook receiver on a free port: records bodies, answers ``status``."""

    def __init__(self, status: int = 200):
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/dagster"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failed_run() -> Iterator[tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]]:
    with dg.instance_for_test() as instance:
        result = dg.materialize([always_fails], instance=instance, partition_key="2026-11-20",
                                raise_on_error=False, tags={"affiliate/trigger": "test"})
        assert not result.success
        yield instance, result


def evaluate(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, warehouse) -> None:
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_recorder", dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(), resources={"warehouse": warehouse},
    ).for_run_failure()
    run_failure_recorder(context)


def rows(warehouse, run_id: str) -> list[tuple]:
    return warehouse.fetchall(
        "select job_name, error, failed_steps, asset_keys, partition, tags->>'affiliate/trigger', webhook_status "
        "from ops.run_failures where run_id = %s", (run_id,))


def test_failure_is_recorded_and_posted_once_per_run(failed_run, warehouse, monkeypatch):
    instance, result = failed_run
    hook = Hook()
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", hook.url)
    try:
        evaluate(instance, result, warehouse)
        evaluate(instance, result, warehouse)  # a re-delivered event updates the row, never duplicates it
    finally:
        hook.close()
    run_id = result.dagster_run.run_id
    [(job, error, steps, assets, partition, trigger, webhook)] = rows(warehouse, run_id)
    assert job == "__ephemeral_asset_job__" and partition == "2026-11-20" and trigger == "test"
    assert error.startswith("ValueError: API da Hotmart fora do ar")
    assert steps == ["raw__always_fails"] and assets == ["raw/always_fails"]
    assert webhook == "sent HTTP 200"
    body = hook.bodies[-1]
    assert len(hook.bodies) == 2 and body["run_id"] == run_id and body["event"] == "run_failure"
    assert "API da Hotmart fora do ar" in body["text"] and "[2026-11-20]" in body["text"]


def test_webhook_down_is_recorded_not_fatal(failed_run, warehouse, monkeypatch):
    instance, result = failed_run
    hook = Hook(status=503)
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", hook.url)
    try:
        evaluate(instance, result, warehouse)
    finally:
        hook.close()
    [row] = rows(warehouse, result.dagster_run.run_id)
    assert row[-1].startswith("failed:") and "503" in row[-1]
    assert len(hook.bodies) == 3  # retried with backoff, then given up


def test_no_webhook_configured(failed_run, warehouse, monkeypatch):
    instance, result = failed_run
    monkeypatch.delenv("FAILURE_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("AFFILIATE_ENV_FILE", "/nonexistent/.env")
    evaluate(instance, result, warehouse)
    [row] = rows(warehouse, result.dagster_run.run_id)
    assert row[-1] == "not configured"
