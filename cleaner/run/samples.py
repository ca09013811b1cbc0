"""Seeded review samples collected by the workers during the clean phase, merged without a second pass.

Every document gets a 64-bit key, xxh64 of its reference `<source_file>:<line>` seeded with the
run's seed; a collector keeps the documents with the smallest keys (bottom-k). The bottom-k of a
union is the bottom-k of the parts' bottom-k's, so per-unit collectors merge into exactly the
sample one collector over the whole run would have chosen: the same for any number of workers or
chunks, reproducible with the seed, different with another seed. Because keys are uniform, the
sample is a simple random sample of the run, so every shard is represented in proportion to its
size (the old tool's ceil(N/#files) per file overshot N and over-sampled small files).

Kept candidates are over-collected (`spare` x N) so documents that the dedup phase removes later
can be excluded at merge time and N still be reached. The reference (not the input id, which
need not be unique: an exact duplicate often repeats its id) identifies a document for exclusion.

JSON format (the same for a collector's `to_json()` and for `merge()`'s result, so a merged
sample can be merged again, e.g. with a later exclusion list):

    {"format": "cleaner-samples/1", "seed": 42, "kept_k": 100, "per_reason_k": 20, "spare": 2.0,
     "max_chars": 20000,
     "offered": {"kept": 912, "rejected": {"too_short": 80}},
     "kept":     [entry, ...],   # merge(): the N chosen, key order; collector: all candidates
     "spare_kept": [entry, ...], # merge(): further candidates in key order; collector: []
     "rejected": {"too_short": [entry, ...]}}       # up to per_reason_k per reason, key order

    entry = {"key": "<16 hex digits>", "ref": "<source_file>:<line>", "id": "...",
             "source_file": "...", "line": 12, "stage": "...", "reason": "...", "detail": "...",
             "original_text": "..." | null, "text": "..." | null,
             "original_chars": 1234 | null, "chars": 1200 | null, "truncated": false}

Texts longer than `max_chars` are cut (the full lengths stay in `original_chars`/`chars`), which
bounds a worker's memory whatever the documents' size.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

import xxhash

FORMAT = "cleaner-samples/1"


def doc_ref(source_file: str, line: int) -> str:
    """The identity a sample uses for a document: unique per input line, unlike input ids."""
    return f"{source_file}:{line}"


def sample_key(seed: int, ref: str) -> str:
    """The document's sort key as 16 hex digits (string order equals numeric order)."""
    return f"{xxhash.xxh64_intdigest(ref.encode('utf-8', 'surrogatepass'), seed=seed % 2**64):016x}"


class _BottomK:
    """The k entries with the smallest keys seen so far (a max-heap on the key)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[tuple[str, str, dict[str, Any]]] = []  # (inverted key, ref, entry)

    def wants(self, key: str) -> bool:
        return len(self.heap) < self.k or (self.k > 0 and key < _invert(self.heap[0][0]))

    def add(self, key: str, ref: str, entry: dict[str, Any]) -> None:
        item = (_invert(key), ref, entry)
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, item)
        else:
            heapq.heapreplace(self.heap, item)

    def entries(self) -> list[dict[str, Any]]:
        return sorted((item[2] for item in self.heap), key=_order)


def _invert(key: str) -> str:
    """Maps a hex key to one that sorts in reverse, turning heapq's min-heap into a max-heap."""
    return f"{(2**64 - 1) - int(key, 16):016x}"


def _order(entry: dict[str, Any]) -> tuple[str, str]:
    return entry["key"], entry["ref"]


def _clip(text: str | None, max_chars: int) -> tuple[str | None, int | None, bool]:
    if text is None:
        return None, None, False
    return text[:max_chars], len(text), len(text) > max_chars


