"""Deterministic sample sales: what the bundled catalogue sells, day by day, with realistic seasonality.

The Hotmart fake serves these sales, the sales-files samples export them and the forecasting tests know
what demand to expect. Nothing is stored: every UTC day is generated from a seed derived from the date,
so any range is reproducible, days can be generated in any order, and a ``scale`` knob multiplies volume
(1.0 ≈ 120-200 sales a day over the 62 products; 200 ≈ 30k a day for the 1M-row benchmark) without ever
holding more than one day in memory.

Public API (keep it stable, other domains import it):

- :func:`expected_units(product, day)` - the demand curve: mean units a day before noise (scale 1);
- :func:`expected_sales(day, scale)` - the mean number of sales of a day over the catalogue;
- :func:`sales_for_day(day, scale)` - the sales of one UTC day, sorted by ``order_date``;
- :func:`iter_sales(start, end, scale)` - streams the sales of the days in ``[start, end)``;
- :class:`Sale` / :class:`Buyer` - plain frozen records (clear-text PII: hash it before storing).

What shapes the data: weekly and yearly seasonality per product (catalogue amplitudes; courses peak in
January, physical goods towards December), Black Friday week and Cyber Monday, the Christmas run-up,
launch spikes (catalogue ``launch_date``), nothing before a product exists; evening-heavy order times
(Brasília clock); PIX, boleto and card (with installments and interest); refunds, chargebacks, expired
boletos; buyers spread over the Brazilian states by population (a few from Portugal), about a third of
purchases by returning buyers.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from affiliate_assets.sample_data.catalogue import Product, catalogue, slugify

SEED = "affiliate-data/sales/v1"
UNITS_PER_BASE = 0.22
"""Calibrates the catalogue's ``base_daily_units`` to ~120-200 sales a day at scale 1."""
FIRST_DAY = date(2024, 1, 1)
CENT = Decimal("0.01")
HOTMART_FEE_RATE = Decimal("0.099")
HOTMART_FEE_FIXED = Decimal("1.00")
CARD_INTEREST_MONTHLY = Decimal("0.0249")

# UF, population in millions (IBGE census 2022), DDD, main cities.
STATES: tuple[tuple[str, float, str, tuple[str, ...]], ...] = (
    ("SP", 44.4, "11", ("São Paulo", "Campinas", "Guarulhos", "Santos", "Ribeirão Preto", "Sorocaba")),
    ("MG", 20.5, "31", ("Belo Horizonte", "Uberlândia", "Contagem", "Juiz de Fora")),
    ("RJ", 16.1, "21", ("Rio de Janeiro", "Niterói", "São Gonçalo", "Duque de Caxias")),
    ("BA", 14.1, "71", ("Salvador", "Feira de Santana", "Vitória da Conquista")),
    ("PR", 11.4, "41", ("Curitiba", "Londrina", "Maringá")),
    ("RS", 10.9, "51", ("Porto Alegre", "Caxias do Sul", "Pelotas")),
    ("PE", 9.1, "81", ("Recife", "Jaboatão dos Guararapes", "Olinda")),
    ("CE", 8.8, "85", ("Fortaleza", "Caucaia", "Juazeiro do Norte")),
    ("PA", 8.1, "91", ("Belém", "Ananindeua", "Santarém")),
    ("SC", 7.6, "48", ("Florianópolis", "Joinville", "Blumenau")),
    ("GO", 7.1, "62", ("Goiânia", "Aparecida de Goiânia", "Anápolis")),
    ("MA", 6.8, "98", ("São Luís", "Imperatriz")),
    ("PB", 4.0, "83", ("João Pessoa", "Campina Grande")),
    ("AM", 3.9, "92", ("Manaus",)),
    ("ES", 3.8, "27", ("Vitória", "Vila Velha", "Serra")),
    ("MT", 3.7, "65", ("Cuiabá", "Várzea Grande")),
    ("RN", 3.3, "84", ("Natal", "Mossoró")),
    ("PI", 3.3, "86", ("Teresina",)),
    ("AL", 3.1, "82", ("Maceió", "Arapiraca")),
    ("DF", 2.8, "61", ("Brasília",)),
    ("MS", 2.8, "67", ("Campo Grande", "Dourados")),
    ("SE", 2.2, "79", ("Aracaju",)),
    ("RO", 1.6, "69", ("Porto Velho",)),
    ("TO", 1.5, "63", ("Palmas",)),
    ("AC", 0.8, "68", ("Rio Branco",)),
    ("AP", 0.7, "96", ("Macapá",)),
    ("RR", 0.6, "95", ("Boa Vista",)),
)
_STATE_WEIGHTS = [s[1] for s in STATES]
FOREIGN = (("PT", "Lisboa"), ("PT", "Porto"), ("US", "Orlando"))
FOREIGN_SHARE = 0.01

