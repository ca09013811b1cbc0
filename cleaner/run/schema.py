"""The run-wide output schema, so a team's readers see every shard of a run as one table.

Every `kept/` file has the same columns in the same order with the same types: the core columns,
the recipe's annotation columns, then every input field carried anywhere in the run (null in the
shards that lack it, one type for the whole run). Every `rejected/` file has those plus the
rejection columns (and the dedup columns when the recipe deduplicates). The driver decides it from
the units' part records after the clean phase, writes it to `DEST/schema.json` before any shard
is finalised, and a resumed run reads it back, so every shard is conformed to the same schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from cleaner.errors import UsageError
from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.io.writer import ARROW_TYPES, BASE_FIELDS, DEDUP_FIELDS, REJECT_FIELDS, union_carried
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import claim
from cleaner.run.plan import Shard


def reserved_names(annotations: Sequence[pa.Field], dedup: bool) -> frozenset[str]:
    """Every column this run itself writes (core, annotation, rejection and, with dedup, dedup
    columns): the names an input field may not be carried under."""
    fields = (*BASE_FIELDS, *annotations, *REJECT_FIELDS, *(DEDUP_FIELDS if dedup else ()))
    return frozenset(f.name for f in fields)


def _entries(fields: Sequence[pa.Field], role: str) -> list[dict[str, str]]:
    return [{"name": f.name, "type": str(f.type), "role": role} for f in fields]


def build_schema(annotations: Sequence[pa.Field], parts: list[dict[str, Any]], dedup: bool) -> dict[str, Any]:
    """The schema.json document from the run's part records, in plan order."""
    carried = [
        {"name": name, "type": type_name, "role": "carried", "input_field": field}
        for name, field, type_name in union_carried(part["carried"] for part in parts)
    ]
    kept = [*_entries(BASE_FIELDS, "core"), *_entries(annotations, "annotation"), *carried]
    rejected = [*kept, *_entries(REJECT_FIELDS, "rejection"), *(_entries(DEDUP_FIELDS, "dedup") if dedup else [])]
    return {"kept": kept, "rejected": rejected}


def arrow_schemas(document: dict[str, Any]) -> tuple[pa.Schema, pa.Schema]:
    """(kept, rejected) Arrow schemas of a schema.json document."""
    kept, rejected = (
        pa.schema([pa.field(e["name"], ARROW_TYPES[e["type"]]) for e in document[kind]])
        for kind in ("kept", "rejected")
    )
    return kept, rejected


def run_schema(
    layout: RunLayout, shards: list[Shard], done: set[str], annotations: Sequence[pa.Field], dedup: bool
) -> tuple[pa.Schema, pa.Schema]:
    """The run's (kept, rejected) schemas: read back when decided before, else decided from every
    unit's part record and written, before any shard is finalised."""
    if layout.schema.exists():
        return arrow_schemas(read_json(layout.schema))
    if done:
        raise UsageError(
            f"{layout.dest}: shards were finalised by a version without {layout.schema.name}; rerun with --restart"
        )
    parts = [read_json(layout.part(chunk.unit) / "part.json") for shard in shards for chunk in shard.chunks]
    document = build_schema(annotations, parts, dedup)
    write_json_atomic(layout.schema, document)
    claim(layout, [layout.schema])
    return arrow_schemas(document)
