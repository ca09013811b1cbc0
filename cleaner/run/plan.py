"""Which input files make which shards, and how big shards split into byte-range chunks.

The plan depends only on the input files and the recipe, never on the worker count, so output is
the same however many workers run it. It is saved under DEST/_state so a resumed run reuses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from cleaner.errors import UsageError, WorkerError
from cleaner.io.reader import BLOCK_BYTES, RawLine, compression_of, read_lines, strip_input_suffix
from cleaner.io.storage import file_identity, is_remote, location, open_binary, remote, walk_files


@dataclass(frozen=True)
class Chunk:
    unit: str  # "s000003-c0001": stable name of the work unit and its part folder
    start: int
    end: int | None  # None: to the end of the file
    first_line: int


@dataclass(frozen=True)
class Shard:
    sid: str  # "s000003"
    name: str  # relative path without the input suffix: names kept/<name>.parquet
    source_file: str  # path relative to SOURCE, as written in the `source_file` column
    path: str  # absolute path, or the object's URI for a remote SOURCE
    compression: str
    size: int
    mtime_ns: int
    chunks: tuple[Chunk, ...]


def _unusable(path: Path, rel: str) -> str | None:
    """Why an input-named file cannot be read as one, or None."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not UTF-8 (rename it)"
    try:
        path.stat()
    except FileNotFoundError:
        return "dangling symlink"
    except OSError as err:
        return f"cannot read: {err.strerror or err}"  # a symlink loop says so here
    return None if path.is_file() else "not a regular file"


def _skipped_folder(path: Path, exclude: Path | None) -> str | None:
    if path.name.startswith("."):
        return "hidden folder"
    if path.is_symlink():
        return "symlinked folder (not followed, so no file is read twice and no loop is walked)"
    return "DEST inside SOURCE" if exclude is not None and path.resolve() == exclude else None


def discover_inputs(
    source: Path | str, exclude: Path | None = None
) -> tuple[list[tuple[str, Path | str]], list[tuple[str, str]]]:
    """Supported files under `source` as (relative name, path), sorted; and what was skipped, as
    (relative name, reason): hidden files and folders, symlinked folders, other file types, names
    that are not UTF-8, dangling or looping symlinks."""
    if is_remote(source):
        return _discover_remote(str(source))
    if source.is_file():
        if compression_of(source) is None:
            raise UsageError(f"SOURCE {source} is not a .jsonl/.json file (optionally .gz or .zst)")
        return [(source.name, source)], []
    if not source.is_dir():
        raise UsageError(f"SOURCE {source} does not exist")
    found: list[tuple[str, Path]] = []
    skipped: list[tuple[str, str]] = []
    exclude = exclude.resolve() if exclude else None
    for root, dirs, files in os.walk(source):
        root_path = Path(root)
        kept_dirs = []
        for name in sorted(dirs):
            reason = _skipped_folder(root_path / name, exclude)
            if reason is None:
                kept_dirs.append(name)
            elif reason != "DEST inside SOURCE":
                skipped.append((_shown(root_path / name, source) + "/", reason))
        dirs[:] = kept_dirs
        for name in sorted(files):
            path = root_path / name
            rel = _shown(path, source)
            if name.startswith("."):
                skipped.append((rel, "hidden file"))
            elif compression_of(path) is None:
                skipped.append((rel, "not a .jsonl/.json file (optionally .gz/.zst)"))
            elif reason := _unusable(path, path.relative_to(source).as_posix()):
                skipped.append((rel, reason))
            else:
                found.append((rel, path))
    found.sort()
    if not found:
        raise UsageError(f"SOURCE {source} holds no .jsonl/.json/.jsonl.gz/.jsonl.zst files")
    return found, skipped


