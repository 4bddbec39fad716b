"""Field accuracy of the screen OCR against generated screenshots with known truth, per preprocessing.

``python -m affiliate_assets.defs.transcripts.screen_bench [n_clean]`` renders a sample set (clean and
noisy variants), OCRs it under each preprocessing combination and prints the share of fields read right
and the seconds per image, measured in that one run. The tests use :func:`score` for the same figure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from affiliate_assets.defs.transcripts.ocr import DEFAULT_STEPS, ocr_bytes
from affiliate_assets.defs.transcripts.screen_parsing import CatalogueMatcher, ParsedItem, parse_screen
from affiliate_assets.sample_data.catalogue import catalogue
from affiliate_assets.sample_data.screenshots import HARSH_KINDS, NOISE_KINDS, Truth, generate_screenshots

FIELDS = ("price", "commission_pct", "commission_amount", "rating", "temperature")
COMBINATIONS = (
    (),
    ("grayscale",),
    ("grayscale", "upscale"),
    ("grayscale", "deskew"),
    ("grayscale", "upscale", "deskew"),
    ("grayscale", "upscale", "otsu", "deskew"),
)


@dataclass
class Score:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append(what)

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 0.0


def item_dict(item: ParsedItem) -> dict:
    """A parsed item as the flat row ``raw.screen_interactions`` stores (what :func:`score` compares)."""
    return {"product_id": item.product_id, "product_text": item.product_text,
            **{name: getattr(item.fields, name) for name in FIELDS}}


def score(truth: Truth, screen_type: str, items: list[dict], into: Score | None = None) -> Score:
    """Fields right: the screen type, each product shown, each field shown; a product read that is not on
    the screen costs one field too (a wrong extra row is as bad as a missing one). ``items`` are rows
    with ``product_id``, ``product_text`` and the :data:`FIELDS`."""
    result = into or Score()
    result.add(screen_type == truth.screen_type, f"{truth.file_name}: type {screen_type}")
    by_id = {item["product_id"]: item for item in items}
    for t in truth.items:
        got = by_id.get(t.product_id)
        result.add(got is not None, f"{truth.file_name}: product {t.name}")
        for name in FIELDS:
            expected = getattr(t, name)
            if expected is not None:
                value = got[name] if got else None
                result.add(value == expected, f"{truth.file_name}: {t.name} {name} {value} != {expected}")
    wanted = {t.product_id for t in truth.items}
    for item in items:
        if item["product_id"] not in wanted:
            result.add(False, f"{truth.file_name}: extra item {item['product_text']!r}")
    return result


def matcher() -> CatalogueMatcher:
    return CatalogueMatcher((p.product_id, p.name) for p in catalogue())


def evaluate(folder: Path, truths: list[Truth], steps: tuple[str, ...],
             retry: bool = False) -> tuple[dict[str, Score], float]:
    """Score per variant (clean, blur, ...) and seconds per image; ``retry`` adds the sharpened second
    pass for poor reads (what the asset does)."""
    m = matcher()
    scores: dict[str, Score] = {}
    started = time.perf_counter()
    for truth in truths:
        result = ocr_bytes((folder / truth.file_name).read_bytes(), steps, retry)
        kind, items = parse_screen(result.words, m)
        score(truth, kind, [item_dict(i) for i in items], scores.setdefault(truth.variant, Score()))
    return scores, (time.perf_counter() - started) / max(len(truths), 1)


def main(n_clean: int = 6) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        truths = generate_screenshots(folder, n_clean, noisy=NOISE_KINDS + HARSH_KINDS)
        variants = sorted({t.variant for t in truths})
        print(f"{len(truths)} screenshots ({n_clean} clean); fields right per variant; seconds per image")
        print(f"{'preprocessing':<34}" + "".join(f"{v:>8}" for v in variants) + f"{'s/img':>8}")
        runs = [(steps, False, "+".join(steps) or "none") for steps in COMBINATIONS]
        runs.append((DEFAULT_STEPS, True, "default + sharpen retry"))
        for steps, retry, label in runs:
            scores, per_image = evaluate(folder, truths, steps, retry)
            cells = "".join(f"{scores[v].ratio:>8.0%}" for v in variants)
            print(f"{label:<34}{cells}{per_image:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
