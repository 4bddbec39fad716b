"""The voice inbox sensor: new or changed audio files in ``VOICE_INBOX`` → one transcription run per tick.

The cursor keeps each file's ``size:mtime`` (``lib.inbox.write_marks``, the screenshots sensor's format) so a
tick hashes only what is new or changed, and forgets files that left. The run key comes from the content
hashes of the batch (``lib.inbox.batch_key``), so the same bytes never start a second run whatever they are
named; the asset also skips content it has already transcribed.
"""

import dagster as dg

from affiliate_assets.defs.transcripts.voice_assets import list_audio, voice_intents_and_orders, voice_transcripts
from affiliate_assets.lib.inbox import batch_sensor_result
from affiliate_assets.lib.settings import load_settings

MAX_NOTES_PER_RUN = 25  # a big drop is spread over ticks so one run stays short


@dg.sensor(
    name="voice_inbox_sensor",
    target=[voice_transcripts, voice_intents_and_orders],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Transcribes voice notes dropped into VOICE_INBOX and derives intents and voice orders.",
)
def voice_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    inbox = load_settings().voice_inbox
    return batch_sensor_result(context, list_audio(inbox), inbox, op="raw__voice_transcripts", prefix="voice",
                               tag="affiliate/voice_notes", limit=MAX_NOTES_PER_RUN, nothing_new="no new voice notes")
