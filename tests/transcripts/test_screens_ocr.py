"""Screens end to end with real Tesseract: generated screenshots in an inbox → OCR → interactions.

The image set is small on purpose (a dozen OCRs, ~2 s each on a shared core): six clean renders (two of
each screen kind), one degraded copy per noise kind, a blank image, a corrupt file and a renamed copy.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from affiliate_assets.defs.transcripts.screen_assets import screen_interactions, screen_transcripts
from affiliate_assets.defs.transcripts.screen_bench import FIELDS, Score, score
from affiliate_assets.defs.transcripts.screen_checks import (
    screen_interactions_consistent,
    screen_transcripts_explained,
)
from affiliate_assets.defs.transcripts.screen_sensor import screens_inbox_sensor
from affiliate_assets.sample_data.screenshots import Truth, generate_screenshots, screenshot_bytes

ASSETS = [screen_transcripts, screen_interactions, screen_transcripts_explained, screen_interactions_consistent]


@pytest.fixture(scope="module")
def inbox(database_url, tmp_path_factory) -> Iterator[Path]:
    """SCREENS_INBOX for this module, pointed at a fresh folder."""
    folder = tmp_path_factory.mktemp("screens_inbox")
    saved = os.environ.get("SCREENS_INBOX")
    os.environ["SCREENS_INBOX"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("SCREENS_INBOX", None)
    else:
        os.environ["SCREENS_INBOX"] = saved


@pytest.fixture(scope="module")
def truths(inbox) -> list[Truth]:
    # Benign blur and noise are left to the bench: these five exercise deskew, upscale, JPEG and flagging.
    found = generate_screenshots(inbox, n_clean=6, noisy=("rotate", "jpeg", "small", "smudge", "grainy"), blank=True)
    (inbox / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    shutil.copy(inbox / found[0].file_name, inbox / "zz_same_bytes_other_name.png")
    return found


@pytest.fixture(scope="module")
def first_run(truths, resources, warehouse):
    result = dg.materialize(ASSETS, resources=resources)
    assert result.success
    return result


def _metadata(result, table: str) -> dict:
    mat = next(m for m in result.get_asset_materialization_events() if m.asset_key == dg.AssetKey(["raw", table]))
    return {k: v.value for k, v in mat.materialization.metadata.items()}


def _transcripts(warehouse) -> dict[str, dict]:
    rows = warehouse.fetch_df("select * from raw.screen_transcripts")
    return {r["file_name"]: r for r in rows.to_dict("records")}


def _interactions_by_file(warehouse) -> dict[str, list[dict]]:
    df = warehouse.fetch_df(
        "select t.file_name, i.* from raw.screen_interactions i "
        "join raw.screen_transcripts t using (image_hash) order by t.file_name, i.item_index"
    )
    out: dict[str, list[dict]] = {}
    for row in df.to_dict("records"):
        out.setdefault(row["file_name"], []).append(row)
    return out


def test_each_image_content_is_read_once_and_bad_files_are_recorded(first_run, truths, warehouse):
    rows = _transcripts(warehouse)
    # Every rendered image plus the corrupt file; the renamed copy shares its original's content hash.
    assert set(rows) == {t.file_name for t in truths} | {"broken.png"}
    assert _metadata(first_run, "screen_transcripts")["images_new"] == len(truths) + 1
    assert rows["blank.png"]["status"] == "error"
    assert "no text" in rows["blank.png"]["error_reason"]
    assert rows["broken.png"]["status"] == "error"
    assert "cannot decode" in rows["broken.png"]["error_reason"]
    ok = [r for name, r in rows.items() if name not in ("blank.png", "broken.png")]
    assert all(r["status"] in ("ok", "low_confidence") and r["word_count"] > 10 for r in ok)
    assert all(r["engine_version"].endswith("por+eng") for r in ok)
    words = json.loads(rows[truths[0].file_name]["words"]) if isinstance(rows[truths[0].file_name]["words"], str) \
        else rows[truths[0].file_name]["words"]
    assert {"text", "conf", "left", "top"} <= set(words[0]) and all(0 <= w["conf"] <= 100 for w in words)
    # Deskew measurably applied to the rotated photo of a screen; small renders upscaled.
    rotated = next(t.file_name for t in truths if t.variant == "rotate")
    small = next(t.file_name for t in truths if t.variant == "small")
    assert "deskew" in rows[rotated]["preprocessing"]
    assert "upscale" in rows[small]["preprocessing"]
    checks = {c.check_name: c.passed for c in first_run.get_asset_check_evaluations()}
    assert checks == {"screen_transcripts_explained": True, "screen_interactions_consistent": True}


def test_clean_renders_read_at_least_95_percent_of_fields(first_run, truths, warehouse):
    rows = _transcripts(warehouse)
    found = _interactions_by_file(warehouse)
    total = Score()
    for truth in (t for t in truths if t.variant == "clean"):
        score(truth, rows[truth.file_name]["screen_type"], found.get(truth.file_name, []), total)
    print(f"clean renders: {total.right}/{total.total} fields right ({total.ratio:.1%}); misses: {total.misses}")
    assert total.total >= 40
    assert total.ratio >= 0.95, total.misses
    # Spot-check pt-BR money on a real row: thousands separator and decimal comma parsed.
    prices = [r["price"] for items in found.values() for r in items if r["price"] is not None]
    assert any(p >= Decimal("1000") for p in prices)


def test_noisy_renders_are_kept_and_wrong_reads_flagged(first_run, truths, warehouse):
    rows = _transcripts(warehouse)
    found = _interactions_by_file(warehouse)
    noisy = [t for t in truths if t.variant not in ("clean", "blank")]
    flagged_rows = 0
    for truth in noisy:
        assert rows[truth.file_name]["status"] != "error", truth.file_name
        items = found.get(truth.file_name, [])
        assert items, f"{truth.file_name}: noisy read dropped"
        flagged_rows += sum(r["is_low_confidence"] for r in items)
        for row in items:
            expected = next((t for t in truth.items if t.product_id == row["product_id"]), None)
            wrong = expected is None or any(
                getattr(expected, f) is not None and row[f] != getattr(expected, f) for f in FIELDS)
            # Never a silently wrong row: a row that misreads a field must carry the flag.
            assert not wrong or row["is_low_confidence"], (truth.file_name, row)
    assert flagged_rows >= 1


def test_rerun_reads_nothing_new_and_changes_nothing(first_run, resources, warehouse):
    query = ("select image_hash, item_index, product_id, price, commission_amount, is_low_confidence "
             "from raw.screen_interactions order by 1, 2")
    before = (warehouse.count("raw.screen_transcripts"), warehouse.fetchall(query))
    again = dg.materialize(ASSETS, resources=resources)
    assert again.success
    meta = _metadata(again, "screen_transcripts")
    assert (meta["images_new"], meta["rows_loaded"]) == (0, 0)
    assert meta["images_already_read"] == meta["files_seen"] - 1  # all but the renamed copy
    assert (warehouse.count("raw.screen_transcripts"), warehouse.fetchall(query)) == before


def test_sensor_requests_new_images_once_and_its_run_reads_them(first_run, inbox, resources, warehouse):
    instance = dg.DagsterInstance.ephemeral()
    first = screens_inbox_sensor(dg.build_sensor_context(instance=instance))
    (request,) = first.run_requests
    files = request.run_config["ops"]["raw__screen_transcripts"]["config"]["files"]
    assert len(files) == len(list(inbox.glob("*.*")))
    # Nothing changed → skip, cursor kept.
    second = screens_inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    assert isinstance(second, dg.SkipReason)
    # A new screenshot → a request for that file only, with a key derived from its content.
    (inbox / "2025-01").mkdir()
    (inbox / "2025-01" / "new_card.png").write_bytes(screenshot_bytes("marketplace_card", [1229247, 1226764]))
    third = screens_inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    (new_request,) = third.run_requests
    assert new_request.run_config["ops"]["raw__screen_transcripts"]["config"]["files"] == ["2025-01/new_card.png"]
    assert new_request.run_key != request.run_key
    # The request's run config drives the assets: one new image read, its two products recorded.
    before = warehouse.count("raw.screen_interactions")
    result = dg.materialize(ASSETS, resources=resources, run_config=new_request.run_config)
    assert result.success
    assert _metadata(result, "screen_transcripts")["images_new"] == 1
    products = {r[0] for r in warehouse.fetchall(
        "select i.product_id from raw.screen_interactions i join raw.screen_transcripts t using (image_hash) "
        "where t.file_name = '2025-01/new_card.png'")}
    assert products == {1229247, 1226764}
    assert warehouse.count("raw.screen_interactions") == before + 2