FIRST_NAMES = (
    "Ana", "Maria", "Juliana", "Fernanda", "Patrícia", "Aline", "Camila", "Beatriz", "Larissa", "Letícia",
    "Gabriela", "Mariana", "Bruna", "Amanda", "Jéssica", "Vanessa", "Tatiane", "Renata", "Luciana", "Débora",
    "João", "José", "Carlos", "Paulo", "Lucas", "Pedro", "Gabriel", "Rafael", "Marcos", "Felipe",
    "Bruno", "Rodrigo", "Thiago", "André", "Diego", "Leandro", "Gustavo", "Matheus", "Vinícius", "Antônio",
)
LAST_NAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
    "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
    "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto", "Monteiro", "Conceição",
)
EMAIL_DOMAINS = (("gmail.com", 62), ("hotmail.com", 14), ("outlook.com", 8), ("yahoo.com.br", 6),
                 ("icloud.com", 4), ("uol.com.br", 3), ("bol.com.br", 2), ("terra.com.br", 1))

# Payment type, weight, approval delay range (minutes).
PAYMENTS = (("CREDIT_CARD", 46, (0, 2)), ("PIX", 38, (1, 20)), ("BILLET", 12, (600, 4320)),
            ("PAYPAL", 2, (0, 5)), ("GOOGLE_PAY", 2, (0, 2)))
CARD_BRANDS = (("VISA", 40), ("MASTERCARD", 38), ("ELO", 14), ("AMEX", 4), ("HIPERCARD", 4))
# Status of a paid sale (by share), and what an unpaid one ends as.
PAID_STATUSES = (("COMPLETE", 84.0), ("APPROVED", 8.0), ("REFUNDED", 5.5), ("PARTIALLY_REFUNDED", 0.5),
                 ("CHARGEBACK", 0.8))
# Share of orders never paid, by payment type (boleto printed but not paid, card refused).
UNPAID_SHARE = {"BILLET": 0.35, "CREDIT_CARD": 0.04, "PIX": 0.06, "PAYPAL": 0.03, "GOOGLE_PAY": 0.03}
UNPAID_STATUS = {"BILLET": "EXPIRED", "CREDIT_CARD": "CANCELLED", "PIX": "EXPIRED", "PAYPAL": "CANCELLED",
                 "GOOGLE_PAY": "CANCELLED"}
# Order-time weights by hour of the Brasília clock (UTC-3): quiet nights, evening peak.
LOCAL_HOUR_WEIGHTS = (2, 1, 1, 0.5, 0.5, 0.7, 1.5, 3, 4, 5, 5.5, 6, 6, 5.5, 5.5, 5.5, 5.5, 6, 6.5, 7.5, 8.5,
                      9, 8, 5)
UTC_HOUR_WEIGHTS = tuple(LOCAL_HOUR_WEIGHTS[(h - 3) % 24] for h in range(24))
RETURNING_SHARE = 0.33

AFFILIATE = ("Juliana Prado Afiliada", "6c1f9d0e-2b7a-4e31-9a55-0d4f3b8e7a21")
"""The account whose sales these are: an affiliate credited with every sale (commission_as AFFILIATE)."""
COPRODUCER = ("Rafael Nunes Coprodução", "a9e2c4b1-7d35-4f08-b6a2-1c9e8d7f5a43")


@dataclass(frozen=True, slots=True)
class Buyer:
    ucode: str
    name: str
    email: str
    phone: str
    city: str
    state: str | None
    country: str


