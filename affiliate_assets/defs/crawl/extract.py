"""Find a product's price on a page never seen before.

The order follows how trustworthy each source is: schema.org ``Product``/``Offer`` in JSON-LD (what shops
publish for Google Shopping), then microdata, then RDFa, then OpenGraph ``product:price:amount``, then a
per-site CSS/XPath rule (:mod:`.sites`), then a generic heuristic over elements named like prices.
``extruct`` reads the structured syntaxes; this module only picks the product and its offer out of them.
The first source with a price decides price, old price and currency; the other fields (title,
availability, seller, instalments) are filled from whichever source has them.

A page that shows several different products (a listing, a search result) is not priced: taking "the
first price" there would record another product's price as this one's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from affiliate_assets.defs.crawl.prices import (
    Money,
    OfferText,
    parse_offer_text,
    parse_schema_price,
)
from affiliate_assets.defs.crawl.sites import BUILTIN_RULES, SiteRule

PRODUCT_TYPES = {"Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts", "Book",
                 "Vehicle", "Car"}
AVAILABILITY = {
    "instock": "in_stock", "instoreonly": "in_stock", "onlineonly": "in_stock",
    "limitedavailability": "limited", "outofstock": "out_of_stock", "soldout": "out_of_stock",
    "discontinued": "discontinued", "preorder": "preorder", "presale": "preorder", "backorder": "preorder",
}
# What pt-BR shops print; checked in this order (the negative forms contain the positive words).
AVAILABILITY_WORDS = (
    (re.compile(r"esgotad|indispon[ií]vel|fora de estoque|sem estoque|n[ãa]o dispon[ií]vel|out of stock", re.I),
     "out_of_stock"),
    (re.compile(r"pr[ée]-?venda|encomenda|pre-?order", re.I), "preorder"),
    (re.compile(r"[úu]ltim[ao]s? (unidade|dispon)|restam apenas|poucas unidades", re.I), "limited"),
    (re.compile(r"em estoque|dispon[ií]vel|pronta entrega|in stock", re.I), "in_stock"),
)
PRICE_NAME_RE = re.compile(r"price|pre[cç]o|valor|amount", re.I)
OLD_NAME_RE = re.compile(r"old|original|list|was|from|antigo|riscado|strike|previous|basis|compare|\bde\b", re.I)
INSTALLMENT_NAME_RE = re.compile(r"install|parcel", re.I)
SELLER_NAME_RE = re.compile(r"seller|vendedor|merchant|sold-?by", re.I)
AVAILABILITY_NAME_RE = re.compile(r"availab|stock|estoque|disponib", re.I)
MAX_HEURISTIC_PRICES = 3  # more distinct prices than this in price-named elements: a listing, not a product


@dataclass
class Extraction:
    """What a product page says about its offer; ``price`` None means it was not found."""

    title: str | None = None
    price: Decimal | None = None
    old_price: Decimal | None = None
    currency: str | None = None
    installments: int | None = None
    installment_price: Decimal | None = None
    installments_text: str | None = None
    availability: str | None = None
    seller: str | None = None
    method: str | None = None
    failure: str | None = None  # why there is no price

    def fill(self, other: Extraction) -> None:
        """Take other's fields where this one has none (price fields only together, with the method)."""
        if self.price is None and other.price is not None:
            self.price, self.old_price, self.currency, self.method = (
                other.price, other.old_price, other.currency, other.method)
        for f in ("title", "installments", "installment_price", "installments_text", "availability", "seller"):
            if getattr(self, f) in (None, "") and getattr(other, f) not in (None, ""):
                setattr(self, f, getattr(other, f))

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def extract(html: str | bytes, url: str, rules: tuple[SiteRule, ...] = BUILTIN_RULES) -> Extraction:
    """Run the extraction chain on one page; ``result.price is None`` with ``result.failure`` set when no
    source gave a price."""
    import lxml.html
    from parsel import Selector

    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    if not text.strip():
        return Extraction(failure="empty page")
    document = lxml.html.fromstring(text)
    _join_split_prices(document)
    selector = Selector(root=document, type="html")
    result = Extraction()
    ambiguous: list[str] = []
    for method, nodes in _structured_products(document, text, url):
        products = [n for n in nodes if _is_product(n)]
        product = _pick_product(products, selector)
        if product is None:
            if len({_first_text(p.get("name")) for p in products}) > 1:
                ambiguous.append(f"{method}: {len(products)} products")
            continue
        result.fill(_from_schema_product(product, method))
    og = _from_opengraph(document)
    result.fill(og)
    host = urlsplit(url).hostname or ""
    for rule in rules:
        if rule.matches_host(host) or (rule.signature and selector.css(rule.signature)):
            result.fill(_from_rule(selector, rule))
    named = named_elements(document)
    if result.price is None and not ambiguous:
        heuristic = _heuristic(named)
        if heuristic.failure:
            ambiguous.append(heuristic.failure)
        result.fill(heuristic)
    result.fill(Extraction(title=_page_title(selector), availability=_availability_text(named),
                           seller=_seller_text(named), **_installments_from(named)))
    if result.price is not None and result.old_price is None and result.method != "heuristic":
        result.old_price = _old_above(_price_elements(named)[1], result.price)
    if result.price is None:
        result.failure = ("several products on the page (" + "; ".join(ambiguous) + ")") if ambiguous else \
            "no price found (json-ld, microdata, rdfa, opengraph, site rules, heuristic)"
    if result.currency is None and result.price is not None:
        result.currency = "BRL"
    return result


