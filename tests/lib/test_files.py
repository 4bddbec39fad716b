"""Content hashes: one identity for a file whether it is read whole or streamed in chunks."""

import hashlib

from affiliate_assets.lib.files import content_hash, file_hash


def test_file_hash_streams_chunks_to_the_same_digest_as_the_bytes(tmp_path):
    data = bytes(range(256)) * 9000  # > 2 MB: several default chunks plus a tail
    path = tmp_path / "vendas.csv"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert content_hash(data) == expected
    assert file_hash(path) == expected
    assert file_hash(path, chunk_size=7) == expected  # chunk boundaries never change the digest


def test_same_bytes_same_hash_whatever_the_name_and_an_edit_changes_it(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "cópia de a.png"
    a.write_bytes(b"\x89PNG screenshot")
    b.write_bytes(b"\x89PNG screenshot")
    assert file_hash(a) == file_hash(b)
    b.write_bytes(b"\x89PNG screenshot!")
    assert file_hash(a) != file_hash(b)


def test_empty_file_has_the_empty_digest(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert file_hash(path) == content_hash(b"") == hashlib.sha256(b"").hexdigest()
