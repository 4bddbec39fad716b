"""The screen entity parser on text as OCR really returns it (no Tesseract here: fast and exact)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from affiliate_assets.defs.transcripts.ocr import Word, otsu_threshold, preprocess
from affiliate_assets.defs.transcripts.screen_parsing import (
    CatalogueMatcher,
    extract_fields,
    parse_screen,
)
from affiliate_assets.sample_data.catalogue import catalogue


@pytest.fixture(scope="module")
def matcher() -> CatalogueMatcher:
    return CatalogueMatcher((p.product_id, p.name) for p in catalogue())


def words(*lines: str, conf: float = 95.0) -> list[Word]:
    """Words laid out one line per entry, as ``image_to_data`` would report them."""
    out = []
    for i, line in enumerate(lines):
        for j, token in enumerate(line.split()):
            out.append(Word(token, conf, left=20 + 60 * j, top=40 * i, width=50, height=20, block=i + 1,
                            par=1, line=1))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R$ 1.234,56", {"price": Decimal("1234.56")}),
        ("RS 97,00", {"price": Decimal("97.00")}),  # OCR often reads the $ as S
        ("ou 12x de R$ 19,90\nR$ 197,00", {"price": Decimal("197.00")}),  # installments are not the price
        ("Comissão: 50% (R$ 98,50)", {"commission_pct": Decimal("50"), "commission_amount": Decimal("98.50"),
                                      "price": None}),
        ("Comissão de até R$ 1.998,00", {"commission_amount": Decimal("1998.00"), "commission_pct": None}),
        ("Temperatura 87°  Nota 4,7", {"temperature": 87, "rating": Decimal("4.7")}),
        ("Temperatura: 112º", {"temperature": 112}),
        ("Avaliação 4.5 (1.015 avaliações)", {"rating": Decimal("4.5")}),
        ("Nota 7,5", {"rating": None}),  # not a 0-5 rating
    ],
)
def test_extract_fields_reads_what_screens_show(text, expected):
    fields = extract_fields(text)
    for name, value in expected.items():
        assert getattr(fields, name) == value, name


def test_marketplace_cards_split_per_product_with_their_own_fields(matcher):
    kind, items = parse_screen(words(
        "Hotmart Marketplace", "Buscar produtos",
        "MA", "Mentoria Escala de Afiliados", "por Pereira Educação", "R$ 1.860,00",
        "Comissão: 40% (R$ 744,00)", "Temperatura 76º Nota 4,5", "Afiliar-se",
        "Fone Bluet00th TW5 Pr0", "por Vida Leve Suplementos", "R$ 664,00",  # OCR slips in the name
        "Comissão: 7% (R$ 46,48)", "Temperatura 33° Nota 4,5",
    ), matcher)
    assert kind == "marketplace_card"
    assert [i.matched_name for i in items] == ["Mentoria Escala de Afiliados", "Fone Bluetooth TWS Pro"]
    first, second = items
    assert (first.fields.price, first.fields.commission_amount, first.fields.temperature) == (
        Decimal("1860.00"), Decimal("744.00"), 76)
    assert (second.fields.price, second.fields.commission_pct) == (Decimal("664.00"), Decimal("7"))
    assert not first.is_low_confidence
    assert second.is_low_confidence  # matched, but not surely: flagged for review
    assert 70 <= second.match_score < 90


def test_wrapped_product_page_title_and_weak_lines_are_flagged(matcher):
    lines = ["Hotmart", "Caixa de Som Bluetooth à Prova", "d'Água", "por Vida Leve Suplementos",
             "Avaliação 4,8 (312 avaliações)", "R$ 534,97", "ou 12x de R$ 44,58", "Comissão: 4% (R$ 21,40)",
             "Temperatura 70°", "Quero me afiliar", "Sobre o produto", "Acesso imediato após a confirmação."]
    ws = words(*lines)
    kind, items = parse_screen(ws, matcher)
    assert kind == "product_page"
    (item,) = items
    assert item.matched_name == "Caixa de Som Bluetooth à Prova d'Água"
    assert item.fields.price == Decimal("534.97") and item.fields.rating == Decimal("4.8")
    assert not item.is_low_confidence
    # The same page with the price line read poorly: same values, flagged.
    shaky = [Word(w.text, 41.0 if w.text == "534,97" else w.conf, w.left, w.top, w.width, w.height, w.block,
                  w.par, w.line) for w in ws]
    _, (shaky_item,) = parse_screen(shaky, matcher)
    assert shaky_item.is_low_confidence


def test_chat_finds_products_inside_sentences(matcher):
    kind, items = parse_screen(words(
        "Afiliados Brasil online",
        "Galera, o Curso de Marketing Digital", "Completo está bombando: R$ 416,97", "10:02",
        "Comissão: 50% (R$ 208,49) e Temperatura 89°", "10:03",
        "E o Air Fryer 4L Digital sai por R$ 578,97", "10:05",
    ), matcher)
    assert kind == "chat"
    assert [(i.matched_name, i.fields.price) for i in items] == [
        ("Curso de Marketing Digital Completo", Decimal("416.97")),
        ("Air Fryer 4L Digital", Decimal("578.97")),
    ]
    assert items[0].fields.commission_amount == Decimal("208.49") and items[0].fields.temperature == 89
    assert items[1].fields.commission_amount is None


def test_text_without_products_gives_no_interactions(matcher):
    kind, items = parse_screen(words("Lista de compras", "arroz feijão café"), matcher)
    assert kind == "unknown" and items == []


def test_preprocessing_upscales_small_and_thresholds_dark_mode():
    from PIL import Image, ImageDraw

    dark = Image.new("RGB", (300, 120), "#101010")
    ImageDraw.Draw(dark).text((10, 40), "R$ 99,90", fill="#e0e0e0")
    img, applied = preprocess(dark, ("grayscale", "upscale", "otsu"))
    assert applied == ["grayscale", "upscale3x", "otsu"]  # 300 px wide: 3x
    assert img.size == (900, 360)
    assert img.getpixel((5, 5)) == 255  # dark background became white paper
    assert otsu_threshold(Image.new("L", (10, 10), 200)) == 127  # flat image: no crash


def test_whatsapp_bubbles_with_ticks_are_chats(matcher):
    kind, items = parse_screen(words(
        "14:32 87%", "Cliente", "Oi, o Yoga em Casa ainda está por R$ 777,90? 14:30 ✓✓", "Sim! 14:31 ✓✓",
    ), matcher)
    assert kind == "chat"
    assert [(i.matched_name, i.fields.price) for i in items] == [("Yoga em Casa", Decimal("777.90"))]


def test_demo_inputs_are_written_once(tmp_path):
    from affiliate_assets.defs.transcripts.screens_demo import prepare_demo
    from affiliate_assets.lib.settings import load_settings

    settings = load_settings().with_overrides(screens_inbox=tmp_path)
    first = prepare_demo(settings)
    files = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert "written" in first and "blank.png" in files and any(f.endswith(".jpg") for f in files)
    assert "already" in prepare_demo(settings)
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == files
