"""Warehouse tables of the screens part of the transcripts domain (OCR of screenshots).

``raw.screen_transcripts`` keeps one row per image *content* (sha256 of the file bytes), so the same
screenshot dropped twice, renamed or copied, is read once. ``raw.screen_interactions`` is the seed's
*InteracoesTela*: one row per product seen on a screen, rebuilt from the stored OCR words, so a better
parser or a new catalogue re-derives it without running Tesseract again.
"""

from affiliate_assets.lib.warehouse import Column, TableSpec

SCREEN_TRANSCRIPTS = TableSpec(
    schema="raw",
    name="screen_transcripts",
    columns=(
        Column("image_hash", "text", nullable=False, description="sha256 of the file bytes (content hash)."),
        Column("file_name", "text", nullable=False, description="File name when first read (inbox-relative)."),
        Column("width", "integer", description="Image width in pixels (null when unreadable)."),
        Column("height", "integer", description="Image height in pixels (null when unreadable)."),
        Column("screen_type", "text", description="marketplace_card | product_page | chat | unknown."),
        Column("text", "text", description="Full OCR text, lines in reading order."),
        Column("mean_confidence", "numeric(5,2)", description="Mean Tesseract word confidence (0-100)."),
        Column("word_count", "integer", description="Words Tesseract returned with a confidence."),
        Column("words", "jsonb", description="Words: text, conf, left, top, width, height, block, par, line."),
        Column("preprocessing", "text", description="Steps applied before OCR, e.g. 'grayscale+upscale2x'."),
        Column("engine", "text", nullable=False, description="OCR engine, e.g. 'tesseract'."),
        Column("engine_version", "text", description="Engine version and languages, e.g. '5.3.0 por+eng'."),
        Column("status", "text", nullable=False, description="ok | low_confidence | error."),
        Column("error_reason", "text", description="Why an image could not be read (status = error)."),
        Column("captured_at", "timestamptz", description="When the screenshot was taken (file mtime, UTC)."),
        Column("processed_at", "timestamptz", nullable=False, description="When it was OCR'd (UTC)."),
    ),
    primary_key=("image_hash",),
    indexes=(("status",),),
    description="One row per screenshot (by content hash): OCR text, word confidences, status.",
)

SCREEN_INTERACTIONS = TableSpec(
    schema="raw",
    name="screen_interactions",
    columns=(
        Column("image_hash", "text", nullable=False, description="The screenshot (raw.screen_transcripts)."),
        Column("item_index", "integer", nullable=False, description="Position of the product on the screen."),
        Column("screen_type", "text", nullable=False, description="marketplace_card | product_page | chat."),
        Column("product_id", "bigint", description="Catalogue product matched (null when no match)."),
        Column("matched_name", "text", description="Catalogue name of the matched product."),
        Column("match_score", "numeric(5,2)", description="rapidfuzz score of the match (0-100)."),
        Column("product_text", "text", description="The product name as read on screen."),
        Column("price", "numeric(12,2)", description="Price shown, BRL."),
        Column("commission_pct", "numeric(5,2)", description="Commission shown, percent of the price."),
        Column("commission_amount", "numeric(12,2)", description="Commission shown, BRL."),
        Column("rating", "numeric(2,1)", description="Rating shown (1-5)."),
        Column("temperature", "integer", description="Hotmart 'temperatura' shown (0-150)."),
        Column("confidence", "numeric(5,2)", description="Mean OCR confidence of the words this row came from."),
        Column("is_low_confidence", "boolean", nullable=False,
               description="True when the read is doubtful: low OCR confidence or weak product match."),
        Column("seen_at", "timestamptz", description="When the screen was seen (the screenshot's captured_at)."),
    ),
    primary_key=("image_hash", "item_index"),
    indexes=(("product_id",),),
    description="InteracoesTela: products seen on screenshots (price, commission, rating, temperature).",
)
