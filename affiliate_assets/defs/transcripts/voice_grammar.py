"""The offline recogniser's language: a finite-state grammar of voice commands × the live catalogue, and a
pronouncing dictionary for every word in it.

Why a grammar: pocketsphinx 5 ships only an English (en-us) acoustic model, and free decoding of speech
with it is poor, while decoding against a grammar of the commands the parser understands is exact on
command phrases (FACTS.md). No PyPI package ships a Portuguese pocketsphinx or Vosk model (the package
lists hold a Korean Vosk model only), so Portuguese works through the dictionary: each word's pt-BR
pronunciation comes from espeak-ng (``--ipa``) and is mapped onto the en-us phone set, next to its English
pronunciation (CMUdict, else espeak-ng en-us), so "quero comprar dois cursos" and "buy two courses" are both
in reach. The grammar is rebuilt whenever the catalogue changes (its words are part of the cache key).

The grammar is built as an explicit word graph (pocketsphinx ``create_fsg``) rather than JSGF text: with a
catalogue-sized JSGF (nested optional rules, 200+ product alternatives) pocketsphinx 5 often ended on a
path that is not in the grammar, and JSGF's uniform branch probabilities charged long product lists; a
graph whose shared prefixes are shared states, with every transition at probability 1, leaves the choice
to the acoustics. Measured on the espeak-ng samples (``python bench/voice.py``, one run): English commands
come out at 75 % word accuracy (3 of 5 word for word, intent right in 4), Portuguese ones at about 3 % (the
en-us acoustic model hears little of pt-BR speech), which is why each transcript carries its engine and
confidence and doubtful orders go to review.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from affiliate_assets.defs.transcripts import intents as it
from affiliate_assets.lib.files import content_hash

# espeak-ng IPA → CMU/ARPAbet phones of the en-us model. Longest symbols first (diphthongs, affricates).
# pt-BR palatalised d/t ("digital", "de", "marketing") are heard as plain D/T by the en-us model.
PT_OVERRIDES = {"dʒ": ("D",), "tʃ": ("T",)}
IPA_TO_ARPABET: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tʃ", ("CH",)), ("dʒ", ("JH",)), ("aɪ", ("AY",)), ("aʊ", ("AW",)), ("oɪ", ("OY",)), ("ɔɪ", ("OY",)),
    ("eɪ", ("EY",)), ("oʊ", ("OW",)), ("əʊ", ("OW",)), ("ɛɪ", ("EY",)), ("ɜː", ("ER",)), ("ɚ", ("ER",)),
    ("ɝ", ("ER",)), ("ɐ", ("AH",)), ("æ", ("AE",)), ("ə", ("AH",)), ("ʌ", ("AH",)), ("ɑ", ("AA",)),
    ("ɒ", ("AA",)), ("a", ("AA",)), ("ɛ", ("EH",)), ("e", ("EY",)), ("ɪ", ("IH",)), ("i", ("IY",)),
    ("y", ("IY",)), ("ɨ", ("IH",)), ("ɔ", ("AO",)), ("o", ("OW",)), ("ʊ", ("UH",)), ("u", ("UW",)),
    ("ɾ", ("R",)), ("ɹ", ("R",)), ("r", ("R",)), ("x", ("HH",)), ("h", ("HH",)), ("χ", ("HH",)),
    ("ʁ", ("HH",)), ("ʃ", ("SH",)), ("ʒ", ("ZH",)), ("ŋ", ("NG",)), ("ɲ", ("N", "Y")), ("ʎ", ("L", "Y")),
    ("ɡ", ("G",)), ("g", ("G",)), ("θ", ("TH",)), ("ð", ("DH",)), ("j", ("Y",)), ("w", ("W",)),
    ("ɫ", ("L",)), ("l", ("L",)), ("b", ("B",)), ("d", ("D",)), ("f", ("F",)), ("k", ("K",)),
    ("m", ("M",)), ("n", ("N",)), ("p", ("P",)), ("s", ("S",)), ("t", ("T",)), ("v", ("V",)),
    ("z", ("Z",)), ("ʔ", ()), ("ɬ", ("L",)),
)
_IGNORED = set("ˈˌːˑ.‿-_ ̯̩̃͡'") | {"\u0303", "\u0361", "\u032f", "\u0329"}
_TOKEN = re.compile(r"^[a-z]+$")


def ipa_to_arpabet(ipa: str, overrides: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Map one word's espeak-ng IPA to en-us phones (unknown symbols are dropped, never guessed)."""
    overrides = overrides or {}
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        if ipa[i] in _IGNORED:
            i += 1
            continue
        for symbol, arpabet in IPA_TO_ARPABET:
            if ipa.startswith(symbol, i):
                phones.extend(overrides.get(symbol, arpabet))
                i += len(symbol)
                break
        else:
            i += 1
    return phones