@dataclass(frozen=True, slots=True)
class Sale:
    """One order. ``price`` is what the buyer paid (interest included); commissions are in BRL."""

    transaction: str
    order_date: datetime
    approved_date: datetime | None
    status: str
    product_id: int
    product_name: str
    producer: str
    buyer: Buyer
    payment_type: str
    payment_method: str | None
    installments: int
    offer_code: str
    offer_price: Decimal
    price: Decimal
    hotmart_fee: Decimal
    affiliate_commission: Decimal
    coproducer_commission: Decimal
    producer_commission: Decimal
    tracking_source: str
    warranty_days: int

    @property
    def is_paid(self) -> bool:
        return self.approved_date is not None

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------------


def black_friday(year: int) -> date:
    """The Friday after the fourth Thursday of November."""
    nov1 = date(year, 11, 1)
    first_thursday = nov1 + timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + timedelta(days=22)


@lru_cache(maxsize=8)
def _events(year: int) -> dict[date, float]:
    """Calendar multipliers of one year: Black Friday week, Cyber Monday, Christmas run-up, Mother's Day."""
    bf = black_friday(year)
    out: dict[date, float] = {}
    for i in range(1, 8):
        out[bf - timedelta(days=i)] = 1.6
    out[bf] = 4.0
    out[bf + timedelta(days=1)] = 2.2
    out[bf + timedelta(days=2)] = 1.8
    out[bf + timedelta(days=3)] = 2.5  # Cyber Monday
    for d in range(10, 24):
        out[date(year, 12, d)] = max(out.get(date(year, 12, d), 1.0), 1.35)
    may1 = date(year, 5, 1)
    mothers_day = may1 + timedelta(days=(6 - may1.weekday()) % 7 + 7)
    for i in range(1, 8):
        out[mothers_day - timedelta(days=i)] = 1.3
    return out


def _yearly_peak_doy(product: Product) -> int:
    """Courses and e-books sell on New Year resolutions; physical goods towards Christmas."""
    return 350 if product.is_physical else 15


def expected_units(product: Product, day: date) -> float:
    """Mean sales of ``product`` on ``day`` at scale 1 (before Poisson noise): the curve to forecast."""
    if day < product.created_at:
        return 0.0
    base = product.base_daily_units * UNITS_PER_BASE
    weekly = 1 + product.weekly_amplitude * math.cos(2 * math.pi * (day.weekday() - 1) / 7)
    doy = day.timetuple().tm_yday
    yearly = 1 + product.yearly_amplitude * math.cos(2 * math.pi * (doy - _yearly_peak_doy(product)) / 365.25)
    event = _events(day.year).get(day, 1.0)
    if product.is_physical and event > 1.0:
        event *= 1.15
    launch = 1.0
    if product.launch_date is not None:
        since = (day - product.launch_date).days
        if -3 <= since < 0:
            launch = 0.6  # the audience waits for the cart to open
        elif 0 <= since < 14:
            launch = 1 + 7.0 * math.exp(-since / 2.5)
    growth = 1 + 0.15 * ((day - FIRST_DAY).days / 365.25)  # the affiliate's audience grows
    return max(0.0, base * weekly * yearly * event * launch * growth)


@lru_cache(maxsize=4096)
def expected_sales(day: date, scale: float = 1.0) -> float:
    """Mean number of sales (orders) on ``day`` over the whole catalogue."""
    return scale * sum(expected_units(p, day) for p in catalogue())


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:  # normal approximation: exact enough and O(1) at benchmark scales
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --------------------------------------------------------------------------------------------------
# Buyers, offers, money
# --------------------------------------------------------------------------------------------------


class _Bits:
    """Cheap deterministic draws from one 64-bit hash (splitmix64): a ``random.Random`` per buyer would
    cost a seeding each, and buyers are generated for every sale of a 1M-row benchmark."""

    __slots__ = ("state",)
    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def chance(self, p: float) -> bool:
        return self.next() < p * 2**64

    def weighted(self, population, cum_weights):
        return population[bisect.bisect(cum_weights, self.next() / 2**64 * cum_weights[-1])]

    def uuid(self) -> str:
        a, b = self.next(), self.next()
        return (f"{a >> 32:08x}-{(a >> 16) & 0xFFFF:04x}-4{a & 0xFFF:03x}-{8 + (b >> 62):x}{(b >> 48) & 0xFFF:03x}"
                f"-{b & 0xFFFFFFFFFFFF:012x}")


_DOMAINS, _DOMAIN_W = zip(*EMAIL_DOMAINS, strict=True)
_DOMAIN_CUM = list(itertools.accumulate(_DOMAIN_W))
_STATE_CUM = list(itertools.accumulate(_STATE_WEIGHTS))


