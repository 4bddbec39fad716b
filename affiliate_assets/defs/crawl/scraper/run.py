"""``python -m affiliate_assets.defs.crawl.scraper.run JOB.json``: one crawl, in its own process.

The job file says what to crawl and where to write (targets, items and stats paths, crawl id, host map,
Scrapy setting overrides). Scrapy logs to stderr, which the Dagster asset streams into the run log.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str] | None = None) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from affiliate_assets.defs.crawl.scraper import settings as project_settings
    from affiliate_assets.defs.crawl.scraper.spiders.prices import PriceSpider

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        job = json.load(fh)
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.update({**job.get("settings", {}), "ITEMS_PATH": job["items_path"]}, priority="cmdline")
    process = CrawlerProcess(settings)  # LOG_INSTALL_ROOT_HANDLER (default on): the log goes to stderr
    process.crawl(PriceSpider, targets=job["targets_path"], crawl_id=job["crawl_id"],
                  host_map=json.dumps(job.get("host_map", {})), rules_file=job.get("rules_file"),
                  stats_path=job["stats_path"])
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
