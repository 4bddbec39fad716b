"""Voice intents: what the affiliate asked for in a transcript (buy, search, price, recommend, cancel).

The trigger phrases below are the one vocabulary of voice commands: the parser reads transcripts with them,
and the offline engine's grammar (``voice_grammar``) is generated from them and the catalogue, so the
recogniser can only hear what the parser understands. Portuguese (pt-BR) and English.

A note may hold several commands ("quero comprar dois cursos de python e buscar fone bluetooth"): clauses
split at connectors only when the next clause starts with a trigger, so product names with " e " in them
("Oratória e Comunicação") stay whole. Quantities come in digits or words (``text2num``: "dois", "duas",
"três", "vinte e dois"); "um"/"uma"/"a"/"an" count as one, a definite article ("o curso") does not, so
"quero comprar o curso de python" is a buy with no quantity, flagged for review rather than guessed.
Products are fuzzy-matched (rapidfuzz) against the catalogue with kind words ("curso", "courses") and
stop words removed; a weak or ambiguous match is flagged, never silently taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

INTENTS = ("buy", "search", "price", "recommend", "cancel")

# intent -> language -> trigger phrases (accented, as spoken). Longest match wins.
TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "buy": {
        "pt": ("quero comprar", "gostaria de comprar", "vou comprar", "quero pedir", "vou querer", "quero",
               "comprar", "compra", "compre", "pedir", "adiciona", "adicionar"),
        "en": ("i want to buy", "i would like to buy", "i want", "want to buy", "buy", "order", "purchase",
               "add"),
    },
    "search": {
        "pt": ("buscar", "busca", "busque", "procurar", "procura", "procure", "pesquisar", "pesquisa",
               "pesquise", "encontrar", "encontra", "tem"),
        "en": ("search for", "search", "look for", "find", "show me"),
    },
    "price": {
        "pt": ("quanto custa", "quanto está", "quanto é", "qual o preço", "qual é o preço", "qual o valor",
               "qual é o valor", "preço"),
        "en": ("how much is", "how much are", "how much does", "how much for", "what is the price of",
               "price of"),
    },
    "recommend": {
        "pt": ("me recomenda", "recomenda", "recomende", "me indica", "indica", "indique", "me sugere",
               "sugere", "sugira", "o que você recomenda"),
        "en": ("recommend", "can you recommend", "suggest", "what do you recommend"),
    },
    "cancel": {
        "pt": ("cancelar", "cancela", "cancele", "quero cancelar", "desistir"),
        "en": ("cancel", "i want to cancel"),
    },
}

NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "pt": ("um", "uma", "dois", "duas", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez",
           "doze", "quinze", "vinte"),
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve",
           "fifteen", "twenty"),
}
ONE_WORDS = {"pt": {"um", "uma"}, "en": {"a", "an", "one"}}  # indefinite article = one unit
DEFINITE = {"pt": {"o", "a", "os", "as", "meu", "minha", "esse", "essa"}, "en": {"the", "my", "that", "this"}}
DETERMINERS: dict[str, tuple[str, ...]] = {
    "pt": ("o", "a", "os", "as", "um", "uma", "uns", "umas", "esse", "essa", "aquele", "aquela", "meu", "minha"),
    "en": ("the", "a", "an", "some", "my", "that", "this"),
}
PREPOSITIONS: dict[str, tuple[str, ...]] = {
    "pt": ("de", "do", "da", "dos", "das", "para", "pra", "em", "no", "na", "com"),
    "en": ("of", "for", "on", "in", "about", "with"),
}
# Words that say what kind of thing is wanted, not which product ("dois cursos de python").
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "pt": ("curso", "cursos", "ebook", "ebooks", "livro", "livros", "mentoria", "mentorias", "produto",
           "produtos", "unidade", "unidades"),
    "en": ("course", "courses", "ebook", "ebooks", "book", "books", "mentorship", "product", "products",
           "unit", "units"),
}
CANCEL_OBJECTS: dict[str, tuple[str, ...]] = {
    "pt": ("pedido", "compra", "último pedido", "meu pedido", "minha compra"),
    "en": ("order", "my order", "last order", "purchase"),
}
FILLERS = ("eu", "i", "por favor", "please", "oi", "ok", "olá", "hey", "então", "so", "também", "also")
CONNECTORS = ("e", "and", "depois", "then", "também", "also")

MATCH_OK = 85.0  # rapidfuzz score below which a buy is not registered automatically
AMBIGUITY_MARGIN = 2.0  # two different products this close to the best score: ambiguous...
AMBIGUITY_RATIO_GAP = 20.0  # ...unless the best is this much closer as a whole string
LOW_CONFIDENCE = 0.55  # transcript confidence below which a buy needs a human


def fold(text: str) -> str:
    """Lower case without accents: the form every comparison uses ("Inglês" == "ingles")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Folded word tokens; "e-book" is one word, digits stay ("2", "20000mah")."""
    text = re.sub(r"\be-?books?\b", lambda m: m.group(0).replace("-", ""), fold(text))
    return re.findall(r"[a-z0-9]+", text)


def _phrase_set(groups: dict[str, tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {tuple(tokens(p)) for phrases in groups.values() for p in phrases}


_TRIGGERS: list[tuple[tuple[str, ...], str, str]] = sorted(
    ((tuple(tokens(p)), intent, lang) for intent, by_lang in TRIGGERS.items()
     for lang, phrases in by_lang.items() for p in phrases),
    key=lambda t: -len(t[0]),
)
_FILLERS = _phrase_set({"": FILLERS})
_STOP = {w for group in (DETERMINERS, PREPOSITIONS, KIND_WORDS) for ws in group.values() for w in map(fold, ws)}
_STOP |= {"e", "and", "cost", "custa", "por", "favor", "please", "mais", "barato"}


@dataclass
class Product:
    product_id: int
    name: str
    price: object = None  # Decimal list price, BRL (optional)


@dataclass
class Match:
    product: Product | None
    score: float
    ambiguous_with: Product | None = None


@dataclass
class Intent:
    index: int
    intent: str  # buy | search | price | recommend | cancel | unknown
    language: str | None
    text: str  # the clause, as transcribed
    query_text: str  # the product words as spoken
    quantity: int | None = None
    match: Match | None = None
    review_reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "needs_review" if self.review_reasons else "registered"


class CatalogueMatcher:
    """Fuzzy product matching over folded, stop-word-free names (built once per catalogue)."""

    def __init__(self, products: Sequence[Product]):
        self.products = list(products)
        self._keys = [_content(p.name) for p in self.products]

    def match(self, query: str) -> Match:
        from rapidfuzz import fuzz, process

        key = _content(query)
        if not key or not self.products:
            return Match(None, 0.0)
        best = process.extract(key, self._keys, scorer=fuzz.token_set_ratio, limit=8)
        # Ties on token_set_ratio (a subset scores 100) are broken by plain similarity of the whole key.
        ranked = sorted(best, key=lambda r: (-r[1], -fuzz.ratio(key, r[0])))
        top = ranked[0]
        product = self.products[top[2]]
        # Another product as good on the words said, and not clearly worse as a whole: ask a human.
        rival = next((self.products[r[2]] for r in ranked[1:]
                      if top[1] - r[1] <= AMBIGUITY_MARGIN and r[0] != top[0]
                      and fuzz.ratio(key, top[0]) - fuzz.ratio(key, r[0]) < AMBIGUITY_RATIO_GAP), None)
        return Match(product, round(float(top[1]), 2), rival)


def _content(text: str) -> str:
    """Folded product words without stop/kind words, naive singular ("garrafas termicas" ~ "garrafa termica")."""
    return " ".join(t[:-1] if len(t) > 3 and t.endswith("s") else t for t in tokens(text) if t not in _STOP)


def _split_clauses(toks: list[str]) -> list[list[str]]:
    """Cut at connectors/fillers only where a trigger follows, so names keeping " e " stay whole."""
    clauses: list[list[str]] = [[]]
    i = 0
    while i < len(toks):
        if toks[i] in CONNECTORS and clauses[-1] and _trigger_at(toks, _skip_fillers(toks, i + 1)):
            clauses.append([])
            i += 1
            continue
        if clauses[-1] and _trigger_at(toks, i) and _starts_new_command(clauses[-1], toks, i):
            clauses.append([])
        clauses[-1].append(toks[i])
        i += 1
    return [c for c in clauses if c]


def _starts_new_command(current: list[str], toks: list[str], i: int) -> bool:
    """A trigger in mid-clause starts a new command only when the current clause already has an object
    and the trigger is not a noun after an article ("cancelar a compra")."""
    prev = toks[i - 1]
    if prev in {fold(w) for group in (DETERMINERS, PREPOSITIONS) for ws in group.values() for w in ws}:
        return False
    head = _trigger_at(current, _skip_fillers(current, 0))
    return head is not None and len(current) > len(head[0]) + _skip_fillers(current, 0)


def _skip_fillers(toks: list[str], i: int) -> int:
    moved = True
    while moved:
        moved = False
        for filler in _FILLERS:
            if tuple(toks[i:i + len(filler)]) == filler:
                i += len(filler)
                moved = True
    return i


def _trigger_at(toks: list[str], i: int) -> tuple[tuple[str, ...], str, str] | None:
    for phrase, intent, lang in _TRIGGERS:
        if tuple(toks[i:i + len(phrase)]) == phrase:
            return phrase, intent, lang
    return None


def leading_quantity(toks: list[str], lang: str | None) -> tuple[int | None, int]:
    """(quantity, tokens used) for a number at the start: digits, number words, "um"/"a" as one."""
    from text_to_num import text2num

    langs = [lang] if lang else []
    langs += [x for x in ("pt", "en") if x not in langs]
    start = 0
    while start < len(toks) and toks[start] in DEFINITE[langs[0]]:
        start += 1  # "the two courses": skip a definite article, keep looking
    if start >= len(toks):
        return None, start
    if toks[start].isdigit():
        return int(toks[start]), start + 1
    if toks[start] in ONE_WORDS[langs[0]]:
        return 1, start + 1
    for span in range(min(4, len(toks) - start), 0, -1):
        words = " ".join(toks[start:start + span])
        for code in langs:
            try:
                value = text2num(words, code)
            except ValueError:
                continue
            if value > 0:
                return value, start + span
    return None, start


def parse(text: str, matcher: CatalogueMatcher, confidence: float | None = None) -> list[Intent]:
    """Every intent in ``text`` with its quantity, product match and review reasons (buys only)."""
    toks = tokens(text)
    out: list[Intent] = []
    for index, clause in enumerate(_split_clauses(toks)):
        start = _skip_fillers(clause, 0)
        found = _trigger_at(clause, start)
        if found is None:  # a trigger later in the clause ("dois cursos de python, quero comprar")
            hits = [(j, _trigger_at(clause, j)) for j in range(start, len(clause))]
            j, found = next(((j, f) for j, f in hits if f), (start, None))
            rest = clause[start:j] + (clause[j + len(found[0]):] if found else [])
        else:
            rest = clause[start + len(found[0]):]
        intent, lang = (found[1], found[2]) if found else ("unknown", None)
        quantity, used = leading_quantity(rest, lang)
        query_words = [w for w in rest[used:] if w not in _FILLERS and w not in ("por", "favor", "please")]
        query = " ".join(query_words)
        item = Intent(index, intent, lang, " ".join(clause), query, quantity)
        if intent == "cancel":
            cancel_objects = {w for ws in CANCEL_OBJECTS.values() for p in ws for w in tokens(p)}
            query = " ".join(w for w in query_words if w not in cancel_objects)
            item.query_text = query
        if query and _content(query):
            item.match = matcher.match(query)
        if intent == "buy":
            item.review_reasons = review_reasons(item, confidence)
        out.append(item)
    return out


def review_reasons(item: Intent, confidence: float | None) -> list[str]:
    """Why a buy cannot be registered automatically (empty list = register it)."""
    reasons = []
    match = item.match
    if match is None or match.product is None:
        reasons.append("no_product")
    elif match.score < MATCH_OK:
        reasons.append(f"low_match_score ({match.score:.0f} < {MATCH_OK:.0f})")
    elif match.ambiguous_with is not None:
        reasons.append(f"ambiguous_product (also '{match.ambiguous_with.name}')")
    if item.quantity is None:
        reasons.append("no_quantity")
    elif item.quantity > 50:
        reasons.append(f"unusual_quantity ({item.quantity})")
    if confidence is not None and confidence < LOW_CONFIDENCE:
        reasons.append(f"low_confidence ({confidence:.2f} < {LOW_CONFIDENCE:.2f})")
    return reasons