@lru_cache(maxsize=256)
def _slug(name: str) -> str:
    return slugify(name)


@lru_cache(maxsize=200_000)
def buyer(first_day_ordinal: int, index: int) -> Buyer:
    """The buyer who first bought on day ``first_day_ordinal`` as that day's ``index``-th new buyer."""
    bits = _Bits(first_day_ordinal * 100_000_003 + index)
    first, last = FIRST_NAMES[bits.below(len(FIRST_NAMES))], LAST_NAMES[bits.below(len(LAST_NAMES))]
    middle = LAST_NAMES[bits.below(len(LAST_NAMES))] if bits.chance(0.5) else None
    name = " ".join(x for x in (first, middle, last) if x)
    local = f"{_slug(first)}.{_slug(last)}"
    if bits.chance(0.6):
        local += str(1 + bits.below(99) if bits.chance(0.7) else 1970 + bits.below(37))
    email = f"{local}@{bits.weighted(_DOMAINS, _DOMAIN_CUM)}"
    ucode = bits.uuid()
    if bits.chance(FOREIGN_SHARE):
        country, city = FOREIGN[bits.below(len(FOREIGN))]
        phone = f"+351 9{10 + bits.below(30)} {100 + bits.below(900)} {100 + bits.below(900)}"
        return Buyer(ucode, name, email, phone, city, None, country)
    uf, _, ddd, cities = bits.weighted(STATES, _STATE_CUM)
    city = cities[0] if bits.chance(0.55) else cities[bits.below(len(cities))]
    phone = f"({ddd}) 9{6000 + bits.below(4000)}-{bits.below(10000):04d}"
    return Buyer(ucode, name, email, phone, city, uf, "BR")


def _pick_buyer(rng: random.Random, day: date, new_index: int, scale: float) -> tuple[Buyer, bool]:
    """A returning buyer (someone who first bought on an earlier day) or a new one."""
    if day > FIRST_DAY and rng.random() < RETURNING_SHARE:
        back = min((day - FIRST_DAY).days, 1 + int(rng.expovariate(1 / 120)))
        past = day - timedelta(days=back)
        pool = max(1, int(expected_sales(past, scale) * (1 - RETURNING_SHARE)))
        return buyer(past.toordinal(), rng.randrange(pool)), False
    return buyer(day.toordinal(), new_index), True


@lru_cache(maxsize=256)
def offer_codes(product: Product) -> tuple[str, str]:
    """(main offer, promotional offer) codes of a product: 8 lowercase characters, like Hotmart's."""
    rng = random.Random(f"{SEED}/offer/{product.product_id}")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choices(alphabet, k=8)), "".join(rng.choices(alphabet, k=8))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _warranty_days(product: Product) -> int:
    return 7 if product.is_physical else (30 if product.category == "mentoria" else 7)


_PAY_TYPES, _PAY_W, _PAY_DELAY = zip(*PAYMENTS, strict=True)
_PAY_CUM = list(itertools.accumulate(_PAY_W))
_BRANDS, _BRAND_W = zip(*CARD_BRANDS, strict=True)
_BRAND_CUM = list(itertools.accumulate(_BRAND_W))
_PAID, _PAID_W = zip(*PAID_STATUSES, strict=True)
_PAID_CUM = list(itertools.accumulate(_PAID_W))
_TRACKING = ("instagram", "youtube", "whatsapp", "tiktok", "facebook", "email", "google", "organico")
_TRACKING_CUM = list(itertools.accumulate((30, 18, 16, 12, 8, 8, 5, 3)))
_HOUR_CUM = list(itertools.accumulate(UTC_HOUR_WEIGHTS))


# --------------------------------------------------------------------------------------------------
# Sales
# --------------------------------------------------------------------------------------------------


def _pick(rng: random.Random, population, cum_weights):
    """``rng.choices(population, cum_weights=...)[0]`` without its per-call overhead (hot path)."""
    return population[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


def _day_rng(day: date, scale: float) -> random.Random:
    return random.Random(f"{SEED}/{day.isoformat()}/{scale!r}")


def _order_time(rng: random.Random, day: date) -> datetime:
    hour = _pick(rng, range(24), _HOUR_CUM)
    seconds = hour * 3600 + rng.randrange(3600)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds,
                                                                          milliseconds=rng.randrange(1000))