# --------------------------------------------------------------------------------------------------
# Structured data (extruct) → plain schema.org dicts
# --------------------------------------------------------------------------------------------------


def _structured_products(document, text: str, url: str):
    """Yield (method, list of schema.org nodes as plain dicts) per syntax, in trust order."""
    yield "json-ld", list(_walk(_jsonld_items(document)))
    from extruct.w3cmicrodata import MicrodataExtractor

    if "itemscope" in text:
        try:
            items = MicrodataExtractor().extract_items(document, url)
        except Exception:  # malformed markup: fall through to the next source
            items = []
        yield "microdata", list(_walk([_microdata_to_schema(i) for i in items]))
    if "typeof=" in text or "vocab=" in text:
        yield "rdfa", list(_walk(_rdfa_items(text, url)))


def _jsonld_items(document) -> list[Any]:
    """JSON-LD blocks; a broken block (trailing comma, HTML comment, two objects glued) is skipped
    alone, not the whole page."""
    out: list[Any] = []
    for script in document.xpath('//script[contains(translate(@type, "JSON", "json"), "ld+json")]'):
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*<!--|-->\s*$", "", raw).strip().rstrip(";")
        if not raw:
            continue
        try:
            out.append(json.loads(raw))
        except json.JSONDecodeError:
            try:
                out.append(json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False))
            except json.JSONDecodeError:
                continue
    return out


def _microdata_to_schema(item: Any) -> Any:
    if isinstance(item, list):
        return [_microdata_to_schema(i) for i in item]
    if not isinstance(item, dict) or "properties" not in item:
        return item
    node = {k: _microdata_to_schema(v) for k, v in item["properties"].items()}
    types = item.get("type")
    node["@type"] = [_short_type(t) for t in (types if isinstance(types, list) else [types]) if t]
    return node


def _rdfa_items(text: str, url: str) -> list[dict]:
    """RDFa via extruct gives expanded JSON-LD (``http://schema.org/price: [{'@value': ...}]``);
    resolve blank-node references and shorten names to what the other syntaxes give."""
    from extruct.rdfa import RDFaExtractor
    from extruct.utils import parse_xmldom_html

    try:
        nodes = RDFaExtractor().extract_items(parse_xmldom_html(text, "utf-8"), base_url=url)
    except Exception:  # malformed RDFa must not stop the chain
        return []
    by_id = {n.get("@id"): n for n in nodes if isinstance(n, dict)}

    def convert(node: dict, depth: int = 0) -> dict:
        out: dict[str, Any] = {"@type": [_short_type(t) for t in node.get("@type", [])]}
        for key, values in node.items():
            if key.startswith("@"):
                continue
            name = key.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            converted = []
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, dict) and "@value" in v:
                    converted.append(v["@value"])
                elif isinstance(v, dict) and v.get("@id") in by_id and depth < 4:
                    converted.append(convert(by_id[v["@id"]], depth + 1))
                elif isinstance(v, dict) and "@id" in v:
                    converted.append(v["@id"])
            out[name] = converted[0] if len(converted) == 1 else converted
        return out

    return [convert(n) for n in nodes if isinstance(n, dict) and n.get("@type")]


