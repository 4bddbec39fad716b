"""The fixture shop's content: which pages exist, what each offers, and its HTML in several templates.

Every catalogue product is sold under five templates, each the way a family of real shops writes it:

- ``jsonld``    ``/produto/<slug>``          schema.org Product/Offer in JSON-LD (VTEX, Shopify, Magalu)
- ``microdata`` ``/item/<slug>.html``        schema.org microdata (older platforms, Loja Integrada)
- ``opengraph`` ``/p/<slug>``                only OpenGraph ``product:price:amount`` (pt-BR ``1.234,56``)
- ``meli``      ``/MLB-<id>-<slug>-_JM``     Mercado Livre's ``andes-money-amount`` markup, no structured data
- ``plain``     ``/oferta/<slug>``           no structured data, price in ``class="price..."``, Latin-1

and a few broken pages per run of the catalogue: 404 (``/descontinuado/``), always 500 (``/instavel/``),
503 once then fine (``/oscila/``), slow (``/lento/``), no price (``/consulta/``), a captcha wall served
with 200 (``/bloqueado/``) and robots-disallowed (``/privado/``). Offers are deterministic, so tests know
what each page must yield.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from affiliate_assets.lib.money import format_brl
from affiliate_assets.sample_data.catalogue import Product, catalogue

TEMPLATES = ("jsonld", "microdata", "opengraph", "meli", "plain")
BROKEN = {  # path prefix → what the page does; one catalogue product each (see broken_paths)
    "descontinuado": "404",
    "instavel": "500",
    "oscila": "503 once",
    "lento": "slow",
    "consulta": "no price",
    "privado": "robots disallowed",
    "bloqueado": "captcha",
}
SELLERS = ("Loja Oficial", "MegaStore Brasil", "Casa & Cia", "TechMais Importados", "Mundo Digital")
PAGE_SIZE = 12


@dataclass(frozen=True)
class Offer:
    """What a product page states; the source of truth tests compare the crawl against."""

    product: Product
    template: str
    price: Decimal
    old_price: Decimal | None
    installments: int | None
    installment_price: Decimal | None
    in_stock: bool
    seller: str

    @property
    def path(self) -> str:
        return product_path(self.product, self.template)


def product_path(product: Product, template: str) -> str:
    slug = product.slug
    return {
        "jsonld": f"/produto/{slug}",
        "microdata": f"/item/{slug}.html",
        "opengraph": f"/p/{slug}",
        "meli": f"/MLB-{product.product_id}-{slug}-_JM",
        "plain": f"/oferta/{slug}",
    }.get(template) or f"/{template}/{slug}"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def offer(product: Product, template: str) -> Offer:
    """The competitor's offer for ``product`` on ``template``: the catalogue price ±15%, ending in ,90."""
    rng = random.Random(f"{product.product_id}:{template}")
    price = _cents(Decimal(int(product.price * Decimal(str(rng.uniform(0.85, 1.15))))) + Decimal("0.90"))
    old = _cents(price * Decimal("1.25")) if rng.random() < 0.4 else None
    n = min(12, int(price // 20))
    installments = n if n >= 2 else None
    each = _cents(price / n) if installments else None
    return Offer(product, template, price, old, installments, each, rng.random() > 0.08,
                 rng.choice(SELLERS))


def all_offers() -> list[Offer]:
    return [offer(p, t) for p in catalogue() for t in TEMPLATES]


def broken_paths() -> dict[str, tuple[Product, str]]:
    """path → (product, behaviour) for the broken pages, each on a different catalogue product."""
    products = catalogue()
    return {f"/{prefix}/{products[i * 7].slug}": (products[i * 7], kind)
            for i, (prefix, kind) in enumerate(BROKEN.items())}


def product_paths() -> list[tuple[int, str]]:
    """(product_id, path) for every page the fixture shop sells a catalogue product on: the seed targets."""
    pages = [(o.product.product_id, o.path) for o in all_offers()]
    pages += [(p.product_id, path) for path, (p, _) in broken_paths().items()]
    return pages


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------


def _page(title: str, head: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html lang="pt-BR"><head><meta charset="{charset}">'
            f"<title>{html.escape(title)} | Loja Modelo</title>{head}</head><body>"
            '<header class="site-header"><a href="/">Loja Modelo</a> <span class="cart-price">R$ 0,00</span>'
            f'</header><main>{body}</main><footer><p>Frete grátis acima de R$ 199,00</p></footer></body></html>')


def _visible_price(o: Offer) -> str:
    old = f'<span class="price-old">de <s>{format_brl(o.old_price)}</s></span> ' if o.old_price else ""
    inst = (f'<div class="installments">ou {o.installments}x de {format_brl(o.installment_price)} sem juros</div>'
            if o.installments else "")
    stock = "Em estoque" if o.in_stock else "Produto esgotado"
    return (f'<div class="product-price">{old}<span class="price-current">por {format_brl(o.price)}</span></div>'
            f'{inst}<p class="stock-status">{stock}</p>')


def render_product(o: Offer) -> tuple[str, str]:
    """(html, charset) of a product page in its template."""
    return {"jsonld": _jsonld, "microdata": _microdata, "opengraph": _opengraph, "meli": _meli,
            "plain": _plain}[o.template](o)


def _jsonld(o: Offer) -> tuple[str, str]:
    offer_node: dict = {
        "@type": "Offer", "price": f"{o.price:.2f}", "priceCurrency": "BRL", "url": o.path,
        "availability": "https://schema.org/" + ("InStock" if o.in_stock else "OutOfStock"),
        "seller": {"@type": "Organization", "name": o.seller},
    }
    if o.old_price:
        offer_node["priceSpecification"] = [
            {"@type": "UnitPriceSpecification", "price": float(o.price), "priceCurrency": "BRL"},
            {"@type": "UnitPriceSpecification", "priceType": "https://schema.org/ListPrice",
             "price": float(o.old_price), "priceCurrency": "BRL"}]
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Início", "item": "/"}]},
        {"@type": "Product", "name": o.product.name, "sku": str(o.product.product_id),
         "brand": {"@type": "Brand", "name": o.product.producer}, "offers": offer_node}]}
    head = f'<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script>'
    body = f'<h1 class="product-name">{html.escape(o.product.name)}</h1>{_visible_price(o)}'
    return _page(o.product.name, head, body), "utf-8"