def _make_sale(rng: random.Random, product: Product, day: date, seq: int, new_index: int,
               scale: float) -> tuple[Sale, bool]:
    order_date = _order_time(rng, day)
    person, is_new = _pick_buyer(rng, day, new_index, scale)
    main, promo = offer_codes(product)
    event = _events(day.year).get(day, 1.0)
    promo_share = 0.6 if event >= 1.6 else 0.15
    if rng.random() < promo_share:
        offer, offer_price = promo, money(product.price * Decimal("0.8" if event < 1.6 else "0.7"))
    else:
        offer, offer_price = main, product.price
    i = _pick(rng, range(len(_PAY_TYPES)), _PAY_CUM)
    pay_type, delay = _PAY_TYPES[i], _PAY_DELAY[i]
    method, installments, price = None, 1, offer_price
    if pay_type == "CREDIT_CARD":
        method = _pick(rng, _BRANDS, _BRAND_CUM)
        if offer_price >= 100 and rng.random() < 0.6:
            installments = rng.choice((2, 3, 4, 5, 6, 10, 12)) if offer_price < 1000 else rng.choice((6, 10, 12))
            price = money(offer_price * (1 + CARD_INTEREST_MONTHLY * (installments - 1)))
    if rng.random() < UNPAID_SHARE[pay_type]:
        status, approved = UNPAID_STATUS[pay_type], None
    else:
        status = _pick(rng, _PAID, _PAID_CUM)
        approved = order_date + timedelta(minutes=rng.uniform(*delay))
    fee = money(offer_price * HOTMART_FEE_RATE + HOTMART_FEE_FIXED)
    net = offer_price - fee
    affiliate = money(net * product.commission_rate)
    coproducer = money(net * Decimal("0.2")) if product.product_id % 5 == 0 and not product.is_physical \
        else Decimal("0.00")
    producer = money(net - affiliate - coproducer)
    transaction = f"HP{day.toordinal():07d}{seq:07d}"
    sale = Sale(
        transaction=transaction, order_date=order_date, approved_date=approved, status=status,
        product_id=product.product_id, product_name=product.name, producer=product.producer, buyer=person,
        payment_type=pay_type, payment_method=method, installments=installments, offer_code=offer,
        offer_price=offer_price, price=price, hotmart_fee=fee, affiliate_commission=affiliate,
        coproducer_commission=coproducer, producer_commission=producer,
        tracking_source=_pick(rng, _TRACKING, _TRACKING_CUM), warranty_days=_warranty_days(product),
    )
    return sale, is_new


def daily_counts(day: date, scale: float = 1.0) -> dict[int, int]:
    """Number of sales per product id on ``day`` (the Poisson draws :func:`sales_for_day` uses)."""
    rng = _day_rng(day, scale)
    return {p.product_id: _poisson(rng, scale * expected_units(p, day)) for p in catalogue()}


def sales_for_day(day: date, scale: float = 1.0) -> list[Sale]:
    """All sales whose ``order_date`` falls on UTC ``day``, sorted by order date (then transaction).

    Deterministic: the same (day, scale) always gives the same sales, independently of other days.
    """
    counts = daily_counts(day, scale)
    rng = random.Random(f"{SEED}/{day.isoformat()}/{scale!r}/details")
    products = catalogue()
    sales: list[Sale] = []
    seq = new_index = 0
    for product in products:
        for _ in range(counts[product.product_id]):
            seq += 1
            sale, is_new = _make_sale(rng, product, day, seq, new_index, scale)
            new_index += is_new
            sales.append(sale)
    sales.sort(key=lambda s: (s.order_date, s.transaction))
    return sales


def iter_sales(start: date, end: date, scale: float = 1.0) -> Iterator[Sale]:
    """Sales of the UTC days in ``[start, end)``, one day in memory at a time."""
    day = start
    while day < end:
        yield from sales_for_day(day, scale)
        day += timedelta(days=1)


def count_sales(start: date, end: date, scale: float = 1.0) -> int:
    """How many sales ``iter_sales(start, end, scale)`` yields, without building them."""
    total, day = 0, start
    while day < end:
        total += sum(daily_counts(day, scale).values())
        day += timedelta(days=1)
    return total
