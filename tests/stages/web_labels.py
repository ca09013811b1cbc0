"""The curator-labelled raw web pages of ../shared/corpus/web, for the web-junk and mojibake tests."""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.document import Document
from tests.conftest import corpus_records


def labelled(corpus_dir: Path, file: str) -> list[tuple[dict, dict]]:
    """(record, label) for the labelled documents of one web file, `unsure` included."""
    labels = {}
    with open(corpus_dir / "web" / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            label = json.loads(line)
            if label["file"] == file:
                labels[label["id"]] = label
    return [(r, labels[r["id"]]) for r in corpus_records(corpus_dir, f"web/{file}") if r["id"] in labels]


def page(record: dict) -> Document:
    """A web record as the engine builds it: every field but id and text in `meta` (title, url, ...)."""
    meta = {k: v for k, v in record.items() if k not in ("id", "text")}
    return Document(record["id"], record["text"], "web", 1, meta)