def _walk(items: Any):
    """Every dict node in nested JSON-LD (``@graph``, lists, nested ``mainEntity``)."""
    stack = [items]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            yield item
            for key in ("@graph", "mainEntity", "itemListElement", "item", "hasVariant"):
                if key in item:
                    stack.append(item[key])


def _short_type(value: Any) -> str:
    return str(value).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]


def _types(node: dict) -> set[str]:
    value = node.get("@type") or node.get("type") or []
    return {_short_type(t) for t in (value if isinstance(value, list) else [value])}


def _is_product(node: dict) -> bool:
    return bool(_types(node) & PRODUCT_TYPES)


def _first(value: Any) -> Any:
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return value


def _first_text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return " ".join(str(value).split()) if value not in (None, "") else None


def _pick_product(products: list[dict], selector) -> dict | None:
    """The page's own product: the only one, or the one named like the page's ``<h1>``. Variants of one
    product (same name, or a ProductGroup) count as one."""
    priced = [p for p in products if p.get("offers")] or products
    names = {_first_text(p.get("name")) for p in priced}
    if len(names) <= 1:
        return priced[0] if priced else None
    heading = " ".join(" ".join(selector.css("h1 ::text").getall()).split()).lower()
    named = [p for p in priced if heading and (_first_text(p.get("name")) or "").lower() == heading]
    return named[0] if named else None


def _from_schema_product(product: dict, method: str) -> Extraction:
    offers = [o for o in _walk(product.get("offers")) if isinstance(o, dict)]
    if not offers and product.get("hasVariant"):
        offers = [o for v in _walk(product["hasVariant"]) if isinstance(v, dict)
                  for o in _walk(v.get("offers")) if isinstance(o, dict)]
    out = Extraction(title=_first_text(product.get("name")), method=method)
    candidates: list[tuple[Money, Money | None, dict]] = []
    for offer in offers:
        currency = _first_text(offer.get("priceCurrency"))
        spec = _price_specs(offer, currency)
        price = (parse_schema_price(_first(offer.get("price")), currency) or spec.get("price")
                 or parse_schema_price(_first(offer.get("lowPrice")), currency))
        if price is not None:
            candidates.append((price, spec.get("old"), offer))
    if candidates:
        # Variants: the cheapest one in stock, as a buyer comparing shops would see it.
        in_stock = [c for c in candidates if _availability(c[2]) in (None, "in_stock", "limited")] or candidates
        price, old, offer = min(in_stock, key=lambda c: c[0].amount)
        out.price, out.currency = price.amount, price.currency
        out.old_price = old.amount if old and old.amount > price.amount else None
        out.availability = _availability(offer)
        out.seller = _first_text(offer.get("seller"))
    out.availability = out.availability or _availability(product)
    return out


def _price_specs(offer: dict, currency: str | None) -> dict[str, Money]:
    """``priceSpecification`` entries: the sale price and the struck-through list price."""
    found: dict[str, Money] = {}
    for spec in _walk(offer.get("priceSpecification")):
        if not isinstance(spec, dict):
            continue
        money = parse_schema_price(_first(spec.get("price")), _first_text(spec.get("priceCurrency")) or currency)
        if money is None:
            continue
        kind = _short_type(_first(spec.get("priceType")) or "")
        found.setdefault("old" if kind in ("ListPrice", "StrikethroughPrice", "MSRP", "SRP") else "price", money)
    return found


