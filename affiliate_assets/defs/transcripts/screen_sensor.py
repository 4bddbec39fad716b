"""The screenshots inbox sensor: new or changed images in ``SCREENS_INBOX`` → one OCR run per tick.

The cursor maps each file in the inbox to its ``size:mtime`` fingerprint, so a tick hashes only files that
are new or changed (not the whole inbox), and forgets files that left. The run key is derived from the
content hashes of the batch, so the same bytes never start a second run, whatever they are named; the
asset itself also skips content it has already read.
"""

import json

import dagster as dg

from affiliate_assets.defs.transcripts.screen_assets import (
    list_images,
    screen_interactions,
    screen_transcripts,
)
from affiliate_assets.lib.inbox import batch_key, scan_inbox
from affiliate_assets.lib.settings import load_settings

MAX_FILES_PER_RUN = 50  # a big drop is split over ticks so one run stays a few minutes long


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
    # Files over the batch limit stay out of the cursor: the next tick picks them up.
    scan = scan_inbox(list_images(inbox), inbox, {rel: _fingerprint(mark) for rel, mark in seen.items()},
                      limit=MAX_FILES_PER_RUN)
    for rel, error in scan.errors.items():  # removed or locked while we looked: try again next tick
        context.log.warning("skipping %s: %s", rel, error)
    current = {rel: f"{size}:{mtime_ns}" for rel, (size, mtime_ns) in scan.fingerprints().items()}
    if not scan.new:
        return dg.SkipReason(f"no new screenshots in {inbox}") if seen == current else dg.SensorResult(
            skip_reason=dg.SkipReason("inbox changed, nothing new to read"), cursor=json.dumps(current))
    config = {"files": [f.key for f in scan.new], "reprocess": False}
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=batch_key("screens", (f.digest for f in scan.new)),
            run_config={"ops": {"raw__screen_transcripts": {"config": config}}},
            tags={"affiliate/screens": str(len(scan.new))},
        )],
        cursor=json.dumps(current),
    )


def _fingerprint(mark: str) -> tuple[int, int] | None:
    """The cursor's ``size:mtime_ns`` back to a fingerprint (None for an entry it cannot read)."""
    try:
        size, mtime_ns = mark.split(":")
        return int(size), int(mtime_ns)
    except (AttributeError, ValueError):
        return None
