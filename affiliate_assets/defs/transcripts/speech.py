"""Speech to text for voice notes: read any WAV/FLAC/OGG, then transcribe with Google Cloud Speech-to-Text
(google-cloud-speech, pt-BR with English as alternative, word confidences and time offsets, long audio via
``long_running_recognize``) or with the offline engine (pocketsphinx 5 over the command grammar of
``voice_grammar``), and say which one produced each transcript.

Which path runs: with ``GOOGLE_APPLICATION_CREDENTIALS`` the real client and endpoint (``SPEECH_API_ENDPOINT``
overrides the host); without it the same client talks REST to the bundled fake (``fakes/speech.py``), which
answers with the offline engine's transcript, so the Google code path runs in tests and the demo. The
offline engine can also be called directly (``engine="offline"``).

Bad input never raises out of :func:`transcribe`: unreadable, empty or silent audio raises
:class:`AudioError` from :func:`read_audio`, which callers record as an error row.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from affiliate_assets.lib.files import content_hash

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus")
TARGET_RATE = 16_000  # what the en-us acoustic model and LINEAR16/FLAC requests use
SILENCE_DBFS = -50.0  # RMS below this over the whole clip: nothing was said
MIN_SECONDS = 0.2
LONG_AUDIO_SECONDS = 60.0  # Google's synchronous recognize refuses longer audio
MAX_INLINE_BYTES = 10 * 1024 * 1024  # Google's limit for inline content (longer needs a GCS uri)
LANGUAGE = "pt-BR"
ALTERNATIVE_LANGUAGES = ("en-US",)
ENGINE_GOOGLE = "google-cloud-speech"
ENGINE_OFFLINE = "pocketsphinx-grammar"
PARTIAL_PENALTY = 0.5
SILENCE_PROB = 0.1


class AudioError(ValueError):
    """The file is not audio we can read, or holds nothing to transcribe (reason in the message)."""


@dataclass
class AudioClip:
    samples: Any  # numpy int16, mono, TARGET_RATE
    duration_s: float
    sample_rate: int  # of the file as dropped
    channels: int
    audio_format: str

    @property
    def pcm16(self) -> bytes:
        return self.samples.tobytes()

    def flac(self) -> bytes:
        """The clip as 16 kHz mono FLAC (what we send to Google: lossless, about half of LINEAR16)."""
        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, self.samples, TARGET_RATE, format="FLAC", subtype="PCM_16")
        return buf.getvalue()


@dataclass
class Transcript:
    text: str
    confidence: float | None
    words: list[dict] = field(default_factory=list)  # word, start_s, end_s, confidence
    language: str | None = None
    engine: str = ENGINE_OFFLINE
    engine_detail: str = ""
    source_mode: str = "offline"  # live | fake | offline


def read_audio(data: bytes) -> AudioClip:
    """Decode any soundfile-readable audio, down-mix to mono and resample to 16 kHz int16.

    Raises :class:`AudioError` for bytes that are not audio, empty or too short clips, and silence.
    """
    import numpy as np
    import soundfile as sf

    if not data:
        raise AudioError("empty file")
    try:
        with sf.SoundFile(io.BytesIO(data)) as fh:
            fmt = f"{fh.format} {fh.subtype}"
            rate, channels = fh.samplerate, fh.channels
            frames = fh.read(dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioError(f"corrupt or unsupported audio: {exc}") from exc
    if frames.size == 0:
        raise AudioError("audio has no samples")
    mono = frames.mean(axis=1)
    duration = len(mono) / rate
    if duration < MIN_SECONDS:
        raise AudioError(f"audio too short ({duration:.2f} s)")
    rms = float(np.sqrt(np.mean(np.square(mono, dtype=np.float64))))
    dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    if dbfs < SILENCE_DBFS:
        raise AudioError(f"silent audio ({dbfs:.0f} dBFS over {duration:.1f} s)")
    if rate != TARGET_RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(TARGET_RATE, rate)
        mono = resample_poly(mono, TARGET_RATE // g, rate // g)
    samples = (np.clip(mono, -1.0, 1.0) * 32767).astype(np.int16)
    return AudioClip(samples, round(duration, 3), rate, channels, fmt)


# --------------------------------------------------------------------------------------------------
# Offline engine: pocketsphinx over the command grammar
# --------------------------------------------------------------------------------------------------


class OfflineEngine:
    """pocketsphinx 5 (en-us acoustic model, shipped in the wheel) constrained to the command graph.

    Building the dictionary costs a couple of espeak-ng calls and the decoder ~2 s, so engines are cached
    per grammar (catalogue) and a decoder is used by one thread at a time.
    """

    _cache: ClassVar[dict[str, OfflineEngine]] = {}
    _cache_lock = threading.Lock()

    def __init__(self, grammar, workdir: Path):
        from pocketsphinx import Decoder, get_model_path

        self.grammar = grammar
        workdir.mkdir(parents=True, exist_ok=True)
        dict_path = workdir / f"voice-{grammar.key}.dict"
        dict_path.write_text(grammar.dictionary, encoding="utf-8")
        model = Path(get_model_path("en-us"))
        self._decoder = Decoder(samprate=TARGET_RATE, hmm=str(model / "en-us"), dict=str(dict_path),
                                lm=str(model / "en-us.lm.bin"), loglevel="ERROR")
        self._fsg = self._decoder.create_fsg("commands", grammar.start, grammar.final, list(grammar.transitions))
        # create_fsg adds no silence loops (JSGF loading does): without them a pause before, between or after
        # the words cannot be absorbed and the search often ends off the grammar.
        self._fsg.add_silence("<sil>", -1, SILENCE_PROB)
        self._decoder.add_fsg("commands", self._fsg)
        self._decoder.activate_search("commands")
        self._lock = threading.Lock()

    @classmethod
    def for_products(cls, product_names: list[str], workdir: Path) -> OfflineEngine:
        from affiliate_assets.defs.transcripts.voice_grammar import build_grammar

        names_key = content_hash("\n".join(sorted(product_names)).encode())
        with cls._cache_lock:
            engine = cls._cache.get(names_key)
            if engine is None:
                engine = cls._cache[names_key] = cls(build_grammar(product_names), workdir)
            return engine

    @property
    def detail(self) -> str:
        return f"pocketsphinx en-us model + command grammar {self.grammar.key} (pt-BR words via espeak-ng)"

    def transcribe(self, clip: AudioClip) -> Transcript:
        with self._lock:
            d = self._decoder
            d.start_utt()
            d.process_raw(clip.pcm16, full_utt=True)
            d.end_utt()
            hyp = d.hyp()
            frame_rate = 100.0  # pocketsphinx frames per second
            segs = [(s.word, s.start_frame, s.end_frame, s.prob) for s in d.seg() or []] if hyp else []
            # When no path reaches the end of the graph, pocketsphinx returns the best partial one.
            complete = bool(hyp and hyp.hypstr and self._fsg.accept(hyp.hypstr))
        words = []
        for word, start, end, prob in segs:
            base = word.split("(")[0]
            if base.startswith("<") or base.startswith("[") or base in ("<sil>", "sil"):
                continue
            words.append({"word": self.grammar.display.get(base, base), "start_s": round(start / frame_rate, 2),
                          "end_s": round((end + 1) / frame_rate, 2), "confidence": round(min(max(prob, 0.0), 1.0), 4)})
        text = " ".join(w["word"] for w in words) if hyp and hyp.hypstr else ""
        # The FSG search gives no utterance posterior; the mean of word posteriors stands in for it, halved
        # for a partial path (not a whole command), so such notes land in review.
        confidence = round(sum(w["confidence"] for w in words) / len(words), 4) if words else None
        if confidence is not None and not complete:
            confidence = round(confidence * PARTIAL_PENALTY, 4)
        detail = self.detail + ("" if complete or not words else "; partial path (not a whole command)")
        return Transcript(text, confidence, words, language=_guess_language(text), engine=ENGINE_OFFLINE,
                          engine_detail=detail, source_mode="offline")


def _guess_language(text: str) -> str | None:
    from affiliate_assets.defs.transcripts.intents import TRIGGERS, tokens

    toks = set(tokens(text))
    if not toks:
        return None
    score = {lang: sum(1 for by_lang in TRIGGERS.values() for p in by_lang[lang] for w in tokens(p) if w in toks)
             for lang in ("pt", "en")}
    return "en-US" if score["en"] > score["pt"] else "pt-BR"


# --------------------------------------------------------------------------------------------------
# Google Cloud Speech-to-Text (real or the bundled fake)
# --------------------------------------------------------------------------------------------------


@dataclass
class GoogleTarget:
    endpoint: str  # host[:port] or http(s)://host:port
    source_mode: str  # live | fake
    credentials_file: str | None = None


def google_client(target: GoogleTarget):
    """A ``SpeechClient``: real credentials and endpoint when configured, anonymous REST to the fake otherwise."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import speech

    options = ClientOptions(api_endpoint=target.endpoint)
    if target.credentials_file:
        from google.oauth2 import service_account

        creds = service_account.Credentials.from_service_account_file(
            target.credentials_file, scopes=["https://www.googleapis.com/auth/cloud-platform"])
        return speech.SpeechClient(credentials=creds, client_options=options)
    from google.auth.credentials import AnonymousCredentials

    return speech.SpeechClient(transport="rest", credentials=AnonymousCredentials(), client_options=options)


