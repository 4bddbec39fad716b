"""Which catalogue products a post is about: product link, then hashtag, then a fuzzy name match.

The order is the order of confidence. A URL that carries a product's slug, ucode or id is unambiguous
(score 100); the catalogue hashtag is nearly so (score 100 on an exact, accent-free match); a name
mention is how people really write ("tô usando o air fryer 4l", accents dropped, a word missing, a
TikTok description cut at 150 characters), so it is scored with rapidfuzz and kept only above a
threshold. A product found by a stronger method is not matched again by a weaker one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NAME_THRESHOLD = 88.0
"""rapidfuzz ``partial_ratio`` (0-100) a name mention needs; measured on the sample's loose mentions:
true mentions score ≥ 90, unrelated captions ≤ 75."""

URL_RE = re.compile(r"https?://[^\s<>\"')]+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"#(\w+)", re.UNICODE)
STOPWORDS = frozenset({"a", "o", "e", "de", "do", "da", "dos", "das", "em", "no", "na", "para", "com", "sem", "ao"})


def normalize(text: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


@dataclass(frozen=True)
class CatalogueEntry:
    product_id: int
    name: str
    slug: str
    hashtag: str | None = None
    ucode: str | None = None


@dataclass(frozen=True)
class Match:
    product_id: int
    method: str  # link | hashtag | name
    score: float
    term: str

    def as_dict(self) -> dict:
        return {"product_id": self.product_id, "method": self.method, "score": round(self.score, 1),
                "term": self.term}


class ProductLinker:
    """Built once per run from the catalogue; ``link(caption, permalink)`` is pure and cheap."""

    def __init__(self, entries: Iterable[CatalogueEntry], name_threshold: float = NAME_THRESHOLD):
        self.entries = list(entries)
        self.name_threshold = name_threshold
        self._hashtags = {normalize(e.hashtag).replace(" ", ""): e for e in self.entries if e.hashtag}
        self._names = self._name_phrases()

    def _name_phrases(self) -> list[tuple[str, float, CatalogueEntry]]:
        """(phrase, weight, entry): each full name, plus its leading words when they name one product only
        (people drop the tail: "air fryer 4l" for "Air Fryer 4L Digital"). Shorter phrases weigh less."""
        names = [(normalize(e.name), e) for e in self.entries]
        out = []
        for name, entry in names:
            out.append((name, 1.0, entry))
            words = name.split()
            for k in range(len(words) - 1, 1, -1):
                prefix = " ".join(words[:k])
                if len(prefix) < 10 or words[k - 1] in STOPWORDS:
                    continue
                if sum(1 for other, _ in names if other.startswith(prefix)) == 1:
                    out.append((prefix, 0.9 + 0.1 * len(prefix) / len(name), entry))
        return out

    def link(self, caption: str | None, permalink: str | None = None, *, max_length: int | None = None) -> list[Match]:
        """Products of one post. ``max_length``: the platform's caption limit (TikTok's API returns
        descriptions cut at 150 characters); a caption that long may end in a cut hashtag."""
        text = caption or ""
        cut = max_length is not None and len(text) >= max_length
        found: dict[int, Match] = {}
        for match in [*self._by_link(text, permalink), *self._by_hashtag(text, cut), *self._by_name(text)]:
            if match.product_id not in found:  # stronger methods come first
                found[match.product_id] = match
        return sorted(found.values(), key=lambda m: m.product_id)

    def _by_link(self, text: str, permalink: str | None) -> list[Match]:
        urls = URL_RE.findall(text) + ([permalink] if permalink else [])
        out = []
        for url in urls:
            path = url.lower()
            parts = set(re.split(r"[/?&=#._]+", path))
            for e in self.entries:
                slug_hit = re.search(rf"(^|[/\-_]){re.escape(e.slug)}($|[/\-_?#])", path.split("//", 1)[-1])
                if slug_hit or str(e.product_id) in parts or (e.ucode and e.ucode.lower() in path):
                    out.append(Match(e.product_id, "link", 100.0, url))
        return out

    def _by_hashtag(self, text: str, cut: bool = False) -> list[Match]:
        out = []
        tags = HASHTAG_RE.findall(text)
        for tag in tags:
            key = normalize(tag).replace(" ", "")
            entry = self._hashtags.get(key)
            if entry is not None:
                out.append(Match(entry.product_id, "hashtag", 100.0, f"#{tag}"))
            elif cut and tag == tags[-1] and text.endswith(tag) and len(key) >= 8:
                # A description cut at the API's length limit ends in a partial hashtag: accept a prefix
                # that only one product's hashtag starts with.
                hits = [e for k, e in self._hashtags.items() if k.startswith(key)]
                if len(hits) == 1:
                    out.append(Match(hits[0].product_id, "hashtag", 90.0, f"#{tag}"))
        return out

    def _by_name(self, text: str) -> list[Match]:
        from rapidfuzz import fuzz

        body = normalize(HASHTAG_RE.sub(" ", URL_RE.sub(" ", text)))
        if not body:
            return []
        best: dict[int, Match] = {}
        for phrase, weight, entry in self._names:
            alignment = fuzz.partial_ratio_alignment(phrase, body, score_cutoff=self.name_threshold)
            if alignment is None:
                continue
            score = alignment.score * weight
            term = body[alignment.dest_start:alignment.dest_end]
            if score < self.name_threshold or len(term) < 8:  # "yoga" alone is a topic, not a product
                continue
            if entry.product_id not in best or score > best[entry.product_id].score:
                best[entry.product_id] = Match(entry.product_id, "name", score, term)
        return list(best.values())


def catalogue_entries(rows: Iterable[tuple]) -> list[CatalogueEntry]:
    """(product_id, name, slug-or-None, hashtag, ucode) rows → entries (slug derived from the name)."""
    from affiliate_assets.sample_data.catalogue import slugify

    return [CatalogueEntry(int(pid), name, slug or slugify(name), hashtag, ucode)
            for pid, name, slug, hashtag, ucode in rows]
