"""The dedup phase's output per unit, and what the finalise phase does with it.

`<dedup_dir>/<unit>.parquet` lists the unit's removed documents, sorted by row:

    row int64            index among the unit's kept rows (as given to UnitSignatures.add)
    id string            the removed document's id (checked against the kept row at finalise)
    reason string        "exact_duplicate" | "near_duplicate"
    duplicate_of string  id of the cluster's keeper
    cluster_id int64     63-bit hash of the keeper's (source_file, line): stable across runs
    cluster_size int64   the keeper plus the documents removed as its duplicates (greedy), or the
                         whole connected component (clustering: union_find)

A unit without removals has no file; `<dedup_dir>/summary.json` marks a finished phase.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REMOVAL_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64()),
        pa.field("id", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("cluster_id", pa.int64()),
        pa.field("cluster_size", pa.int64()),
    ]
)
#: Columns the finalise phase appends to a removed document's row in the rejected output.
DEDUP_COLUMNS = ["reason", "duplicate_of", "cluster_id", "cluster_size"]


def write_removals(
    path: Path,
    rows: np.ndarray,
    ids: list[str],
    reasons: list[str],
    duplicate_of: list[str],
    cluster_ids: list[int],
    cluster_sizes: list[int],
) -> None:
    table = pa.Table.from_arrays(
        [
            pa.array(rows, pa.int64()),
            pa.array(ids, pa.string()),
            pa.array(reasons, pa.string()),
            pa.array(duplicate_of, pa.string()),
            pa.array(cluster_ids, pa.int64()),
            pa.array(cluster_sizes, pa.int64()),
        ],
        schema=REMOVAL_SCHEMA,
    )
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def load_removals(dedup_dir: Path, unit: str) -> pa.Table:
    """The removals of `unit` (an empty table when it has none); `dedup_dir` must be finished."""
    dedup_dir = Path(dedup_dir)
    if not (dedup_dir / "summary.json").exists():
        raise FileNotFoundError(f"{dedup_dir} is not a finished dedup phase (no summary.json)")
    path = dedup_dir / f"{unit}.parquet"
    if not path.exists():
        return REMOVAL_SCHEMA.empty_table()
    return pq.read_table(path, schema=REMOVAL_SCHEMA)


def split_removed(kept: pa.Table, removals: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Split a unit's kept rows (all of them, in unit order, with an `id` column) into the rows
    that stay and the removed rows with DEDUP_COLUMNS appended (in row order).

    Raises ValueError if a removal's id does not match the kept row it names, which would mean
    the signatures and the kept output come from different runs.
    """
    rows = removals.column("row").to_numpy()
    if len(rows) and (rows.min() < 0 or rows.max() >= kept.num_rows):
        raise ValueError(f"removal rows outside 0..{kept.num_rows - 1}")
    dropped = kept.take(pa.array(rows, pa.int64()))
    if not pc.all(pc.equal(dropped.column("id"), removals.column("id"))).as_py() and len(rows):
        raise ValueError("removal ids differ from the kept rows they name")
    mask = np.ones(kept.num_rows, dtype=bool)
    mask[rows] = False
    for name in DEDUP_COLUMNS:
        dropped = dropped.append_column(removals.schema.field(name), removals.column(name))
    return kept.filter(pa.array(mask)), dropped
