"""Parquet output: fixed columns first, then the carried input fields, zstd-compressed.

Input fields vary between documents, so a worker writes *segments*: a new segment file starts when
the carried fields' schema changes. The finalise step merges a shard's segments under one unified
schema (or links the single segment into place without copying).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.errors import OutputError
from cleaner.io.fsutil import temp_name

BASE_FIELDS = [
    pa.field("id", pa.string()),
    pa.field("text", pa.string()),
    pa.field("source_file", pa.string()),
    pa.field("line", pa.int64()),
]
REJECT_FIELDS = [
    pa.field("stage", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("detail", pa.string()),
    pa.field("raw", pa.binary()),
]
#: Flush a batch early when its texts exceed this many bytes, so huge documents stay bounded.
BATCH_TEXT_BYTES = 64 << 20


def carried_array(values: list[Any]) -> pa.Array:
    """An Arrow column for one input field: typed when its values agree, else JSON strings."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.nulls(len(values))
    if kinds == {str}:
        return pa.array(values, pa.string())
    if kinds == {bool}:
        return pa.array(values, pa.bool_())
    if kinds <= {int, float}:
        try:
            return pa.array(values, pa.int64() if kinds == {int} else pa.float64())
        except (OverflowError, pa.ArrowInvalid):
            pass
    return pa.array(
        [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values],
        pa.string(),
    )


def unify_type(types: Sequence[pa.DataType]) -> pa.DataType:
    """The type a carried column takes when segments disagree; the same rule as `carried_array`."""
    distinct = {t for t in types if t != pa.null()}
    if not distinct:
        return pa.null()
    if len(distinct) == 1:
        return distinct.pop()
    if distinct <= {pa.int64(), pa.float64()}:
        return pa.float64()
    return pa.string()


class SegmentedWriter:
    """Accumulates rows and writes them as Parquet row groups into segment files in `directory`."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        head: list[pa.Field],
        tail: list[pa.Field],
        compression_level: int,
        batch_rows: int,
    ) -> None:
        self.directory, self.prefix = directory, prefix
        self.head, self.tail = head, tail
        self.reserved = {f.name for f in (*head, *tail, *BASE_FIELDS, *REJECT_FIELDS)}
        self.compression_level, self.batch_rows = compression_level, batch_rows
        self.segments: list[Path] = []
        self.rows = 0
        self._fixed: list[list[Any]] = [[] for _ in (*head, *tail)]
        self._meta: list[dict[str, Any]] = []
        self._text_bytes = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def add(self, fixed: Sequence[Any], meta: dict[str, Any], text_len: int) -> None:
        """Add one row: `fixed` values in head+tail order, `meta` the carried input fields."""
        for column, value in zip(self._fixed, fixed):
            column.append(value)
        self._meta.append(meta)
        self._text_bytes += text_len
        if len(self._meta) >= self.batch_rows or self._text_bytes >= BATCH_TEXT_BYTES:
            self._flush()

    def _column_name(self, key: str) -> str:
        while key in self.reserved:
            key = f"input_{key}"
        return key

    def _flush(self) -> None:
        if not self._meta:
            return
        keys: dict[str, None] = {}
        for meta in self._meta:
            keys.update(dict.fromkeys(meta))
        carried = [(self._column_name(k), carried_array([m.get(k) for m in self._meta])) for k in keys]
        n_head = len(self.head)
        fields = [*self.head, *(pa.field(n, a.type) for n, a in carried), *self.tail]
        arrays = [
            *(pa.array(v, f.type) for v, f in zip(self._fixed[:n_head], self.head)),
            *(a for _, a in carried),
            *(pa.array(v, f.type) for v, f in zip(self._fixed[n_head:], self.tail)),
        ]
        batch = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
        if self._schema is None or not batch.schema.equals(self._schema):
            self._open_segment(batch.schema)
        self._write(batch)
        self.rows += batch.num_rows
        self._fixed = [[] for _ in self._fixed]
        self._meta, self._text_bytes = [], 0

    def _open_segment(self, schema: pa.Schema) -> None:
        self._close_writer()
        path = self.directory / f"{self.prefix}-{len(self.segments):05d}.parquet"
        self.segments.append(path)
        self._schema = schema
        try:
            self._writer = pq.ParquetWriter(path, schema, compression="zstd", compression_level=self.compression_level)
        except OSError as err:
            raise OutputError(f"cannot write {path}: {err}") from None

    def _write(self, batch: pa.RecordBatch) -> None:
        try:
            self._writer.write_batch(batch)
        except OSError as err:
            raise OutputError(f"cannot write {self.segments[-1]}: {err}") from None

    def _close_writer(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError as err:
                raise OutputError(f"cannot write {self.segments[-1]}: {err}") from None
            self._writer = None

    def close(self) -> None:
        self._flush()
        self._close_writer()


def unified_schema(schemas: list[pa.Schema], head: list[pa.Field], tail: list[pa.Field]) -> pa.Schema:
    """Fixed head columns, every carried column in first-seen order with a unified type, then tail."""
    fixed = {f.name for f in (*head, *tail)}
    carried: dict[str, list[pa.DataType]] = {}
    for schema in schemas:
        for f in schema:
            if f.name not in fixed:
                carried.setdefault(f.name, []).append(f.type)
    return pa.schema([*head, *(pa.field(name, unify_type(types)) for name, types in carried.items()), *tail])


def conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """`table` with exactly the columns of `target`: cast where types differ, nulls where absent."""
    columns = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in target
    ]
    return pa.Table.from_arrays(columns, schema=target)


def merge_segments(
    segments: list[Path], dest: Path, head: list[pa.Field], tail: list[pa.Field], compression_level: int
) -> int:
    """Write all rows of `segments`, in order, to `dest` under one unified schema; return rows."""
    target = unified_schema([pq.read_schema(s) for s in segments], head, tail)
    tmp = temp_name(dest)
    rows = 0
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(tmp, target, compression="zstd", compression_level=compression_level) as out:
            for segment in segments:
                source = pq.ParquetFile(segment)
                for group in range(source.num_row_groups):
                    table = source.read_row_group(group)
                    out.write_table(conform(table, target))
                    rows += table.num_rows
            if not segments:
                out.write_table(target.empty_table())
        tmp.replace(dest)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {dest}: {err}") from None
    return rows


def write_table(table: pa.Table, path: Path, compression_level: int, batch_rows: int) -> None:
    """Write one table as a segment file (used for the finalise phase's dedup split)."""
    try:
        pq.write_table(table, path, row_group_size=batch_rows, compression="zstd", compression_level=compression_level)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err}") from None
