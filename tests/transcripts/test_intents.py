"""The intent parser on transcripts: pt-BR and English, number words, matching and review reasons."""

import pytest

from affiliate_assets.defs.transcripts.intents import CatalogueMatcher, Product, parse
from affiliate_assets.sample_data.catalogue import catalogue


@pytest.fixture(scope="module")
def matcher() -> CatalogueMatcher:
    return CatalogueMatcher([Product(p.product_id, p.name, p.price) for p in catalogue()])


@pytest.mark.parametrize(("text", "intent", "quantity", "product"), [
    ("quero comprar dois cursos de marketing digital", "buy", 2, "Curso de Marketing Digital Completo"),
    ("eu quero duas garrafas térmicas por favor", "buy", 2, "Garrafa Térmica Inox 1L"),
    ("quero comprar três smartwatch", "buy", 3, "Smartwatch Fit Série 8"),
    ("vinte e dois ebooks de receitas low carb quero comprar", "buy", 22, "E-book Receitas Low Carb"),
    ("quero comprar 4 unidades do whey protein", "buy", 4, "Whey Protein Concentrado 900g"),
    ("quero comprar um curso de oratória e comunicação", "buy", 1, "Oratória e Comunicação"),
    ("buscar fone bluetooth", "search", None, "Fone Bluetooth TWS Pro"),
    ("quanto custa a air fryer", "price", None, "Air Fryer 4L Digital"),
    ("me recomenda um curso de inglês", "recommend", 1, "Inglês Fluente em 6 Meses"),
    ("cancelar o pedido", "cancel", None, None),
    ("buy two digital marketing courses", "buy", 2, "Curso de Marketing Digital Completo"),
    ("i want to buy three python courses", "buy", 3, "Python para Iniciantes"),
    ("how much is the air fryer", "price", None, "Air Fryer 4L Digital"),
    ("search for the smartwatch", "search", None, "Smartwatch Fit Série 8"),
    ("recommend an excel course", "recommend", 1, "Excel do Básico ao Avançado"),
    ("cancel my order", "cancel", None, None),
])
def test_single_commands(matcher, text, intent, quantity, product):
    (item,) = parse(text, matcher, confidence=0.9)
    assert item.intent == intent
    assert item.quantity == quantity
    assert (item.match.product.name if item.match and item.match.product else None) == product


def test_a_clear_buy_is_registered_and_doubtful_ones_say_why(matcher):
    (ok,) = parse("quero comprar dois cursos de python", matcher, confidence=0.9)
    assert ok.status == "registered" and ok.review_reasons == []
    (no_qty,) = parse("quero comprar o curso de python", matcher, confidence=0.9)
    assert no_qty.status == "needs_review" and no_qty.review_reasons == ["no_quantity"]
    (unknown,) = parse("quero comprar dois abacaxis", matcher, confidence=0.9)
    assert unknown.review_reasons[0].startswith("low_match_score")
    (ambiguous,) = parse("quero comprar um bluetooth", matcher, confidence=0.9)
    assert ambiguous.review_reasons[0].startswith("ambiguous_product")
    (unsure,) = parse("quero comprar dois cursos de python", matcher, confidence=0.3)
    assert unsure.review_reasons == ["low_confidence (0.30 < 0.55)"]


def test_several_commands_in_one_note_and_names_with_e_stay_whole(matcher):
    items = parse("quero comprar 3 smartwatch e buscar caixa de som", matcher)
    assert [(i.index, i.intent) for i in items] == [(0, "buy"), (1, "search")]
    assert items[1].match.product.name.startswith("Caixa de Som")
    (one,) = parse("quero comprar um curso de oratória e comunicação", matcher)
    assert one.match.score == 100


def test_cancel_with_an_article_noun_is_one_intent_and_chatter_is_unknown(matcher):
    (cancel,) = parse("cancelar a compra do fone bluetooth", matcher)
    assert cancel.intent == "cancel" and cancel.match.product.name == "Fone Bluetooth TWS Pro"
    (chatter,) = parse("bom dia", matcher)
    assert chatter.intent == "unknown" and chatter.match is None
    assert parse("", matcher) == []
