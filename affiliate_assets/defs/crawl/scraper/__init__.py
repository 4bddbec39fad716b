"""The Scrapy project of the price crawl: settings, items, middlewares, pipeline and the ``prices`` spider.

It runs in its own process (``python -m affiliate_assets.defs.crawl.scraper.run``): Twisted's reactor
cannot be restarted, and a Dagster worker runs many crawls. Nothing here is imported by the Dagster
definitions, so loading the code location does not import Scrapy.
"""
