"""Counters for one work unit, merged into per-shard and per-run stats.

The accounting invariant `read == kept + rejected + malformed` is checked by `check_accounting`
wherever counts are combined; a mismatch raises instead of being written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.errors import AccountingError


@dataclass
class StageCounters:
    label: str
    kind: str
    docs_in: int = 0
    docs_out: int = 0
    rejected: Counter = field(default_factory=Counter)
    chars_removed: int = 0
    seconds: float = 0.0
    #: What a stage counts itself (its `counters()` method): e.g. blacklist hits by category and term.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {
            "stage": self.label,
            "kind": self.kind,
            "in": self.docs_in,
            "out": self.docs_out,
            "rejected": dict(sorted(self.rejected.items())),
            "chars_removed": self.chars_removed,
            "seconds": round(self.seconds, 3),
        }
        if self.extra:
            data["counters"] = self.extra
        return data


def add_counts(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Add nested count mappings ({"hits": {"porn": 3}}) key by key."""
    for key, value in other.items():
        if isinstance(value, dict):
            add_counts(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


@dataclass
class Stats:
    read: int = 0
    kept: int = 0
    rejected: int = 0
    malformed: int = 0
    malformed_by_kind: Counter = field(default_factory=Counter)
    bytes_read: int = 0
    chars_in: int = 0
    chars_out: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    stages: list[StageCounters] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "rejected": self.rejected,
            "malformed": self.malformed,
            "malformed_by_kind": dict(sorted(self.malformed_by_kind.items())),
            "bytes_read": self.bytes_read,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "tokens_out": self.tokens_out,
            "seconds": round(self.seconds, 3),
            "stages": [s.to_json() for s in self.stages],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Stats:
        stages = [
            StageCounters(
                s["stage"],
                s["kind"],
                s["in"],
                s["out"],
                Counter(s["rejected"]),
                s["chars_removed"],
                s["seconds"],
                s.get("counters", {}),
            )
            for s in raw["stages"]
        ]
        return cls(
            raw["read"],
            raw["kept"],
            raw["rejected"],
            raw["malformed"],
            Counter(raw["malformed_by_kind"]),
            raw["bytes_read"],
            raw["chars_in"],
            raw["chars_out"],
            raw["tokens_out"],
            raw["seconds"],
            stages,
        )

    def add(self, other: Stats) -> None:
        """Add `other`'s counts into this one (stage lists are matched by position)."""
        self.read += other.read
        self.kept += other.kept
        self.rejected += other.rejected
        self.malformed += other.malformed
        self.malformed_by_kind.update(other.malformed_by_kind)
        self.bytes_read += other.bytes_read
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.tokens_out += other.tokens_out
        self.seconds += other.seconds
        if not self.stages:
            self.stages = [StageCounters(s.label, s.kind) for s in other.stages]
        for mine, theirs in zip(self.stages, other.stages):
            mine.docs_in += theirs.docs_in
            mine.docs_out += theirs.docs_out
            mine.rejected.update(theirs.rejected)
            mine.chars_removed += theirs.chars_removed
            mine.seconds += theirs.seconds
            add_counts(mine.extra, theirs.extra)


def check_accounting(stats: Stats, where: str) -> None:
    if stats.read != stats.kept + stats.rejected + stats.malformed:
        raise AccountingError(
            f"{where}: read {stats.read} != kept {stats.kept} + rejected {stats.rejected} + malformed {stats.malformed}"
        )
    if stats.malformed != sum(stats.malformed_by_kind.values()):
        raise AccountingError(f"{where}: malformed {stats.malformed} != sum of its kinds")
    stage_rejections = sum(sum(s.rejected.values()) for s in stats.stages)
    if stage_rejections != stats.rejected:
        raise AccountingError(f"{where}: stages rejected {stage_rejections} != rejected {stats.rejected}")
