"""Sample screenshots with known ground truth: what an affiliate screenshots while working.

Three kinds of screen, rendered with Pillow and the DejaVu fonts in pt-BR (accents, ``R$ 1.234,56``):

- ``marketplace_card``: a phone-width Hotmart-marketplace-like list of two or three product cards (name,
  producer, price, ``Comissão: 50% (R$ 98,50)``, ``Temperatura 87°``, rating);
- ``product_page``: one product's sales page (title, rating, price and installments, commission,
  temperature, a paragraph about the product);
- ``chat``: WhatsApp-like bubbles, a customer asking about a product, or an affiliate group sharing one.

Every render returns the :class:`Truth` of what it shows, so tests can score the OCR field by field.
``noisy`` variants degrade a clean render the way real screenshots are degraded (blur, sensor noise, a
photo of a screen slightly rotated, heavy JPEG, downscaling), deterministically.
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from affiliate_assets.lib.money import format_brl, format_number
from affiliate_assets.sample_data.catalogue import Product, catalogue

if TYPE_CHECKING:
    from PIL import Image, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
WIDTH = 860
# smudge and grainy are bad enough that some fields are lost or misread: the reads must come out flagged.
NOISE_KINDS = ("blur", "noise", "rotate", "jpeg", "small", "smudge", "grainy")
HARSH_KINDS = ("tilt", "tiny")  # what preprocessing must rescue (8° photo, 30% thumbnail): for the bench
SEED = 20240607


@dataclass(frozen=True)
class ItemTruth:
    """What one product on a screen shows (None = not shown on that screen)."""

    product_id: int
    name: str
    price: Decimal | None = None
    commission_pct: Decimal | None = None
    commission_amount: Decimal | None = None
    rating: Decimal | None = None
    temperature: int | None = None


@dataclass
class Truth:
    file_name: str
    screen_type: str
    items: list[ItemTruth] = field(default_factory=list)
    variant: str = "clean"

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------------
# Formatting (pt-BR)
# --------------------------------------------------------------------------------------------------


def commission_of(product: Product) -> tuple[Decimal, Decimal]:
    pct = (product.commission_rate * 100).quantize(Decimal("1"))
    amount = (product.price * product.commission_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return pct, amount


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and fnt.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


# --------------------------------------------------------------------------------------------------
# Renders
# --------------------------------------------------------------------------------------------------


def _canvas(height: int, bg: str = "#f4f5f7") -> tuple[Image.Image, object]:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (WIDTH, height), bg)
    return img, ImageDraw.Draw(img)


def _header(draw, title: str, color: str = "#f04e23") -> None:
    draw.rectangle((0, 0, WIDTH, 78), fill=color)
    draw.text((28, 22), title, font=font(30, True), fill="white")


def render_marketplace(products: list[Product]) -> tuple[Image.Image, list[ItemTruth]]:
    """A marketplace list: one card per product, thumbnail left, details right."""
    card_h = 300
    img, draw = _canvas(150 + card_h * len(products) + 30)
    _header(draw, "Hotmart  Marketplace")
    draw.rounded_rectangle((24, 96, WIDTH - 24, 136), radius=18, fill="white", outline="#d0d4da")
    draw.text((48, 104), "Buscar produtos", font=font(20), fill="#8a9099")
    items = []
    for i, p in enumerate(products):
        top = 160 + i * card_h
        draw.rounded_rectangle((20, top, WIDTH - 20, top + card_h - 20), radius=14, fill="white",
                               outline="#dde1e6")
        hue = ["#5b8def", "#f0a030", "#3cb371", "#c05bd0"][p.product_id % 4]
        draw.rounded_rectangle((38, top + 20, 158, top + 140), radius=10, fill=hue)
        draw.text((68, top + 58), p.name[:2].upper(), font=font(34, True), fill="white")
        x = 180
        pct, amount = commission_of(p)
        draw.text((x, top + 18), p.name, font=font(25, True), fill="#1d2129")
        draw.text((x, top + 56), f"por {p.producer}", font=font(20), fill="#6b717a")
        draw.text((x, top + 92), format_brl(p.price), font=font(32, True), fill="#0b8a3e")
        draw.text((x, top + 142), f"Comissão: {pct}% ({format_brl(amount)})", font=font(22), fill="#1d2129")
        draw.text((x, top + 180), f"Temperatura {p.temperature}°", font=font(22), fill="#d9480f")
        draw.text((x + 300, top + 180), f"Nota {format_number(p.rating, 1)}", font=font(22), fill="#1d2129")
        draw.rounded_rectangle((x, top + 222, x + 170, top + 262), radius=8, fill="#f04e23")
        draw.text((x + 30, top + 229), "Afiliar-se", font=font(21, True), fill="white")
        items.append(ItemTruth(p.product_id, p.name, p.price, pct, amount, p.rating, p.temperature))
    return img, items


PAGE_BLURBS = [
    "Aprenda no seu ritmo, com aulas práticas, material de apoio e certificado de conclusão.",
    "Acesso imediato após a confirmação do pagamento. Garantia incondicional de 7 dias.",
    "Mais de mil alunos já transformaram a rotina com este método simples e direto.",
]


def render_product_page(p: Product, rng: random.Random) -> tuple[Image.Image, list[ItemTruth]]:
    """A sales page: title (may wrap), rating, price with installments, commission, temperature."""
    img, draw = _canvas(1040, bg="white")
    _header(draw, "Hotmart")
    title_font = font(34, True)
    y = 110
    for line in wrap(p.name, title_font, WIDTH - 60):
        draw.text((30, y), line, font=title_font, fill="#1d2129")
        y += 48
    draw.text((30, y + 6), f"por {p.producer}", font=font(22), fill="#6b717a")
    y += 52
    reviews = format_number(rng.randint(40, 4800), 0)
    draw.text((30, y), f"Avaliação {format_number(p.rating, 1)} ({reviews} avaliações)", font=font(22), fill="#1d2129")
    y += 60
    draw.text((30, y), format_brl(p.price), font=font(46, True), fill="#0b8a3e")
    y += 70
    n = 12 if p.price > 100 else 6
    draw.text((30, y), f"ou {n}x de {format_brl((p.price / n).quantize(Decimal('0.01')))}", font=font(22),
              fill="#6b717a")
    y += 60
    pct, amount = commission_of(p)
    draw.rounded_rectangle((24, y - 10, WIDTH - 24, y + 96), radius=10, fill="#fff4e6")
    draw.text((44, y + 4), f"Comissão: {pct}% ({format_brl(amount)})", font=font(24, True), fill="#1d2129")
    draw.text((44, y + 48), f"Temperatura {p.temperature}°", font=font(24), fill="#d9480f")
    y += 130
    draw.rounded_rectangle((30, y, 330, y + 56), radius=10, fill="#f04e23")
    draw.text((62, y + 13), "Quero me afiliar", font=font(24, True), fill="white")
    y += 96
    draw.text((30, y), "Sobre o produto", font=font(26, True), fill="#1d2129")
    y += 46
    for line in wrap(" ".join(rng.sample(PAGE_BLURBS, 2)), font(21), WIDTH - 60):
        draw.text((30, y), line, font=font(21), fill="#3a3f47")
        y += 32
    truth = ItemTruth(p.product_id, p.name, p.price, pct, amount, p.rating, p.temperature)
    return img.crop((0, 0, WIDTH, y + 30)), [truth]


def _bubbles(messages: list[tuple[bool, str, str]], title: str) -> Image.Image:
    """WhatsApp-like chat: (outgoing?, text, hh:mm) per bubble."""
    from PIL import Image, ImageDraw

    body = font(23)
    max_w = int(WIDTH * 0.72)
    laid = [(out, wrap(text, body, max_w - 40), hhmm) for out, text, hhmm in messages]
    height = 120 + sum(40 * len(lines) + 58 for _, lines, _ in laid) + 20
    img = Image.new("RGB", (WIDTH, height), "#ece5dd")
    draw = ImageDraw.Draw(img)
    _header(draw, title, color="#075e54")
    draw.text((WIDTH - 120, 30), "online", font=font(20), fill="white")
    y = 100
    for out, lines, hhmm in laid:
        w = max(body.getlength(line) for line in lines) + 40
        w = max(w, 150)
        h = 40 * len(lines) + 40
        x0 = WIDTH - 20 - w if out else 20
        draw.rounded_rectangle((x0, y, x0 + w, y + h), radius=12, fill="#dcf8c6" if out else "white")
        for j, line in enumerate(lines):
            draw.text((x0 + 20, y + 12 + 40 * j), line, font=body, fill="#1d2129")
        draw.text((x0 + w - 70, y + h - 26), hhmm, font=font(16), fill="#7a8088")
        y += h + 18
    return img


def render_chat(p: Product, rng: random.Random) -> tuple[Image.Image, list[ItemTruth]]:
    """A customer chat (product and price) or an affiliate group sharing an offer (adds commission and
    temperature)."""
    hour = rng.randint(8, 21)
    times = [f"{hour:02d}:{m:02d}" for m in sorted(rng.sample(range(60), 5))]
    pct, amount = commission_of(p)
    if rng.random() < 0.5:
        messages = [
            (False, f"Oi! Vi o {p.name} no seu link, ainda está disponível?", times[0]),
            (True, f"Olá! Está sim, sai por {format_brl(p.price)} à vista.", times[1]),
            (False, "Ótimo, vou comprar agora. Obrigado!", times[2]),
        ]
        item = ItemTruth(p.product_id, p.name, p.price)
        title = rng.choice(["Mariana Alves", "João Pereira", "Cliente Instagram"])
    else:
        messages = [
            (False, f"Galera, o {p.name} está bombando: {format_brl(p.price)}", times[0]),
            (False, f"Comissão: {pct}% ({format_brl(amount)}) e Temperatura {p.temperature}°", times[1]),
            (True, "Valeu pela dica, já peguei meu link de afiliado!", times[2]),
        ]
        item = ItemTruth(p.product_id, p.name, p.price, pct, amount, None, p.temperature)
        title = "Afiliados Brasil"
    return _bubbles(messages, title), [item]


# --------------------------------------------------------------------------------------------------
# Noise
# --------------------------------------------------------------------------------------------------


def _sensor_noise(img: Image.Image, sigma: float, seed: int) -> Image.Image:
    import numpy as np
    from PIL import Image

    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    arr = arr + np.random.default_rng(seed).normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def degrade(img: Image.Image, kind: str, seed: int = 0) -> tuple[Image.Image, str]:
    """A degraded copy of ``img`` and the file suffix to save it with (JPEG noise must be saved as JPEG)."""
    from PIL import ImageFilter

    if kind == "blur":
        return img.filter(ImageFilter.GaussianBlur(1.6)), "png"
    if kind == "noise":
        return _sensor_noise(img, 38, seed), "png"
    if kind == "rotate":
        return img.rotate(3.5, expand=True, fillcolor="white", resample=3), "png"
    if kind == "jpeg":
        small = img.resize((img.width * 2 // 3, img.height * 2 // 3))
        return small, "jpg"
    if kind == "small":
        return img.resize((img.width * 45 // 100, img.height * 45 // 100)), "png"
    if kind == "tiny":
        return img.resize((img.width * 30 // 100, img.height * 30 // 100), resample=2), "png"
    if kind == "tilt":
        return img.rotate(-8, expand=True, fillcolor="white", resample=3), "png"
    if kind == "smudge":
        return img.filter(ImageFilter.GaussianBlur(2.6)), "png"
    if kind == "grainy":
        return _sensor_noise(img.resize((img.width // 2, img.height // 2)), 45, seed), "png"
    raise ValueError(f"unknown noise kind {kind!r}")


def save(img: Image.Image, path: Path, fmt: str) -> None:
    if fmt == "jpg":
        img.convert("RGB").save(path, "JPEG", quality=18)
    else:
        img.save(path, "PNG")


# --------------------------------------------------------------------------------------------------
# Sets
# --------------------------------------------------------------------------------------------------


def render(kind: str, products: list[Product], rng: random.Random) -> tuple[Image.Image, list[ItemTruth]]:
    if kind == "marketplace_card":
        return render_marketplace(products)
    if kind == "product_page":
        return render_product_page(products[0], rng)
    if kind == "chat":
        return render_chat(products[0], rng)
    raise ValueError(f"unknown screen kind {kind!r}")


def plan(n_clean: int, seed: int = SEED) -> list[tuple[str, list[Product]]]:
    """Which products each of ``n_clean`` screens shows, cycling through the three kinds."""
    rng = random.Random(seed)
    pools = {c: [p for p in catalogue() if p.category == c] for c in ("mentoria", "fisico", "curso_online", "ebook")}
    cats = list(pools)
    kinds = ("marketplace_card", "product_page", "chat")
    out = []
    for i in range(n_clean):
        n = 2 if i % 3 == 0 else 1
        out.append((kinds[i % 3], [rng.choice(pools[cats[(i + k) % 4]]) for k in range(n)]))
    return out


def generate_screenshots(dest: Path, n_clean: int = 6, noisy: tuple[str, ...] = NOISE_KINDS,
                         blank: bool = False, seed: int = SEED) -> list[Truth]:
    """Write ``n_clean`` clean screenshots, one degraded copy per entry of ``noisy`` (cycling over the
    clean ones) and optionally a blank image into ``dest``; return their ground truth. Deterministic."""
    from PIL import Image

    dest.mkdir(parents=True, exist_ok=True)
    truths: list[Truth] = []
    clean: list[tuple[Image.Image, Truth]] = []
    for i, (kind, products) in enumerate(plan(n_clean, seed)):
        img, items = render(kind, products, random.Random(seed + i))
        truth = Truth(f"screen_{i:02d}_{kind}.png", kind, items)
        save(img, dest / truth.file_name, "png")
        truths.append(truth)
        clean.append((img, truth))
    for j, kind in enumerate(noisy):
        img, truth = clean[j % len(clean)]
        noisy_img, fmt = degrade(img, kind, seed + j)
        name = truth.file_name.replace(".png", f"_{kind}.{fmt}")
        save(noisy_img, dest / name, fmt)
        truths.append(Truth(name, truth.screen_type, truth.items, variant=kind))
    if blank:
        Image.new("RGB", (WIDTH, 600), "white").save(dest / "blank.png")
        truths.append(Truth("blank.png", "unknown", [], variant="blank"))
    return truths


def screenshot_bytes(kind: str, product_ids: list[int], fmt: str = "png", seed: int = SEED) -> bytes:
    """One render as file bytes (tests that need a specific screen)."""
    by_id = {p.product_id: p for p in catalogue()}
    img, _ = render(kind, [by_id[i] for i in product_ids], random.Random(seed))
    buf = io.BytesIO()
    img.save(buf, "PNG" if fmt == "png" else "JPEG")
    return buf.getvalue()
