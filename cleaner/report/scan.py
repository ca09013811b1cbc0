"""One streaming pass over the final Parquet outputs for what the stats files do not hold.

Only the needed columns are read, batch by batch: text lengths (pyarrow's utf8_length), the
language, quality and blacklist columns other stages may add, reject reasons and the dedup
columns. Every column is optional: a run without language ID simply has no language table.
The same pass fills the sample fallbacks (documents the workers did not sample: a run made
before sampling was wired in, or reasons such as `near_duplicate` that appear after the clean
phase) and, when the workers did not count tokens, counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaner.report.histogram import LENGTH_EDGES, Histogram, score_edges
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import shard_names
from cleaner.run.samples import SampleCollector, doc_ref
from cleaner.run.tokens import TokenCounter

DEDUP_REASONS = ("exact_duplicate", "near_duplicate")
BATCH_ROWS = 4096
_COLUMNS = [
    "id",
    "text",
    "source_file",
    "line",
    "lang",
    "lang_score",
    "quality_score",
    "blacklist_hits",
    "stage",
    "reason",
    "detail",
    "cluster_id",
    "cluster_size",
    "duplicate_of",
]


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind)


def _any_type(kind: pa.DataType) -> bool:
    return True


#: Annotator columns are read only with the annotator's type: a carried input field of that name
#: (a string `quality_score` in a run without the quality stage) is not taken for one.
_ANNOTATION_TYPES = {
    "lang": pa.types.is_string,
    "lang_score": _is_number,
    "quality_score": _is_number,
    "blacklist_hits": pa.types.is_string,
}


@dataclass
class ShardScan:
    kept_rows: int = 0
    rejected_rows: int = 0
    tokens: int | None = None


@dataclass
class Scan:
    """Everything the report needs from the Parquet files, added up over all shards."""

    length_before: Histogram = field(default_factory=lambda: Histogram(LENGTH_EDGES))
    length_after: Histogram = field(default_factory=lambda: Histogram(LENGTH_EDGES))
    quality: dict[str, Histogram] = field(default_factory=dict)  # "kept"/"rejected" -> histogram
    lang_docs: dict[str, Counter] = field(default_factory=lambda: {"kept": Counter(), "rejected": Counter()})
    lang_score_sum: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # (stage, reason) -> rows in rejected/
    blacklist_terms: dict[str, Counter] = field(default_factory=dict)  # category -> term -> docs
    dedup_removed: Counter = field(default_factory=Counter)  # reason -> rows
    cluster_sizes: dict[int | str, int] = field(default_factory=dict)
    removed_watched: set[str] = field(default_factory=set)
    shards: dict[str, ShardScan] = field(default_factory=dict)
    columns_seen: set[str] = field(default_factory=set)


def parquet_files(dest: Path, kind: str) -> dict[str, Path]:
    """Shard name -> the run's file, for kind "kept" or "rejected"."""
    layout = RunLayout(dest)
    return {name: getattr(layout.shard_outputs(name), kind) for name in shard_names(layout)}


def _batches(path: Path, wanted: list[str]) -> Iterator[pa.RecordBatch]:
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    columns = [c for c in wanted if c in schema.names and _ANNOTATION_TYPES.get(c, _any_type)(schema.field(c).type)]
    yield from parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns)


def _score_range(paths: list[Path], column: str) -> tuple[float, float] | None:
    low, high = np.inf, -np.inf
    for path in paths:
        for batch in _batches(path, [column]):
            if column in batch.schema.names:
                found = pc.min_max(batch.column(column))
                if found["min"].is_valid:
                    low, high = min(low, found["min"].as_py()), max(high, found["max"].as_py())
    return None if low == np.inf else (float(low), float(high))


def _lengths(texts: pa.Array) -> np.ndarray:
    return pc.utf8_length(texts.drop_null()).to_numpy(zero_copy_only=False)


def _hit_terms(value: str) -> Iterator[tuple[str, list[str]]]:
    """`blacklist_hits` cells read "cat:term,term;cat:url:domain" (see cleaner/stages/blacklist.py)."""
    for part in value.split(";"):
        category, _, terms = part.partition(":")
        if terms.startswith("url:"):
            yield category, [terms]
        elif terms:
            yield category, terms.split(",")


