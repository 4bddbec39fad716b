"""The bundled product catalogue: a deterministic, realistic pt-BR catalogue every fake and sample shares.

Hotmart's fake serves it, the shop fake renders competitor pages for it, screenshots and voice notes
mention it, social posts link to it. Names are hand-written (what a Brazilian affiliate really sells);
prices, commissions and demand parameters come from a seeded generator, so every run sees the same data.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

SEED = 20240101

# (name, niche) per category. Formats follow Hotmart's product formats.
COURSES = [
    ("Curso de Marketing Digital Completo", "marketing digital"),
    ("Fórmula do Tráfego Pago", "marketing digital"),
    ("Instagram para Negócios", "marketing digital"),
    ("Copywriting Persuasivo na Prática", "marketing digital"),
    ("Afiliado Profissional do Zero", "marketing digital"),
    ("Venda Todo Dia no Mercado Livre", "e-commerce"),
    ("Dropshipping Nacional Lucrativo", "e-commerce"),
    ("Excel do Básico ao Avançado", "tecnologia"),
    ("Python para Iniciantes", "tecnologia"),
    ("Edição de Vídeo com CapCut", "tecnologia"),
    ("Design no Canva para Iniciantes", "tecnologia"),
    ("Inglês Fluente em 6 Meses", "idiomas"),
    ("Espanhol para Viagem", "idiomas"),
    ("Confeitaria Lucrativa", "culinária"),
    ("Marmitas Fitness Congeladas", "culinária"),
    ("Fotografia com Celular", "fotografia"),
    ("Finanças Pessoais Descomplicadas", "finanças"),
    ("Investindo na Bolsa do Zero", "finanças"),
    ("Maquiagem Profissional", "beleza"),
    ("Design de Sobrancelhas", "beleza"),
    ("Yoga em Casa", "saúde e fitness"),
    ("Treino Funcional em 30 Dias", "saúde e fitness"),
    ("Violão sem Mistério", "música"),
    ("Concurso Público: Método Aprovação", "educação"),
    ("Oratória e Comunicação", "desenvolvimento pessoal"),
    ("Costura Criativa", "artesanato"),
]
EBOOKS = [
    ("E-book Receitas Low Carb", "culinária"),
    ("Guia do Home Office Produtivo", "desenvolvimento pessoal"),
    ("50 Scripts de Vendas pelo WhatsApp", "marketing digital"),
    ("Planilha de Controle Financeiro", "finanças"),
    ("Dieta Anti-inflamatória", "saúde e fitness"),
    ("Manual do Primeiro Imóvel", "finanças"),
    ("Guia de Viagem Econômica", "viagem"),
    ("Jardinagem para Apartamento", "casa"),
    ("Receitas de Pão Caseiro", "culinária"),
    ("Ansiedade sob Controle", "saúde mental"),
    ("Maternidade Leve", "família"),
    ("Guia Completo do MEI", "negócios"),
    ("Caderno de Atividades Infantis", "educação"),
    ("Bíblia do Tráfego Orgânico", "marketing digital"),
]
MENTORSHIPS = [
    ("Mentoria Lançamento Seis em Sete", "marketing digital"),
    ("Mentoria Escala de Afiliados", "marketing digital"),
    ("Mentoria Carreira em Tecnologia", "tecnologia"),
    ("Mentoria Emagrecimento Definitivo", "saúde e fitness"),
    ("Mentoria Loja Virtual Lucrativa", "e-commerce"),
    ("Mentoria Investidor Inteligente", "finanças"),
]
PHYSICAL = [
    ("Fone Bluetooth TWS Pro", "eletrônicos"),
    ("Smartwatch Fit Série 8", "eletrônicos"),
    ("Caixa de Som Bluetooth à Prova d'Água", "eletrônicos"),
    ("Carregador Portátil 20000mAh", "eletrônicos"),
    ("Mini Projetor Portátil HD", "eletrônicos"),
    ("Ring Light 26cm com Tripé", "eletrônicos"),
    ("Air Fryer 4L Digital", "casa e cozinha"),
    ("Cafeteira Italiana 6 Xícaras", "casa e cozinha"),
    ("Garrafa Térmica Inox 1L", "casa e cozinha"),
    ("Luminária LED de Mesa", "casa e cozinha"),
    ("Kit Skincare Vitamina C", "beleza"),
    ("Escova Secadora Rotativa", "beleza"),
    ("Whey Protein Concentrado 900g", "suplementos"),
    ("Creatina Monohidratada 300g", "suplementos"),
    ("Tapete de Yoga Antiderrapante", "esporte"),
    ("Mochila Notebook Antifurto", "acessórios"),
]

CATEGORIES = {
    "curso_online": ("ONLINE_COURSE", COURSES, (97, 797)),
    "ebook": ("EBOOK", EBOOKS, (19.9, 67)),
    "mentoria": ("MENTORSHIP", MENTORSHIPS, (997, 4997)),
    "fisico": ("PHYSICAL", PHYSICAL, (39.9, 899)),
}
PRODUCERS = [
    "Escola Digital Brasil", "Ana Souza Treinamentos", "Instituto Carvalho", "Método Lima",
    "Pereira Educação", "Academia do Empreendedor", "Loja Casa Feliz", "TechMais Importados",
    "Vida Leve Suplementos", "Bela Pele Cosméticos",
]


@dataclass(frozen=True)
class Product:
    product_id: int
    ucode: str
    name: str
    slug: str
    category: str  # curso_online | ebook | mentoria | fisico
    format: str  # Hotmart product format
    niche: str
    producer: str
    price: Decimal  # BRL
    commission_rate: Decimal  # fraction of the price paid to the affiliate
    temperature: int  # Hotmart "temperatura" (0-150): how hot the product sells right now
    rating: Decimal  # 1-5 stars
    is_physical: bool
    unit_cost: Decimal | None  # physical goods: what a unit costs to buy
    stock_on_hand: int | None  # physical goods: estoque_atual
    lead_time_days: int | None  # physical goods: days from order to stock
    created_at: date
    launch_date: date | None  # a launch spike (Hotmart launches) when set
    base_daily_units: float  # average units a day before seasonality
    weekly_amplitude: float
    yearly_amplitude: float
    hashtag: str

    def as_dict(self) -> dict:
        return asdict(self)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _money(value: float) -> Decimal:
    """Shop-like prices: end in ,90 or ,00 / ,97 for digital products."""
    whole = int(value)
    cents = random.Random(whole).choice([0.9, 0.97, 0.0])
    return Decimal(str(whole + cents)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=1)
def catalogue() -> tuple[Product, ...]:
    """The 62 products, always the same ones in the same order."""
    rng = random.Random(SEED)
    products: list[Product] = []
    next_id = 1_204_871
    for category, (fmt, items, (low, high)) in CATEGORIES.items():
        for name, niche in items:
            next_id += rng.randint(3, 977)
            physical = category == "fisico"
            price = _money(rng.uniform(low, high))
            if physical:
                commission = Decimal(str(round(rng.uniform(0.04, 0.16), 2)))
                unit_cost = (price * Decimal(str(round(rng.uniform(0.35, 0.6), 2)))).quantize(Decimal("0.01"))
                stock = rng.randint(0, 400)
                lead_time = rng.choice([7, 10, 15, 21, 30, 45])
            else:
                commission = Decimal(str(rng.choice([0.3, 0.4, 0.5, 0.5, 0.6, 0.7])))
                unit_cost, stock, lead_time = None, None, None
            created = date(2023, 1, 1) + timedelta(days=rng.randint(0, 330))
            launch = date(2024, 1, 1) + timedelta(days=rng.randint(30, 900)) if rng.random() < 0.35 else None
            base = {"curso_online": 6.0, "ebook": 9.0, "mentoria": 0.6, "fisico": 7.0}[category]
            products.append(
                Product(
                    product_id=next_id,
                    ucode=f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}"
                    f"-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
                    name=name,
                    slug=slugify(name),
                    category=category,
                    format=fmt,
                    niche=niche,
                    producer=rng.choice(PRODUCERS[:6] if not physical else PRODUCERS[6:]),
                    price=price,
                    commission_rate=commission,
                    temperature=rng.randint(5, 150),
                    rating=Decimal(str(round(rng.uniform(3.6, 5.0), 1))),
                    is_physical=physical,
                    unit_cost=unit_cost,
                    stock_on_hand=stock,
                    lead_time_days=lead_time,
                    created_at=created,
                    launch_date=launch,
                    base_daily_units=round(base * rng.uniform(0.2, 2.5), 3),
                    weekly_amplitude=round(rng.uniform(0.1, 0.45), 3),
                    yearly_amplitude=round(rng.uniform(0.05, 0.4), 3),
                    hashtag="#" + slugify(name).replace("-", "")[:30],
                )
            )
    return tuple(products)


def by_id() -> dict[int, Product]:
    return {p.product_id: p for p in catalogue()}
