"""Helpers shared by the engine tests: build input folders from real text, run the CLI, compare outputs."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import zstandard

from tests.conftest import corpus_records

PROJECT = Path(__file__).resolve().parents[1]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    data = b"\n".join(lines) + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def real_lines(corpus_dir: Path, relative: str, limit: int) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() for r in corpus_records(corpus_dir, relative, limit)]


MALFORMED = [
    b'{"text": "unterminated',
    b'{"text": "bad \xff\xfe bytes"}',
    b"[1, 2, 3]",
    b'{"title": "no text field"}',
    b'{"text": ""}',
    b'{"text": 17}',
    b"",
]


def make_source(corpus_dir: Path, root: Path) -> Path:
    """A folder of shards in every supported format, real Chinese and English text plus malformed lines."""
    src = root / "src"
    short = real_lines(corpus_dir, "zh/yue_cantonese_sentences.jsonl", 5)  # real text under every length minimum
    write_lines(src / "zh" / "wiki.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300) + MALFORMED + short)
    write_lines(src / "zh" / "news.jsonl.gz", real_lines(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 400))
    write_lines(src / "en" / "web.jsonl.zst", real_lines(corpus_dir, "en/en_web_pages_maintext.jsonl", 200))
    write_lines(
        src / "en" / "usenet.json", real_lines(corpus_dir, "en/en_usenet_20newsgroups.jsonl", 300) + MALFORMED[:3]
    )
    return src


def write_recipe(path: Path, chunk_bytes: str = "256MiB", batch_rows: int = 5000) -> Path:
    path.write_text(
        f"""
input:
  text_field: text
  chunk_bytes: {chunk_bytes}
stages:
  - unicode_normalise
  - whitespace_normalise
  - length_filter: {{min_chars: 50, min_words: 20}}
output:
  batch_rows: {batch_rows}
""",
        encoding="utf-8",
    )
    return path


def cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def run_recipe(source: Path, dest: Path, recipe: Path, workers: int = 1, *extra: str, **kwargs):
    """`cleaner run SOURCE DEST --recipe R --workers N`, with a run registry beside DEST."""
    args = ["--recipe", str(recipe), "--workers", str(workers), "--runs-dir", str(dest.parent / "runs")]
    return cli("run", str(source), str(dest), *args, *extra, **kwargs)


def output_bytes(dest: Path) -> dict[str, bytes]:
    """Every kept and rejected Parquet file, by relative path."""
    return {
        p.relative_to(dest).as_posix(): p.read_bytes()
        for sub in ("kept", "rejected")
        for p in sorted((dest / sub).rglob("*.parquet"))
    }


def start_cli(*args: str) -> subprocess.Popen:
    """`python -m cleaner ARGS` in the background, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner", *args], cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_for(predicate: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def crash_run(dest: Path, proc: subprocess.Popen) -> None:
    """SIGKILL the main process and workers recorded in DEST, as a machine crash would."""
    record = json.loads((dest / "_state" / "run.json").read_text())
    for pid in [record["pid"], *(w["pid"] for w in record["workers"])]:
        os.kill(pid, signal.SIGKILL)
    proc.wait()
