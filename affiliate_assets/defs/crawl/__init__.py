"""The crawl domain."""
