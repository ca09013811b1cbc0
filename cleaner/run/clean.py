"""The clean phase for one work unit: read -> parse -> stages -> kept/rejected segments + stats.

Runs inside a worker process. Everything is written into `<part>.tmp/` and the folder is renamed
to `<part>/` only when complete, so a part folder that exists is a finished unit.
"""

from __future__ import annotations

import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from cleaner.dedup.store import UnitSignatures
from cleaner.document import Document, Rejection
from cleaner.errors import OutputError
from cleaner.io.fsutil import publish_folder, start_folder, write_json_atomic
from cleaner.io.parse import Malformed, parse_line
from cleaner.io.reader import RawLine
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
#: Documents that go through the stages together (see StageRunner): at most this many, or until
#: they hold BATCH_CHARS characters (a few MB of text). Clean phase on stage_profile's mixed inputs
#: (0.5 MB units, so 1024 documents is about a whole unit): 1.25 CPU s/MB one by one, 1.00 at 16,
#: 0.89 at 64, 0.87 at 256, 0.84 at 1024.
BATCH_DOCS = 1024
BATCH_CHARS = 1_000_000


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


@dataclass
class _Batch:
    """Documents going through the stages together: each one's outcome so far (None while kept)
    and the seconds it has used of its time budget."""

    docs: list[Document]
    outcomes: list[tuple[str, Rejection] | None]
    spent: list[float]


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
    """Applies the recipe's stages to documents and keeps each stage's counters.

    A batch of documents goes through the recipe stage by stage (each document still sees the
    stages in recipe order, and each stage sees the documents in input order): one stage's tables
    and models stay in the CPU caches over the batch (figures at BATCH_DOCS).

    A route is opened here: each rule inside it has its own counters (label
    `route/chinese/length_filter`, after the route's in `counters`), a rejection there is counted
    once, on the rule, and names the rule; the route's own row counts documents through it, the
    time to choose a branch and `unrouted` rejections.

    With a time budget, an interval timer interrupts a document that holds the worker too long
    (Python code and the regex engines check signals as they run), wherever it is: each stage call
    gets what is left of the document's budget. The timer is set only when no alarm is due before
    the running call's deadline; an alarm that comes before the deadline (it was set for an earlier
    call) sets it again for the rest. Calls take microseconds against a budget of seconds, so most
    find an alarm already due in time: setting and clearing the timer around every call cost 10-15%
    of the clean phase on short Chinese documents (two system calls per document and stage).
    """

    def __init__(self, recipe: Recipe, stages: list[Stage]) -> None:
        self.stages = stages
        self.counters: list[StageCounters] = []
        self.steps = _steps(stages, self.counters)
        self.budget = recipe.input.max_seconds_per_document
        #: When the running call must end (perf_counter seconds), None between calls.
        self._deadline: float | None = None
        #: When the timer will ring, None when it is not set.
        self._alarm_at: float | None = None

    def run(self, doc: Document) -> tuple[str, Rejection] | None:
        """None when every stage keeps the document, else (stage label, rejection)."""
        return self.run_batch([doc])[0]

    def run_batch(self, docs: list[Document]) -> list[tuple[str, Rejection] | None]:
        """`run` for each document, stage by stage over the batch."""
        batch = _Batch(docs, [None] * len(docs), [0.0] * len(docs))
        if self.budget:
            # Installed per batch: another runner in this process (the repeated-lines pre-pass) has its own.
            signal.signal(signal.SIGALRM, self._on_alarm)
        try:
            self._run(self.steps, batch, list(range(len(docs))))
        finally:
            if self.budget:
                signal.setitimer(signal.ITIMER_REAL, 0)
                self._alarm_at = None
        return batch.outcomes

    def _set_alarm(self, seconds: float) -> None:
        seconds = max(seconds, 1e-6)  # 0 would clear the timer
        self._alarm_at = time.perf_counter() + seconds
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def _on_alarm(self, signum: int, frame: object) -> None:
        """SIGALRM: end the running call if it is past its deadline, else wait for the deadline."""
        self._alarm_at = None
        deadline = self._deadline
        if deadline is None:
            return  # between calls: the next call sets the timer it needs
        left = deadline - time.perf_counter()
        if left <= 0:
            self._deadline = None
            raise DocumentTimeout()
        self._set_alarm(left)

    def _run(self, steps: list[_Step], batch: _Batch, alive: list[int]) -> list[int]:
        """Apply `steps` to the documents numbered `alive`; return those every step keeps."""
        for step in steps:
            if not alive:
                break
            counters = step.counters
            counters.docs_in += len(alive)
            if isinstance(step.stage, Route):
                alive = self._route(step.stage, step, batch, alive)
            else:
                alive = self._apply(step, batch, alive)
            counters.docs_out += len(alive)
        return alive

    def _apply(self, step: _Step, batch: _Batch, alive: list[int]) -> list[int]:
        stage, counters, normaliser = step.stage, step.counters, step.normaliser
        kept = []
        for i in alive:
            doc = batch.docs[i]
            before = len(doc.text)
            rejection = self._timed(counters, batch, i, apply_stage, stage, doc)
            if batch.outcomes[i] is not None:  # timed out
                continue
            if normaliser:
                counters.chars_removed += max(0, before - len(doc.text))
            if rejection is None:
                kept.append(i)
            else:
                counters.rejected[rejection.reason] += 1
                batch.outcomes[i] = counters.label, rejection
        return kept

    def _route(self, route: Route, step: _Step, batch: _Batch, alive: list[int]) -> list[int]:
        """Run each document through the branch the route chooses; return those that pass it."""
        counters = step.counters
        passed: set[int] = set()
        by_branch: dict[str, list[int]] = {}
        for i in alive:
            doc = batch.docs[i]
            chosen = self._timed(counters, batch, i, route.select, doc)
            if batch.outcomes[i] is not None:
                continue
            if chosen is not None:
                by_branch.setdefault(chosen[0], []).append(i)
                continue
            rejection = self._timed(counters, batch, i, route.unrouted, doc)
            if batch.outcomes[i] is not None:
                continue
            if rejection is None:
                passed.add(i)
            else:
                counters.rejected[rejection.reason] += 1
                batch.outcomes[i] = counters.label, rejection
        for key, members in by_branch.items():
            passed.update(self._run(step.branches[key], batch, members))
        return [i for i in alive if i in passed]

    def _timed(self, counters: StageCounters, batch: _Batch, i: int, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)`, its time added to `counters`, within what is left of document i's time
        budget; a timeout is charged to `counters` and rejects the document (the result is then
        None and the outcome set)."""
        clock = time.perf_counter
        started = clock()
        try:  # armed inside: a document out of budget gets 1 microsecond, which may end at once
            if self.budget:
                deadline = started + max(self.budget - batch.spent[i], 1e-6)
                self._deadline = deadline
                if self._alarm_at is None or self._alarm_at > deadline:
                    self._set_alarm(deadline - clock())
            return call(*args)
        except DocumentTimeout:
            counters.rejected["timeout"] += 1
            batch.outcomes[i] = counters.label, Rejection("timeout", f"over {self.budget:g}s in this stage")
            return None
        finally:
            self._deadline = None
            elapsed = clock() - started
            counters.seconds += elapsed
            batch.spent[i] += elapsed

    def collect_counters(self) -> None:
        """Copy what each stage counted itself (blacklist hits, ...) into its row, rules inside routes
        on their own rows."""

        def walk(steps: list[_Step]) -> None:
            for step in steps:
                step.counters.extra = step.stage.counters()
                for inner in step.branches.values():
                    walk(inner)

        walk(self.steps)


@dataclass
class _UnitOutputs:
    """Where a unit's lines go once the stages have run: kept/rejected rows, counts, tokens,
    dedup signatures and samples, in input order."""

    source_file: str
    annotations: list[pa.Field]
    kept: SegmentedWriter
    rejected: SegmentedWriter
    stats: Stats
    tokens: UnitTokens | None
    signatures: UnitSignatures | None
    samples: SampleCollector

    def write(self, batch: list[tuple[RawLine, Document | Malformed]], runner: StageRunner) -> None:
        """Run the batch's documents through the stages together, then write every line in order."""
        docs = [item for _, item in batch if isinstance(item, Document)]
        originals = [doc.text for doc in docs]
        outcomes = iter(runner.run_batch(docs) if docs else [])
        texts = iter(originals)
        for raw, item in batch:
            if isinstance(item, Malformed):
                self._malformed(raw, item)
            else:
                self._document(raw, item, next(texts), next(outcomes))

    def _malformed(self, raw: RawLine, item: Malformed) -> None:
        source_file, samples = self.source_file, self.samples
        row_id = f"{source_file}:{raw.number}"
        reason = f"malformed:{item.kind}"
        fixed = [row_id, None, source_file, raw.number, *([None] * len(self.annotations))]
        fixed += ["read", reason, item.detail, raw.data]
        self.rejected.add(fixed, {}, len(raw.data))
        if samples.wants_rejected(reason, source_file, raw.number):
            original = raw.data.decode("utf-8", "replace")
            samples.offer_rejected(
                reason, row_id, source_file, raw.number, original, None, stage="read", detail=item.detail
            )

    def _document(self, raw: RawLine, doc: Document, original: str, outcome: tuple[str, Rejection] | None) -> None:
        stats, tokens = self.stats, self.tokens
        values = [doc.id, doc.text, doc.source_file, doc.line]
        values += [doc.annotations.get(f.name) for f in self.annotations]
        if outcome is None:
            stats.kept += 1
            stats.chars_out += len(doc.text)
            if tokens is not None:
                tokens.kept(doc.text, original)
            self.kept.add(values, doc.meta, len(doc.text))
            if self.signatures is not None:
                quality = doc.annotations.get("quality_score")
                self.signatures.add(stats.kept - 1, doc.id, doc.text, doc.source_file, doc.line, quality)
            self.samples.offer_kept(doc.id, doc.source_file, doc.line, original, doc.text)
            return
        stage_label, rejection = outcome
        stats.rejected += 1
        if tokens is not None:
            tokens.rejected(original)
        raw_line = raw.data if rejection.reason == "timeout" else None
        self.rejected.add([*values, stage_label, rejection.reason, rejection.detail, raw_line], doc.meta, len(doc.text))
        self.samples.offer_rejected(
            rejection.reason,
            doc.id,
            doc.source_file,
            doc.line,
            original,
            doc.text,
            stage=stage_label,
            detail=rejection.detail,
        )


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
    progress = [0]
    reported_bytes = reported_kept = 0

    outputs = _UnitOutputs(unit.source_file, annotations, kept, rejected, stats, tokens, signatures, samples)
    batch: list[tuple[RawLine, Document | Malformed]] = []
    batch_docs = batch_chars = 0

    verify_unchanged(unit.path, unit.source_file, unit.size, unit.mtime_ns, unit.end)
    for raw in unit_lines(unit, recipe.input.max_line_bytes, progress):
        stats.read += 1
        if stats.read % PROGRESS_EVERY == 0:
            worker.report_progress(PROGRESS_EVERY, progress[0] - reported_bytes, stats.kept - reported_kept)
            reported_bytes, reported_kept = progress[0], stats.kept
        item = parse_line(raw, unit.source_file, text_fields, id_field, html_field)
        batch.append((raw, item))
        if isinstance(item, Malformed):
            stats.malformed += 1
            stats.malformed_by_kind[item.kind] += 1
            continue
        html = item.meta.get(html_field) if html_field is not None else None
        stats.chars_in += len(html) if isinstance(html, str) else len(item.text)
        batch_docs += 1
        batch_chars += len(item.text)
        if batch_docs >= BATCH_DOCS or batch_chars >= BATCH_CHARS:
            outputs.write(batch, runner)
            batch, batch_docs, batch_chars = [], 0, 0
    outputs.write(batch, runner)
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
        signatures.write(Path(task.signatures), tokens.kept_counts if tokens is not None else None)
    write_json_atomic(tmp / "samples.json", samples.to_json())
    write_json_atomic(tmp / "part.json", result)
    publish_folder(tmp, part)
    return result
