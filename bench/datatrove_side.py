"""The datatrove side of bench/vs_datatrove.py, run there as its own process (so its wall time and peak
RSS are measured alone): `python bench/datatrove_side.py INPUT WORK --workers N --tasks T --lid PATH`.

FineWeb's filter chain on JSONL input, then datatrove's four MinHash stages:
  filter     JsonlReader -> LanguageFilter(en) -> GopherRepetitionFilter -> GopherQualityFilter
             -> C4QualityFilter(filter_no_terminal_punct=False, as FineWeb) -> FineWebQualityFilter
             -> ParquetWriter(WORK/filtered); every filter's drops go to WORK/removed/<filter>/
  minhash 1  signatures of WORK/filtered (5-gram words, 14 buckets x 8 hashes: datatrove's defaults)
  minhash 2  buckets (14 tasks), 3 cluster (1 task), 4 filter -> WORK/final, drops to WORK/removed/minhash/
Offline: the LanguageFilter loads the given fastText file instead of downloading lid.176.bin; datatrove's
English word tokenizer is spacy.blank("en") (no model download) and nothing else fetches data.
Compatibility: our venv has xxhash 4 (datatrove wants < 4, whose str hashing was UTF-8), so its
xxhash64 is given the UTF-8 encoding; its LanguageFilter's check for the fasttext-numpy2-wheel
distribution is skipped (fasttext-community provides the same module).
Writes WORK/timings.json (seconds per phase).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import datatrove.utils.hashes.xxhash as datatrove_xxhash
import xxhash
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
    LanguageFilter,
)
from datatrove.pipeline.readers import JsonlReader, ParquetReader
from datatrove.pipeline.writers import ParquetWriter
from datatrove.utils.lid import FT176LID


def xxhash64_text(data: str | bytes) -> int:
    """datatrove's xxhash64 for xxhash >= 4, which no longer encodes str itself (3.x used UTF-8)."""
    return xxhash.xxh64_intdigest(data.encode("utf-8") if isinstance(data, str) else data)


class LocalFT176LID(FT176LID):
    """FT176LID reading a local fastText model file instead of downloading lid.176.bin."""

    def __init__(self, languages: list[str], path: str) -> None:
        super().__init__(languages)
        self.path = path

    @property
    def model(self):
        if self._model is None:
            from fasttext.FastText import _FastText

            self._model = _FastText(self.path)
        return self._model


class LocalLanguageFilter(LanguageFilter):
    """LanguageFilter on a local model file. datatrove's dependency check (PipelineStep.__new__) insists
    on the fasttext-numpy2-wheel distribution; our fasttext-community provides the same `fasttext`
    module under NumPy 2, so the check is skipped here."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, languages: list[str], path: str, **kwargs) -> None:
        super().__init__(languages, **kwargs)
        self.model = LocalFT176LID(languages, path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--lid", required=True, help="fastText language-ID model file")
    args = parser.parse_args()
    work = args.work

    def removed(name: str) -> ParquetWriter:
        return ParquetWriter(str(work / "removed" / name), compression="zstd")

    datatrove_xxhash.xxhash64 = xxhash64_text  # before MinhashConfig's hash function is looked up
    config = MinhashConfig()
    timings = {}

    def execute(phase: str, pipeline: list, tasks: int) -> None:
        started = time.perf_counter()
        LocalPipelineExecutor(
            pipeline, tasks=tasks, workers=min(args.workers, tasks), logging_dir=str(work / "logs" / phase)
        ).run()
        timings[phase] = time.perf_counter() - started

    execute(
        "filter",
        [
            JsonlReader(str(args.input), glob_pattern="*.jsonl"),
            LocalLanguageFilter(["en"], args.lid, exclusion_writer=removed("language")),
            GopherRepetitionFilter(exclusion_writer=removed("gopher_repetition")),
            GopherQualityFilter(exclusion_writer=removed("gopher_quality")),
            C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=removed("c4_quality")),
            FineWebQualityFilter(exclusion_writer=removed("fineweb_quality")),
            ParquetWriter(str(work / "filtered"), compression="zstd"),
        ],
        args.tasks,
    )
    execute(
        "minhash_signatures",
        [ParquetReader(str(work / "filtered")), MinhashDedupSignature(str(work / "signatures"), config=config)],
        args.tasks,
    )
    execute(
        "minhash_buckets",
        [MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=config)],
        config.num_buckets,
    )
    execute("minhash_cluster", [MinhashDedupCluster(str(work / "buckets"), str(work / "remove_ids"), config=config)], 1)
    execute(
        "minhash_filter",
        [
            ParquetReader(str(work / "filtered")),
            MinhashDedupFilter(str(work / "remove_ids"), exclusion_writer=removed("minhash")),
            ParquetWriter(str(work / "final"), compression="zstd"),
        ],
        args.tasks,
    )
    (work / "timings.json").write_text(json.dumps(timings))


if __name__ == "__main__":
    main()
