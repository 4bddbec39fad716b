"""From OCR words to what the affiliate saw: screen type, products, price, commission, rating, temperature.

The parser works on Tesseract's words (text + confidence + box), not on a flat string, because the layout
says which price belongs to which card and which words a field was read from (its confidence). It is
deliberately tolerant of what OCR and real apps do: ``R$``/``RS``, ``°``/``º``, thousands separators,
wrapped product names, installments (``12x de R$ 19,90`` is not the price), fields in any order.
Products are fuzzy-matched against the catalogue with rapidfuzz after accent folding, so OCR slips on
accents or a letter do not lose the product.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from affiliate_assets.defs.transcripts.ocr import Word
from affiliate_assets.lib.money import parse_decimal, parse_price

LOW_LINE_CONFIDENCE = 80.0  # a line read below this makes its item doubtful
LOW_SCREEN_CONFIDENCE = 85.0  # mean word confidence below this flags the whole transcript
MATCH_ACCEPT = 70.0  # below: no product is claimed
MATCH_SURE = 90.0  # below: the product is claimed but flagged for review
CHAT_MATCH = 88.0  # partial match of a catalogue name inside chat text

MONEY = re.compile(r"R\s?[$S5§]\s?(\d{1,3}(?:[.\s]\d{3})+,\d{2}|\d+,\d{2}|\d+)(?!\d)")
INSTALLMENT = re.compile(r"\d{1,2}\s?x\s*(?:de\s*)?$", re.IGNORECASE)
COMMISSION = re.compile(r"comiss\S*", re.IGNORECASE)
PERCENT = re.compile(r"(\d{1,3}(?:[,.]\d{1,2})?)\s?%")
TEMPERATURE = re.compile(r"temperatura\s*:?\s*(\d{1,3})(?!\d)", re.IGNORECASE)
RATING = re.compile(r"(?:avalia\S*|nota|★|estrelas?)\s*:?\s*([0-5][,.]\d)(?!\d)", re.IGNORECASE)
FIELD_WORDS = re.compile(r"temperatura|nota\b|avalia|comiss|\d+\s?x\s*de\b", re.IGNORECASE)
TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}$")
MESSAGE_TIME = re.compile(r"\b\d{1,2}:\d{2}\s*\S{0,3}$")  # "14:32", "14:32 ✓✓" closing a chat bubble
PRODUCER = re.compile(r"^(?:por|by)\s+\S", re.IGNORECASE)
# UI chrome of the apps the screenshots come from; never a product name.
BOILERPLATE = re.compile(
    r"^(hotmart|marketplace|hotmart marketplace|buscar.*|pesquisar.*|afiliar-?se|afillar-?se|quero me afiliar|"
    r"sobre o produto|comprar agora|descri[cç][aã]o|online|digitando.*|ver mais|mais vendidos|"
    r"produtos? (relacionados|em alta))$",
    re.IGNORECASE,
)


@dataclass
class Line:
    text: str
    words: list[Word]

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)


@dataclass
class Fields:
    price: Decimal | None = None
    commission_pct: Decimal | None = None
    commission_amount: Decimal | None = None
    rating: Decimal | None = None
    temperature: int | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.price, self.commission_pct, self.commission_amount,
                                           self.rating, self.temperature))


@dataclass
class ParsedItem:
    product_text: str
    fields: Fields
    lines: list[Line] = field(default_factory=list)
    product_id: int | None = None
    matched_name: str | None = None
    match_score: float | None = None
    screen_doubtful: bool = False  # the whole screenshot was read poorly (lines may be missing)

    @property
    def confidence(self) -> float | None:
        words = [w for line in self.lines for w in line.words]
        return round(sum(w.conf for w in words) / len(words), 2) if words else None

    @property
    def is_low_confidence(self) -> bool:
        """Doubtful when any line it came from was read poorly, the screen as a whole was (a field's line
        may be missing entirely), or the product is not surely identified."""
        weak_line = any(line.conf < LOW_LINE_CONFIDENCE for line in self.lines)
        return weak_line or self.screen_doubtful or self.product_id is None or (self.match_score or 0) < MATCH_SURE


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------


def parse_money(token: str) -> Decimal | None:
    """``1.234,56`` / ``1 234,56`` (as OCR reads a thin separator) → 1234.56; None when it is not a number."""
    return parse_price(token, decimal_separator=",").amount


def _decimal(text: str) -> Decimal | None:
    return parse_decimal(text, strict=False)


def extract_fields(text: str) -> Fields:
    """Every field found in ``text`` (one card, one page or one chat message run)."""
    out = Fields()
    commission_spans: list[tuple[int, int]] = []
    for m in COMMISSION.finditer(text):
        # The commission's own numbers follow the word, up to the next field keyword.
        nxt = FIELD_WORDS.search(text, m.end())
        end = min(nxt.start() if nxt else len(text), m.end() + 60)
        window = text[m.end():end]
        commission_spans.append((m.start(), end))
        if out.commission_pct is None and (pct := PERCENT.search(window)):
            out.commission_pct = _decimal(pct.group(1))
        if out.commission_amount is None and (amt := MONEY.search(window)):
            out.commission_amount = parse_money(amt.group(1))
    for m in MONEY.finditer(text):
        inside_commission = any(s <= m.start() < e for s, e in commission_spans)
        if inside_commission or INSTALLMENT.search(text[max(0, m.start() - 12):m.start()]):
            continue
        out.price = parse_money(m.group(1))
        break
    if t := TEMPERATURE.search(text):
        out.temperature = int(t.group(1))
    if r := RATING.search(text):
        rating = _decimal(r.group(1))
        out.rating = rating if rating is not None and Decimal(0) <= rating <= Decimal(5) else None
    return out


# --------------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------------


def build_lines(words: Iterable[Word]) -> list[Line]:
    """Tesseract lines (block, paragraph, line) in top-to-bottom order."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        groups.setdefault((w.block, w.par, w.line), []).append(w)
    lines = [Line(" ".join(w.text for w in ws), sorted(ws, key=lambda w: w.left)) for ws in groups.values()]
    for line in lines:
        line.text = " ".join(w.text for w in line.words)
    return sorted(lines, key=lambda ln: (ln.top, ln.words[0].left))


