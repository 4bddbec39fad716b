"""The screenshots inbox sensor: new or changed images in ``SCREENS_INBOX`` → one OCR run per tick.

The cursor maps each file in the inbox to its ``size:mtime`` fingerprint, so a tick hashes only files that
are new or changed (not the whole inbox), and forgets files that left. The run key is derived from the
content hashes of the batch, so the same bytes never start a second run, whatever they are named; the
asset itself also skips content it has already read.
"""

import hashlib
import json

import dagster as dg

from affiliate_assets.defs.transcripts.screen_assets import (
    list_images,
    screen_interactions,
    screen_transcripts,
)
from affiliate_assets.lib.files import content_hash
from affiliate_assets.lib.settings import load_settings

MAX_FILES_PER_RUN = 50  # a big drop is split over ticks so one run stays a few minutes long


def _fingerprint(stat) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@dg.sensor(
    name="screens_inbox_sensor",
    target=[screen_transcripts, screen_interactions],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="OCRs screenshots dropped into SCREENS_INBOX (one run per batch of new images).",
)
def screens_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    inbox = load_settings().screens_inbox
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current: dict[str, str] = {}
    batch: list[tuple[str, str]] = []  # (relative path, content hash)
    for path in list_images(inbox):
        rel = str(path.relative_to(inbox))
        try:
            fingerprint = _fingerprint(path.stat())
            if seen.get(rel) == fingerprint:
                current[rel] = fingerprint
                continue
            if len(batch) >= MAX_FILES_PER_RUN:
                continue  # left out of the cursor: picked up by the next tick
            batch.append((rel, content_hash(path.read_bytes())))
            current[rel] = fingerprint
        except OSError as exc:  # removed or locked while we looked: try again next tick
            context.log.warning("skipping %s: %s", rel, exc)
    if not batch:
        return dg.SkipReason(f"no new screenshots in {inbox}") if seen == current else dg.SensorResult(
            skip_reason=dg.SkipReason("inbox changed, nothing new to read"), cursor=json.dumps(current))
    hashes = sorted({h for _, h in batch})
    run_key = "screens-" + hashlib.sha256("\n".join(hashes).encode()).hexdigest()[:32]
    config = {"files": [rel for rel, _ in batch], "reprocess": False}
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=run_key,
            run_config={"ops": {"raw__screen_transcripts": {"config": config}}},
            tags={"affiliate/screens": str(len(batch))},
        )],
        cursor=json.dumps(current),
    )