class SampleCollector:
    """Feed every kept and rejected document of a unit; `to_json()` is the unit's sample part."""

    def __init__(
        self, seed: int, kept_k: int = 100, per_reason_k: int = 20, spare: float = 2.0, max_chars: int = 20000
    ) -> None:
        self.seed, self.kept_k, self.per_reason_k, self.spare, self.max_chars = (
            seed,
            kept_k,
            per_reason_k,
            spare,
            max_chars,
        )
        self.kept = _BottomK(int(kept_k * spare))
        self.rejected: dict[str, _BottomK] = {}
        self.offered_kept = 0
        self.offered_rejected: Counter = Counter()

    def _entry(
        self,
        key: str,
        ref: str,
        doc_id: str,
        source_file: str,
        line: int,
        original_text: str | None,
        text: str | None,
        **labels: str,
    ) -> dict[str, Any]:
        original, original_chars, cut_original = _clip(original_text, self.max_chars)
        cleaned, chars, cut = _clip(text, self.max_chars)
        return {
            "key": key,
            "ref": ref,
            "id": doc_id,
            "source_file": source_file,
            "line": line,
            **labels,
            "original_text": original,
            "text": cleaned,
            "original_chars": original_chars,
            "chars": chars,
            "truncated": cut_original or cut,
        }

    def wants_kept(self, source_file: str, line: int) -> bool:
        """Whether `offer_kept` would keep this document: lets a caller skip building its texts."""
        return self.kept.wants(sample_key(self.seed, doc_ref(source_file, line)))

    def wants_rejected(self, reason: str, source_file: str, line: int) -> bool:
        pool = self.rejected.get(reason)
        return pool is None or pool.wants(sample_key(self.seed, doc_ref(source_file, line)))

    def offer_kept(
        self, doc_id: str, source_file: str, line: int, original_text: str | None, cleaned_text: str
    ) -> None:
        """A document the clean phase kept; `original_text` is the text before any stage ran."""
        self.offered_kept += 1
        ref = doc_ref(source_file, line)
        key = sample_key(self.seed, ref)
        if self.kept.wants(key):
            self.kept.add(key, ref, self._entry(key, ref, doc_id, source_file, line, original_text, cleaned_text))

    def offer_rejected(
        self,
        reason: str,
        doc_id: str,
        source_file: str,
        line: int,
        original_text: str | None,
        text_at_rejection: str | None,
        *,
        stage: str = "",
        detail: str = "",
    ) -> None:
        """A rejected document (or a malformed line: reason `malformed:<kind>`, text None)."""
        self.offered_rejected[reason] += 1
        ref = doc_ref(source_file, line)
        key = sample_key(self.seed, ref)
        pool = self.rejected.get(reason)
        if pool is None:
            pool = self.rejected[reason] = _BottomK(self.per_reason_k)
        if pool.wants(key):
            labels = {"stage": stage, "reason": reason, "detail": detail}
            pool.add(
                key, ref, self._entry(key, ref, doc_id, source_file, line, original_text, text_at_rejection, **labels)
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seed": self.seed,
            "kept_k": self.kept_k,
            "per_reason_k": self.per_reason_k,
            "spare": self.spare,
            "max_chars": self.max_chars,
            "offered": {"kept": self.offered_kept, "rejected": dict(sorted(self.offered_rejected.items()))},
            "kept": self.kept.entries(),
            "spare_kept": [],
            "rejected": {reason: pool.entries() for reason, pool in sorted(self.rejected.items())},
        }


def _unique_sorted(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Key order, one entry per reference (a part merged twice must not count twice)."""
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        seen.setdefault(entry["ref"], entry)
    return sorted(seen.values(), key=_order)


def merge(parts: list[dict[str, Any]], exclude: Collection[str] = frozenset()) -> dict[str, Any]:
    """Combine unit samples into the run's: exactly `kept_k` kept documents (all when fewer remain),
    up to `per_reason_k` per reject reason; documents whose reference is in `exclude` are skipped.

    Parts must share seed and sizes (one run); mixing seeds would not be a sample of anything.
    """
    if not parts:
        raise ValueError("merge needs at least one sample part")
    first = parts[0]
    settings = ("seed", "kept_k", "per_reason_k", "spare", "max_chars")
    for part in parts:
        if part.get("format") != FORMAT or any(part[s] != first[s] for s in settings):
            raise ValueError("sample parts come from different runs or settings (seed, sizes or format differ)")
    kept_k, capacity = first["kept_k"], int(first["kept_k"] * first["spare"])
    candidates = _unique_sorted(e for p in parts for e in (*p["kept"], *p["spare_kept"]) if e["ref"] not in exclude)
    offered_rejected: Counter = Counter()
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        offered_rejected.update(part["offered"]["rejected"])
        for reason, entries in part["rejected"].items():
            by_reason.setdefault(reason, []).extend(entries)
    return {
        **{s: first[s] for s in ("format", *settings)},
        "offered": {
            "kept": sum(p["offered"]["kept"] for p in parts),
            "rejected": dict(sorted(offered_rejected.items())),
        },
        "kept": candidates[:kept_k],
        "spare_kept": candidates[kept_k:capacity],
        "rejected": {
            reason: _unique_sorted(e for e in entries if e["ref"] not in exclude)[: first["per_reason_k"]]
            for reason, entries in sorted(by_reason.items())
        },
    }
