"""Stream JSONL shards (plain, .gz, .zst) line by line with bounded memory.

Decompression is done block by block with `decompressobj`s rather than file wrappers so that a
truncated or corrupt stream is detected (python-zstandard's stream reader returns a silent EOF on a
truncated frame) and the lines before the damage are still delivered.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import zstandard

from cleaner.io.storage import open_binary

BLOCK_BYTES = 1 << 20

#: Input suffixes we read, mapped to their compression.
SUFFIXES = {
    ".jsonl": "plain",
    ".json": "plain",
    ".jsonl.gz": "gzip",
    ".json.gz": "gzip",
    ".jsonl.zst": "zstd",
    ".json.zst": "zstd",
    ".jsonl.zstd": "zstd",
}


def compression_of(path: Path) -> str | None:
    """The compression of a supported input file, or None for a file we do not read."""
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return SUFFIXES[suffix]
    return None


def strip_input_suffix(name: str) -> str:
    lower = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True, slots=True)
class RawLine:
    """One input line. `problem` is set when the line could not be read whole."""

    number: int
    offset: int
    data: bytes
    problem: str = ""
    detail: str = ""


class _Decompressor(Protocol):
    eof: bool
    unused_data: bytes

    def decompress(self, data: bytes) -> bytes: ...


def _new_decompressor(compression: str) -> _Decompressor:
    if compression == "gzip":
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    return zstandard.ZstdDecompressor().decompressobj()


class StreamDamaged(Exception):
    """The compressed stream ended early or is corrupt; lines before the damage were delivered."""


def _plain_blocks(path: Path | str, start: int, end: int | None, progress: list[int]) -> Iterator[bytes]:
    with open_binary(path) as fh:
        fh.seek(start)
        remaining = None if end is None else end - start
        while remaining is None or remaining > 0:
            size = BLOCK_BYTES if remaining is None else min(BLOCK_BYTES, remaining)
            block = fh.read(size)
            if not block:
                return
            progress[0] += len(block)
            if remaining is not None:
                remaining -= len(block)
            yield block


def _compressed_blocks(path: Path | str, compression: str, progress: list[int]) -> Iterator[bytes]:
    """Decompressed blocks of a (possibly multi-member / multi-frame) stream."""
    decompressor = _new_decompressor(compression)
    started = False
    with open_binary(path) as fh:
        while True:
            raw = fh.read(BLOCK_BYTES)
            if not raw:
                break
            progress[0] += len(raw)
            while raw:
                try:
                    out = decompressor.decompress(raw)
                except (zlib.error, zstandard.ZstdError) as err:
                    raise StreamDamaged(f"corrupt {compression} stream: {err}") from None
                started = True
                if out:
                    yield out
                if decompressor.eof:
                    raw = decompressor.unused_data
                    decompressor = _new_decompressor(compression)
                    started = False
                else:
                    raw = b""
    if started and not decompressor.eof:
        raise StreamDamaged(f"truncated {compression} stream: ended before its end marker")


def _too_long(number: int, offset: int, kept: bytes, length: int, limit: int) -> RawLine:
    detail = f"{length} bytes > max_line_bytes {limit}; first {limit} bytes kept, line starts at byte {offset}"
    return RawLine(number, offset, kept, "line_too_long", detail)


def read_lines(
    path: Path | str,
    compression: str,
    max_line_bytes: int,
    start: int = 0,
    end: int | None = None,
    first_line: int = 1,
    progress: list[int] | None = None,
) -> Iterator[RawLine]:
    """Yield every line of the file (or of the byte range [start, end) of a plain file); `path` is
    a local path or an object's URI (cleaner/io/storage.py).

    A line longer than `max_line_bytes` is yielded once with problem "line_too_long" and its first
    `max_line_bytes` bytes; a damaged stream ends with one line with problem "truncated_stream"
    holding whatever partial line was pending. `progress[0]` counts bytes read from disk.
    """
    progress = progress if progress is not None else [0]
    if compression == "plain":
        blocks = _plain_blocks(path, start, end, progress)
    else:
        blocks = _compressed_blocks(path, compression, progress)
    number, offset = first_line, start
    pending: list[bytes] = []
    pending_len = 0
    overflow = 0  # bytes of an over-long line seen beyond what is kept in `pending`
    try:
        for block in blocks:
            pieces = block.split(b"\n")
            for piece in pieces[:-1]:
                if overflow or pending_len + len(piece) > max_line_bytes:
                    line_len = pending_len + len(piece) + overflow
                    kept = (b"".join(pending) + piece)[:max_line_bytes]
                    yield _too_long(number, offset, kept, line_len, max_line_bytes)
                else:
                    data = b"".join(pending) + piece if pending else piece
                    yield RawLine(number, offset, data)
                    line_len = len(data)
                number += 1
                offset += line_len + 1
                pending, pending_len, overflow = [], 0, 0
            tail = pieces[-1]
            if tail:
                if overflow or pending_len + len(tail) > max_line_bytes:
                    room = max(0, max_line_bytes - pending_len)
                    if room:
                        pending.append(tail[:room])
                        pending_len += room
                    overflow += len(tail) - room
                else:
                    pending.append(tail)
                    pending_len += len(tail)
    except StreamDamaged as err:
        yield RawLine(number, offset, b"".join(pending), "truncated_stream", str(err))
        return
    if pending or overflow:
        data = b"".join(pending)
        if overflow:
            yield _too_long(number, offset, data, pending_len + overflow, max_line_bytes)
        else:
            yield RawLine(number, offset, data)
