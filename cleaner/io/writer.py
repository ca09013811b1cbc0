"""Parquet output: fixed columns first, then the carried input fields, zstd-compressed.

Input fields vary between documents, so a worker writes *segments*: a new segment file starts when
the carried fields' schema changes, and the writer records every carried column's types. The
finalise step conforms a shard's segments to the run-wide schema (or links a single segment that
already has it into place without copying).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
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
#: Columns a document removed by dedup carries in the rejected output (null for other rows).
DEDUP_FIELDS = [
    pa.field("duplicate_of", pa.string()),
    pa.field("cluster_id", pa.int64()),
    pa.field("cluster_size", pa.int64()),
]
#: Arrow types by the names stages, part records and schema.json use for them.
ARROW_TYPES = {
    "string": pa.string(),
    "double": pa.float64(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "binary": pa.binary(),
    "null": pa.null(),
}
#: One carried column of a unit or a run: (column name, input field name, Arrow type name).
Carried = tuple[str, str, str]
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


def carried_name(key: str, reserved: frozenset[str]) -> str:
    """The column an input field is carried in: its own name, unless that is one of ours or one of
    ours behind `input_` prefixes; then one more `input_`. Decided per name, so every worker
    agrees, and no two fields meet: `stage` -> `input_stage`, `input_stage` -> `input_input_stage`."""
    base = key
    while base not in reserved and base.startswith("input_"):
        base = base[len("input_") :]
    return f"input_{key}" if base in reserved else key


def union_carried(records: Iterable[Iterable[Sequence[str]]]) -> list[Carried]:
    """Carried columns of several units (or writers), first-seen order, one unified type each."""
    seen: dict[str, tuple[str, list[pa.DataType]]] = {}
    for record in records:
        for name, field, type_name in record:
            seen.setdefault(name, (field, []))[1].append(ARROW_TYPES[type_name])
    return [(name, field, str(unify_type(types))) for name, (field, types) in seen.items()]


class SegmentedWriter:
    """Accumulates rows and writes them as Parquet row groups into segment files in `directory`."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        head: list[pa.Field],
        tail: list[pa.Field],
        reserved: frozenset[str],
        compression_level: int,
        batch_rows: int,
    ) -> None:
        self.directory, self.prefix = directory, prefix
        self.head, self.tail = head, tail
        self.reserved = reserved
        self.compression_level, self.batch_rows = compression_level, batch_rows
        self._carried: dict[str, tuple[str, list[pa.DataType]]] = {}
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

    def carried(self) -> list[Carried]:
        """The carried columns written so far, first-seen order, with their unified types."""
        return [(name, field, str(unify_type(types))) for name, (field, types) in self._carried.items()]

    def _flush(self) -> None:
        if not self._meta:
            return
        keys: dict[str, None] = {}
        for meta in self._meta:
            keys.update(dict.fromkeys(meta))
        carried = [(carried_name(k, self.reserved), carried_array([m.get(k) for m in self._meta])) for k in keys]
        for key, (name, array) in zip(keys, carried):
            self._carried.setdefault(name, (key, []))[1].append(array.type)
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


def _json_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Non-string values as JSON text, the way `carried_array` writes a field of mixed types."""
    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in column.to_pylist()], pa.string())


def _as_type(column: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | pa.Array:
    if column.type == target:
        return column
    if target == pa.string() and column.type != pa.null():
        return _json_text(column)
    return column.cast(target)


def conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """`table` with exactly the columns of `target`: converted where types differ, nulls where absent."""
    columns = [
        _as_type(table.column(f.name), f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in target
    ]
    return pa.Table.from_arrays(columns, schema=target)


def merge_segments(segments: list[Path], dest: Path, target: pa.Schema, compression_level: int) -> int:
    """Write all rows of `segments`, in order, to `dest` conformed to `target`; return rows."""
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
