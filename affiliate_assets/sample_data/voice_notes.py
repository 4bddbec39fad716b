"""Sample voice notes with known text: espeak-ng renders of command phrases (pt-BR and English), converted
by sox to 16 kHz mono 16-bit, as the demo's and the tests' audio. Also writes FLAC and OGG copies (phones
send those), a silent clip and a corrupt file, so error paths have real inputs.

espeak-ng and sox are system packages (the setup installs them); :func:`tools_available` says whether
they are here. Rendering is deterministic for one espeak-ng version.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class VoiceNote:
    file_name: str
    text: str
    language: str  # espeak-ng voice: pt-br | en-us
    intent: str  # what the parser should find (ground truth)
    product: str | None = None  # catalogue name the note is about
    quantity: int | None = None


NOTES: tuple[VoiceNote, ...] = (
    VoiceNote("pt_comprar_marketing.wav", "quero comprar dois cursos de marketing digital", "pt-br", "buy",
              "Curso de Marketing Digital Completo", 2),
    VoiceNote("pt_buscar_fone.wav", "buscar fone bluetooth", "pt-br", "search", "Fone Bluetooth TWS Pro"),
    VoiceNote("pt_preco_air_fryer.wav", "quanto custa a air fryer", "pt-br", "price", "Air Fryer 4L Digital"),
    VoiceNote("pt_recomenda_ingles.wav", "me recomenda um curso de inglês", "pt-br", "recommend",
              "Inglês Fluente em 6 Meses"),
    VoiceNote("pt_cancelar.wav", "cancelar o pedido", "pt-br", "cancel"),
    VoiceNote("en_buy_marketing.wav", "buy two digital marketing courses", "en-us", "buy",
              "Curso de Marketing Digital Completo", 2),
    VoiceNote("en_price_air_fryer.wav", "how much is the air fryer", "en-us", "price", "Air Fryer 4L Digital"),
    VoiceNote("en_search_smartwatch.wav", "search for the smartwatch", "en-us", "search", "Smartwatch Fit Série 8"),
    VoiceNote("en_recommend_excel.wav", "recommend an excel course", "en-us", "recommend",
              "Excel do Básico ao Avançado"),
    VoiceNote("en_cancel.wav", "cancel my order", "en-us", "cancel"),
)


def tools_available() -> bool:
    return bool(shutil.which("espeak-ng") and shutil.which("sox"))


def render(text: str, voice: str, out: Path, speed: int = 150) -> Path:
    """espeak-ng → WAV (22.05 kHz) → sox → 16 kHz mono 16-bit WAV at ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True,
                       capture_output=True, timeout=60)
        subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True,
                       capture_output=True, timeout=60)
    return out


def convert(wav: Path, suffix: str) -> Path:
    """A FLAC or OGG/Vorbis copy of ``wav`` next to it (soundfile encodes both)."""
    import soundfile as sf

    data, rate = sf.read(wav, dtype="float32")
    out = wav.with_suffix(suffix)
    sf.write(out, data, rate, format={"flac": "FLAC", "ogg": "OGG"}[suffix.lstrip(".")],
             subtype={"flac": "PCM_16", "ogg": "VORBIS"}[suffix.lstrip(".")])
    return out


def write_silence(out: Path, seconds: float = 2.0) -> Path:
    import numpy as np
    import soundfile as sf

    out.parent.mkdir(parents=True, exist_ok=True)
    sf.write(out, np.zeros(int(SAMPLE_RATE * seconds), dtype=np.int16), SAMPLE_RATE, subtype="PCM_16")
    return out


def write_corrupt(out: Path) -> Path:
    """A file named .wav that is a truncated RIFF header followed by junk (what a failed upload leaves)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(7, 120)))
    return out


def generate_voice_notes(folder: Path, notes: tuple[VoiceNote, ...] = NOTES, *, extra_formats: bool = True,
                         errors: bool = True) -> list[VoiceNote]:
    """Write the notes into ``folder`` (plus FLAC/OGG copies of the first one, a silent and a corrupt file)."""
    written = []
    for note in notes:
        render(note.text, note.language, folder / note.file_name)
        written.append(note)
    if extra_formats and notes:
        first = folder / notes[0].file_name
        for suffix in (".flac", ".ogg"):
            out = convert(first, suffix)
            out.rename(out.with_name(out.stem + "_copia" + suffix))
    if errors:
        write_silence(folder / "silencio.wav")
        write_corrupt(folder / "corrompido.wav")
    return written
