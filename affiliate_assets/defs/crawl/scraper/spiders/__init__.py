"""Spiders of the price crawl."""
