"""Shared fixtures. Real text comes from ../shared/corpus (beside the checkout); tests that need it
skip with a clear reason when it is absent."""

from __future__ import annotations

import json
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
