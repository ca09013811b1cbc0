"""The clean phase for one work unit: read -> parse -> stages -> kept/rejected segments + stats.

Runs inside a worker process. Everything is written into `<part>.tmp/` and the folder is renamed
to `<part>/` only when complete, so a part folder that exists is a finished unit.
"""

from __future__ import annotations

import resource
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from cleaner.dedup.store import UnitSignatures
from cleaner.document import Document, Rejection
from cleaner.errors import OutputError
from cleaner.io.fsutil import publish_folder, start_folder, write_json_atomic
from cleaner.io.parse import Malformed, parse_line
from cleaner.io.writer import ARROW_TYPES, BASE_FIELDS, REJECT_FIELDS, SegmentedWriter, union_carried
from cleaner.recipe import Recipe
from cleaner.run.plan import UnitInput, unit_lines, verify_unchanged
from cleaner.run.samples import SampleCollector
from cleaner.run.schema import reserved_names
from cleaner.run.stats import StageCounters, Stats, check_accounting
from cleaner.run.tokens import UnitTokens
from cleaner.run.worker import current
from cleaner.stages.base import Normaliser, Stage, apply_stage
from cleaner.stages.repeated_lines import bind_frequent_lines
from cleaner.stages.route import Route

#: How many lines a worker reads between two updates of the shared progress counters.
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class CleanTask:
    input: UnitInput
    part_dir: str
    #: Where the unit writes its dedup signatures (when the recipe deduplicates).
    signatures: str
    #: The run's frequent-line keys (when the recipe removes repeated lines), else "".
    frequent_lines: str = ""


def annotation_fields(stages: list[Stage]) -> list[pa.Field]:
    """Output columns the stages add, in stage order: annotators' columns and the tag columns of
    rules in `mode: tag` (inside routes too), declared before the run for the run-wide schema."""
    fields: dict[str, pa.Field] = {}
    for stage in stages:
        for name, type_name in stage.output_columns().items():
            fields.setdefault(name, pa.field(name, ARROW_TYPES[type_name]))
    return list(fields.values())


class DocumentTimeout(Exception):
    """Raised by SIGALRM in a worker when one document has used up its time budget."""


def _raise_timeout(signum: int, frame: object) -> None:
    raise DocumentTimeout()


@dataclass
class _Step:
    """One stage with its counters; a route's branches hold the steps of the rules inside it."""

    stage: Stage
    counters: StageCounters
    normaliser: bool
    branches: dict[str, list[_Step]]


def _steps(stages: list[Stage], counters: list[StageCounters], parent: str = "") -> list[_Step]:
    """Steps for `stages`, appending each one's counters to `counters`: a route's, then its rules'."""
    steps = []
    for stage in stages:
        own = StageCounters(stage.label, stage.kind, parent=parent)
        counters.append(own)
        branches = {}
        if isinstance(stage, Route):
            branches = {key: _steps(inner, counters, stage.label) for key, inner in stage.branches().items()}
        steps.append(_Step(stage, own, isinstance(stage, Normaliser), branches))
    return steps


class StageRunner:
    """Applies the recipe's stages to one document and keeps each stage's counters.

    A route is opened here: each rule inside it has its own counters (label
    `route/chinese/length_filter`, after the route's in `counters`), a rejection there is counted
    once, on the rule, and names the rule; the route's own row counts documents through it, the
    time to choose a branch and `unrouted` rejections.

    With a time budget, an interval timer interrupts a document that holds the worker too long
    (Python code and the regex engines check signals as they run), wherever it is.
    """

    def __init__(self, recipe: Recipe, stages: list[Stage]) -> None:
        self.stages = stages
        self.counters: list[StageCounters] = []
        self.steps = _steps(stages, self.counters)
        self.budget = recipe.input.max_seconds_per_document
        if self.budget:
            signal.signal(signal.SIGALRM, _raise_timeout)

    def run(self, doc: Document) -> tuple[str, Rejection] | None:
        """None when every stage keeps the document, else (stage label, rejection)."""
        if not self.budget or not self.steps:  # no stage, nothing to time out (`stages: []`)
            return self._run(self.steps, doc)
        current = [self.counters[0]]
        signal.setitimer(signal.ITIMER_REAL, self.budget)
        try:
            return self._run(self.steps, doc, current)
        except DocumentTimeout:
            counters = current[0]
            counters.rejected["timeout"] += 1
            return counters.label, Rejection("timeout", f"over {self.budget:g}s in this stage")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _run(
        self, steps: list[_Step], doc: Document, current: list[StageCounters] | None = None
    ) -> tuple[str, Rejection] | None:
        clock = time.perf_counter
        for step in steps:
            counters = step.counters
            if current is not None:
                current[0] = counters
            counters.docs_in += 1
            before = len(doc.text)
            started = clock()
            if isinstance(step.stage, Route):
                outcome = self._route(step.stage, step, doc, current)
                if outcome is not None:
                    return outcome
                counters.docs_out += 1
                continue
            rejection = apply_stage(step.stage, doc)
            counters.seconds += clock() - started
            if step.normaliser:
                counters.chars_removed += max(0, before - len(doc.text))
            if rejection is not None:
                counters.rejected[rejection.reason] += 1
                return counters.label, rejection
            counters.docs_out += 1
        return None

    def _route(
        self, route: Route, step: _Step, doc: Document, current: list[StageCounters] | None
    ) -> tuple[str, Rejection] | None:
        """Run the branch the route chooses; None when the document passes it."""
        started = time.perf_counter()
        chosen = route.select(doc)
        step.counters.seconds += time.perf_counter() - started
        if chosen is None:
            rejection = route.unrouted(doc)
            if rejection is None:
                return None
            step.counters.rejected[rejection.reason] += 1
            return step.counters.label, rejection
        return self._run(step.branches[chosen[0]], doc, current)

    def collect_counters(self) -> None:
        """Copy what each stage counted itself (blacklist hits, ...) into its row, rules inside routes
        on their own rows."""

        def walk(steps: list[_Step]) -> None:
            for step in steps:
                step.counters.extra = step.stage.counters()
                for inner in step.branches.values():
                    walk(inner)

        walk(self.steps)


