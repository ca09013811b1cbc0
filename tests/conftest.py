"""Shared fixtures. Real text comes from ../shared/corpus (beside the checkout); tests that need it
skip with a clear reason when it is absent."""

from __future__ import annotations

import json
import logging
import random
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-text corpus not present at {CORPUS} (it lives in ../shared beside the checkout)")
    return CORPUS


def corpus_records(corpus_dir: Path, relative: str, limit: int | None = None) -> list[dict]:
    """The first `limit` JSON records of a corpus file."""
    records = []
    with open(corpus_dir / relative, encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if limit is not None and len(records) >= limit:
                break
    return records


def random_texts(tokens: list[str], count: int, seed: int, max_tokens: int = 24) -> list[str]:
    """`count` strings of 1 to `max_tokens` tokens drawn from `tokens`, the same for the same seed: the
    worst-case neighbours of real text that a fast path must treat as its pattern does."""
    rng = random.Random(seed)
    return ["".join(rng.choice(tokens) for _ in range(rng.randint(1, max_tokens))) for _ in range(count)]


S3_REASON = "object storage tests need moto[server] and s3fs: pip install -e '.[s3,test]' (scripts/test.sh does)"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[dict[str, str]]:
    """A real S3-compatible server (moto's) on 127.0.0.1 and a free port, for one test module;
    yields a client's environment: credentials, region and endpoint. Skips without moto or s3fs."""
    moto_server = pytest.importorskip("moto.server", reason=S3_REASON)
    pytest.importorskip("s3fs", reason=S3_REASON)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one log line per request
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    server.stop()


@pytest.fixture()
def s3_env(s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """This process, and the workers and CLIs it starts, pointed at `s3_server`, with a staging
    folder and run registry of their own under tmp_path."""
    from cleaner.io.storage import filesystem

    env = {**s3_server, "CLEANER_STAGING_DIR": str(tmp_path / "staging"), "CLEANER_RUNS_DIR": str(tmp_path / "runs")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CLEANER_STORAGE_OPTIONS", "{}")  # recorded, so a test's --storage-option is undone
    filesystem.cache_clear()
    yield env
    filesystem.cache_clear()
