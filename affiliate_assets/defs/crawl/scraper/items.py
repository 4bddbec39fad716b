"""What the spider yields: a price observation or a crawl error, one per target URL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class PriceObservationItem:
    crawl_id: str
    product_id: int
    url: str
    final_url: str | None
    domain: str
    title: str | None
    price: Decimal
    old_price: Decimal | None
    currency: str
    installments: int | None
    installment_price: Decimal | None
    installments_text: str | None
    availability: str | None
    seller: str | None
    extraction_method: str
    http_status: int
    fetched_at: str  # ISO 8601, UTC
    kind: str = "observation"


@dataclass
class CrawlErrorItem:
    crawl_id: str
    product_id: int
    url: str
    domain: str
    http_status: int | None
    reason: str
    detail: str | None
    fetched_at: str
    kind: str = "error"
