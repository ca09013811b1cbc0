"""Every path of a run under DEST, in one place: what a user reads, and `_state/`, the engine's own.

`_state/` holds the plan and manifest (what resume compares), the repeated-lines pre-pass
(`lines/`), one folder per finished clean unit (`parts/<unit>/`), the dedup signatures (kept for
`--dedup-against`) and the dedup result, one done-marker per finalised shard, the merged review
samples, progress and the live run's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The folders under DEST that hold the run's output files (besides `_state/`).
OUTPUT_FOLDERS = ("kept", "rejected", "stats", "samples", "good", "bad")


@dataclass(frozen=True)
class ShardOutputs:
    kept: Path
    rejected: Path
    stats: Path


@dataclass(frozen=True)
class RunLayout:
    dest: Path

    # What a user reads.
    @property
    def summary(self) -> Path:
        return self.dest / "summary.json"

    @property
    def schema(self) -> Path:
        """The run-wide columns of kept/ and rejected/, decided before the first shard is finalised."""
        return self.dest / "schema.json"

    @property
    def report_json(self) -> Path:
        return self.dest / "report.json"

    @property
    def report_html(self) -> Path:
        return self.dest / "report.html"

    @property
    def kept_dir(self) -> Path:
        return self.dest / "kept"

    @property
    def rejected_dir(self) -> Path:
        return self.dest / "rejected"

    @property
    def stats_dir(self) -> Path:
        return self.dest / "stats"

    @property
    def samples_dir(self) -> Path:
        return self.dest / "samples"

    def shard_outputs(self, shard_name: str) -> ShardOutputs:
        """Final files of a shard; refuses any name that would land outside DEST."""
        root = RunLayout(self.dest.resolve())
        outputs = ShardOutputs(
            kept=root.kept_dir / f"{shard_name}.parquet",
            rejected=root.rejected_dir / f"{shard_name}.parquet",
            stats=root.stats_dir / f"{shard_name}.json",
        )
        for path in (outputs.kept, outputs.rejected, outputs.stats):
            if not path.resolve().is_relative_to(root.dest):
                raise ValueError(f"shard name {shard_name!r} would write outside {root.dest}")
        return outputs

    # The engine's own state.
    @property
    def state(self) -> Path:
        return self.dest / "_state"

    @property
    def plan(self) -> Path:
        return self.state / "plan.json"

    @property
    def manifest(self) -> Path:
        return self.state / "manifest.json"

    @property
    def run_record(self) -> Path:
        return self.state / "run.json"

    @property
    def outputs(self) -> Path:
        """The files outside `_state/` this run wrote besides the shard outputs (see run/outputs.py)."""
        return self.state / "outputs.json"

    @property
    def progress(self) -> Path:
        return self.state / "progress.json"

    @property
    def pushed(self) -> Path:
        """For a DEST in object storage, what of this (staging) folder was uploaded (run/remote_dest.py)."""
        return self.state / "pushed.json"

    @property
    def invocations(self) -> Path:
        """One record per `cleaner run` of this run: start, last report, end and outcome (run/invocations.py)."""
        return self.state / "invocations.json"

    @property
    def saved_samples(self) -> Path:
        """The run's merged review samples, from which the report writes `samples/`."""
        return self.state / "samples.json"

    def part(self, unit: str) -> Path:
        """A finished clean unit's folder (written as `<unit>.tmp` and renamed when complete)."""
        return self.parts_dir / unit

    @property
    def parts_dir(self) -> Path:
        return self.state / "parts"

    @property
    def signatures_dir(self) -> Path:
        return self.state / "signatures"

    def signatures(self, unit: str) -> Path:
        """A unit's dedup signatures; kept after the run for `--dedup-against`."""
        return self.signatures_dir / f"{unit}.parquet"

    @property
    def dedup_dir(self) -> Path:
        return self.state / "dedup"

    @property
    def lines_dir(self) -> Path:
        """The repeated-lines pre-pass (cleaner/run/lines.py)."""
        return self.state / "lines"

    @property
    def lines_units_dir(self) -> Path:
        return self.lines_dir / "units"

    def lines_unit(self, unit: str) -> Path:
        """A unit's sorted runs of (line key, content hash) pairs (written as `<unit>.tmp`, then renamed)."""
        return self.lines_units_dir / unit

    @property
    def lines_partitions_dir(self) -> Path:
        return self.lines_dir / "partitions"

    def lines_partition(self, partition: int, partitions: int) -> Path:
        """The frequent keys of one hash partition (its counts in the `.json` beside it)."""
        return self.lines_partitions_dir / f"{partition:05d}-of-{partitions:05d}.npy"

    @property
    def frequent_lines(self) -> Path:
        """Sorted uint64 keys of the lines to remove, read by every clean unit."""
        return self.lines_dir / "frequent.npy"

    @property
    def lines_summary(self) -> Path:
        """Written last: the pre-pass is done."""
        return self.lines_dir / "summary.json"

    def done_marker(self, sid: str) -> Path:
        return self.state / "done" / f"{sid}.json"

    def shard_samples(self, sid: str) -> Path:
        return self.state / "samples" / f"{sid}.json"
