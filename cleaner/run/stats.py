"""Counters for one work unit, merged into per-shard and per-run stats.

The accounting invariant `read == kept + rejected + malformed` is checked by `check_accounting`
wherever counts are combined; a mismatch raises instead of being written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import Field, dataclass, field, fields
from typing import Any

from cleaner.errors import AccountingError


def _json_name(f: Field) -> str:
    return f.metadata.get("json", f.name)


def _to_json(obj: Any) -> dict[str, Any]:
    """A counters dataclass as JSON, key per field in field order (JSON names from metadata)."""
    data: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, Counter):
            value = dict(sorted(value.items()))
        elif isinstance(value, float):
            value = round(value, 3)
        elif isinstance(value, list):
            value = [item.to_json() for item in value]
        if value or not f.metadata.get("omit_empty"):
            data[_json_name(f)] = value
    return data


def _from_json(cls: type, raw: dict[str, Any], items: type | None = None) -> Any:
    values: dict[str, Any] = {}
    for f in fields(cls):
        name = _json_name(f)
        if name not in raw:
            continue
        value = raw[name]
        if f.type == "Counter":
            value = Counter(value)
        elif isinstance(value, list) and items is not None:
            value = [items.from_json(item) for item in value]
        values[f.name] = value
    return cls(**values)


def _add(into: Any, other: Any) -> None:
    """Add `other`'s counts into `into`, field by field (`label`/`kind`/`parent` name and are not added)."""
    for f in fields(into):
        mine, theirs = getattr(into, f.name), getattr(other, f.name)
        if isinstance(mine, Counter):
            mine.update(theirs)
        elif isinstance(mine, dict):
            add_counts(mine, theirs)
        elif isinstance(mine, (int, float)):
            setattr(into, f.name, mine + theirs)


@dataclass
class StageCounters:
    label: str = field(metadata={"json": "stage"})
    kind: str
    docs_in: int = field(default=0, metadata={"json": "in"})
    docs_out: int = field(default=0, metadata={"json": "out"})
    rejected: Counter = field(default_factory=Counter)
    chars_removed: int = 0
    seconds: float = 0.0
    #: What a stage counts itself (its `counters()` method): e.g. blacklist hits by category and term.
    extra: dict[str, Any] = field(default_factory=dict, metadata={"json": "counters", "omit_empty": True})
    #: For a rule inside a route, the route's label: its documents are the branch's, and its
    #: rejections are not counted again on the route's row.
    parent: str = field(default="", metadata={"omit_empty": True})

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StageCounters:
        return _from_json(cls, raw)


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
    #: Tokens of every parsed input document's text as read (before any stage), and of the kept ones.
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    stages: list[StageCounters] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Stats:
        return _from_json(cls, raw, StageCounters)

    def add(self, other: Stats) -> None:
        """Add `other`'s counts into this one (stage lists are matched by position)."""
        _add(self, other)
        if not self.stages:
            self.stages = [StageCounters(s.label, s.kind, parent=s.parent) for s in other.stages]
        for mine, theirs in zip(self.stages, other.stages):
            _add(mine, theirs)


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
