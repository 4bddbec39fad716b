"""``raw/screen_transcripts`` and ``raw/screen_interactions``: screenshots the affiliate drops into
``SCREENS_INBOX`` become OCR text and the products, prices and commissions they show.

Each image is identified by its content hash, so it is OCR'd once however often it is dropped, renamed or
re-run; a file that is not an image, or an image with no text, becomes an ``error`` row with the reason
instead of failing the run. Interactions are re-derived from the stored OCR words on every run (cheap, no
Tesseract), so a parser fix or a catalogue change reaches every screenshot already read.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from pydantic import Field

from affiliate_assets.defs.catalogue.lookup import catalogue_rows
from affiliate_assets.defs.transcripts.screen_tables import SCREEN_INTERACTIONS, SCREEN_TRANSCRIPTS
from affiliate_assets.lib.files import content_hash
from affiliate_assets.lib.inbox import inbox_key, modified_at, read_contents, requested_paths
from affiliate_assets.lib.metadata import markdown_preview
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse, to_json

GROUP = "transcripts"
PREVIEW_ROWS = 10


class ScreensConfig(dg.Config):
    """Which screenshots to read. The sensor names the new files; a manual run reads the whole inbox."""

    files: list[str] = Field(default_factory=list)
    reprocess: bool = False  # OCR again images already read (e.g. after a Tesseract or preprocessing upgrade)


def list_images(inbox: Path) -> list[Path]:
    """Image files in the inbox (sub-folders too: phones sync screenshots into dated folders)."""
    from affiliate_assets.defs.transcripts.ocr import IMAGE_SUFFIXES

    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not p.name.startswith("."))


def transcribe(data: bytes, name: str, captured_at: datetime | None) -> dict:
    """One ``raw.screen_transcripts`` row for one file's bytes; never raises for a bad image."""
    from affiliate_assets.defs.transcripts import ocr
    from affiliate_assets.defs.transcripts.screen_parsing import (
        LOW_SCREEN_CONFIDENCE,
        build_lines,
        classify_screen,
    )

    row = {c: None for c in SCREEN_TRANSCRIPTS.column_names}
    row.update(image_hash=content_hash(data), file_name=name, engine="tesseract", captured_at=captured_at)
    try:
        img = ocr.open_image(data)
        row.update(width=img.width, height=img.height)
        result = ocr.ocr_image(img)
    except ocr.UnreadableImage as exc:
        row.update(status="error", error_reason=str(exc))
    except Exception as exc:  # Tesseract failures (timeout, crash) are recorded per file, never fatal
        row.update(status="error", error_reason=f"tesseract failed: {type(exc).__name__}: {exc}"[:500])
    else:
        lines = build_lines(result.words)
        mean = result.mean_confidence
        row.update(
            text="\n".join(line.text for line in lines),
            mean_confidence=mean,
            word_count=len(result.words),
            words=to_json([w.as_dict() for w in result.words]),
            preprocessing=result.preprocessing,
            engine_version=result.engine_version,
            screen_type=classify_screen(lines) if lines else "unknown",
        )
        if not result.words:
            row.update(status="error", error_reason="no text found (blank or unreadable image)")
        else:
            row["status"] = "low_confidence" if mean < LOW_SCREEN_CONFIDENCE else "ok"
    row["processed_at"] = datetime.now(UTC)
    return row