def _microdata(o: Offer) -> tuple[str, str]:
    old = f'<s class="list-price">{format_brl(o.old_price)}</s> ' if o.old_price else ""
    avail = "InStock" if o.in_stock else "OutOfStock"
    body = (
        f'<div itemscope itemtype="http://schema.org/Product"><h1 itemprop="name">{html.escape(o.product.name)}'
        f'</h1><div itemprop="offers" itemscope itemtype="http://schema.org/Offer">{old}'
        f'<meta itemprop="priceCurrency" content="BRL"><span itemprop="price" content="{o.price:.2f}">'
        f'{format_brl(o.price)}</span><link itemprop="availability" href="http://schema.org/{avail}">'
        f'<div itemprop="seller" itemscope itemtype="http://schema.org/Organization">Vendido por '
        f'<span itemprop="name">{html.escape(o.seller)}</span></div></div>'
        + (f'<p class="parcelamento">{o.installments}x de {format_brl(o.installment_price)} sem juros</p>'
           if o.installments else "") + "</div>")
    return _page(o.product.name, "", body), "utf-8"


def _opengraph(o: Offer) -> tuple[str, str]:
    amount = format_brl(o.price).replace("R$ ", "")  # pt-BR stores put "1.234,56" here
    head = (f'<meta property="og:type" content="product"><meta property="og:title" '
            f'content="{html.escape(o.product.name)}"><meta property="product:price:amount" content="{amount}">'
            f'<meta property="product:price:currency" content="BRL"><meta property="product:availability" '
            f'content="{"in stock" if o.in_stock else "out of stock"}">')
    body = f"<h1>{html.escape(o.product.name)}</h1>{_visible_price(o)}"
    return _page(o.product.name, head, body), "utf-8"