def _availability(node: dict) -> str | None:
    value = _first_text(node.get("availability"))
    if not value:
        return None
    return AVAILABILITY.get(_short_type(value).lower().replace(" ", ""), _availability_from_words(value))


def _availability_from_words(text: str | None) -> str | None:
    if not text:
        return None
    for pattern, value in AVAILABILITY_WORDS:
        if pattern.search(text):
            return value
    return None


# --------------------------------------------------------------------------------------------------
# OpenGraph, site rules, heuristic
# --------------------------------------------------------------------------------------------------


def _from_opengraph(document) -> Extraction:
    props: dict[str, str] = {}
    for meta in document.xpath("//meta[@property or @name][@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key.startswith(("og:", "product:")):
            props.setdefault(key, meta.get("content"))
    amount = props.get("product:sale_price:amount") or props.get("product:price:amount") or \
        props.get("og:price:amount")
    currency = props.get("product:sale_price:currency") or props.get("product:price:currency") or \
        props.get("og:price:currency")
    out = Extraction(title=props.get("og:title"), availability=_availability_from_words(
        (props.get("product:availability") or props.get("og:availability") or "").replace("oos", "out of stock")))
    price = parse_schema_price(amount, currency) if amount else None
    if price is not None:
        out.price, out.currency, out.method = price.amount, price.currency, "opengraph"
        old = parse_schema_price(props.get("product:original_price:amount"), currency)
        out.old_price = old.amount if old and old.amount > price.amount else None
    return out


def _join_split_prices(document) -> None:
    """Split-price markup (Mercado Livre's ``andes-money-amount``, Amazon's ``a-price-whole``) keeps the
    whole part and the cents in sibling elements, so page text reads ``R$ 1.234 56``. Rewrite each pair
    in place as ``1.234,56`` so every later step sees a price as people read it."""
    for whole in document.xpath('//*[contains(@class, "__fraction") or contains(@class, "a-price-whole")]'):
        cents = whole.getnext()
        while cents is not None and not any(k in (cents.get("class") or "") for k in ("__cents", "a-price-fraction")):
            cents = cents.getnext()
        digits = (whole.text or "").strip().rstrip(",.")
        if cents is None or not digits:
            continue
        for child in list(whole):  # Amazon's <span class="a-price-decimal">,</span>
            whole.remove(child)
        whole.text = f"{digits},{(cents.text or '').strip()}"
        cents.text = ""


def _select_text(selector, query: str) -> list[str]:
    """Texts of the nodes ``query`` selects (attribute values for ``::attr()`` queries)."""
    nodes = selector.xpath(query) if query.startswith(("/", "(")) else selector.css(query)
    texts = []
    for node in nodes:
        if isinstance(node.root, str):
            texts.append(node.root)
            continue
        texts.append(" ".join(" ".join(node.css("::text").getall()).split()))
    return [t for t in texts if t]


def _first_selected(selector, queries: tuple[str, ...]) -> str | None:
    for query in queries:
        texts = _select_text(selector, query)
        if texts:
            return texts[0]
    return None


def _from_rule(selector, rule: SiteRule) -> Extraction:
    out = Extraction(
        title=_first_selected(selector, rule.title),
        availability=_availability_from_words(_first_selected(selector, rule.availability)),
        seller=_clean_seller(_first_selected(selector, rule.seller)),
        **_installment_fields(parse_offer_text(_first_selected(selector, rule.installments))),
    )
    price_text = _first_selected(selector, rule.price)
    price = parse_offer_text(price_text).price if price_text else None
    if price is not None:
        out.price, out.currency, out.method = price.amount, price.currency or rule.currency, f"css:{rule.name}"
        old = parse_offer_text(_first_selected(selector, rule.old_price)).price
        out.old_price = old.amount if old and old.amount > price.amount else None
    return out


def _clean_seller(text: str | None) -> str | None:
    if not text:
        return None
    return re.sub(r"^(vendido|enviado)\s+(e\s+entregue\s+)?por:?\s*", "", text, flags=re.I).strip() or None


def _installment_fields(offer: OfferText) -> dict[str, Any]:
    if offer.installments is None:
        return {}
    return {"installments": offer.installments, "installments_text": offer.installments_text,
            "installment_price": offer.installment_price.amount if offer.installment_price else None}


NAME_ATTRS = ("class", "id", "itemprop", "data-testid")
CHROME_TAGS = {"nav", "footer", "header"}
STRUCK_TAGS = {"s", "del", "strike"}


@dataclass(frozen=True)
class Named:
    """An element of the page body that has a class, id, itemprop or data-testid, with those names joined:
    what the fallbacks look at. Built in one pass with lxml (parsel per node costs ~10x more)."""

    element: Any
    name: str
    in_chrome: bool  # inside the site's header, nav or footer

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.element.itertext()).split())


