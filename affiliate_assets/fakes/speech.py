"""A fake Google Cloud Speech-to-Text v1 server (REST), answering with the offline engine's transcript.

Speaks what ``google-cloud-speech`` sends with ``transport="rest"``:

- ``POST /v1/speech:recognize`` — ``{"config": {...}, "audio": {"content": base64}}`` → ``{"results": [...]}``;
  refuses audio over 60 s like the real API (use the long-running method);
- ``POST /v1/speech:longrunningrecognize`` → an operation ``{"name": ...}``, transcribed on a worker thread;
- ``GET /v1/operations/{name}`` → ``{"done": false}`` until finished, then ``{"done": true, "response": ...}``
  with the ``@type`` URLs the client unpacks.

Errors look like Google's: ``{"error": {"code": 400, "message": ..., "status": "INVALID_ARGUMENT"}}``. Silence
gives an empty ``results`` list, as the real service does. The recogniser's grammar is built from the
request's ``speechContexts`` phrases (the product names the client passes as hints), else the bundled
catalogue. Options: ``latency_s`` (delay before a long-running operation completes).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import time
import uuid
from typing import Any, ClassVar

from affiliate_assets.fakes.base import FakeHandler, serve

SYNC_LIMIT_S = 60.0
_TYPE = "type.googleapis.com/google.cloud.speech.v1."


def _duration(seconds: float) -> str:
    return f"{seconds:.3f}s"


class SpeechHandler(FakeHandler):
    routes: ClassVar = [
        ("POST", r"/v1/speech:recognize", "recognize"),
        ("POST", r"/v1/speech:longrunningrecognize", "long_running"),
        ("GET", r"/v1/operations/(?P<name>[^/]+)", "operation"),
    ]
    latency_s: float = 0.0
    operations: ClassVar[dict[str, dict]] = {}
    workdir: str = ""
    _counter = itertools.count(1)

    # -- helpers ------------------------------------------------------------------------------------
    def _error(self, code: int, status: str, message: str) -> None:
        self.send_json(code, {"error": {"code": code, "message": message, "status": status}})

    def _decode(self) -> tuple[Any, list[str], str] | None:
        """(clip, phrases, language) from the request, or None after answering with an error."""
        from affiliate_assets.defs.transcripts.speech import AudioError, read_audio

        try:
            body = self.read_json() or {}
        except ValueError:
            self._error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
            return None
        config, audio = body.get("config") or {}, body.get("audio") or {}
        if "uri" in audio:
            self._error(400, "INVALID_ARGUMENT", "This fake does not read Cloud Storage URIs.")
            return None
        if not config.get("languageCode") and not config.get("language_code"):
            self._error(400, "INVALID_ARGUMENT", "Invalid recognition 'config': missing language_code.")
            return None
        try:
            content = base64.b64decode(audio.get("content") or "", validate=True)
        except (binascii.Error, ValueError):
            self._error(400, "INVALID_ARGUMENT", "Invalid audio content: not base64.")
            return None
        contexts = config.get("speechContexts") or config.get("speech_contexts") or []
        phrases = [p for c in contexts for p in c.get("phrases", [])]
        try:
            clip = read_audio(content)
        except AudioError as exc:
            if str(exc).startswith("silent"):
                return None, phrases, config.get("languageCode", "pt-BR")
            self._error(400, "INVALID_ARGUMENT", f"Audio data could not be decoded: {exc}")
            return None
        return clip, phrases, config.get("languageCode") or config.get("language_code")

    def _results(self, clip, phrases: list[str], language: str) -> dict:
        from pathlib import Path

        from affiliate_assets.defs.transcripts.speech import OfflineEngine

        if clip is None:
            return {"results": [], "totalBilledTime": "0s", "requestId": str(next(self._counter))}
        if not phrases:
            from affiliate_assets.sample_data.catalogue import catalogue

            phrases = [p.name for p in catalogue()]
        engine = OfflineEngine.for_products(phrases, Path(self.workdir))
        t = engine.transcribe(clip)
        results = []
        if t.text:
            results.append({
                "alternatives": [{
                    "transcript": t.text,
                    "confidence": t.confidence or 0.0,
                    "words": [{"startTime": _duration(w["start_s"]), "endTime": _duration(w["end_s"]),
                               "word": w["word"], "confidence": w["confidence"]} for w in t.words],
                }],
                "resultEndTime": _duration(clip.duration_s),
                "languageCode": (t.language or language).lower(),
            })
        return {"results": results, "totalBilledTime": f"{int(clip.duration_s + 0.999)}s",
                "requestId": str(next(self._counter))}

    # -- routes -------------------------------------------------------------------------------------
    def recognize(self) -> None:
        decoded = self._decode()
        if decoded is None:
            return
        clip, phrases, language = decoded
        if clip is not None and clip.duration_s > SYNC_LIMIT_S:
            self._error(400, "INVALID_ARGUMENT", "Sync input too long. For audio longer than 1 min use "
                        "LongRunningRecognize with a 'uri' parameter.")
            return
        self.send_json(200, self._results(clip, phrases, language))

    def long_running(self) -> None:
        decoded = self._decode()
        if decoded is None:
            return
        name = str(uuid.uuid4().int)[:19]
        op = {"name": name, "done": False, "started": time.time(),
              "metadata": {"@type": _TYPE + "LongRunningRecognizeMetadata", "progressPercent": 0,
                           "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
        type(self).operations[name] = op
        latency = self.latency_s

        def work() -> None:
            response = self._results(*decoded)
            time.sleep(latency)
            op.update(done=True, response={"@type": _TYPE + "LongRunningRecognizeResponse", **response})
            op["metadata"]["progressPercent"] = 100

        threading.Thread(target=work, daemon=True).start()
        self.send_json(200, {"name": name, "metadata": op["metadata"]})

    def operation(self, name: str) -> None:
        op = type(self).operations.get(name)
        if op is None:
            self._error(404, "NOT_FOUND", f"Operation {name} not found.")
            return
        body = {"name": name, "metadata": op["metadata"], "done": op["done"]}
        if op["done"]:
            body["response"] = op["response"]
        self.send_json(200, body)


def build_server(host: str = "127.0.0.1", port: int = 0, latency_s: float = 0.0, workdir: str | None = None):
    """The fake; ``workdir`` holds the recogniser's dictionary files (a temp dir by default)."""
    import tempfile

    return serve(SpeechHandler, host, port, latency_s=float(latency_s), operations={},
                 workdir=workdir or tempfile.mkdtemp(prefix="fake-speech-"))
