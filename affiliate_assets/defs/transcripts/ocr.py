"""Screenshot OCR: Tesseract (``por+eng``) through pytesseract, with the preprocessing that measurably helps.

Tesseract is run with ``image_to_data`` so every word keeps its confidence and box: the parser needs the
layout (which line a price is on) and the warehouse keeps the confidences so doubtful reads are flagged,
not silently trusted. Heavy imports (PIL, numpy, pytesseract) happen inside functions: this module is
imported by the code location.

Preprocessing steps, by name (``screen_bench`` measures each on generated screenshots):

- ``grayscale``: colour carries no text information and Otsu needs one channel;
- ``upscale``: Tesseract's LSTM reads best with an x-height of ~20-30 px; phone screenshots scaled
  down (thumbnails, forwarded images) are upscaled 2x (3x when tiny);
- ``otsu``: global Otsu threshold (black text on white, dark mode inverted); off by default, see below;
- ``deskew``: photos of a screen are slightly rotated; the projection-profile angle search straightens them;
- ``sharpen``: an unsharp mask, tried only as a second pass when the first read is poor (blurred photos);
  the pass whose words carry more total confidence wins.

Measured (``screen_bench``, 6 clean renders + 9 degraded copies, one run on a loaded machine): clean
renders are 100% right with any steps; grayscale takes JPEG from 92% to 100% and sensor noise from 71% to
100% of fields; ``upscale`` takes a 30%-size thumbnail from 0% to 67%; ``deskew`` takes an 8° photo from
14% to 100%; ``otsu`` *loses* fields on blurred and JPEG copies (100% → 85%) and on the thumbnail
(67% → 0%), so it is available but not a default step.

OpenCV and scikit-image are not dependencies (and ``deskew`` on PyPI pulls scikit-image), so Otsu and the
projection-profile deskew are written here with numpy: each is a dozen lines.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

LANGUAGES = "por+eng"
DEFAULT_STEPS = ("grayscale", "upscale", "deskew")
ALL_STEPS = ("grayscale", "upscale", "sharpen", "otsu", "deskew")
RETRY_BELOW_CONFIDENCE = 85.0  # a first read below this mean word confidence gets a sharpened second pass
MIN_WIDTH = 500  # narrower images (thumbnails, forwarded copies) are upscaled before OCR
TESSERACT_TIMEOUT_S = 120
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


class UnreadableImage(Exception):
    """The file is not an image Pillow can decode (truncated, wrong format, empty)."""


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class OcrResult:
    words: list[Word]
    width: int
    height: int
    preprocessing: str
    engine_version: str

    @property
    def mean_confidence(self) -> float | None:
        return round(sum(w.conf for w in self.words) / len(self.words), 2) if self.words else None


def open_image(data: bytes) -> Image.Image:
    """Decode fully (Pillow is lazy: a truncated file only fails on ``load``) and apply EXIF rotation."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise UnreadableImage("empty file")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
        img = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage(f"cannot decode image: {exc}") from exc
    if img.mode not in ("RGB", "L"):
        # Transparent screenshots: paste on white, or transparent pixels turn black and hide the text.
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        img = Image.alpha_composite(white, rgba).convert("RGB")
    return img


# --------------------------------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------------------------------


def otsu_threshold(gray: Image.Image) -> int:
    """Otsu's threshold of an 8-bit grayscale image: the cut maximising between-class variance."""
    import numpy as np

    hist = np.bincount(np.asarray(gray, dtype=np.uint8).ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 - total * m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between[:-1], nan=-1.0)
    return int(np.argmax(between)) if between.max() > 0 else 127  # one flat colour: nothing to split


