"""Product linking on known captions: link beats hashtag beats name; loose and cut mentions still match."""

from __future__ import annotations

from collections import Counter

import pytest
from social_testkit import AT

from affiliate_assets.defs.social.linking import ProductLinker, catalogue_entries
from affiliate_assets.sample_data import social as sample
from affiliate_assets.sample_data.catalogue import catalogue


@pytest.fixture(scope="module")
def linker() -> ProductLinker:
    return ProductLinker(catalogue_entries((p.product_id, p.name, None, p.hashtag, p.ucode) for p in catalogue()))


def pid(name: str) -> int:
    return next(p.product_id for p in catalogue() if p.name == name)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("🔥 Corre! https://produto.mercadolivre.com.br/MLB-1232673-air-fryer-4l-digital-_JM #oferta",
         {("Air Fryer 4L Digital", "link")}),
        ("Link: https://hotmart.com/pt-br/marketplace/produtos/python-para-iniciantes/A1B2C3 #python",
         {("Python para Iniciantes", "link")}),
        ("Meu queridinho do mês 💜 #YogaEmCasa #recomendo", {("Yoga em Casa", "hashtag")}),
        ("Tô usando o air fryer 4l faz duas semanas 😍", {("Air Fryer 4L Digital", "name")}),
        ("quem mais ama o Curso de Marketing Digital Completo??", {("Curso de Marketing Digital Completo", "name")}),
        ("Alguém mais viciado no ring light 26cm? e o cafeteira italiana 6 chegou!",
         {("Ring Light 26cm com Tripé", "name"), ("Cafeteira Italiana 6 Xícaras", "name")}),
        # The hashtag wins over the name mention of the same product: one link, the stronger method.
        ("A dieta anti-inflamatória mudou tudo #dietaantiinflamatoria", {("Dieta Anti-inflamatória", "hashtag")}),
        # A description cut at 150 characters in the middle of a hashtag.
        ("Vale muito a pena! #mentorialancamentoseisemse", {("Mentoria Lançamento Seis em Sete", "hashtag")}),
        # A caption that merely ends in a generic hashtag is not cut: "#afiliado" is not a product.
        ("Garanta o seu https://produto.mercadolivre.com.br/MLB-1229852-smartwatch-fit-serie-8-_JM #afiliado",
         {("Smartwatch Fit Série 8", "link")}),
        ("Bom dia, pessoal! ☀️ Segunda-feira é dia de foco. #motivacao #rotina", set()),
        ("Treino de yoga hoje cedo 🧘 #yoga", set()),  # a topic, not a product
        ("Bastidores do meu home office hoje 🎥", set()),
    ],
)
def test_known_captions_link_to_the_right_products(linker, caption, expected):
    got = {(next(p.name for p in catalogue() if p.product_id == m.product_id), m.method)
           for m in linker.link(caption, max_length=len(caption) if "seisemse" in caption else None)}
    assert got == expected


def test_the_sample_posts_link_to_what_they_mention(linker):
    """Over every sample post (1,400+), the linker finds exactly the products the caption names,
    except where a TikTok description was cut before the second product's hashtag was readable."""
    outcome: Counter[str] = Counter()
    for platform in sample.PLATFORMS:
        for post in sample.all_posts(platform, AT):
            limit = 150 if platform == "tiktok" else None
            got = {m.product_id for m in linker.link(post.caption, post.permalink, max_length=limit)}
            want = set(post.product_ids)
            if got == want:
                outcome["exact"] += 1
            elif got < want and platform == "tiktok" and len(post.caption) == 150:
                outcome["cut"] += 1
            else:
                outcome[f"wrong {post.mention}"] += 1
    total = sum(outcome.values())
    assert total > 1_400
    assert set(outcome) <= {"exact", "cut"}, outcome
    assert outcome["cut"] < 0.01 * total
