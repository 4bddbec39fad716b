"""Deterministic social posts of one Brazilian affiliate on Instagram, Facebook and TikTok.

The social fake serves these through the real API shapes. Every post is a pure function of (platform,
day), and every metric a pure function of (post, moment), so the fake can answer "what did the API say at
time T" for any T, and tests know the truth (which products a caption really mentions) to check the linker.

What makes the data useful downstream:

- posts link to catalogue products by URL, by the catalogue hashtag, or by a loose mention of the name
  (lower case, no accents, a word dropped), and some are about nothing sellable;
- products are picked in proportion to their popularity, and engagement grows with it, so "top products
  by social engagement" ranks like sales do;
- lifetime totals rise fast after posting and flatten (1 - e^(-age/τ)), like real posts;
- followers grow steadily with a weekly wobble, and links earn clicks (Facebook reports link clicks), so
  click → sale conversion can be computed.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from affiliate_assets.sample_data.catalogue import Product, catalogue

SEED = 20240102
START = date(2024, 1, 1)
PLATFORMS = ("instagram", "facebook", "tiktok")

IG_USER_ID = "17841405822304914"
FB_PAGE_ID = "104395178882231"
TIKTOK_OPEN_ID = "-000aff3c-5d1e-4b8a-9c2f-achadinhos"
ACCOUNT_IDS = {"instagram": IG_USER_ID, "facebook": FB_PAGE_ID, "tiktok": TIKTOK_OPEN_ID}
HANDLE = "achadinhosdaju"

IMPRESSIONS_CUTOFF = datetime(2024, 7, 2, tzinfo=UTC)
"""Instagram stopped reporting ``impressions`` for media created from this day on (views replaced it)."""

# Mean posts a day, decay time constant of engagement (days), starting followers, daily follower growth.
PROFILE = {
    "instagram": {"rate": 0.45, "tau": 1.2, "followers": 18_400, "growth": 0.0011},
    "facebook": {"rate": 0.3, "tau": 0.8, "followers": 9_100, "growth": 0.0007},
    "tiktok": {"rate": 0.6, "tau": 2.5, "followers": 31_000, "growth": 0.0012},
}
MEDIA_TYPES = {
    "instagram": ["IMAGE", "IMAGE", "CAROUSEL_ALBUM", "VIDEO", "VIDEO"],
    "facebook": ["added_photos", "shared_story", "added_video", "mobile_status_update"],
    "tiktok": ["VIDEO"],
}

LINK_TEMPLATES = [
    "🔥 {name} com condição especial só hoje! Garanta o seu aqui: {url} #oferta #afiliado",
    "Quem pediu, chegou! {name} 👉 {url} #achadinhos",
    "Testei e aprovei ✅ {name}. Link com desconto: {url}",
]
HASHTAG_TEMPLATES = [
    "Vocês perguntaram e eu respondo: vale muito a pena! {tag} #dica #achadinhos",
    "Resultado depois de 30 dias 😱 {tag} #antesedepois",
    "Meu queridinho do mês 💜 {tag} #recomendo",
]
NAME_TEMPLATES = [
    "Tô usando o {loose} faz duas semanas e olha isso 😍 link na bio!",
    "Alguém mais viciado no {loose}? Comenta aqui 👇",
    "Se você ainda não conhece o {loose}, corre que está com preço bom! link na bio",
]
NOTHING_CAPTIONS = [
    "Bom dia, pessoal! ☀️ Segunda-feira é dia de foco. #motivacao #rotina",
    "Bastidores de hoje: gravando conteúdo novo pra vocês 🎥 #bastidores",
    "Sextou! Qual o plano de vocês pro fim de semana? 🎉",
    "Obrigada pelos 🙏 seguidores novos! Vocês são demais #gratidao",
    "Pergunta do dia: café ou chá? ☕ #enquete",
    "Dia de descanso também é produtivo 😴 #autocuidado",
]
STOPWORDS = {"de", "do", "da", "dos", "das", "e", "em", "para", "com", "no", "na", "a", "o", "ao", "sem"}


@dataclass(frozen=True)
class Post:
    platform: str
    post_id: str
    posted_at: datetime
    caption: str
    permalink: str
    media_type: str
    product_ids: tuple[int, ...]  # the truth: products the caption really refers to
    mention: str  # link | hashtag | name | none
    reach_final: int
    likes_final: int
    comments_final: int
    shares_final: int
    saves_final: int
    clicks_final: int
    views_final: int

    @property
    def account_id(self) -> str:
        return ACCOUNT_IDS[self.platform]

    def age_fraction(self, at: datetime) -> float:
        """Share of the lifetime totals already reached at ``at`` (0 before the post exists)."""
        age_days = (at - self.posted_at).total_seconds() / 86_400
        if age_days <= 0:
            return 0.0
        return 1.0 - math.exp(-age_days / PROFILE[self.platform]["tau"])

    def totals(self, at: datetime) -> dict[str, int]:
        """Lifetime totals as an API would report them at ``at``."""
        f = self.age_fraction(at)
        values = {
            "reach": self.reach_final, "views": self.views_final, "likes": self.likes_final,
            "comments": self.comments_final, "shares": self.shares_final, "saves": self.saves_final,
            "clicks": self.clicks_final,
        }
        out = {k: int(v * f) for k, v in values.items()}
        out["impressions"] = int(out["reach"] * 1.35)
        return out


def loose_name(product: Product, rng: random.Random) -> str:
    """The product name the way people type it: lower case, no accents, sometimes a word short."""
    text = unicodedata.normalize("NFKD", product.name).encode("ascii", "ignore").decode().lower()
    words = text.split()
    if len(words) > 3 and rng.random() < 0.5:
        words = words[:-1]
        while words[-1] in STOPWORDS:
            words = words[:-1]
    return " ".join(words)


def product_url(product: Product) -> str:
    """A public product page: Hotmart marketplace for digital products, Mercado Livre for physical ones."""
    if product.is_physical:
        return f"https://produto.mercadolivre.com.br/MLB-{product.product_id}-{product.slug}-_JM"
    return f"https://hotmart.com/pt-br/marketplace/produtos/{product.slug}/{product.ucode[:10].upper()}"


def popularity(product: Product) -> float:
    """0..1: Hotmart temperature and sales volume together (what makes a post about it perform)."""
    return min(1.0, (product.temperature / 150) * 0.6 + min(product.base_daily_units, 20) / 20 * 0.4)


@lru_cache(maxsize=1)
def _weights() -> tuple[tuple[Product, ...], tuple[float, ...]]:
    products = catalogue()
    return products, tuple(0.15 + popularity(p) ** 2 for p in products)


def followers(platform: str, at: datetime) -> int:
    """Account followers at ``at``: steady compound growth with a weekly wobble."""
    prof = PROFILE[platform]
    days = max(0.0, (at - datetime(START.year, START.month, START.day, tzinfo=UTC)).total_seconds() / 86_400)
    return int(prof["followers"] * (1 + prof["growth"]) ** days * (1 + 0.004 * math.sin(days / 7 * 2 * math.pi)))


def _post_id(platform: str, day: date, n: int) -> str:
    ordinal = (day - START).days * 10 + n
    if platform == "instagram":
        return str(17_900_000_000_000_000 + ordinal * 7_919)
    if platform == "facebook":
        return f"{FB_PAGE_ID}_{1_000_000_000_000_000 + ordinal * 3_571}"
    return str(7_300_000_000_000_000_000 + ordinal * 104_729)


def _permalink(platform: str, post_id: str, n: int) -> str:
    if platform == "instagram":
        code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789_-"[int(c) * 5 + n % 5]
                       for c in post_id[-11:])
        return f"https://www.instagram.com/p/{code}/"
    if platform == "facebook":
        return f"https://www.facebook.com/{FB_PAGE_ID}/posts/{post_id.split('_')[1]}"
    return f"https://www.tiktok.com/@{HANDLE}/video/{post_id}"


def _caption(platform: str, rng: random.Random) -> tuple[str, tuple[int, ...], str]:
    products, weights = _weights()
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(NOTHING_CAPTIONS), (), "none"
    chosen = rng.choices(products, weights=weights, k=1)
    if rng.random() < 0.1:  # a "combo" post about two products
        second = rng.choices(products, weights=weights, k=1)[0]
        if second != chosen[0]:
            chosen.append(second)
    # TikTok descriptions carry no clickable links: those posts use the hashtag instead.
    if roll < 0.45 and platform != "tiktok":
        parts = [rng.choice(LINK_TEMPLATES).format(name=p.name, url=product_url(p)) for p in chosen]
        mention = "link"
    elif roll < 0.75:
        parts = [rng.choice(HASHTAG_TEMPLATES).format(tag=p.hashtag) for p in chosen]
        mention = "hashtag"
    else:
        parts = [rng.choice(NAME_TEMPLATES).format(loose=loose_name(p, rng)) for p in chosen]
        mention = "name"
    caption = " ".join(parts)
    if platform == "tiktok":
        caption = caption[:150]  # TikTok's video_description limit
    return caption, tuple(p.product_id for p in chosen), mention


@lru_cache(maxsize=8192)
def posts_on(platform: str, day: date) -> tuple[Post, ...]:
    """The posts published on ``day`` (UTC), always the same ones."""
    if day < START:
        return ()
    rng = random.Random(f"{SEED}:{platform}:{day.isoformat()}")
    prof = PROFILE[platform]
    count = sum(1 for _ in range(3) if rng.random() < prof["rate"] / 3)
    products = {p.product_id: p for p in catalogue()}
    out: list[Post] = []
    for n in range(count):
        # 11h-23h in São Paulo (UTC-3).
        posted_at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            hours=14 + n * 3 + rng.randint(0, 2), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        if posted_at.date() != day:
            posted_at = datetime(day.year, day.month, day.day, 23, rng.randint(0, 59), tzinfo=UTC)
        caption, product_ids, mention = _caption(platform, rng)
        pop = max((popularity(products[i]) for i in product_ids), default=0.25)
        reach = int(followers(platform, posted_at) * (0.06 + 0.3 * pop) * rng.lognormvariate(0, 0.35))
        likes = int(reach * (0.025 + 0.07 * pop) * rng.uniform(0.8, 1.2))
        media_type = rng.choice(MEDIA_TYPES[platform])
        post_id = _post_id(platform, day, n)
        out.append(
            Post(
                platform=platform,
                post_id=post_id,
                posted_at=posted_at,
                caption=caption,
                permalink=_permalink(platform, post_id, n),
                media_type=media_type,
                product_ids=product_ids,
                mention=mention,
                reach_final=reach,
                views_final=int(reach * (2.4 if platform == "tiktok" or media_type in ("VIDEO", "added_video")
                                         else 1.3)),
                likes_final=likes,
                comments_final=int(likes * rng.uniform(0.03, 0.09)),
                shares_final=int(likes * rng.uniform(0.05, 0.15)),
                saves_final=int(likes * rng.uniform(0.08, 0.2)) if platform == "instagram" else 0,
                clicks_final=int(reach * (0.01 + 0.04 * pop)) if mention == "link" else 0,
            )
        )
    return tuple(out)


def iter_posts(platform: str, until: datetime, since: datetime | None = None) -> Iterator[Post]:
    """Posts published in [since, until), newest first (the order the APIs list them), lazily: a
    paging API only needs the first few."""
    floor = max((since or datetime.min.replace(tzinfo=UTC)).date(), START)
    day = until.date()
    while day >= floor:
        for post in reversed(posts_on(platform, day)):
            if post.posted_at < until and (since is None or post.posted_at >= since):
                yield post
        day -= timedelta(days=1)


def all_posts(platform: str, until: datetime) -> list[Post]:
    """Every post published before ``until``, newest first."""
    return list(iter_posts(platform, until))


_ID_STEP = {"instagram": 7_919, "facebook": 3_571, "tiktok": 104_729}


def find_post(platform: str, post_id: str) -> Post | None:
    """The post with this id, found from the day encoded in the id (no scan)."""
    try:
        number = int(post_id.split("_")[-1]) - {"instagram": 17_900_000_000_000_000,
                                                  "facebook": 1_000_000_000_000_000,
                                                  "tiktok": 7_300_000_000_000_000_000}[platform]
    except (ValueError, KeyError):
        return None
    ordinal, rest = divmod(number, _ID_STEP[platform])
    if rest or ordinal < 0:
        return None
    day = START + timedelta(days=ordinal // 10)
    return next((p for p in posts_on(platform, day) if p.post_id == post_id), None)