def is_field_line(text: str) -> bool:
    return bool(MONEY.search(text) or FIELD_WORDS.search(text) or PERCENT.search(text))


def is_noise_line(text: str) -> bool:
    """UI chrome, clock times, thumbnail initials: lines that are neither a name nor a field."""
    if is_field_line(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters < 4 or bool(TIME_ONLY.match(text) or BOILERPLATE.match(text.strip(" .-—“”\"'")))


def classify_screen(lines: Sequence[Line]) -> str:
    """marketplace_card | product_page | chat | unknown, from the app chrome and the layout."""
    text = "\n".join(line.text for line in lines).lower()
    prices = sum(1 for line in lines if MONEY.search(line.text) and not COMMISSION.search(line.text)
                 and not re.search(r"\d\s?x\s*de", line.text, re.IGNORECASE))
    scores = {
        "chat": sum(1 for line in lines if MESSAGE_TIME.search(line.text.strip()))
        + 2 * bool(re.search(r"\bonline\b|digitando", text)),
        "product_page": 2 * bool(re.search(r"quero me afiliar|sobre o produto|comprar agora|descri[cç][aã]o", text))
        + bool(re.search(r"\d{1,2}\s?x\s*de", text)) + bool(re.search(r"avalia", text)),
        "marketplace_card": 2 * bool(re.search(r"marketplace|afiliar-se|buscar produtos", text))
        + (2 if prices >= 2 else 0),
    }
    best = max(scores, key=lambda k: scores[k])
    if scores[best] > 0:
        return best
    return "product_page" if prices else "unknown"


# --------------------------------------------------------------------------------------------------
# Catalogue matching
# --------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, accents off, punctuation to spaces, *same length* as ``text`` (so a match's offsets
    point into the original): OCR slips on accents and punctuation more than on letters."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFKD", ch)[:1] or ch
        out.append(base if base.isascii() and base.isalnum() else " ")
    return "".join(out)


def squeeze(text: str) -> str:
    return " ".join(fold(text).split())


