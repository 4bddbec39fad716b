"""The extraction chain on pages it was not written against: real-looking shop pages and every template
of the fixture shop."""

from __future__ import annotations

from decimal import Decimal

import pytest
import shop_like_pages as pages

from affiliate_assets.defs.crawl.extract import extract
from affiliate_assets.defs.crawl.prices import parse_money, parse_offer_text, parse_schema_price
from affiliate_assets.fakes.shop_pages import all_offers, render_listing, render_no_price, render_product
from affiliate_assets.sample_data.catalogue import catalogue

D = Decimal


def test_mercado_livre_split_price_markup():
    e = extract(pages.MERCADO_LIVRE, "https://produto.mercadolivre.com.br/MLB-123-air-fryer-_JM")
    assert (e.method, e.price, e.old_price, e.currency) == ("css:mercadolivre", D("1234.56"), D("1499.00"), "BRL")
    assert (e.installments, e.installment_price) == (12, D("102.88"))
    assert e.title == "Air Fryer Mondial 4l Digital Preta"
    assert (e.seller, e.availability) == ("MONDIAL STORE", "in_stock")


def test_amazon_a_price_markup_ignores_related_products():
    e = extract(pages.AMAZON, "https://www.amazon.com.br/dp/B0CXYZ")
    assert (e.method, e.price, e.old_price) == ("css:amazon", D("2199.90"), D("2599.00"))
    assert e.title == 'Smartwatch Fit Série 8 Tela AMOLED 1,9" Preto'
    assert (e.installments, e.installment_price, e.availability, e.seller) == (10, D("219.99"), "in_stock",
                                                                               "Amazon.com.br")


def test_magalu_json_ld_first_and_old_price_from_the_page():
    e = extract(pages.MAGALU, "https://www.magazineluiza.com.br/cafeteira/p/237788900/")
    assert (e.method, e.price, e.old_price, e.currency) == ("json-ld", D("1234.56"), D("1399.00"), "BRL")
    assert (e.seller, e.availability, e.installments) == ("Magalu", "in_stock", 10)


def test_shopify_variants_take_the_cheapest_in_stock():
    e = extract(pages.SHOPIFY, "https://lojazen.com.br/products/tapete-de-yoga")
    assert (e.method, e.price, e.old_price) == ("json-ld", D("149.90"), D("199.90"))
    assert e.availability == "in_stock"


def test_malformed_json_ld_is_still_read():
    e = extract(pages.BROKEN_JSONLD, "https://example.com.br/caixa")
    assert (e.method, e.price, e.title) == ("json-ld", D("1234.56"), "Caixa de Som")


def test_rdfa():
    e = extract(pages.RDFA, "https://example.com.br/garrafa")
    assert (e.method, e.price, e.currency, e.availability) == ("rdfa", D("89.90"), "BRL", "out_of_stock")
    assert e.title == "Garrafa Térmica Inox 1L"


@pytest.mark.parametrize("html", [pages.JSONLD_ITEM_LIST, render_listing(
    "fisico", 1, [p for p in catalogue() if p.is_physical][:12], 2)], ids=["json-ld item list", "html listing"])
def test_listing_pages_are_not_priced(html):
    e = extract(html, "https://example.com.br/categoria/fones")
    assert e.price is None
    assert "several products" in (e.failure or "")


def test_page_without_price():
    for html in (pages.NO_PRICE, render_no_price(catalogue()[0])):
        e = extract(html, "https://example.com.br/mentoria")
        assert e.price is None and e.failure.startswith("no price found")


METHOD = {"jsonld": "json-ld", "microdata": "microdata", "opengraph": "opengraph", "meli": "css:mercadolivre",
          "plain": "heuristic"}


def test_every_fixture_template_page():
    offers = all_offers()
    assert len(offers) >= 300 and any(o.price >= 1000 for o in offers)
    for o in offers:
        html, charset = render_product(o)
        e = extract(html.encode(charset, "xmlcharrefreplace").decode(charset), "http://loja-modelo.test" + o.path)
        assert (e.method, e.price, e.old_price, e.currency) == (METHOD[o.template], o.price, o.old_price, "BRL"), o
        assert (e.installments, e.installment_price) == (o.installments, o.installment_price), o
        assert e.availability == ("in_stock" if o.in_stock else "out_of_stock"), o
        assert e.title == o.product.name
        if o.template != "opengraph":  # that template does not show the seller
            assert e.seller == o.seller, o


@pytest.mark.parametrize(("text", "price", "old", "n", "each"), [
    ("R$ 1.234,56", "1234.56", None, None, None),
    ("R$1.299", "1299.00", None, None, None),
    ("12x de R$ 19,90", None, None, 12, "19.90"),
    ("de R$ 199,90 por R$ 149,90", "149.90", "199.90", None, None),
    ("De: R$ 1.499,00 Por: R$ 1.299,90 em até 10x de R$ 129,99 sem juros", "1299.90", "1499.00", 10, "129.99"),
    ("R$ 149,90 à vista ou 12x R$ 14,99", "149.90", None, 12, "14.99"),
    ("Preço sob consulta", None, None, None, None),
])
def test_offer_text(text, price, old, n, each):
    o = parse_offer_text(text)
    assert (o.price.amount if o.price else None) == (D(price) if price else None)
    assert (o.old_price.amount if o.old_price else None) == (D(old) if old else None)
    assert o.installments == n
    assert (o.installment_price.amount if o.installment_price else None) == (D(each) if each else None)


def test_money_keeps_the_currency():
    assert parse_money("US$ 12.50").currency == "USD"
    assert parse_money("R$ 12,50").currency == "BRL"
    assert parse_money("R$ 0,00") is None  # a price must be positive
    assert parse_schema_price("1.234", "BRL").amount == D("1234")  # pt-BR thousands in structured data
    assert parse_schema_price("1234.5", "BRL").amount == D("1234.50")
    assert parse_schema_price(99.9, "R$").currency == "BRL"
