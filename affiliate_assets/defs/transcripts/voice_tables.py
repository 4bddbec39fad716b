"""Warehouse tables of the voice part of the transcripts domain (speech-to-text, intents, voice orders).

``raw.voice_transcripts`` keeps one row per audio *content* (sha256 of the file bytes): the same voice note
dropped twice, renamed or copied, is transcribed once. ``raw.voice_intents`` holds every intent heard (buy,
search, price, recommend, cancel) and ``raw.voice_orders`` is the seed's *PedidosVoz*: one row per buy
intent, ``registered`` or ``needs_review`` with the reason. Both are re-derived from the stored transcripts,
so a better parser or a grown catalogue re-matches old notes without transcribing them again.
"""

from affiliate_assets.lib.warehouse import Column, TableSpec

VOICE_TRANSCRIPTS = TableSpec(
    schema="raw",
    name="voice_transcripts",
    columns=(
        Column("audio_hash", "text", nullable=False, description="sha256 of the file bytes (content hash)."),
        Column("file_name", "text", nullable=False, description="File name when first read (inbox-relative)."),
        Column("audio_format", "text", description="Container/codec as soundfile saw it, e.g. 'WAV PCM_16'."),
        Column("duration_s", "numeric(10,3)", description="Length of the audio in seconds (null if unreadable)."),
        Column("sample_rate", "integer", description="Sample rate of the file as dropped (Hz)."),
        Column("channels", "integer", description="Channels of the file as dropped."),
        Column("transcript", "text", description="What was said, lower case, as the engine wrote it."),
        Column("confidence", "numeric(5,4)", description="Engine confidence of the transcript (0-1)."),
        Column("words", "jsonb", description="Words: word, start_s, end_s, confidence (when the engine gives them)."),
        Column("language", "text", description="Language code asked of / detected by the engine, e.g. 'pt-BR'."),
        Column("engine", "text", nullable=False,
               description="Who transcribed: google-cloud-speech | pocketsphinx-grammar | none (error)."),
        Column("engine_detail", "text",
               description="Model or endpoint detail, e.g. 'en-us model + JSGF grammar' or the API host."),
        Column("source_mode", "text", nullable=False, description="live (real Google API) | fake | offline."),
        Column("status", "text", nullable=False, description="ok | empty (nothing recognised) | error."),
        Column("error_reason", "text", description="Why a file could not be transcribed (status != ok)."),
        Column("recorded_at", "timestamptz", description="When the note was recorded (file mtime, UTC)."),
        Column("processed_at", "timestamptz", nullable=False, description="When it was transcribed (UTC)."),
    ),
    primary_key=("audio_hash",),
    indexes=(("status",),),
    description="One row per voice note (by content hash): transcript, word confidences, engine, status.",
)

VOICE_INTENTS = TableSpec(
    schema="raw",
    name="voice_intents",
    columns=(
        Column("audio_hash", "text", nullable=False, description="The voice note (raw.voice_transcripts)."),
        Column("intent_index", "integer", nullable=False, description="Position of the intent in the note."),
        Column("intent", "text", nullable=False, description="buy | search | price | recommend | cancel | unknown."),
        Column("language", "text", description="pt | en: the language the intent was phrased in."),
        Column("query_text", "text", description="The product words as spoken (what to match / search)."),
        Column("product_id", "bigint", description="Catalogue product matched (null when no match)."),
        Column("matched_name", "text", description="Catalogue name of the matched product."),
        Column("match_score", "numeric(5,2)", description="rapidfuzz score of the match (0-100)."),
        Column("quantity", "integer", description="Quantity said (words or digits); null when not said."),
        Column("confidence", "numeric(5,4)", description="Transcript confidence the intent came from (0-1)."),
        Column("raw_text", "text", nullable=False, description="The transcript the intent was parsed from."),
        Column("spoken_at", "timestamptz", description="When the note was recorded (UTC)."),
    ),
    primary_key=("audio_hash", "intent_index"),
    indexes=(("intent",), ("product_id",)),
    description="Every intent heard in voice notes (buy, search, price, recommend, cancel).",
)

VOICE_ORDERS = TableSpec(
    schema="raw",
    name="voice_orders",
    columns=(
        Column("order_id", "text", nullable=False,
               description="Deterministic id 'VOZ-<first 12 hex of audio hash>-<intent index>'."),
        Column("audio_hash", "text", nullable=False, description="The voice note (raw.voice_transcripts)."),
        Column("intent_index", "integer", nullable=False, description="The buy intent within the note."),
        Column("intent", "text", nullable=False, description="Always 'buy' today (a PedidoVoz is a purchase)."),
        Column("product_id", "bigint", description="Catalogue product matched (null when no match)."),
        Column("matched_name", "text", description="Catalogue name of the matched product."),
        Column("match_score", "numeric(5,2)", description="rapidfuzz score of the match (0-100)."),
        Column("quantity", "integer", description="Units asked for; null when not said (then needs_review)."),
        Column("unit_price", "numeric(12,2)", description="Catalogue list price at parse time, BRL."),
        Column("status", "text", nullable=False, description="registered | needs_review."),
        Column("review_reason", "text",
               description="Why a human must look: low_match_score, no_product, no_quantity, low_confidence..."),
        Column("raw_text", "text", nullable=False, description="The transcript the order was parsed from."),
        Column("ordered_at", "timestamptz", description="When the note was recorded (UTC)."),
    ),
    primary_key=("order_id",),
    indexes=(("status",), ("product_id",)),
    description="PedidosVoz: purchases asked for by voice, registered or flagged for review with the reason.",
)
