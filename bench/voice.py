"""Offline voice engine on the sample notes: how right each transcript is, and how long a note takes.

``python bench/voice.py [--repeat 1]``

Renders the sample voice notes (espeak-ng + sox, ``sample_data/voice_notes.py``: five pt-BR and five English
commands with known text), builds the offline engine (pocketsphinx en-us model + the command grammar over the
bundled catalogue, the same engine the asset uses without Google) and decodes every note, in one run:

- word accuracy per note: 1 - word error rate against the rendered text (folded tokens, so accents and
  case do not count), and whether the parser finds the note's intent and product (``-``: the note names
  none) in the transcript;
- seconds per note (decode only; the one-off engine build is reported apart) and the real-time factor;
- the same figures averaged per language, English vs Portuguese.

Expect English near 100 % and Portuguese well below (pt-BR words through an English acoustic model): the
reason transcripts carry their engine and confidence and doubtful voice orders go to review.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def word_accuracy(reference: list[str], hypothesis: list[str]) -> float:
    """1 - WER (word-level Levenshtein distance / reference length), floored at 0."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return max(0.0, 1 - previous[-1] / max(len(reference), 1))


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="decode each note this many times (median time)")
    args = parser.parse_args(argv)

    from statistics import mean, median

    from affiliate_assets.defs.transcripts.intents import CatalogueMatcher, Product, parse, tokens
    from affiliate_assets.defs.transcripts.speech import OfflineEngine, read_audio
    from affiliate_assets.sample_data.catalogue import catalogue
    from affiliate_assets.sample_data.voice_notes import NOTES, generate_voice_notes, tools_available

    if not tools_available():
        print("espeak-ng and sox are needed to render the sample notes", file=sys.stderr)
        return 1
    products = [Product(p.product_id, p.name, p.price) for p in catalogue()]
    matcher = CatalogueMatcher(products)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        generate_voice_notes(folder, extra_formats=False, errors=False)
        started = time.perf_counter()
        engine = OfflineEngine.for_products([p.name for p in products], Path(tmp) / "engine")
        build_s = time.perf_counter() - started
        results = []
        for note in NOTES:
            clip = read_audio((folder / note.file_name).read_bytes())
            times = []
            for _ in range(max(args.repeat, 1)):
                t0 = time.perf_counter()
                transcript = engine.transcribe(clip)
                times.append(time.perf_counter() - t0)
            found = parse(transcript.text, matcher, transcript.confidence)
            first = found[0] if found else None
            results.append({
                "note": note, "text": transcript.text, "seconds": median(times), "audio_s": clip.duration_s,
                "accuracy": word_accuracy(tokens(note.text), tokens(transcript.text)),
                "intent_ok": bool(first and first.intent == note.intent),
                "product_ok": None if note.product is None else bool(
                    first and first.match and first.match.product and first.match.product.name == note.product),
            })

    print(f"engine build (grammar + dictionary + decoder): {build_s:.2f} s, once per catalogue\n")
    print(f"{'note':28} {'lang':5} {'acc':>5} {'intent':>6} {'product':>7} {'s/note':>7} {'RTF':>5}  transcript")
    for r in results:
        n = r["note"]
        print(f"{n.file_name:28} {n.language:5} {r['accuracy']:5.0%} {_yes_no(r['intent_ok']):>6} "
              f"{_yes_no(r['product_ok']):>7} {r['seconds']:7.3f} {r['seconds'] / r['audio_s']:5.2f}  "
              f"{r['text'] or '(nothing)'}")
    print()
    by_lang = {}
    for lang, label in (("en-us", "English"), ("pt-br", "Portuguese")):
        rows = [r for r in results if r["note"].language == lang]
        by_lang[lang] = rows
        print(f"{label:10}: word accuracy {mean(r['accuracy'] for r in rows):5.1%}, "
              f"intent right {sum(r['intent_ok'] for r in rows)}/{len(rows)}, "
              f"product right {sum(bool(r['product_ok']) for r in rows)}/"
              f"{sum(r['product_ok'] is not None for r in rows)}, "
              f"{mean(r['seconds'] for r in rows):.3f} s/note "
              f"(RTF {sum(r['seconds'] for r in rows) / sum(r['audio_s'] for r in rows):.2f})")
    en, pt = (mean(r["seconds"] for r in by_lang[k]) for k in ("en-us", "pt-br"))
    print(f"Portuguese/English seconds per note: {pt / en:.2f}x (same engine, same run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