def espeak_ipa(words: Sequence[str], voice: str) -> list[str]:
    """IPA of each word (one espeak-ng call for the batch; one line in, one line out)."""
    exe = shutil.which("espeak-ng")
    if not exe or not words:
        return ["" for _ in words]
    out = subprocess.run([exe, "-v", voice, "-q", "--ipa"], input="\n".join(words) + "\n", capture_output=True,
                         text=True, timeout=120, check=False).stdout
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if len(lines) == len(words):
        return lines
    # espeak merged or split lines (punctuation, odd tokens): fall back to one call per word.
    return [subprocess.run([exe, "-v", voice, "-q", "--ipa", w], capture_output=True, text=True, timeout=30,
                           check=False).stdout.strip().replace("\n", " ") for w in words]


@lru_cache(maxsize=1)
def cmudict() -> dict[str, list[str]]:
    """The en-us dictionary pocketsphinx ships: word → pronunciations (first one per word kept first)."""
    from pocketsphinx import get_model_path

    entries: dict[str, list[str]] = {}
    with open(Path(get_model_path("en-us")) / "cmudict-en-us.dict", encoding="utf-8") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            entries.setdefault(re.sub(r"\(\d+\)$", "", word), []).append(phones.strip())
    return entries


def pronunciations(spoken: dict[str, str], english: set[str], portuguese: set[str]) -> dict[str, list[str]]:
    """Folded word → phone strings. Command words get their own language's pronunciation only (extra
    variants of short words soak up speech that belongs elsewhere); catalogue words get both: pt-BR from
    espeak-ng and English from CMUdict (else espeak-ng en-us), since "air fryer" is said either way."""
    words = sorted(spoken)
    pt_ipa = dict(zip(words, espeak_ipa([spoken[w] for w in words], "pt-br"), strict=True))
    need_en = [w for w in words if w not in cmudict() and (w in english or w not in portuguese)]
    en_ipa = dict(zip(need_en, espeak_ipa(need_en, "en-us"), strict=True))
    out: dict[str, list[str]] = {}
    for word in words:
        options = []
        if word in portuguese or word not in english:
            options.append(" ".join(ipa_to_arpabet(pt_ipa[word], PT_OVERRIDES)))
        if word in english or word not in portuguese:
            options += cmudict().get(word, [])[:1] or [" ".join(ipa_to_arpabet(en_ipa.get(word, "")))]
        if not any(options):  # no espeak-ng on this machine: spell it with letters, better than nothing
            options = [" ".join(p for ch in word for p in ipa_to_arpabet(ch))]
        out[word] = list(dict.fromkeys(o for o in options if o))
    return out


# --------------------------------------------------------------------------------------------------
# The grammar
# --------------------------------------------------------------------------------------------------


def product_phrases(name: str) -> list[tuple[str, ...]]:
    """Ways people name a product: its core without "Curso de"/"Mentoria" and the core's leading words
    ("marketing digital", "air fryer", "inglês"), the English order of a two-word core ("digital
    marketing"), and the whole name when it can be said as written."""
    toks = it.tokens(name)
    kinds = {it.fold(w) for ws in it.KIND_WORDS.values() for w in ws}
    preps = {it.fold(w) for ws in it.PREPOSITIONS.values() for w in ws}
    core = list(toks)
    while core and (core[0] in kinds or core[0] in preps):
        core.pop(0)
    usable = []
    for tok in core:  # stop at tokens one cannot say as written ("4l", "20000mah", "6", "d")
        if not _TOKEN.match(tok) or (len(tok) < 2 and tok not in ("e", "a", "o")):
            break
        usable.append(tok)
    phrases = [tuple(usable[:n]) for n in range(1, len(usable) + 1)
               if usable[n - 1] not in preps and usable[n - 1] not in ("e", "a", "o")]
    if len(usable) >= 2 and usable[1] not in preps:
        phrases.append((usable[1], usable[0]))  # "digital marketing", "bluetooth fone"
    if all(_TOKEN.match(t) and len(t) > 1 for t in toks):
        phrases.append(tuple(toks))
    return list(dict.fromkeys(phrases))


Transition = tuple  # (from_state, to_state, probability[, word]); no word = epsilon


@dataclass(frozen=True)
class Grammar:
    transitions: tuple[Transition, ...]
    start: int
    final: int
    dictionary: str  # pocketsphinx .dict text
    display: dict[str, str]  # folded token → how to write it (accents back: "ingles" → "inglês")
    key: str  # content hash: same catalogue, same grammar

    def written(self, folded_words: Iterable[str]) -> str:
        return " ".join(self.display.get(w, w) for w in folded_words)