def binarize(gray: Image.Image) -> Image.Image:
    """Black text on white whatever the theme: dark-mode screenshots are inverted after thresholding."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(gray, dtype=np.uint8) > otsu_threshold(gray)
    if arr.mean() < 0.5:  # mostly dark: a dark theme, light text
        arr = ~arr
    return Image.fromarray((arr * 255).astype(np.uint8))


def skew_angle(gray: Image.Image, max_angle: float = 10.0) -> float:
    """Angle (degrees, counter-clockwise) that makes text lines horizontal: the one maximising the
    variance of row sums (text rows and gaps alternate sharply when lines are level)."""
    import numpy as np

    small = gray.copy()
    small.thumbnail((480, 480))
    ink = binarize(small).point(lambda v: 255 - v)  # text = 255 so rotation fills with 0 (no ink)

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=0), dtype=np.float32).sum(axis=1)
        return float(np.var(np.diff(rows)))

    coarse = max(np.arange(-max_angle, max_angle + 0.01, 1.0), key=score)
    fine = max(np.arange(coarse - 0.8, coarse + 0.81, 0.2), key=score)
    return round(float(fine), 1)


def preprocess(img: Image.Image, steps: tuple[str, ...] = DEFAULT_STEPS) -> tuple[Image.Image, list[str]]:
    """Apply ``steps`` in a fixed order; return the image and the steps that actually changed it."""
    from PIL import Image, ImageFilter, ImageOps

    applied: list[str] = []
    if "grayscale" in steps or "otsu" in steps or "deskew" in steps:
        img = ImageOps.grayscale(img)
        applied.append("grayscale")
    if "upscale" in steps and img.width < MIN_WIDTH:
        factor = 3 if img.width < MIN_WIDTH * 2 // 3 else 2
        img = img.resize((img.width * factor, img.height * factor), Image.Resampling.LANCZOS)
        applied.append(f"upscale{factor}x")
    if "sharpen" in steps:
        img = img.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=2))
        applied.append("sharpen")
    if "deskew" in steps:
        angle = skew_angle(img)
        if abs(angle) >= 0.3:
            img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
            applied.append(f"deskew{angle:+.1f}")
    if "otsu" in steps:
        img = binarize(img)
        applied.append("otsu")
    return img, applied


# --------------------------------------------------------------------------------------------------
# Tesseract
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def engine_info() -> tuple[str, str]:
    """(tesseract version, languages to use): ``por+eng`` when Portuguese data is installed, else ``eng``
    (recorded in every row, so reads without Portuguese are visible)."""
    import pytesseract

    version = str(pytesseract.get_tesseract_version()).split()[0]
    available = set(pytesseract.get_languages(config=""))
    langs = "+".join(lang for lang in LANGUAGES.split("+") if lang in available) or "eng"
    return version, langs


def run_tesseract(img: Image.Image, scale: float = 1.0) -> list[Word]:
    """Words with confidence ≥ 0 (Tesseract marks block/line rows with -1), boxes mapped back by ``scale``."""
    import pytesseract

    _, langs = engine_info()
    data = pytesseract.image_to_data(
        img, lang=langs, config="--psm 3", output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT_S
    )
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        text = (text or "").strip()
        if conf < 0 or not text:
            continue
        words.append(Word(
            text=text, conf=round(conf, 2),
            left=round(data["left"][i] / scale), top=round(data["top"][i] / scale),
            width=round(data["width"][i] / scale), height=round(data["height"][i] / scale),
            block=int(data["block_num"][i]), par=int(data["par_num"][i]), line=int(data["line_num"][i]),
        ))
    return words


def _ocr_pass(img: Image.Image, steps: tuple[str, ...]) -> OcrResult:
    version, langs = engine_info()
    prepared, applied = preprocess(img, steps)
    scale = prepared.height / img.height if img.height else 1.0
    words = run_tesseract(prepared, scale)
    return OcrResult(words=words, width=img.width, height=img.height,
                     preprocessing="+".join(applied) or "none", engine_version=f"{version} {langs}")


def ocr_image(img: Image.Image, steps: tuple[str, ...] = DEFAULT_STEPS, retry: bool = True) -> OcrResult:
    """OCR one decoded image; boxes are in the original image's pixels. A poor first read (blur) gets a
    sharpened second pass; the pass with the larger total word confidence is kept."""
    result = _ocr_pass(img, steps)
    mean = result.mean_confidence
    if retry and "sharpen" not in steps and (mean is None or mean < RETRY_BELOW_CONFIDENCE):
        second = _ocr_pass(img, (*steps, "sharpen"))
        if sum(w.conf for w in second.words) > sum(w.conf for w in result.words):
            return second
    return result


def ocr_bytes(data: bytes, steps: tuple[str, ...] = DEFAULT_STEPS, retry: bool = True) -> OcrResult:
    return ocr_image(open_image(data), steps, retry)
