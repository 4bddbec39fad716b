"""Warehouse tables of the sales_files domain: the order lines of dropped files, and the files themselves.

``raw.sales_history`` is an append-only log of files: its primary key is (``file_hash``, ``line_number``),
so a file is stored exactly as it was read and loading it again (after a crash between the load and the
archive step) rewrites the same rows. A *corrected* re-drop of a file is a new file (new hash): raw keeps
both and staging resolves them. The rule for ``stg_files__sales``: for each ``order_id``, keep the lines of
the most recently loaded file that contains that order (``raw.sales_files.loaded_at``); (``order_id``,
``order_line``) is then unique. That handles changed, added and removed lines of a correction, which an
upsert on a natural key could not (a removed line would linger).
"""

from affiliate_assets.lib.warehouse import Column, TableSpec

SALES_HISTORY = TableSpec(
    schema="raw",
    name="sales_history",
    columns=(
        Column("file_hash", "text", nullable=False, description="SHA-256 of the file's bytes."),
        Column("line_number", "bigint", nullable=False,
               description="Where the row is in its file: CSV physical line (header = 1), XLSX sheet row."),
        Column("source_file", "text", nullable=False, description="File name as dropped in SALES_INBOX."),
        Column("layout", "text", nullable=False,
               description="Header family recognised: export (this project's), superstore, pt_br."),
        Column("row_id", "text", description="The source's own row id (Superstore 'Row ID'), when present."),
        Column("order_id", "text", nullable=False),
        Column("order_line", "integer", nullable=False,
               description="Position of the line within its order in the file (1..n); with order_id the "
                           "natural key of an order line across corrected re-drops."),
        Column("order_date", "date", nullable=False),
        Column("ship_date", "date"),
        Column("ship_mode", "text"),
        Column("status", "text", description="Order status when the file has one (APPROVED, REFUNDED, ...)."),
        Column("payment_type", "text", description="PIX, BILLET, CREDIT_CARD, ... when the file has one."),
        Column("customer_id", "text", description="The source's customer id (never a name or e-mail)."),
        Column("customer_name_hash", "text", description="Salted hash of the customer name; the name is "
                                                         "not stored."),
        Column("customer_email_hash", "text", description="Salted hash of the e-mail (lib.pii)."),
        Column("segment", "text"),
        Column("country", "text"),
        Column("city", "text"),
        Column("state", "text"),
        Column("postal_code", "text", description="Kept as text: leading zeros, CEP 01310-100."),
        Column("region", "text"),
        Column("product_id", "text", description="The source's product id (Superstore FUR-BO-10001798, "
                                                 "Hotmart numeric id, SKU)."),
        Column("category", "text"),
        Column("sub_category", "text"),
        Column("product_name", "text"),
        Column("sales", "numeric(12,2)", nullable=False, description="Line revenue in BRL."),
        Column("quantity", "integer", nullable=False),
        Column("discount", "numeric(6,4)", description="Fraction 0..1 (a '20%' in the file is 0.2)."),
        Column("profit", "numeric(12,2)", description="Line profit in BRL."),
        Column("commission", "numeric(12,2)", description="Affiliate commission in BRL, when the file has it."),
        Column("currency", "text", nullable=False,
               description="Currency the file states (R$ or a currency column); BRL when it says none."),
    ),
    primary_key=("file_hash", "line_number"),
    # No secondary indexes: staging ranks every row by order anyway (a full scan), and each index would
    # cost about as much as the COPY itself on a million-line file.
    description="Order lines of CSV/XLSX sales files dropped in SALES_INBOX, one row per line read; "
                "append-only per file (content hash). Staging keeps the latest file per order.",
)

SALES_FILES = TableSpec(
    schema="raw",
    name="sales_files",
    columns=(
        Column("file_hash", "text", nullable=False, description="SHA-256 of the file's bytes."),
        Column("file_name", "text", nullable=False),
        Column("size_bytes", "bigint", nullable=False),
        Column("file_format", "text", nullable=False, description="csv | xlsx"),
        Column("layout", "text", nullable=False, description="export | superstore | pt_br"),
        Column("encoding", "text", description="Detected text encoding (CSV), e.g. utf-8, utf-8-sig, cp1252."),
        Column("delimiter", "text", description="Detected field delimiter (CSV)."),
        Column("decimal_separator", "text", nullable=False, description="'.' or ','"),
        Column("thousands_separator", "text", description="',' '.' or null"),
        Column("date_order", "text", nullable=False, description="DMY | MDY | YMD, decided from the data."),
        Column("date_order_reason", "text", nullable=False,
               description="Why: e.g. 'a first field > 12 (13/01/2024)' or 'ambiguous; decimal comma'."),
        Column("fast_path", "boolean", nullable=False,
               description="True when the file's bytes were streamed straight to COPY."),
        Column("rows_read", "bigint", nullable=False),
        Column("rows_loaded", "bigint", nullable=False),
        Column("rows_rejected", "bigint", nullable=False),
        Column("first_order_date", "date"),
        Column("last_order_date", "date"),
        Column("archived_path", "text", description="Where the file was moved after the load."),
        Column("elapsed_s", "numeric(10,3)"),
    ),
    primary_key=("file_hash",),
    description="One row per ingested sales file: what was detected and how many rows it gave. "
                "A hash present here is never loaded again.",
)