class OutputScanner:
    """Reads kept/ and rejected/ once; `fallback` receives the documents the saved sample lacks."""

    def __init__(
        self,
        dest: Path,
        fallback: SampleCollector,
        sample_kept: bool,
        covered_reasons: set[str],
        watch_refs: set[str],
        counter: TokenCounter | None,
    ) -> None:
        self.dest, self.fallback, self.sample_kept = dest, fallback, sample_kept
        self.covered_reasons, self.watch_refs, self.counter = covered_reasons, watch_refs, counter
        self.scan = Scan()

    def run(self) -> Scan:
        kept, rejected = parquet_files(self.dest, "kept"), parquet_files(self.dest, "rejected")
        score_range = _score_range([*kept.values(), *rejected.values()], "quality_score")
        if score_range is not None:
            edges = score_edges(*score_range)
            self.scan.quality = {k: Histogram(edges, closed=True) for k in ("kept", "rejected")}
        for shard, path in kept.items():
            self._file(shard, path, "kept")
        for shard, path in rejected.items():
            self._file(shard, path, "rejected")
        return self.scan

    def _file(self, shard: str, path: Path, kind: str) -> None:
        counts = self.scan.shards.setdefault(shard, ShardScan(tokens=0 if self.counter else None))
        wanted = [*_COLUMNS, "raw"] if kind == "rejected" else _COLUMNS
        for batch in _batches(path, wanted):
            self.scan.columns_seen.update(batch.schema.names)
            column = {name: batch.column(name) for name in batch.schema.names}
            texts = column["text"]
            lengths = _lengths(texts)
            self.scan.length_before.add(lengths)
            if kind == "kept":
                counts.kept_rows += batch.num_rows
                self.scan.length_after.add(lengths)
                if self.counter is not None:
                    counts.tokens += sum(self.counter.count_batch(texts.to_pylist()))
            else:
                counts.rejected_rows += batch.num_rows
                self._rejected(column)
            self._annotations(column, kind)
            self._sample(column, kind)

    def _annotations(self, column: dict[str, pa.Array], kind: str) -> None:
        if "quality_score" in column and self.scan.quality:
            scores = column["quality_score"].drop_null().to_numpy(zero_copy_only=False)
            self.scan.quality[kind].add(scores.astype(np.float64))
        if "lang" in column:
            parsed = pc.is_valid(column["text"])  # malformed lines have no text and no language
            table = pa.table({"lang": column["lang"].filter(parsed).fill_null("(none)")})
            if "lang_score" in column:
                scores = column["lang_score"].filter(parsed).cast(pa.float64()).fill_null(0.0)
                table = table.append_column("score", scores)
                grouped = table.group_by("lang").aggregate([("score", "sum"), ("lang", "count")])
                for lang, total in zip(grouped["lang"].to_pylist(), grouped["score_sum"].to_pylist()):
                    self.scan.lang_score_sum[lang] += total
            else:
                grouped = table.group_by("lang").aggregate([("lang", "count")])
            self.scan.lang_docs[kind].update(dict(zip(grouped["lang"].to_pylist(), grouped["lang_count"].to_pylist())))
        if "blacklist_hits" in column:
            for value in column["blacklist_hits"].drop_null().to_pylist():
                for category, terms in _hit_terms(value):
                    self.scan.blacklist_terms.setdefault(category, Counter()).update(terms)

    def _rejected(self, column: dict[str, pa.Array]) -> None:
        stages, reasons = column["stage"].to_pylist(), column["reason"].to_pylist()
        self.scan.reasons.update(zip(stages, reasons))
        dedup = np.isin(np.asarray(reasons, dtype=object), DEDUP_REASONS)
        if not dedup.any():
            return
        rows = np.flatnonzero(dedup)
        self.scan.dedup_removed.update(reasons[i] for i in rows)
        if "cluster_id" in column and "cluster_size" in column:
            ids, sizes = column["cluster_id"].to_pylist(), column["cluster_size"].to_pylist()
            self.scan.cluster_sizes.update((ids[i], sizes[i]) for i in rows)
        elif "duplicate_of" in column:
            keepers = Counter(column["duplicate_of"].take(pa.array(rows)).to_pylist())
            for keeper, removed in keepers.items():
                self.scan.cluster_sizes[keeper] = self.scan.cluster_sizes.get(keeper, 1) + removed
        if self.watch_refs:
            files, lines = column["source_file"].to_pylist(), column["line"].to_pylist()
            refs = {doc_ref(files[i], lines[i]) for i in rows}
            self.scan.removed_watched.update(refs & self.watch_refs)

    def _sample(self, column: dict[str, pa.Array], kind: str) -> None:
        collector = self.fallback
        files, lines = column["source_file"].to_pylist(), column["line"].to_pylist()
        if kind == "kept":
            if not self.sample_kept:
                return
            for i, (source_file, line) in enumerate(zip(files, lines)):
                if collector.wants_kept(source_file, line):
                    text = column["text"][i].as_py()
                    collector.offer_kept(column["id"][i].as_py(), source_file, line, None, text)
            return
        reasons = column["reason"].to_pylist()
        for i, (source_file, line, reason) in enumerate(zip(files, lines, reasons)):
            if reason in self.covered_reasons or not collector.wants_rejected(reason, source_file, line):
                continue
            raw = column["raw"][i].as_py() if "raw" in column else None
            collector.offer_rejected(
                reason,
                column["id"][i].as_py(),
                source_file,
                line,
                None if raw is None else raw.decode("utf-8", "replace"),
                column["text"][i].as_py(),
                stage=column["stage"][i].as_py() or "",
                detail=column["detail"][i].as_py() or "",
            )