def _andes(amount: Decimal, extra_class: str = "", tag: str = "span") -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    return (f'<{tag} class="andes-money-amount {extra_class}" role="img" aria-label="{whole.replace(",", "")} '
            f'reais com {cents} centavos"><span class="andes-money-amount__currency-symbol" aria-hidden="true">R$'
            f'</span><span class="andes-money-amount__fraction" aria-hidden="true">{whole.replace(",", ".")}'
            f'</span><span class="andes-money-amount__cents" aria-hidden="true">{cents}</span></{tag}>')


def _meli(o: Offer) -> tuple[str, str]:
    old = _andes(o.old_price, "ui-pdp-price__original-value andes-money-amount--previous", "s") if o.old_price else ""
    inst = (f'<div class="ui-pdp-price__subtitles"><p>em <span>{o.installments}x</span> '
            f'{_andes(o.installment_price, "andes-money-amount--compact")} sem juros</p></div>'
            if o.installments else "")
    stock = "Estoque disponível" if o.in_stock else "Anúncio pausado: sem estoque"
    body = (f'<div class="ui-pdp-container"><h1 class="ui-pdp-title">{html.escape(o.product.name)}</h1>'
            f'<div class="ui-pdp-price">{old}<div class="ui-pdp-price__second-line">'
            f'{_andes(o.price, "andes-money-amount--cents-superscript")}</div>{inst}</div>'
            f'<p class="ui-pdp-stock-information__title">{stock}</p><div class="ui-pdp-seller__header__title">'
            f'Vendido por <span>{html.escape(o.seller)}</span></div>'
            '<section class="ui-recommendations"><h2>Quem viu este produto também comprou</h2>'
            f'{_andes(o.price * 2, "ui-recommendations-card__price")}</section></div>')
    return _page(o.product.name, "", body), "utf-8"


def _plain(o: Offer) -> tuple[str, str]:
    body = (f'<div class="produto"><h1>{html.escape(o.product.name)}</h1>{_visible_price(o)}'
            f'<p class="vendedor">Vendido e entregue por {html.escape(o.seller)}</p></div>')
    return _page(o.product.name, "", body, charset="iso-8859-1"), "iso-8859-1"


def render_no_price(product: Product) -> str:
    body = (f"<h1>{html.escape(product.name)}</h1><p class='aviso'>Preço sob consulta. Fale com um vendedor "
            "pelo WhatsApp.</p>")
    return _page(product.name, "", body)


def render_captcha() -> str:
    body = ("<h1>Confirme que você não é um robô</h1><form action='/captcha'><img src='/captcha.png'>"
            "<p>Digite os caracteres que você vê na imagem</p><input name='captcha'></form>")
    return _page("Verificação de segurança", "", body)


def render_listing(category: str, page: int, products: list[Product], pages: int) -> str:
    cards = "".join(
        f'<li class="product-card"><a href="{product_path(p, "jsonld")}">{html.escape(p.name)}</a>'
        f'<span class="product-card__price">{format_brl(offer(p, "jsonld").price)}</span></li>' for p in products)
    nav = ""
    if page > 1:
        nav += f'<a rel="prev" href="/categoria/{category}?page={page - 1}">Anterior</a> '
    if page < pages:
        nav += f'<a rel="next" class="next" href="/categoria/{category}?page={page + 1}">Próxima</a>'
    body = f'<h1>{html.escape(category)}</h1><ul class="product-grid">{cards}</ul><nav class="pagination">{nav}</nav>'
    return _page(f"{category} - página {page}", "", body)
