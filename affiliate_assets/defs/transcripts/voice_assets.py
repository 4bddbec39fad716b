"""``raw/voice_transcripts``, ``raw/voice_intents`` and ``raw/voice_orders``: voice notes the affiliate drops
into ``VOICE_INBOX`` become transcripts, then intents (buy, search, price, recommend, cancel) and the voice
orders (PedidosVoz) among them.

Each file is identified by its content hash, so it is transcribed once however often it is dropped,
renamed or re-run; unreadable, corrupt or silent audio becomes an ``error`` row with the reason instead of
failing the run. Intents and orders are re-derived from the stored transcripts on every run (cheap, no
speech engine), so a parser fix or a catalogue change reaches every note already heard, and the order ids
are deterministic (``VOZ-<hash>-<n>``): re-running creates nothing new.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from pydantic import Field

from affiliate_assets.defs.catalogue.lookup import catalogue_rows
from affiliate_assets.defs.transcripts.speech import AUDIO_SUFFIXES
from affiliate_assets.defs.transcripts.voice_tables import VOICE_INTENTS, VOICE_ORDERS, VOICE_TRANSCRIPTS
from affiliate_assets.lib.files import content_hash
from affiliate_assets.lib.inbox import inbox_key, modified_at, read_contents, requested_paths
from affiliate_assets.lib.metadata import markdown_preview
from affiliate_assets.lib.settings import Settings, load_settings
from affiliate_assets.lib.warehouse import Warehouse, to_json

GROUP = "transcripts"
PREVIEW_ROWS = 10


class VoiceConfig(dg.Config):
    """Which notes to transcribe, and how. The sensor names the new files; a manual run reads the inbox."""

    files: list[str] = Field(default_factory=list)
    reprocess: bool = False  # transcribe again notes already heard (e.g. after an engine upgrade)
    engine: str = "google"  # google (real API with credentials, else the bundled fake) | offline
    long_audio_s: float = 60.0  # longer notes go through long_running_recognize


def list_audio(inbox: Path) -> list[Path]:
    """Audio files in the inbox, sub-folders included (phones sync notes into dated folders)."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                  and not p.name.startswith("."))


def products(warehouse: Warehouse) -> tuple[list, str]:
    """Products to match and to hint the recogniser with, and where they came from (``catalogue_rows``:
    the loaded catalogue table, else the bundled sample)."""
    from affiliate_assets.defs.transcripts.intents import Product

    rows, source = catalogue_rows(warehouse, ("product_id", "name", "price"))
    return [Product(*row) for row in rows], source


class Transcriber:
    """Picks the engine once per run: Google (live with credentials, the bundled fake without) or offline."""

    def __init__(self, settings: Settings, engine: str, product_names: list[str], long_audio_s: float):
        self.names = product_names
        self.long_audio_s = long_audio_s
        self.workdir = settings.data_dir / "voice"
        self.engine = engine
        self.client = None
        if engine == "google":
            from affiliate_assets.defs.transcripts.speech import GoogleTarget, google_client

            if settings.google_application_credentials:
                self.target = GoogleTarget(settings.speech_api_endpoint or "speech.googleapis.com", "live",
                                           settings.google_application_credentials)
            elif settings.speech_api_endpoint:  # a local server named explicitly, no credentials: a fake
                self.target = GoogleTarget(settings.speech_api_endpoint, "fake")
            else:
                from affiliate_assets.fakes.runtime import shared_fake

                self.target = GoogleTarget(shared_fake("speech").base_url, "fake")
            self.client = google_client(self.target)
            self.source_mode = self.target.source_mode
        elif engine == "offline":
            self.source_mode = "offline"
        else:
            raise ValueError(f"unknown speech engine {engine!r}: use 'google' or 'offline'")

    def __call__(self, clip):
        from affiliate_assets.defs.transcripts import speech

        if self.client is not None:
            return speech.google_transcribe(self.client, clip, self.names, source_mode=self.source_mode,
                                            endpoint=self.target.endpoint, long_audio_s=self.long_audio_s)
        return speech.OfflineEngine.for_products(self.names, self.workdir).transcribe(clip)


