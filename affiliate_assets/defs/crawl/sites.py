"""Per-site CSS/XPath rules for shops whose price is not in structured data (or is wrong there).

A rule applies to a page when its host ends with one of ``domains`` *or* the page carries the rule's
``signature`` markup: Mercado Livre serves the same ``andes-money-amount`` markup on a dozen country
domains and on white-label stores, and the fixture shop imitates it on its own host.

Selectors starting with ``/`` or ``(`` are XPath, others CSS (parsel syntax, ``::attr(x)`` allowed).
More rules can come from a JSON file (``CrawlConfig.rules_file``): a list of objects with these fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SiteRule:
    name: str
    domains: tuple[str, ...] = ()
    signature: str | None = None
    price: tuple[str, ...] = ()
    old_price: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    installments: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    seller: tuple[str, ...] = ()
    currency: str = "BRL"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def matches_host(self, host: str) -> bool:
        host = host.lower().split(":")[0]
        return any(host == d or host.endswith("." + d) for d in self.domains)


MERCADO_LIVRE = SiteRule(
    name="mercadolivre",
    domains=("mercadolivre.com.br", "mercadolibre.com", "mercadolibre.com.ar", "mercadolibre.com.mx",
             "mercadolibre.cl", "mercadolibre.com.co"),
    signature=".ui-pdp-price__second-line .andes-money-amount, .ui-pdp-price .andes-money-amount",
    price=(".ui-pdp-price__second-line .andes-money-amount",
           ".ui-pdp-price .andes-money-amount:not(.andes-money-amount--previous)"),
    old_price=(".ui-pdp-price__original-value", ".andes-money-amount--previous"),
    title=("h1.ui-pdp-title",),
    installments=(".ui-pdp-price__subtitles", ".ui-pdp-installments"),
    availability=(".ui-pdp-stock-information__title", ".ui-pdp-buybox__quantity__available"),
    seller=(".ui-pdp-seller__link-trigger span", ".ui-pdp-seller__header__title span",
            ".ui-pdp-seller__header__title"),
)

AMAZON = SiteRule(
    name="amazon",
    domains=("amazon.com.br", "amazon.com", "amazon.es", "amazon.com.mx"),
    signature="#corePrice_feature_div, #corePriceDisplay_desktop_feature_div",
    price=("#corePriceDisplay_desktop_feature_div .priceToPay .a-offscreen",
           "#corePrice_feature_div .a-price .a-offscreen", "#priceblock_ourprice", "#priceblock_dealprice"),
    old_price=("#corePriceDisplay_desktop_feature_div .basisPrice .a-offscreen",
               ".a-price.a-text-price .a-offscreen"),
    title=("#productTitle",),
    installments=("#installmentCalculator_feature_div", "#best-offer-string-cc"),
    availability=("#availability",),
    seller=("#sellerProfileTriggerId", "#merchantInfoFeature_feature_div .offer-display-feature-text-message"),
)

MAGALU = SiteRule(
    name="magalu",
    domains=("magazineluiza.com.br", "magalu.com"),
    signature="[data-testid=price-value]",
    price=("[data-testid=price-value]",),
    old_price=("[data-testid=price-original]",),
    title=("[data-testid=heading-product-title]",),
    installments=("[data-testid=installment]",),
    seller=("[data-testid=seller-info] label",),
)

def domain_of(url: str) -> str:
    """The host of a URL, lower case, without port: what per-domain rules and limits key on."""
    return (urlsplit(url).hostname or "").lower()


BUILTIN_RULES: tuple[SiteRule, ...] = (MERCADO_LIVRE, AMAZON, MAGALU)


def load_rules(path: str | Path | None = None) -> tuple[SiteRule, ...]:
    """The built-in rules, after those of ``path`` (a JSON list) so a user's rule for a domain wins."""
    if not path:
        return BUILTIN_RULES
    names = {f.name for f in fields(SiteRule)}
    user: list[SiteRule] = []
    for raw in json.loads(Path(path).read_text(encoding="utf-8")):
        unknown = set(raw) - names
        if unknown:
            raise ValueError(f"unknown site rule fields {sorted(unknown)} in {path}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        user.append(SiteRule(**values))
    return (*user, *BUILTIN_RULES)
