"""The sales_files domain."""
