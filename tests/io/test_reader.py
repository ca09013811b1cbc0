"""Streaming reader: compression, damaged streams, over-long lines, byte-range chunks."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import pytest
import zstandard

from cleaner.io.reader import compression_of, read_lines
from cleaner.run.plan import split_plain_file

# Pseudo-random payloads so the compressed streams span many blocks (zstd decodes whole blocks only).
LINES = [f'{{"text": "第{i}行 {hashlib.sha256(str(i).encode()).hexdigest()}"}}'.encode() for i in range(5000)]
DATA = b"\n".join(LINES) + b"\n"


def _numbers_and_data(path: Path, compression: str, **kwargs) -> list[tuple[int, bytes, str]]:
    return [(r.number, r.data, r.problem) for r in read_lines(path, compression, 1 << 20, **kwargs)]


def _expected() -> list[tuple[int, bytes, str]]:
    return [(i + 1, line, "") for i, line in enumerate(LINES)]


@pytest.mark.parametrize(
    "name, compression, encode",
    [
        ("a.jsonl", "plain", lambda d: d),
        ("a.jsonl.gz", "gzip", gzip.compress),
        ("a.jsonl.zst", "zstd", lambda d: zstandard.ZstdCompressor().compress(d)),
    ],
)
def test_every_line_read_in_order(tmp_path: Path, name: str, compression: str, encode) -> None:
    path = tmp_path / name
    path.write_bytes(encode(DATA))
    assert compression_of(path) == compression
    assert _numbers_and_data(path, compression) == _expected()


def test_multi_member_gzip_and_multi_frame_zstd(tmp_path: Path) -> None:
    half = len(DATA) // 2
    cut = DATA.index(b"\n", half) + 1
    gz = tmp_path / "m.jsonl.gz"
    gz.write_bytes(gzip.compress(DATA[:cut]) + gzip.compress(DATA[cut:]))
    zst = tmp_path / "m.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    zst.write_bytes(compressor.compress(DATA[:cut]) + compressor.compress(DATA[cut:]))
    assert _numbers_and_data(gz, "gzip") == _expected()
    assert _numbers_and_data(zst, "zstd") == _expected()


@pytest.mark.parametrize(
    "compression, encode",
    [("gzip", gzip.compress), ("zstd", lambda d: zstandard.ZstdCompressor().compress(d))],
)
def test_truncated_stream_keeps_lines_before_damage(tmp_path: Path, compression: str, encode) -> None:
    path = tmp_path / "t.jsonl.gz"
    blob = encode(DATA)
    path.write_bytes(blob[: len(blob) * 2 // 3])
    rows = _numbers_and_data(path, compression)
    *complete, last = rows
    assert last[2] == "truncated_stream"
    assert complete == _expected()[: len(complete)]
    assert 0 < len(complete) < len(LINES)
    assert LINES[len(complete)].startswith(last[1])  # the partial line is kept as raw bytes


def test_corrupt_gzip_is_reported_not_raised(tmp_path: Path) -> None:
    blob = bytearray(gzip.compress(DATA))
    blob[len(blob) // 2 : len(blob) // 2 + 64] = b"\x00" * 64
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(bytes(blob))
    rows = _numbers_and_data(path, "gzip")
    assert rows[-1][2] == "truncated_stream"
    assert "corrupt" in list(read_lines(path, "gzip", 1 << 20))[-1].detail


def test_over_long_line_is_flagged_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"text":"ok"}\n' + b"x" * 5000 + b'\n{"text":"after"}')
    rows = list(read_lines(path, "plain", 1000))
    assert [r.problem for r in rows] == ["", "line_too_long", ""]
    assert len(rows[1].data) == 1000 and "5000 bytes" in rows[1].detail
    assert rows[2].data == b'{"text":"after"}' and rows[2].number == 3


def test_no_trailing_newline_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"a\n\nb")
    assert [(r.number, r.data) for r in read_lines(path, "plain", 100)] == [(1, b"a"), (2, b""), (3, b"b")]


@pytest.mark.parametrize("chunk_bytes", [1, 997, 20_000, 1 << 30])
def test_chunks_cover_every_line_exactly_once(tmp_path: Path, chunk_bytes: int) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(DATA[:-1])  # also covers a last line without newline
    chunks = split_plain_file(path, chunk_bytes, "s0")
    rows = []
    for chunk in chunks:
        rows += _numbers_and_data(path, "plain", start=chunk.start, end=chunk.end, first_line=chunk.first_line)
    assert rows == _expected()
    assert (len(chunks) == 1) == (chunk_bytes >= len(DATA))


def test_gzip_decompressobj_matches_reference() -> None:
    # guards the wbits choice: gzip headers are required, raw deflate is not accepted
    with pytest.raises(zlib.error):
        zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(zlib.compress(b"x"))
