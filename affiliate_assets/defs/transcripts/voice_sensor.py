"""The voice inbox sensor: new or changed audio files in ``VOICE_INBOX`` → one transcription run per tick.

The cursor keeps each file's ``size:mtime`` so a tick hashes only what is new or changed, and forgets files
that left. The run key comes from the content hashes of the batch, so the same bytes never start a second
run whatever they are named; the asset also skips content it has already transcribed.
"""

import hashlib
import json

import dagster as dg

from affiliate_assets.defs.transcripts.voice_assets import list_audio, voice_intents_and_orders, voice_transcripts
from affiliate_assets.lib.files import file_hash
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
    previous: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    cursor: dict[str, str] = {}
    batch: dict[str, str] = {}  # relative path -> content hash
    for path in list_audio(inbox):
        rel = str(path.relative_to(inbox))
        try:
            stat = path.stat()
            mark = f"{stat.st_size}:{stat.st_mtime_ns}"
            if previous.get(rel) != mark:
                if len(batch) >= MAX_NOTES_PER_RUN:
                    continue  # not in the cursor: the next tick picks it up
                batch[rel] = file_hash(path)
            cursor[rel] = mark
        except OSError as exc:  # removed or still being written: next tick
            context.log.warning("skipping %s: %s", rel, exc)
    if not batch:
        if cursor == previous:
            return dg.SkipReason(f"no new voice notes in {inbox}")
        return dg.SensorResult(skip_reason=dg.SkipReason("inbox changed, no new notes"), cursor=json.dumps(cursor))
    digest = hashlib.sha256("\n".join(sorted(set(batch.values()))).encode()).hexdigest()[:32]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=f"voice-{digest}",
            run_config={"ops": {"raw__voice_transcripts": {"config": {"files": sorted(batch)}}}},
            tags={"affiliate/voice_notes": str(len(batch))},
        )],
        cursor=json.dumps(cursor),
    )
