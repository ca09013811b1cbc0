"""Connected components over edge partitions on disk: alternating large-star and small-star
rounds (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), for
`clustering: union_find`.

An edge is stored as (smaller, larger) rank. Each round task q works on the edges of the nodes in
rank range q and writes its output edges twice: grouped by the range of the larger end (`L.npy`)
and of the smaller end (`S.npy`), which is how the next step's tasks find them.

- large-star, per node u: m = the smallest of u and its neighbours; every larger neighbour v is
  linked to m instead of u (input: the `L` and `S` edges of range q: all edges touching it).
- small-star, per node u: m = the smallest of u and its smaller neighbours; u and those
  neighbours are linked to m (input: the `L` edges of range q, whose larger end is in it).

The edge set shrinks to one star per component centred on its smallest rank; it is stable when a
large-star and the small-star after it leave it unchanged, which the driver sees from each
task's digest of its `L` input (`star_steps`). `LabelTask` then reads the stars: each leaf's keeper is the
centre (the component's best document) unless the leaf is protected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xxhash

from cleaner.dedup.ranking import RankIndex
from cleaner.dedup.sweep import hand_on
from cleaner.dedup.work import load, load_buckets, save_buckets, unique_pairs


def large_star(edges: np.ndarray, handled: np.ndarray) -> np.ndarray:
    """One large-star step: `edges` (smaller, larger) hold every edge of the nodes handled here,
    `handled` marks the rows whose smaller end is one of them (the other rows only lower minima)."""
    nodes = np.unique(edges)
    low, high = np.searchsorted(nodes, edges[:, 0]), np.searchsorted(nodes, edges[:, 1])
    smallest = nodes.copy()
    np.minimum.at(smallest, high, edges[:, 0])
    return unique_pairs(np.stack([smallest[low[handled]], edges[handled, 1]], axis=1))


def small_star(edges: np.ndarray) -> np.ndarray:
    """One small-star step over (smaller, larger) edges grouped by their larger end."""
    if len(edges) == 0:
        return edges
    ends, at = np.unique(edges[:, 1], return_inverse=True)
    smallest = ends.copy()
    np.minimum.at(smallest, at, edges[:, 0])
    linked = np.concatenate([np.stack([smallest[at], edges[:, 0]], axis=1), np.stack([smallest, ends], axis=1)])
    return unique_pairs(linked[linked[:, 0] != linked[:, 1]])


def digest(edges: np.ndarray) -> str:
    return xxhash.xxh3_64_hexdigest(np.ascontiguousarray(edges).tobytes())


@dataclass(frozen=True)
class StarTask:
    kind: Literal["start", "large", "small"]
    #: "start": this range's VerifyTask folder; otherwise every task folder of the previous step.
    sources: tuple[Path, ...]
    rank_range: int
    ranks: RankIndex
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        q = self.rank_range
        if self.kind == "start":
            seen = unique_pairs(
                np.concatenate([load(self.sources[0] / "exact.npy"), load(self.sources[0] / "near.npy")])
            )
        else:
            seen = unique_pairs(load_buckets((s / "L.npy" for s in self.sources), q))
        if self.kind == "large":
            touching = unique_pairs(np.concatenate([seen, load_buckets((s / "S.npy" for s in self.sources), q)]))
            edges = large_star(touching, self.ranks.range_of(touching[:, 0]) == self.rank_range)
        elif self.kind == "small":
            edges = small_star(seen)
        else:
            edges = seen
        ranges = len(self.ranks.offsets) - 1
        for side, column in (("L", 1), ("S", 0)):
            save_buckets(folder / f"{side}.npy", edges, self.ranks.range_of(edges[:, column]), ranges)
        return {"input_digest": digest(seen), "input_edges": len(seen)}


@dataclass(frozen=True)
class LabelTask:
    sources: tuple[Path, ...]  # every task folder of the final (stable) step
    rank_range: int
    ranks: RankIndex
    protected_below: int
    blocks: tuple[int, ...]
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        edges = unique_pairs(load_buckets((s / "L.npy" for s in self.sources), self.rank_range))
        leaves = edges[edges[:, 1] >= np.uint64(self.protected_below)]
        return {"removed": hand_on(folder, leaves[:, 1], leaves[:, 0], self.ranks, self.blocks)}


#: Steps after which the rounds are taken as not converging (they take O(log^2 n) rounds).
_MAX_STEPS = 400


def star_steps(
    verified: list[Path], ranks: RankIndex, root: Path, run: Callable[[list[StarTask]], list[dict[str, Any]]]
) -> tuple[Path, ...]:
    """Run start, large, small, large, ... steps under `root` until the edges are stable stars;
    the task folders of the last step. `run` runs a step's tasks and returns their summaries
    (work.run_step: finished tasks are skipped on resume)."""
    ranges = range(len(verified))
    step = [StarTask("start", (verified[q],), q, ranks, root / "00000-start" / f"{q:05d}") for q in ranges]
    digests = [[s["input_digest"] for s in run(step)]]
    for number in range(1, _MAX_STEPS):
        kind: Literal["large", "small"] = "large" if number % 2 else "small"
        sources = tuple(task.out for task in step)
        step = [StarTask(kind, sources, q, ranks, root / f"{number:05d}-{kind}" / f"{q:05d}") for q in ranges]
        digests.append([s["input_digest"] for s in run(step)])
        if kind == "large" and number >= 3 and digests[-1] == digests[-2] == digests[-3]:
            return tuple(task.out for task in step)
    raise RuntimeError(f"dedup: connected components did not converge in {_MAX_STEPS} steps")