def clean_unit(task: CleanTask) -> dict[str, Any]:
    """Process one chunk into `task.part_dir`; return its stats as JSON."""
    unit = task.input
    worker = current()
    recipe, stages = worker.recipe, worker.stages
    bind_frequent_lines(stages, task.frequent_lines)
    started = time.perf_counter()
    part = Path(task.part_dir)
    tmp = start_folder(part)

    annotations = annotation_fields(stages)
    head = [*BASE_FIELDS, *annotations]
    out = recipe.output
    reserved = reserved_names(annotations, recipe.dedup is not None)
    kept = SegmentedWriter(tmp, "kept", head, [], reserved, out.compression_level, out.batch_rows)
    rejected = SegmentedWriter(tmp, "rejected", head, REJECT_FIELDS, reserved, out.compression_level, out.batch_rows)
    runner = StageRunner(recipe, stages)
    stats = Stats(stages=runner.counters)
    tokens = UnitTokens(worker.tokens) if worker.tokens is not None else None
    signatures = UnitSignatures(unit.unit, recipe.dedup) if recipe.dedup is not None else None
    samples = SampleCollector(out.sample_seed, out.sample_kept, out.sample_per_reason)
    text_fields, id_field, html_field = recipe.text_fields, recipe.input.id_field, recipe.input.html_field
    no_annotations = [None] * len(annotations)
    progress = [0]
    reported_bytes = reported_kept = 0

    verify_unchanged(unit.path, unit.source_file, unit.size, unit.mtime_ns, unit.end)
    for raw in unit_lines(unit, recipe.input.max_line_bytes, progress):
        stats.read += 1
        if stats.read % PROGRESS_EVERY == 0:
            worker.report_progress(PROGRESS_EVERY, progress[0] - reported_bytes, stats.kept - reported_kept)
            reported_bytes, reported_kept = progress[0], stats.kept
        item = parse_line(raw, unit.source_file, text_fields, id_field, html_field)
        if isinstance(item, Malformed):
            stats.malformed += 1
            stats.malformed_by_kind[item.kind] += 1
            row_id = f"{unit.source_file}:{raw.number}"
            reason = f"malformed:{item.kind}"
            fixed = [row_id, None, unit.source_file, raw.number, *no_annotations]
            fixed += ["read", reason, item.detail, raw.data]
            rejected.add(fixed, {}, len(raw.data))
            if samples.wants_rejected(reason, unit.source_file, raw.number):
                original = raw.data.decode("utf-8", "replace")
                samples.offer_rejected(
                    reason, row_id, unit.source_file, raw.number, original, None, stage="read", detail=item.detail
                )
            continue
        doc = item
        original = doc.text
        html = doc.meta.get(html_field) if html_field is not None else None
        stats.chars_in += len(html) if isinstance(html, str) else len(original)
        outcome = runner.run(doc)
        values = [doc.id, doc.text, doc.source_file, doc.line]
        values += [doc.annotations.get(f.name) for f in annotations]
        if outcome is None:
            stats.kept += 1
            stats.chars_out += len(doc.text)
            if tokens is not None:
                tokens.kept(doc.text, original)
            kept.add(values, doc.meta, len(doc.text))
            if signatures is not None:
                quality = doc.annotations.get("quality_score")
                signatures.add(stats.kept - 1, doc.id, doc.text, doc.source_file, doc.line, quality)
            samples.offer_kept(doc.id, doc.source_file, doc.line, original, doc.text)
        else:
            stage_label, rejection = outcome
            stats.rejected += 1
            if tokens is not None:
                tokens.rejected(original)
            raw_line = raw.data if rejection.reason == "timeout" else None
            rejected.add([*values, stage_label, rejection.reason, rejection.detail, raw_line], doc.meta, len(doc.text))
            samples.offer_rejected(
                rejection.reason,
                doc.id,
                doc.source_file,
                doc.line,
                original,
                doc.text,
                stage=stage_label,
                detail=rejection.detail,
            )
    verify_unchanged(unit.path, unit.source_file, unit.size, unit.mtime_ns, unit.end)
    worker.report_progress(stats.read % PROGRESS_EVERY, progress[0] - reported_bytes, stats.kept - reported_kept)
    kept.close()
    rejected.close()
    runner.collect_counters()
    if tokens is not None:
        tokens.flush()
        stats.tokens_in, stats.tokens_out = tokens.tokens_in, tokens.tokens_out

    stats.bytes_read = progress[0]
    stats.seconds = time.perf_counter() - started
    check_accounting(stats, f"{unit.source_file} [{unit.unit}]")
    if kept.rows != stats.kept or rejected.rows != stats.rejected + stats.malformed:
        raise OutputError(f"{unit.unit}: rows written differ from rows counted")
    result = {
        "unit": unit.unit,
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stats": stats.to_json(),
        "kept_segments": [p.name for p in kept.segments],
        "rejected_segments": [p.name for p in rejected.segments],
        "carried": union_carried([kept.carried(), rejected.carried()]),
    }
    if signatures is not None:
        signatures.write(Path(task.signatures))
    write_json_atomic(tmp / "samples.json", samples.to_json())
    write_json_atomic(tmp / "part.json", result)
    publish_folder(tmp, part)
    return result