def recognition_config(phrases: list[str]):
    from google.cloud import speech

    return speech.RecognitionConfig(
        encoding=speech.RecognitionConfig.AudioEncoding.FLAC,
        sample_rate_hertz=TARGET_RATE,
        audio_channel_count=1,
        language_code=LANGUAGE,
        alternative_language_codes=list(ALTERNATIVE_LANGUAGES),
        enable_word_confidence=True,
        enable_word_time_offsets=True,
        max_alternatives=1,
        # Product names as hints: Google boosts them; the fake builds its grammar from them.
        speech_contexts=[speech.SpeechContext(phrases=phrases[:500], boost=10.0)] if phrases else [],
    )


def google_transcribe(client, clip: AudioClip, phrases: list[str], *, source_mode: str, endpoint: str,
                      long_audio_s: float = LONG_AUDIO_SECONDS, timeout_s: float = 600.0) -> Transcript:
    """Transcribe with the Speech-to-Text v1 API; clips over ``long_audio_s`` go through the long-running
    operation. Raises :class:`AudioError` for audio too big to send inline."""
    from google.cloud import speech

    content = clip.flac()
    if len(content) > MAX_INLINE_BYTES:
        raise AudioError(f"audio too long to send inline ({len(content) / 1e6:.1f} MB FLAC, "
                         f"{clip.duration_s:.0f} s): needs a Cloud Storage uri")
    config = recognition_config(phrases)
    audio = speech.RecognitionAudio(content=content)
    if clip.duration_s > long_audio_s:
        operation = client.long_running_recognize(config=config, audio=audio)
        response = operation.result(timeout=timeout_s)
        method = "long_running_recognize"
    else:
        response = client.recognize(config=config, audio=audio, timeout=timeout_s)
        method = "recognize"
    texts, confs, words, language = [], [], [], None
    for result in response.results:
        if not result.alternatives:
            continue
        best = result.alternatives[0]
        texts.append(best.transcript.strip())
        confs.append(best.confidence)
        language = language or result.language_code or None
        for w in best.words:
            words.append({"word": w.word, "start_s": round(w.start_time.total_seconds(), 2),
                          "end_s": round(w.end_time.total_seconds(), 2), "confidence": round(w.confidence, 4)})
    text = " ".join(t for t in texts if t)
    confidence = round(sum(confs) / len(confs), 4) if confs else None
    return Transcript(text, confidence, words, language=language or LANGUAGE, engine=ENGINE_GOOGLE,
                      engine_detail=f"{method} via {endpoint}", source_mode=source_mode)