class CatalogueMatcher:
    """Fuzzy product lookup over (product_id, name) pairs."""

    def __init__(self, products: Iterable[tuple[int, str]]):
        self.products = list(products)
        self.folded = [squeeze(name) for _, name in self.products]

    def match(self, text: str) -> tuple[int | None, str | None, float]:
        """Best product for a product-name line; (None, None, score) when nothing is close enough."""
        from rapidfuzz import fuzz, process

        if not self.products or not squeeze(text):
            return None, None, 0.0
        _, score, idx = process.extractOne(squeeze(text), self.folded, scorer=fuzz.ratio)
        if score < MATCH_ACCEPT:
            return None, None, round(score, 2)
        pid, name = self.products[idx]
        return pid, name, round(score, 2)

    def find_in(self, text: str) -> list[tuple[int, str, float, int, int]]:
        """Catalogue names mentioned inside free text (chats): (id, name, score, start, end) with offsets
        into ``text``, in reading order; among overlapping mentions the best one wins."""
        from rapidfuzz import fuzz

        target = fold(text)
        hits = []
        for (pid, name), folded in zip(self.products, self.folded, strict=True):
            if len(folded) > len(target) + 5:
                continue
            al = fuzz.partial_ratio_alignment(folded, target, score_cutoff=CHAT_MATCH)
            if al is not None:
                hits.append((pid, name, round(al.score, 2), al.dest_start, al.dest_end))
        chosen: list[tuple[int, str, float, int, int]] = []
        # Longer names first on ties: "Mentoria Escala de Afiliados" over a shorter name inside it.
        for hit in sorted(hits, key=lambda h: (-h[2], -(h[4] - h[3]))):
            if all(hit[4] <= c[3] or hit[3] >= c[4] for c in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda h: h[3])


# --------------------------------------------------------------------------------------------------
# Screens
# --------------------------------------------------------------------------------------------------


def _name_candidate(run: list[Line], matcher: CatalogueMatcher) -> tuple[str, tuple[int | None, str | None, float]]:
    """The product name in a run of text lines: the line (or the whole wrapped run) matching best."""
    candidates = [line.text for line in run]
    if len(run) > 1:
        candidates.append(" ".join(line.text for line in run))
    scored = [(text, matcher.match(text)) for text in candidates]
    return max(scored, key=lambda s: (s[1][2], len(s[0])))


def _segments(lines: list[Line]) -> list[tuple[list[Line], list[Line]]]:
    """Split a card list into (name lines, detail lines): each run of plain text lines starts a card."""
    segments: list[tuple[list[Line], list[Line]]] = []
    for line in lines:
        text = line.text.strip()
        if is_noise_line(text):
            continue
        plain = not is_field_line(text) and not PRODUCER.match(text)
        if plain and (not segments or segments[-1][1]):
            segments.append(([line], []))
        elif plain:
            segments[-1][0].append(line)
        elif segments:
            segments[-1][1].append(line)
    return segments


def parse_cards(lines: list[Line], matcher: CatalogueMatcher, single: bool = False) -> list[ParsedItem]:
    items = []
    segments = _segments(lines)
    if single and segments:
        # A product page shows one product: its title is the first text run, every field belongs to it.
        name_lines = segments[0][0]
        detail_lines = [ln for ln in lines if ln not in name_lines and is_field_line(ln.text)]
        segments = [(name_lines, detail_lines)]
    for name_lines, detail_lines in segments:
        text, (pid, name, score) = _name_candidate(name_lines, matcher)
        fields = extract_fields("\n".join(line.text for line in detail_lines))
        if pid is None and not fields.any():
            continue  # a heading or a paragraph, not a product
        used = [ln for ln in name_lines if ln.text in text] + detail_lines
        items.append(ParsedItem(text, fields, used, pid, name, score))
    return items


def parse_chat(lines: list[Line], matcher: CatalogueMatcher) -> list[ParsedItem]:
    """Chats mention products inside sentences (often wrapped over bubble lines): find catalogue names in
    the joined text; the fields after a mention, up to the next one, belong to it."""
    kept = [line for line in lines if not is_noise_line(line.text.strip())]
    joined = "\n".join(line.text for line in kept)
    offsets, pos = [], 0
    for line in kept:
        offsets.append((pos, pos + len(line.text)))
        pos += len(line.text) + 1
    mentions = matcher.find_in(joined)
    items = []
    for i, (pid, name, score, start, end) in enumerate(mentions):
        stop = mentions[i + 1][3] if i + 1 < len(mentions) else len(joined)
        item_lines = [ln for ln, (s, e) in zip(kept, offsets, strict=True) if s < stop and e > start]
        items.append(ParsedItem(joined[start:end].replace("\n", " "), extract_fields(joined[end:stop]),
                                item_lines, pid, name, score))
    return items


def parse_screen(words: Iterable[Word], matcher: CatalogueMatcher) -> tuple[str, list[ParsedItem]]:
    words = list(words)
    lines = build_lines(words)
    kind = classify_screen(lines)
    if kind == "chat":
        items = parse_chat(lines, matcher)
    elif kind in ("product_page", "marketplace_card"):
        items = parse_cards(lines, matcher, single=kind == "product_page")
    else:
        items = []
    doubtful = bool(words) and sum(w.conf for w in words) / len(words) < LOW_SCREEN_CONFIDENCE
    for item in items:
        item.screen_doubtful = doubtful
    return kind, items