def named_elements(document) -> list[Named]:
    body = document.find(".//body")
    out: list[Named] = []
    for element in (body if body is not None else document).iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        name = " ".join(v for v in (element.get(a) for a in NAME_ATTRS) if v)
        if name:
            chrome = any(a.tag in CHROME_TAGS for a in element.iterancestors()) or element.tag in CHROME_TAGS
            out.append(Named(element, name, chrome))
    return out


def _installments_from(named: list[Named]) -> dict[str, Any]:
    """Instalments from elements named like them (never from the whole page: related products' offers
    sit there too)."""
    for node in named:
        if INSTALLMENT_NAME_RE.search(node.name):
            found = _installment_fields(parse_offer_text(node.text))
            if found:
                return found
    return {}


def _price_elements(named: list[Named]) -> tuple[list[Money], list[Money]]:
    """(current, old) prices of the elements whose class/id/itemprop says "price", in page order.

    Struck-through or "old"-named elements give old prices; instalment elements and the site's header,
    navigation and footer (cart totals, free-shipping thresholds) are skipped.
    """
    current: list[Money] = []
    old: list[Money] = []
    priced = [n for n in named if PRICE_NAME_RE.search(n.name)]
    price_named = {id(n.element) for n in priced}
    for node in priced:
        if INSTALLMENT_NAME_RE.search(node.name) or node.in_chrome:
            continue
        if any(id(child) in price_named for child in node.element.iterdescendants()):
            continue  # a container of price elements: look at the elements themselves
        offer = parse_offer_text(node.text)
        if offer.price is None:
            continue
        struck = node.element.tag in STRUCK_TAGS or any(a.tag in STRUCK_TAGS for a in node.element.iterancestors())
        (old if struck or OLD_NAME_RE.search(node.name) else current).append(offer.price)
        if offer.old_price is not None:
            old.append(offer.old_price)
    return current, old


def _heuristic(named: list[Named]) -> Extraction:
    """The first price-named element's price. More than a few distinct prices means a listing: none."""
    current, old = _price_elements(named)
    distinct = {m.amount for m in current}
    if len(distinct) > MAX_HEURISTIC_PRICES:
        return Extraction(failure=f"heuristic: {len(distinct)} different prices")
    if not current:
        return Extraction()
    price = current[0]
    return Extraction(price=price.amount, currency=price.currency, method="heuristic",
                      old_price=_old_above(old, price.amount))


def _old_above(old: list[Money], price: Decimal) -> Decimal | None:
    """The first struck-through price above ``price`` (and not absurdly so: a related product's)."""
    return next((m.amount for m in old if price < m.amount <= price * 5), None)


def _page_title(selector) -> str | None:
    for query in ("h1 ::text", "title::text"):
        text = " ".join(" ".join(selector.css(query).getall()).split())
        if text:
            return text
    return None


def _seller_text(named: list[Named]) -> str | None:
    """"Vendido por X" in an element named like a seller."""
    for node in named:
        if SELLER_NAME_RE.search(node.name):
            text = node.text
            if text and len(text) < 120:
                return _clean_seller(text)
    return None


def _availability_text(named: list[Named]) -> str | None:
    for node in named:
        if AVAILABILITY_NAME_RE.search(node.name):
            found = _availability_from_words(node.text)
            if found:
                return found
    return None