def _discover_remote(source: str) -> tuple[list[tuple[str, Path | str]], list[tuple[str, str]]]:
    """The same for a SOURCE in object storage (objects as (relative name, URI)); an object store
    has no symlinks, so only hidden names and other file types are skipped."""
    try:
        objects = list(walk_files(remote(source)))
    except FileNotFoundError:
        raise UsageError(f"SOURCE {source} does not exist") from None
    found: list[tuple[str, Path | str]] = []
    skipped: list[tuple[str, str]] = []
    for rel, uri, _ in objects:
        if any(part.startswith(".") for part in rel.split("/")):
            skipped.append((rel, "hidden file or folder"))
        elif compression_of(Path(rel)) is None:
            skipped.append((rel, "not a .jsonl/.json file (optionally .gz/.zst)"))
        else:
            found.append((rel, uri))
    if not found:
        raise UsageError(f"SOURCE {source} holds no .jsonl/.json/.jsonl.gz/.jsonl.zst files")
    return found, skipped


def _shown(path: Path, source: Path) -> str:
    """A path relative to SOURCE, printable even when the name is not UTF-8."""
    return path.relative_to(source).as_posix().encode("utf-8", "backslashreplace").decode("utf-8")


def split_plain_file(path: Path | str, chunk_bytes: int, sid: str) -> tuple[Chunk, ...]:
    """Cut a plain file after the first newline at or past every multiple of `chunk_bytes`,
    counting newlines on the way so each chunk knows the number of its first line."""
    size = file_identity(path)[0]
    if size <= chunk_bytes:
        return (Chunk(f"{sid}-c0000", 0, None, 1),)
    bounds: list[tuple[int, int]] = [(0, 1)]  # (byte offset, first line number)
    target = chunk_bytes
    lines = 0
    position = 0
    with open_binary(path) as fh:
        while True:
            block = fh.read(BLOCK_BYTES)
            if not block:
                break
            search_from = 0
            while target < position + len(block):
                newline = block.find(b"\n", max(search_from, target - position))
                if newline < 0:
                    break
                lines_here = block.count(b"\n", search_from, newline + 1)
                lines += lines_here
                search_from = newline + 1
                if position + search_from < size:
                    bounds.append((position + search_from, lines + 1))
                target = max(target + chunk_bytes, position + search_from)
            lines += block.count(b"\n", search_from)
            position += len(block)
    chunks = []
    for i, (start, first_line) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else None
        chunks.append(Chunk(f"{sid}-c{i:04d}", start, end, first_line))
    return tuple(chunks)


def listing(inputs: list[tuple[str, Path | str]]) -> list[dict[str, object]]:
    """What identifies the input for resume: names, sizes and modification times (and for an
    object in storage its ETag, which changes whenever it is rewritten)."""
    entries: list[dict[str, object]] = []
    for rel, path in inputs:
        size, mtime_ns, etag = file_identity(path)
        entries.append({"file": rel, "size": size, "mtime_ns": mtime_ns, **({"etag": etag} if etag else {})})
    return entries


def make_plan(inputs: list[tuple[str, Path | str]], chunk_bytes: int) -> list[Shard]:
    """One shard per input file, split into chunks; refuses two inputs that map to one shard name."""
    shards: list[Shard] = []
    names: dict[str, str] = {}
    for rel, _ in inputs:
        name = strip_input_suffix(rel)
        if name in names:
            raise UsageError(f"inputs {names[name]} and {rel} would both write shard {name!r}: rename one")
        names[name] = rel
    _refuse_file_folder_clashes(names)
    for index, (rel, path) in enumerate(inputs):
        name = strip_input_suffix(rel)
        sid = f"s{index:06d}"
        compression = compression_of(Path(rel)) or "plain"
        size, mtime_ns, _ = file_identity(path)
        if compression == "plain":
            chunks = split_plain_file(path, chunk_bytes, sid)
        else:
            chunks = (Chunk(f"{sid}-c0000", 0, None, 1),)
        absolute = path if isinstance(path, str) else str(path.resolve())
        shards.append(Shard(sid, name, rel, absolute, compression, size, mtime_ns, chunks))
    return shards


