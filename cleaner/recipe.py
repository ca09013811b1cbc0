"""Load and fully validate a YAML recipe before any worker starts.

A recipe names the input fields, the stages in order with their parameters, and output options.
Every section is a dataclass; the same typed-field check validates sections and stage parameters,
so an unknown key, a wrong type or a missing file is one error naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.config import ByteSize, build_dataclass, shown
from cleaner.dedup.params import DedupParams
from cleaner.errors import RecipeError
from cleaner.safe_yaml import YamlError, load_yaml
from cleaner.stages import STAGES
from cleaner.stages.base import Stage
from cleaner.stages.registry import stage_entries

DEFAULT_RECIPE = Path(__file__).resolve().parent.parent / "rules" / "default.yaml"

@dataclass(frozen=True)
class InputConfig:
    #: The text field, or a list of fields of which the first present in a record is the text.
    text_field: str | list[str] = "text"
    id_field: str = "id"
    #: Longer lines are rejected as malformed:line_too_long without being parsed.
    max_line_bytes: ByteSize = ByteSize(16 * 2**20)
    #: Plain-text shards larger than this are split into byte-range chunks processed in parallel.
    chunk_bytes: ByteSize = ByteSize(256 * 2**20)
    #: No document may hold a worker longer: it is then rejected as `timeout` by the stage that was
    #: running, with its raw line, and the run goes on (0 turns the bound off).
    max_seconds_per_document: float = 60.0


@dataclass(frozen=True)
class OutputConfig:
    compression_level: int = 3
    #: Documents per Parquet row group (and per in-memory batch in a worker).
    batch_rows: int = 5000
    #: Tokens of kept documents are counted by the workers: "cl100k_base" (shipped offline),
    #: a path to a Hugging Face tokenizer.json, or "none".
    tokenizer: str = "cl100k_base"
    #: Review samples drawn by the workers: seed, kept documents, documents per reject reason.
    sample_seed: int = 0
    sample_kept: int = 100
    sample_per_reason: int = 20


@dataclass(frozen=True)
class StageSpec:
    """One validated stage entry: `label` is unique in the recipe and names its stats."""

    name: str
    label: str
    params: dict[str, Any]

    def build(self) -> Stage:
        stage = STAGES[self.name](**self.params)
        stage.bind(self.label)
        return stage


@dataclass(frozen=True)
class Recipe:
    path: Path
    input: InputConfig
    output: OutputConfig
    stages: tuple[StageSpec, ...]
    fingerprint: str = ""
    #: Every effective setting (defaults filled in), as JSON-able data: what the fingerprint hashes.
    settings: dict[str, Any] = field(default_factory=dict)
    #: Near/exact duplicate removal across all shards; None when the recipe has no `dedup:` section.
    dedup: DedupParams | None = None

    @property
    def text_fields(self) -> tuple[str, ...]:
        field = self.input.text_field
        return (field,) if isinstance(field, str) else tuple(field)

    def build_stages(self) -> list[Stage]:
        return [spec.build() for spec in self.stages]


def _stage_entries(raw: Any) -> list[tuple[str, Any]]:
    if not isinstance(raw, list):
        raise ValueError("stages: expected a list of stages (an empty list only converts to Parquet)")
    return stage_entries(raw, "stages")


def _dedup_params(raw: Any) -> DedupParams | None:
    """The `dedup:` section: absent or `false` means no dedup, `{}` or `true` the defaults."""
    if raw is None or raw is False:
        return None
    params = build_dataclass(DedupParams, {} if raw is True else raw, "dedup")
    try:
        params.validate()
    except ValueError as err:
        raise ValueError(f"dedup.{err}") from None
    return params


def _validate(raw: Any, recipe_dir: Path) -> tuple[InputConfig, OutputConfig, list[StageSpec]]:
    if not isinstance(raw, dict):
        raise ValueError("top level: expected a mapping with input, stages, output")
    unknown = sorted(set(raw) - {"description", "input", "stages", "output", "dedup"})
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown section (known: description, input, stages, output, dedup)")
    input_config = build_dataclass(InputConfig, raw.get("input"), "input")
    text_fields = [input_config.text_field] if isinstance(input_config.text_field, str) else input_config.text_field
    if not text_fields or not all(text_fields):
        raise ValueError("input.text_field: name a field, or a non-empty list of fields")
    output_config = build_dataclass(OutputConfig, raw.get("output"), "output")
    if not 1 <= output_config.compression_level <= 22:
        raise ValueError("output.compression_level: must be 1..22 (zstd)")
    if output_config.batch_rows < 1:
        raise ValueError("output.batch_rows: must be >= 1")
    if min(output_config.sample_kept, output_config.sample_per_reason) < 0:
        raise ValueError("output.sample_kept/sample_per_reason: must be >= 0")
    specs: list[StageSpec] = []
    seen: dict[str, int] = {}
    for i, (name, params) in enumerate(_stage_entries(raw.get("stages"))):
        where = f"stages[{i}].{name}"
        if name not in STAGES:
            raise ValueError(f"{where}: unknown stage (known: {', '.join(sorted(STAGES))})")
        stage = build_dataclass(STAGES[name], params, where)
        try:
            stage.validate(recipe_dir)
        except ValueError as err:
            raise ValueError(f"{where}.{err}") from None
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        specs.append(StageSpec(name, label, dataclasses.asdict(stage)))
    return input_config, output_config, specs


def first_difference(old: Any, new: Any, where: str = "") -> str | None:
    """The first setting (as a dotted key) that differs between two `Recipe.settings`, or None."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            found = first_difference(old.get(key), new.get(key), f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if old == new else f"{where or 'recipe'}: {shown(old)} then, {shown(new)} now"


def load_recipe(path: Path | None = None, tokenizer: str | None = None) -> Recipe:
    """Read, validate and fingerprint a recipe; raise RecipeError naming the file and the key.

    `tokenizer` (the `--tokenizer` flag) overrides `output.tokenizer`, and so is part of the
    fingerprint: a resumed run cannot mix token counts of two tokenizers."""
    path = Path(path) if path is not None else DEFAULT_RECIPE
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise RecipeError(f"recipe {path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise RecipeError(f"recipe {path}: not UTF-8: {err.reason} at byte {err.start}") from None
    except YamlError as err:
        raise RecipeError(f"recipe {path}: {err}") from None
    if tokenizer is not None and isinstance(raw, dict):
        raw["output"] = {**(raw.get("output") or {}), "tokenizer": tokenizer}
    try:
        input_config, output_config, specs = _validate(raw, path.resolve().parent)
    except ValueError as err:
        raise RecipeError(f"recipe {path}: {err}") from None
    try:
        dedup = _dedup_params(raw.get("dedup"))
    except ValueError as err:
        raise RecipeError(f"recipe {path}: {err}") from None
    settings = {
        "input": dataclasses.asdict(input_config),
        "output": dataclasses.asdict(output_config),
        "stages": [{spec.label: spec.params} for spec in specs],
        "dedup": None if dedup is None else dataclasses.asdict(dedup),
    }
    canonical = json.dumps(settings, sort_keys=True, ensure_ascii=False)
    fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return Recipe(path, input_config, output_config, tuple(specs), fingerprint, settings, dedup)
