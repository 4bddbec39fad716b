"""Voice notes end to end: real espeak-ng audio through the offline engine and through the
google-cloud-speech client against the fake, silent and corrupt files, the assets on PostgreSQL, re-runs and
the inbox sensor."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from affiliate_assets.defs.transcripts import speech
from affiliate_assets.defs.transcripts.voice_assets import voice_intents_and_orders, voice_transcripts
from affiliate_assets.defs.transcripts.voice_checks import voice_orders_consistent, voice_transcripts_explained
from affiliate_assets.defs.transcripts.voice_sensor import voice_inbox_sensor
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.sample_data.catalogue import catalogue
from affiliate_assets.sample_data.voice_notes import NOTES, generate_voice_notes, tools_available

pytestmark = pytest.mark.skipif(not tools_available(), reason="espeak-ng and sox are needed to render audio")

# English command phrases the offline engine decodes exactly (measured; see voice_grammar's docstring).
EXACT = {"en_buy_marketing.wav": "buy two digital marketing courses",
         "en_price_air_fryer.wav": "how much is the air fryer",
         "en_cancel.wav": "cancel my order"}
NAMES = [p.name for p in catalogue()]


@pytest.fixture(scope="module")
def notes_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("voice_notes")
    generate_voice_notes(folder)
    return folder


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> speech.OfflineEngine:
    return speech.OfflineEngine.for_products(NAMES, tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="module")
def fake():
    from affiliate_assets.fakes.runtime import start_fake

    server = start_fake("speech")
    yield server
    server.stop()


def clip_of(folder: Path, name: str) -> speech.AudioClip:
    return speech.read_audio((folder / name).read_bytes())


def test_audio_is_read_in_any_format_as_16k_mono(notes_dir):
    wav = clip_of(notes_dir, "pt_comprar_marketing.wav")
    flac = clip_of(notes_dir, "pt_comprar_marketing_copia.flac")
    ogg = clip_of(notes_dir, "pt_comprar_marketing_copia.ogg")
    assert wav.sample_rate == 16000 and wav.channels == 1 and wav.audio_format.startswith("WAV")
    assert flac.audio_format.startswith("FLAC") and ogg.audio_format.startswith("OGG")
    assert abs(wav.duration_s - ogg.duration_s) < 0.1
    assert (wav.samples == flac.samples).all()  # lossless copy: same samples


@pytest.mark.parametrize(("make", "reason"), [
    (lambda d: (d / "silencio.wav").read_bytes(), "silent audio"),
    (lambda d: (d / "corrompido.wav").read_bytes(), "corrupt or unsupported audio"),
    (lambda d: b"", "empty file"),
    (lambda d: b"not audio at all", "corrupt or unsupported audio"),
])
def test_bad_audio_raises_a_clear_reason(notes_dir, make, reason):
    with pytest.raises(speech.AudioError, match=reason):
        speech.read_audio(make(notes_dir))


@pytest.mark.parametrize("name", sorted(EXACT))
def test_offline_engine_decodes_english_commands_exactly(notes_dir, engine, name):
    result = engine.transcribe(clip_of(notes_dir, name))
    assert result.text == EXACT[name]
    assert result.engine == "pocketsphinx-grammar" and result.source_mode == "offline"
    assert result.language == "en-US" and 0.5 < result.confidence <= 1
    assert [w["word"] for w in result.words] == EXACT[name].split()
    assert all(w["start_s"] < w["end_s"] for w in result.words)


def test_google_client_against_the_fake_gives_the_offline_transcript(notes_dir, engine, fake):
    client = speech.google_client(speech.GoogleTarget(fake.base_url, "fake"))
    clip = clip_of(notes_dir, "en_price_air_fryer.wav")
    sync = speech.google_transcribe(client, clip, NAMES, source_mode="fake", endpoint=fake.base_url)
    assert sync.text == EXACT["en_price_air_fryer.wav"] == engine.transcribe(clip).text
    assert sync.engine == "google-cloud-speech" and sync.engine_detail.startswith("recognize via")
    assert sync.words[0]["word"] == "how" and sync.words[-1]["end_s"] <= clip.duration_s + 0.1
    # Past the long-audio threshold the client goes through the long-running operation and polls it.
    long = speech.google_transcribe(client, clip, NAMES, source_mode="fake", endpoint=fake.base_url,
                                    long_audio_s=0.5)
    assert long.text == sync.text and long.engine_detail.startswith("long_running_recognize")


def test_fake_answers_bad_audio_like_google(fake):
    from google.api_core import exceptions
    from google.cloud import speech as gspeech

    client = speech.google_client(speech.GoogleTarget(fake.base_url, "fake"))
    with pytest.raises(exceptions.BadRequest, match="could not be decoded"):
        client.recognize(config=speech.recognition_config([]),
                         audio=gspeech.RecognitionAudio(content=b"RIFF....WAVEjunk"))


@pytest.fixture()
def inbox(database_url, notes_dir) -> Path:
    folder = load_settings().voice_inbox
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(notes_dir, folder)
    return folder


def _materialize(resources, **config):
    return dg.materialize([voice_transcripts, voice_intents_and_orders, voice_transcripts_explained,
                           voice_orders_consistent], resources=resources,
                          run_config={"ops": {"raw__voice_transcripts": {"config": config}}} if config else None)


def test_assets_transcribe_derive_orders_and_rerun_creates_nothing(inbox, warehouse, resources):
    warehouse.execute("drop table if exists raw.voice_transcripts, raw.voice_intents, raw.voice_orders")
    result = _materialize(resources)
    assert result.success
    rows = {r[0]: r[1:] for r in warehouse.fetchall(
        "select file_name, status, engine, source_mode, transcript, error_reason from raw.voice_transcripts")}
    assert len(rows) == len(NOTES) + 4  # + FLAC and OGG copies, silent, corrupt
    assert rows["silencio.wav"][0] == "error" and rows["silencio.wav"][4].startswith("silent audio")
    assert rows["corrompido.wav"][0] == "error" and "corrupt" in rows["corrompido.wav"][4]
    for name, text in EXACT.items():
        assert rows[name] == ("ok", "google-cloud-speech", "fake", text, None)
    assert all(r[1] == "google-cloud-speech" for n, r in rows.items() if r[0] != "error")
    assert all(r[0] in ("ok", "empty") for n, r in rows.items() if n.startswith("pt_"))  # recorded, no crash

    orders = warehouse.fetchall(
        "select o.status, o.quantity, o.matched_name, o.unit_price, o.order_id from raw.voice_orders o "
        "join raw.voice_transcripts t using (audio_hash) where t.file_name = 'en_buy_marketing.wav'")
    assert orders == [("registered", 2, "Curso de Marketing Digital Completo",
                       next(p.price for p in catalogue() if p.name == "Curso de Marketing Digital Completo"),
                       orders[0][4])]
    intents = dict(warehouse.fetchall(
        "select t.file_name, i.intent from raw.voice_intents i join raw.voice_transcripts t using (audio_hash)"))
    assert intents["en_price_air_fryer.wav"] == "price" and intents["en_cancel.wav"] == "cancel"
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"voice_transcripts_explained": True, "voice_orders_consistent": True}

    before = {t: warehouse.fetchall(f"select * from raw.{t} order by 1, 2") for t in
              ("voice_transcripts", "voice_intents", "voice_orders")}
    shutil.copy(inbox / "en_cancel.wav", inbox / "renamed_copy.wav")  # same bytes, new name
    again = _materialize(resources)
    meta = again.asset_materializations_for_node("raw__voice_transcripts")[0].metadata
    assert meta["notes_new"].value == 0 and meta["notes_already_heard"].value == len(rows)
    for table, rows_before in before.items():
        after = warehouse.fetchall(f"select * from raw.{table} order by 1, 2")
        # loaded_at (last column) moves on replace; everything else must be identical
        assert [r[:-1] for r in after] == [r[:-1] for r in rows_before], table


def test_offline_engine_option_and_reprocess(inbox, warehouse, resources):
    result = _materialize(resources, files=["en_cancel.wav"], reprocess=True, engine="offline")
    assert result.success
    row = warehouse.fetchall("select engine, source_mode, transcript from raw.voice_transcripts "
                             "where file_name = 'en_cancel.wav'")
    assert row == [("pocketsphinx-grammar", "offline", "cancel my order")]


def test_sensor_requests_one_run_for_new_notes_then_skips(inbox):
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        first = voice_inbox_sensor(context)
        assert len(first.run_requests) == 1
        files = first.run_requests[0].run_config["ops"]["raw__voice_transcripts"]["config"]["files"]
        assert set(files) == {p.name for p in inbox.iterdir()}
        second = voice_inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert isinstance(second, dg.SkipReason)
        (inbox / "nova.wav").write_bytes((inbox / "en_cancel.wav").read_bytes() + b"\0\0")
        third = voice_inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert third.run_requests[0].run_config["ops"]["raw__voice_transcripts"]["config"]["files"] == ["nova.wav"]
        assert third.run_requests[0].run_key != first.run_requests[0].run_key