@dataclass(frozen=True)
class UnitInput:
    """What a unit of the clean or lines phase reads: a byte range of one input file, with the
    file's size and modification time when the run was planned."""

    unit: str
    source_file: str
    path: str
    compression: str
    start: int
    end: int | None
    first_line: int
    size: int
    mtime_ns: int
    #: `cleaner run --limit N`: read only lines 1..N of the shard (0: all).
    limit: int = 0

    @classmethod
    def of(cls, shard: Shard, chunk: Chunk, limit: int) -> UnitInput:
        return cls(
            chunk.unit, shard.source_file, shard.path, shard.compression, chunk.start, chunk.end,
            chunk.first_line, shard.size, shard.mtime_ns, limit,
        )  # fmt: skip


def _unit_bytes(unit: UnitInput) -> int:
    return (unit.end or unit.size) - unit.start


def bytes_to_read(units: list[UnitInput]) -> int:
    """Input bytes the units will read, for the ETA; 0 (unknown) under --limit."""
    return sum(_unit_bytes(u) for u in units if not u.limit)


def largest_first(units: list[UnitInput]) -> list[UnitInput]:
    """The units by decreasing input bytes (ties in plan order): with the large ones started
    first, a run does not end with one worker on a large unit while the others wait. Each unit
    writes its own part, so the order changes no output."""
    return sorted(units, key=lambda unit: -_unit_bytes(unit))


def unit_lines(unit: UnitInput, max_line_bytes: int, progress: list[int]) -> Iterator[RawLine]:
    """The unit's raw lines in order, stopping after line `unit.limit` of the shard when set."""
    path = location(unit.path)
    for raw in read_lines(path, unit.compression, max_line_bytes, unit.start, unit.end, unit.first_line, progress):
        if unit.limit and raw.number > unit.limit:
            return
        yield raw


def verify_unchanged(path: Path | str, source_file: str, size: int, mtime_ns: int, end: int | None) -> None:
    """Fail the run if an input file changed since planning (a half-read or over-read unit would
    otherwise end with exit 0): same size and modification time, and a chunk still ends on the
    newline it was cut after. Called by every unit before and after it reads."""
    path = location(path) if isinstance(path, str) else path
    try:
        now_size, now_mtime_ns, _ = file_identity(path)
    except FileNotFoundError:
        raise WorkerError(f"input {source_file} was deleted during the run; rerun with --restart") from None
    except OSError as err:
        raise WorkerError(f"input {source_file}: cannot read: {err.strerror or err}") from None
    if (now_size, now_mtime_ns) != (size, mtime_ns):
        raise WorkerError(
            f"input {source_file} changed during the run (size {now_size:,} bytes, planned {size:,}, or its "
            "modification time); rerun with --restart once it no longer changes"
        )
    if end is not None:
        with open_binary(path) as fh:
            fh.seek(end - 1)
            if fh.read(1) != b"\n":
                raise WorkerError(f"input {source_file} changed during the run (no newline at byte {end - 1:,})")


def _refuse_file_folder_clashes(names: dict[str, str]) -> None:
    """`x.jsonl` writes kept/x.parquet, and `x.parquet/a.jsonl` a folder of that name: refuse."""
    for name, rel in names.items():
        for suffix in (".parquet", ".json"):
            parts = name.split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder.endswith(suffix) and (other := names.get(folder.removesuffix(suffix))) is not None:
                    raise UsageError(
                        f"inputs {other} and {rel} would write a file and a folder of one name ({folder}): rename one"
                    )


def shard_to_json(shard: Shard) -> dict[str, object]:
    return asdict(shard)


def shard_from_json(raw: dict) -> Shard:
    chunks = tuple(Chunk(**c) for c in raw.pop("chunks"))
    return Shard(**raw, chunks=chunks)
