"""One real cleaning run shared by the report tests: the engine's own output is the test input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard

from tests.helpers import cli, make_source, write_lines, write_recipe

#: A document that must reach the HTML escaped: markup and a URL, long enough to be kept.
HOSTILE = (
    '<script>alert("x")</script><img src="https://evil.example/t.png"> '
    + "This sentence is padding so the length filter keeps the document intact. " * 4
)


def input_lines(src: Path) -> dict[str, int]:
    """Lines per input file, counted from the files themselves (independently of the engine)."""
    counts = {}
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        elif path.name.endswith(".zst"):
            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        counts[path.relative_to(src).as_posix()] = data.count(b"\n")
    return counts


@pytest.fixture(scope="package")
def run_dest(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(SOURCE, DEST) of a finished run over real text in every input format, plus a hostile document."""
    root = tmp_path_factory.mktemp("report")
    src = make_source(corpus_dir, root)
    write_lines(src / "x" / "hostile.jsonl", [json.dumps({"id": "hostile-1", "text": HOSTILE}).encode()])
    dest = root / "out" / "demo" / "v3"
    result = cli("run", str(src), str(dest), "--recipe", str(write_recipe(root / "r.yaml")), "--workers", "2")
    assert result.returncode == 0, result.stderr
    return src, dest
