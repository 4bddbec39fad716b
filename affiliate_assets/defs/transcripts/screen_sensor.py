"""The screenshots inbox sensor: new or changed images in ``SCREENS_INBOX`` → one OCR run per tick.

The cursor maps each file in the inbox to its ``size:mtime`` fingerprint, so a tick hashes only files that
are new or changed (not the whole inbox), and forgets files that left. The run key is derived from the
content hashes of the batch, so the same bytes never start a second run, whatever they are named; the
asset itself also skips content it has already read.
"""

import dagster as dg

from affiliate_assets.defs.transcripts.screen_assets import (
    list_images,
    screen_interactions,
    screen_transcripts,
)
from affiliate_assets.lib.inbox import batch_sensor_result
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
    return batch_sensor_result(context, list_images(inbox), inbox, op="raw__screen_transcripts", prefix="screens",
                               tag="affiliate/screens", limit=MAX_FILES_PER_RUN, nothing_new="no new screenshots")