def transcribe_row(data: bytes, name: str, recorded_at: datetime | None, transcriber: Transcriber) -> dict:
    """One ``raw.voice_transcripts`` row for one file's bytes; never raises for bad audio or a failed call."""
    from affiliate_assets.defs.transcripts.speech import AudioError, read_audio

    row = {c: None for c in VOICE_TRANSCRIPTS.column_names}
    row.update(audio_hash=content_hash(data), file_name=name, recorded_at=recorded_at, engine="none",
               source_mode=transcriber.source_mode)
    try:
        clip = read_audio(data)
        row.update(audio_format=clip.audio_format, duration_s=clip.duration_s, sample_rate=clip.sample_rate,
                   channels=clip.channels)
        result = transcriber(clip)
    except AudioError as exc:
        row.update(status="error", error_reason=str(exc)[:500])
    except Exception as exc:  # API errors (quota, 4xx/5xx after retries), decoder crashes: per file
        row.update(status="error", error_reason=f"transcription failed: {type(exc).__name__}: {exc}"[:500])
    else:
        row.update(transcript=result.text, confidence=result.confidence, words=to_json(result.words),
                   language=result.language, engine=result.engine, engine_detail=result.engine_detail,
                   source_mode=result.source_mode)
        if result.text:
            row["status"] = "ok"
        else:
            row.update(status="empty", error_reason="no speech recognised")
    row["processed_at"] = datetime.now(UTC)
    return row


@dg.asset(
    key=["raw", "voice_transcripts"],
    group_name=GROUP,
    kinds={"python", "postgres"},
    owners=["team:data-eng"],
    code_version="1",
    description=(
        "Transcripts of the voice notes in VOICE_INBOX (WAV/FLAC/OGG): Google Speech-to-Text pt-BR with word "
        "confidences when configured, else the bundled fake / offline pocketsphinx grammar engine; one row "
        "per audio content, the engine that produced it, and a recorded error for silent or corrupt files."
    ),
)
def voice_transcripts(
    context: dg.AssetExecutionContext, config: VoiceConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = load_settings()
    inbox = settings.voice_inbox
    paths = requested_paths(inbox, config.files, list_audio)
    blobs, rejects = read_contents(paths, inbox)
    known = set() if config.reprocess else warehouse.existing(VOICE_TRANSCRIPTS, "audio_hash", blobs)
    todo = {h: v for h, v in blobs.items() if h not in known}
    rows = []
    if todo:
        known_products, _ = products(warehouse)
        transcriber = Transcriber(settings, config.engine, [p.name for p in known_products], config.long_audio_s)
        for i, (path, data) in enumerate(todo.values(), start=1):
            row = transcribe_row(data, inbox_key(path, inbox), modified_at(path), transcriber)
            context.log.info("voice %d/%d %s: %s %r (%s)", i, len(todo), row["file_name"], row["status"],
                             row["transcript"] or row["error_reason"], row["engine"])
            rows.append(row)
    result = warehouse.load(
        VOICE_TRANSCRIPTS, [tuple(r[c] for c in VOICE_TRANSCRIPTS.column_names) for r in rows], mode="upsert",
        rejects=rejects, reject_source="raw.voice_transcripts", reject_batch=context.run_id,
    )
    by_status = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "empty", "error")}
    engines = sorted({r["engine"] for r in rows if r["engine"] != "none"})
    preview = [[r["file_name"], r["status"], r["engine"], r["duration_s"], r["confidence"],
                (r["transcript"] or r["error_reason"] or "")[:70]] for r in rows]
    return dg.MaterializeResult(metadata={
        **result.metadata(),
        "dagster/row_count": warehouse.count("raw.voice_transcripts"),
        "source_mode": rows[0]["source_mode"] if rows else ("offline" if config.engine == "offline" else "n/a"),
        "engines": ", ".join(engines) or "none (nothing new)",
        "inbox": str(inbox),
        "files_seen": len(paths),
        "notes_new": len(todo),
        "notes_already_heard": len(known),
        "notes_ok": by_status["ok"],
        "notes_empty": by_status["empty"],
        "notes_error": by_status["error"],
        "audio_seconds": round(sum(float(r["duration_s"] or 0) for r in rows), 1),
        "elapsed_s": round(time.perf_counter() - started, 2),
        "preview": markdown_preview(preview, ["file", "status", "engine", "seconds", "conf", "transcript / error"],
                                    PREVIEW_ROWS),
    })


