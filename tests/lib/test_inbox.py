"""The inbox scan every file sensor runs: hash only what is new or changed, wait for files still copying."""

import os
from pathlib import Path

from affiliate_assets.lib.files import file_hash
from affiliate_assets.lib.inbox import batch_key, read_contents, requested_paths, scan_inbox

NOW = 1_700_000_000.0


def _drop(folder, name: str, data: bytes, age_s: float = 60.0):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (NOW - age_s, NOW - age_s))
    return path


def _counting_hasher():
    calls: list[str] = []

    def hasher(path):
        calls.append(path.name)
        return file_hash(path)

    return hasher, calls


def test_only_new_or_changed_files_are_hashed_and_remembered(tmp_path):
    a = _drop(tmp_path, "a.csv", b"pedido;valor\n1;10,00\n")
    b = _drop(tmp_path, "notas/b.png", b"\x89PNG b")
    hasher, calls = _counting_hasher()
    first = scan_inbox([a, b], tmp_path, {}, now=NOW, hasher=hasher)
    assert [(f.key, f.digest) for f in first.new] == [("a.csv", file_hash(a)), ("notas/b.png", file_hash(b))]
    assert sorted(calls) == ["a.csv", "b.png"]

    calls.clear()
    _drop(tmp_path, "a.csv", b"pedido;valor\n1;10,00\n2;20,00\n")  # edited in place: new size and mtime
    second = scan_inbox([a, b], tmp_path, first.fingerprints(), now=NOW, hasher=hasher)
    assert [f.key for f in second.new] == ["a.csv"] and calls == ["a.csv"]
    assert list(second.unchanged) == ["notas/b.png"]
    assert second.fingerprints()["a.csv"] == (a.stat().st_size, a.stat().st_mtime_ns)


def test_a_file_still_being_written_waits_and_is_not_remembered(tmp_path):
    copying = _drop(tmp_path, "grande.csv", b"x" * 100, age_s=2)
    scan = scan_inbox([copying], tmp_path, {}, settle_seconds=10, now=NOW)
    assert scan.new == [] and scan.settling == 1 and scan.fingerprints() == {}
    later = scan_inbox([copying], tmp_path, {}, settle_seconds=10, now=NOW + 30)
    assert [f.key for f in later.new] == ["grande.csv"]


def test_the_batch_limit_defers_the_rest_to_a_later_tick(tmp_path):
    paths = [_drop(tmp_path, f"{i}.png", bytes([i])) for i in range(5)]
    scan = scan_inbox(paths, tmp_path, {}, limit=2, now=NOW)
    assert [f.key for f in scan.new] == ["0.png", "1.png"] and scan.deferred == 3
    nxt = scan_inbox(paths, tmp_path, scan.fingerprints(), limit=2, now=NOW)
    assert [f.key for f in nxt.new] == ["2.png", "3.png"] and set(nxt.unchanged) == {"0.png", "1.png"}


def test_a_file_that_vanishes_is_reported_not_raised(tmp_path):
    kept = _drop(tmp_path, "ok.csv", b"ok")
    gone = tmp_path / "sumiu.csv"
    scan = scan_inbox([gone, kept], tmp_path, {}, now=NOW)
    assert [f.key for f in scan.new] == ["ok.csv"]
    assert list(scan.errors) == ["sumiu.csv"] and "sumiu.csv" not in scan.fingerprints()


def test_an_unreadable_cursor_entry_means_hash_again(tmp_path):
    a = _drop(tmp_path, "a.csv", b"a")
    scan = scan_inbox([a], tmp_path, {"a.csv": None}, now=NOW)
    assert [f.key for f in scan.new] == ["a.csv"]


def test_batch_key_depends_on_the_contents_only():
    assert batch_key("screens", ["b", "a", "a"]) == batch_key("screens", ["a", "b"])
    assert batch_key("screens", ["a"]) != batch_key("screens", ["a", "b"])
    assert batch_key("voice", ["a"]).startswith("voice-") and len(batch_key("voice", ["a"])) == len("voice-") + 32


def test_read_contents_keeps_each_content_once_and_rejects_what_cannot_be_read(tmp_path):
    a = _drop(tmp_path, "a.png", b"same bytes")
    copy = _drop(tmp_path, "sub/copia de a.png", b"same bytes")
    other = _drop(tmp_path, "b.png", b"other bytes")
    blobs, rejects = read_contents([a, copy, tmp_path / "sumiu.png", other], tmp_path)
    assert {h: (p.name, data) for h, (p, data) in blobs.items()} == {
        file_hash(a): ("a.png", b"same bytes"), file_hash(other): ("b.png", b"other bytes")}
    assert [(r.key, r.reason.split(":")[0]) for r in rejects] == [("sumiu.png", "cannot read file")]


def test_requested_paths_resolve_against_the_inbox_or_fall_back_to_its_listing(tmp_path):
    listed = [tmp_path / "x.png"]
    assert requested_paths(tmp_path, ["a.png", "/abs/b.png"], lambda root: listed) == [
        tmp_path / "a.png", Path("/abs/b.png")]
    assert requested_paths(tmp_path, [], lambda root: listed) == listed


def test_marks_cursor_round_trips_and_tolerates_bad_entries(tmp_path):
    from affiliate_assets.lib.inbox import read_marks, write_marks

    _drop(tmp_path, "a.wav", b"one")
    scan = scan_inbox([tmp_path / "a.wav"], tmp_path, {}, now=NOW)
    cursor = write_marks(scan.fingerprints())
    assert read_marks(cursor) == scan.fingerprints()
    # A cursor written before (same "size:mtime_ns" JSON) still reads; an unreadable entry means "hash again".
    assert read_marks('{"a.wav": "3:17", "b.wav": "garbage", "c.wav": null}') == {
        "a.wav": (3, 17), "b.wav": None, "c.wav": None}
    assert read_marks(None) == read_marks("") == {}
    again = scan_inbox([tmp_path / "a.wav"], tmp_path, read_marks(cursor), now=NOW)
    assert again.new == [] and list(again.unchanged) == ["a.wav"]


def test_modified_at_is_utc_and_none_for_a_vanished_file(tmp_path):
    from datetime import UTC, datetime

    from affiliate_assets.lib.inbox import modified_at

    path = _drop(tmp_path, "nota.wav", b"x", age_s=30)
    assert modified_at(path) == datetime.fromtimestamp(NOW - 30, UTC)
    path.unlink()
    assert modified_at(path) is None
