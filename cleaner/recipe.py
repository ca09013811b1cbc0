"""Load and fully validate a YAML recipe before any worker starts.

A recipe names the input fields, the stages in order with their parameters, and output options.
Every section is a dataclass; the same typed-field check validates sections and stage parameters,
so an unknown key, a wrong type or a missing file is one error naming the file and the key.
A recipe may extend another (cleaner/recipe_extends.py: the resolved recipe is what is validated
and fingerprinted) and name plugins that register stages (cleaner/stages/plugins.py), imported
before its stages are validated; each plugin's source hash is part of the fingerprint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.config import ByteSize, build_dataclass, did_you_mean, shown
from cleaner.dedup.params import DedupParams
from cleaner.errors import RecipeError
from cleaner.recipe_extends import EXTENDING_KEYS, apply_extension, base_path
from cleaner.resources import RECIPES_DIR, find_recipe
from cleaner.safe_yaml import YamlError, load_yaml
from cleaner.stages import STAGES
from cleaner.stages.base import Stage, validate_stage
from cleaner.stages.plugins import PluginError, load_plugins, plugin_digest, resolve_plugin
from cleaner.stages.registry import stage_entries, unknown_stage
from cleaner.stages.repeated_lines import check_placement

DEFAULT_RECIPE = RECIPES_DIR / "default.yaml"

SECTIONS = ("description", "plugins", "input", "stages", "output", "dedup")


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
    #: A field holding a page's decoded HTML: a record with it needs no text field, and the first
    #: stage must be html_extract reading it (None: text input only).
    html_field: str | None = None


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
    #: Plugin modules to import before building the stages: absolute .py paths or module names.
    plugins: tuple[str, ...] = ()
    description: str = ""

    @property
    def text_fields(self) -> tuple[str, ...]:
        field = self.input.text_field
        return (field,) if isinstance(field, str) else tuple(field)

    def build_stages(self) -> list[Stage]:
        """The stages, after importing the plugins (and entry points) that register any of them."""
        load_plugins(self.plugins)
        return [spec.build() for spec in self.stages]

    def as_mapping(self) -> dict[str, Any]:
        """The recipe fully resolved (defaults filled in, paths pinned), as a recipe file would say it:
        what an extending recipe changes, and what `cleaner recipe show` prints."""
        mapping: dict[str, Any] = {"description": self.description} if self.description else {}
        if self.plugins:
            mapping["plugins"] = list(self.plugins)
        mapping["input"] = self.settings["input"]
        mapping["stages"] = [{spec.name: spec.params} for spec in self.stages]
        mapping["output"] = self.settings["output"]
        if self.dedup is not None:
            mapping["dedup"] = self.settings["dedup"]
        return json.loads(json.dumps(mapping))  # plain data, shared with nothing


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
    unknown = sorted(set(raw) - set(SECTIONS), key=str)
    if unknown and unknown[0] in EXTENDING_KEYS:
        raise ValueError(f"{unknown[0]}: only in a recipe that names the recipe it changes with `extends:`")
    if unknown:
        hint = did_you_mean(unknown[0], SECTIONS)
        raise ValueError(f"{unknown[0]}: unknown section{hint} (known: {', '.join(SECTIONS)}, or extends)")
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
            raise unknown_stage(name, where)
        stage = build_dataclass(STAGES[name], params, where)
        try:
            validate_stage(stage, recipe_dir)
        except ValueError as err:
            raise ValueError(f"{where}.{err}") from None
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        specs.append(StageSpec(name, label, dataclasses.asdict(stage)))
    check_placement([(spec.name, spec.params) for spec in specs])
    _check_html_input(input_config.html_field, specs)
    return input_config, output_config, specs


def _check_html_input(html_field: str | None, specs: list[StageSpec]) -> None:
    """html_extract replaces the text, so it runs first, once, on the field the input declares."""
    positions = [i for i, spec in enumerate(specs) if spec.name == "html_extract"]
    if html_field is None and positions:
        raise ValueError("input.html_field: html_extract reads raw HTML; name its field here (e.g. html_field: html)")
    if html_field is not None and (positions != [0] or specs[0].params["field"] != html_field):
        raise ValueError(f"input.html_field: the first and only html_extract stage must read it (field: {html_field})")


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


def _read(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise RecipeError(f"recipe {path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise RecipeError(f"recipe {path}: not UTF-8: {err.reason} at byte {err.start}") from None
    except YamlError as err:
        raise RecipeError(f"recipe {path}: {err}") from None


def _plugins(raw: Any, recipe_dir: Path) -> tuple[str, ...]:
    """Import installed entry points and the recipe's `plugins:`, before its stages are validated."""
    entries = raw.get("plugins") if isinstance(raw, dict) else None
    if entries is not None and (not isinstance(entries, list) or not all(isinstance(e, str) for e in entries)):
        raise ValueError(f"plugins: expected a list of .py files or module names, got {shown(entries)}")
    load_plugins(())
    refs: list[str] = []
    for i, entry in enumerate(entries or []):
        try:
            refs.append(resolve_plugin(entry, recipe_dir))
            load_plugins(refs[-1:])
        except PluginError as err:
            raise ValueError(f"plugins[{i}]: {err}") from None
    return tuple(refs)


def _build(raw: Any, path: Path) -> Recipe:
    """Validate and fingerprint one recipe mapping (its `extends:` already applied)."""
    try:
        plugins = _plugins(raw, path.resolve().parent)
        input_config, output_config, specs = _validate(raw, path.resolve().parent)
        dedup = _dedup_params(raw.get("dedup"))
    except ValueError as err:
        raise RecipeError(f"recipe {path}: {err}") from None
    settings = {
        "input": dataclasses.asdict(input_config),
        "output": dataclasses.asdict(output_config),
        "stages": [{spec.label: spec.params} for spec in specs],
        "dedup": None if dedup is None else dataclasses.asdict(dedup),
    }
    if plugins:
        settings["plugins"] = [{"plugin": Path(ref).name, "sha256": plugin_digest(ref)} for ref in plugins]
    canonical = json.dumps(settings, sort_keys=True, ensure_ascii=False)
    fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    description = raw.get("description")
    description = description.strip() if isinstance(description, str) else ""
    return Recipe(path, input_config, output_config, tuple(specs), fingerprint, settings, dedup, plugins, description)


def _load(path: Path, tokenizer: str | None, chain: tuple[Path, ...]) -> Recipe:
    raw = _read(path)
    if isinstance(raw, dict) and "extends" in raw:
        try:
            base = _load(base_path(raw["extends"], path, chain), None, (*chain, path.resolve()))
            raw = apply_extension(base.as_mapping(), raw)
        except ValueError as err:
            raise RecipeError(f"recipe {path}: {err}") from None
    if tokenizer is not None and isinstance(raw, dict):
        raw["output"] = {**(raw.get("output") or {}), "tokenizer": tokenizer}
    return _build(raw, path)


def load_recipe(path: str | Path | None = None, tokenizer: str | None = None) -> Recipe:
    """Read, resolve (`extends:`), validate and fingerprint a recipe; RecipeError naming the file and key.

    `tokenizer` (the `--tokenizer` flag) overrides `output.tokenizer`, and so is part of the
    fingerprint: a resumed run cannot mix token counts of two tokenizers."""
    try:
        found = find_recipe(path) if path is not None else DEFAULT_RECIPE
    except ValueError as err:
        raise RecipeError(f"recipe {path}: {err}") from None
    return _load(found, tokenizer, ())