def derive(transcripts: list[tuple], products: list) -> tuple[list[dict], list[dict]]:
    """Intent rows and order rows for (audio_hash, transcript, confidence, recorded_at) transcripts."""
    from affiliate_assets.defs.transcripts.intents import CatalogueMatcher, parse

    matcher = CatalogueMatcher(products)
    intents_out, orders_out = [], []
    for audio_hash, text, confidence, recorded_at in transcripts:
        conf = float(confidence) if confidence is not None else None
        for item in parse(text or "", matcher, conf):
            m = item.match
            product = m.product if m else None
            base = {
                "audio_hash": audio_hash, "intent_index": item.index, "intent": item.intent,
                "product_id": product.product_id if product else None,
                "matched_name": product.name if product else None, "match_score": m.score if m else None,
                "quantity": item.quantity, "raw_text": item.text,
            }
            intents_out.append({**base, "language": item.language, "query_text": item.query_text,
                                "confidence": conf, "spoken_at": recorded_at})
            if item.intent == "buy":
                orders_out.append({
                    **base, "order_id": f"VOZ-{audio_hash[:12]}-{item.index}",
                    "unit_price": product.price if product else None, "status": item.status,
                    "review_reason": "; ".join(item.review_reasons) or None, "ordered_at": recorded_at,
                })
    return intents_out, orders_out


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "voice_intents"], deps=[voice_transcripts, dg.AssetKey(["raw", "product_catalogue"])],
                     group_name=GROUP, kinds={"python", "postgres"}, owners=["team:data-eng"],
                     description="Every intent heard in voice notes (buy, search, price, recommend, cancel), "
                                 "pt-BR or English, with quantity and catalogue match."),
        dg.AssetSpec(["raw", "voice_orders"], deps=[voice_transcripts, dg.AssetKey(["raw", "product_catalogue"])],
                     group_name=GROUP, kinds={"python", "postgres"}, owners=["team:data-eng"],
                     description="PedidosVoz: each buy heard becomes an order, 'registered' when product, "
                                 "quantity and confidence are clear, else 'needs_review' with the reason."),
    ],
    code_version="1",
    can_subset=False,
)
def voice_intents_and_orders(context: dg.AssetExecutionContext, warehouse: Warehouse):
    started = time.perf_counter()
    warehouse.ensure_table(VOICE_TRANSCRIPTS)
    transcripts = warehouse.fetchall(
        "select audio_hash, transcript, confidence, recorded_at from raw.voice_transcripts "
        "where status = 'ok' order by audio_hash"
    )
    known_products, catalogue_source = products(warehouse)
    intents, orders = derive(transcripts, known_products)
    r_int = warehouse.load(VOICE_INTENTS, [tuple(r[c] for c in VOICE_INTENTS.column_names) for r in intents],
                           mode="replace")
    r_ord = warehouse.load(VOICE_ORDERS, [tuple(r[c] for c in VOICE_ORDERS.column_names) for r in orders],
                           mode="replace")
    elapsed = round(time.perf_counter() - started, 2)
    by_intent = {k: sum(1 for r in intents if r["intent"] == k) for k in sorted({r["intent"] for r in intents})}
    registered = sum(1 for r in orders if r["status"] == "registered")
    context.log.info("%d intents from %d notes, %d orders (%d registered)", len(intents), len(transcripts),
                     len(orders), registered)
    yield dg.MaterializeResult(asset_key=["raw", "voice_intents"], metadata={
        **r_int.metadata(), "dagster/row_count": r_int.rows_loaded, "source_mode": "derived",
        "notes_parsed": len(transcripts), "catalogue_source": catalogue_source,
        "intents": ", ".join(f"{k}={v}" for k, v in by_intent.items()) or "none", "elapsed_s": elapsed,
        "preview": markdown_preview([[r["intent"], r["language"], r["quantity"], r["matched_name"],
                                      r["match_score"], r["raw_text"]] for r in intents],
                                    ["intent", "lang", "qty", "product", "score", "text"], PREVIEW_ROWS),
    })
    yield dg.MaterializeResult(asset_key=["raw", "voice_orders"], metadata={
        **r_ord.metadata(), "dagster/row_count": r_ord.rows_loaded, "source_mode": "derived",
        "orders_registered": registered, "orders_needs_review": len(orders) - registered,
        "catalogue_source": catalogue_source, "elapsed_s": elapsed,
        "preview": markdown_preview([[r["order_id"], r["status"], r["quantity"], r["matched_name"],
                                      r["match_score"], r["review_reason"], r["raw_text"]] for r in orders],
                                    ["order", "status", "qty", "product", "score", "reason", "text"], PREVIEW_ROWS),
    })