class _GraphBuilder:
    """Word sequences into a graph whose shared prefixes share states (a trie per slot)."""

    START, FINAL = 0, 1

    def __init__(self) -> None:
        self.transitions: list[Transition] = []
        self._next = 2

    def state(self) -> int:
        self._next += 1
        return self._next - 1

    def words(self, src: int, seqs: Iterable[Sequence[str]], dst: int, optional: bool = False) -> None:
        children: dict[tuple[int, str], int] = {}
        ends: set[tuple[int, str]] = set()
        for seq in seqs:
            cur = src
            for i, word in enumerate(seq):
                if i == len(seq) - 1:
                    if (cur, word) not in ends:
                        self.transitions.append((cur, dst, 1.0, word))
                        ends.add((cur, word))
                    break
                if (cur, word) not in children:
                    children[(cur, word)] = self.state()
                    self.transitions.append((cur, children[(cur, word)], 1.0, word))
                cur = children[(cur, word)]
        if optional:
            self.transitions.append((src, dst, 1.0))

    def without_epsilons(self) -> list[Transition]:
        """The same language with no null transitions: pocketsphinx's FSG search often failed to end on
        the final state through them, so each epsilon is replaced by copies of the word edges it leads to."""
        eps: dict[int, set[int]] = {}
        for t in self.transitions:
            if len(t) == 3:
                eps.setdefault(t[0], set()).add(t[1])

        def closure(state: int) -> set[int]:
            seen, todo = {state}, [state]
            while todo:
                for nxt in eps.get(todo.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            return seen

        words = [t for t in self.transitions if len(t) == 4]
        by_src: dict[int, list[Transition]] = {}
        for t in words:
            by_src.setdefault(t[0], []).append(t)
        out: set[Transition] = set()
        states = {t[0] for t in self.transitions} | {t[1] for t in self.transitions}
        for state in states:
            for reach in closure(state):
                for _, dst, prob, word in by_src.get(reach, ()):
                    out.add((state, dst, prob, word))
                    if dst != self.FINAL and self.FINAL in closure(dst):
                        out.add((state, self.FINAL, prob, word))
        return sorted(out)


def build_grammar(product_names: Iterable[str]) -> Grammar:
    """The command graph in pt-BR and English over these products, with its dictionary.

    Per language: trigger → [determiner | quantity] → [kind [preposition]] → product → [kind] → end, and
    cancel → [determiner] → (pedido | order ...) → end, or cancel → object.
    """
    names = list(product_names)
    display: dict[str, str] = {}
    english: set[str] = set()
    portuguese: set[str] = set()

    def say(phrases: Iterable[str], lang: str | None = None) -> list[tuple[str, ...]]:
        out = []
        for text in phrases:
            spoken = re.findall(r"\w+", text.lower().replace("e-book", "ebook"))
            folded = it.tokens(text)
            for f, s in zip(folded, spoken, strict=False):
                display.setdefault(f, s)
            (english if lang == "en" else portuguese if lang == "pt" else set()).update(folded)
            out.append(tuple(folded))
        return out

    say(names)
    products = sorted({p for name in names for p in product_phrases(name)})
    g = _GraphBuilder()
    for lang in ("pt", "en"):
        obj, counted, kind, prep, product_end = (g.state() for _ in range(5))
        triggers = [t for intent in it.INTENTS if intent != "cancel" for t in it.TRIGGERS[intent][lang]]
        g.words(g.START, say(triggers, lang), obj)
        g.words(obj, say(it.DETERMINERS[lang] + it.NUMBER_WORDS[lang], lang), counted, optional=True)
        g.words(counted, say(it.KIND_WORDS[lang], lang), kind)
        g.transitions.append((counted, prep, 1.0))
        g.words(kind, say(it.PREPOSITIONS[lang], lang), prep, optional=True)
        g.words(prep, products, product_end)
        g.words(product_end, say(it.KIND_WORDS[lang], lang), g.FINAL, optional=True)
        if lang == "pt":  # "quanto custa a air fryer" is also said "a air fryer, quanto custa"
            g.words(product_end, say(["custa"], lang), g.FINAL)
        cancel, cancel_det = g.state(), g.state()
        g.words(g.START, say(it.TRIGGERS["cancel"][lang], lang), cancel)
        g.words(cancel, say(it.DETERMINERS[lang], lang), cancel_det, optional=True)
        g.words(cancel_det, say(it.CANCEL_OBJECTS[lang], lang), g.FINAL)
        g.transitions.append((cancel, obj, 1.0))
    prons = pronunciations(display, english, portuguese)
    lines = [f"{word if i == 0 else f'{word}({i + 1})'} {phones}"
             for word in sorted(prons) for i, phones in enumerate(prons[word])]
    dictionary = "\n".join(lines) + "\n"
    transitions = g.without_epsilons()
    key = content_hash((repr(transitions) + dictionary).encode())[:16]
    return Grammar(tuple(transitions), g.START, g.FINAL, dictionary, display, key)