@dg.asset(
    key=["raw", "screen_transcripts"],
    group_name=GROUP,
    kinds={"python", "postgres"},
    owners=["team:data-eng"],
    code_version="1",
    tags={"affiliate/engine": "tesseract"},
    description=(
        "OCR of the screenshots in SCREENS_INBOX (Tesseract por+eng, word confidences): what the affiliate "
        "saw on marketplace cards, product pages and chats, read once per image content."
    ),
)
def screen_transcripts(
    context: dg.AssetExecutionContext, config: ScreensConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    started = time.perf_counter()
    inbox = load_settings().screens_inbox
    paths = requested_paths(inbox, config.files, list_images)
    blobs, rejects = read_contents(paths, inbox)
    known = set() if config.reprocess else warehouse.existing(SCREEN_TRANSCRIPTS, "image_hash", blobs)
    todo = {h: v for h, v in blobs.items() if h not in known}
    rows = []
    for i, (path, data) in enumerate(todo.values(), start=1):
        row = transcribe(data, inbox_key(path, inbox), modified_at(path))
        context.log.info("OCR %d/%d %s: %s (%s)", i, len(todo), row["file_name"], row["status"],
                         row["mean_confidence"] if row["status"] != "error" else row["error_reason"])
        rows.append(row)
    result = warehouse.load(
        SCREEN_TRANSCRIPTS, [tuple(r[c] for c in SCREEN_TRANSCRIPTS.column_names) for r in rows],
        mode="upsert", rejects=rejects, reject_source="raw.screen_transcripts",
        reject_batch=context.run_id,
    )
    by_status = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "low_confidence", "error")}
    total = warehouse.count("raw.screen_transcripts")
    preview = [[r["file_name"], r["screen_type"], r["status"], r["mean_confidence"], r["preprocessing"],
                r["error_reason"] or (r["text"] or "")[:60]] for r in rows[:PREVIEW_ROWS]]
    return dg.MaterializeResult(metadata={
        **result.metadata(),
        "dagster/row_count": total,
        "source_mode": "live",
        "inbox": str(inbox),
        "files_seen": len(paths),
        "images_new": len(todo),
        "images_already_read": len(known),
        "images_ok": by_status["ok"],
        "images_low_confidence": by_status["low_confidence"],
        "images_error": by_status["error"],
        "engine_version": next((r["engine_version"] for r in rows if r["engine_version"]), "n/a"),
        "elapsed_s": round(time.perf_counter() - started, 2),
        "preview": markdown_preview(preview, ["file", "type", "status", "conf", "preprocessing", "text / error"]),
    })


def interaction_rows(transcripts: list[tuple], products: list[tuple[int, str]]) -> list[tuple]:
    """Parse every (image_hash, screen_type, words, captured_at) transcript into interaction rows."""
    from affiliate_assets.defs.transcripts.ocr import Word
    from affiliate_assets.defs.transcripts.screen_parsing import CatalogueMatcher, parse_screen

    matcher = CatalogueMatcher(products)
    out = []
    for image_hash, _stored_type, words, captured_at in transcripts:
        kind, items = parse_screen([Word(**w) for w in words or []], matcher)
        for idx, item in enumerate(items):
            f = item.fields
            out.append({
                "image_hash": image_hash, "item_index": idx, "screen_type": kind,
                "product_id": item.product_id, "matched_name": item.matched_name,
                "match_score": item.match_score, "product_text": item.product_text, "price": f.price,
                "commission_pct": f.commission_pct, "commission_amount": f.commission_amount,
                "rating": f.rating, "temperature": f.temperature, "confidence": item.confidence,
                "is_low_confidence": item.is_low_confidence, "seen_at": captured_at,
            })
    return out


@dg.asset(
    key=["raw", "screen_interactions"],
    deps=[screen_transcripts, dg.AssetKey(["raw", "product_catalogue"])],
    group_name=GROUP,
    kinds={"python", "postgres"},
    owners=["team:data-eng"],
    code_version="1",
    description=(
        "InteracoesTela: each product seen on a screenshot, matched to the catalogue, with the price, "
        "commission, rating and temperature read and how sure the read is (doubtful rows flagged, kept)."
    ),
)
def screen_interactions(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    started = time.perf_counter()
    warehouse.ensure_table(SCREEN_TRANSCRIPTS)
    transcripts = warehouse.fetchall(
        "select image_hash, screen_type, words, captured_at from raw.screen_transcripts "
        "where status <> 'error' order by image_hash"
    )
    products, catalogue_source = catalogue_rows(warehouse, ("product_id", "name"))
    rows = interaction_rows(transcripts, products)
    result = warehouse.load(
        SCREEN_INTERACTIONS, [tuple(r[c] for c in SCREEN_INTERACTIONS.column_names) for r in rows], mode="replace"
    )
    flagged = sum(1 for r in rows if r["is_low_confidence"])
    matched = sum(1 for r in rows if r["product_id"] is not None)
    context.log.info("%d interactions from %d screenshots (%d flagged)", len(rows), len(transcripts), flagged)
    preview = [[r["screen_type"], r["product_text"], r["product_id"], r["match_score"], r["price"],
                r["commission_pct"], r["commission_amount"], r["temperature"], r["rating"],
                r["is_low_confidence"]] for r in rows]
    return dg.MaterializeResult(metadata={
        **result.metadata(),
        "dagster/row_count": result.rows_loaded,
        "source_mode": "live",
        "screenshots_parsed": len(transcripts),
        "products_matched": matched,
        "rows_low_confidence": flagged,
        "catalogue_source": catalogue_source,
        "elapsed_s": round(time.perf_counter() - started, 2),
        "preview": markdown_preview(preview, ["type", "read", "product_id", "score", "price", "comm %", "comm R$",
                                              "temp", "rating", "doubtful"], PREVIEW_ROWS),
    })
