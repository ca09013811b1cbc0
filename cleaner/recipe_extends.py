"""Recipe inheritance: `extends:` a shipped recipe or another file, then change only what differs.

An extending recipe applies its keys to the base recipe's validated form (every parameter filled
in, resource paths pinned), and the result is validated and fingerprinted like any recipe:

    extends: zh_web                     # a shipped recipe name, or a path relative to this file
    override: {length_filter: {min_chars: 100}}   # per stage: these parameters replace the base's
    remove: [promotions]                # stages dropped
    insert:                             # stages added before or after a named stage
      - {after: length_filter, stages: [{min_digits: {min_digits: 3}}]}
    input: {text_field: content}        # input, output, dedup: keys merged into the base's
    dedup: false                        # (false drops the base's dedup)

Stages are named by their label in the base (`length_filter`, `length_filter#2` for a second one)
and stages inside a route by `route/<key>/<label>`. `stages:` replaces the base's list outright;
`plugins:` adds to the base's. Chains are followed up to `MAX_EXTENDS` files; a cycle is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.config import did_you_mean, shown
from cleaner.resources import shipped_recipe
from cleaner.stages.registry import stage_entries

#: Files an `extends:` chain may pass through (the extending recipe included).
MAX_EXTENDS = 8

EXTENDING_KEYS = (
    *("extends", "description", "plugins", "input", "output", "dedup", "stages"),
    *("override", "remove", "insert"),
)


def base_path(value: Any, path: Path, chain: tuple[Path, ...]) -> Path:
    """The file `extends: value` in recipe `path` names: a file relative to the recipe, else a shipped
    recipe of that name (`zh_web`, `zh_web.yaml`); ValueError on a cycle or a chain too long."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"extends: expected a shipped recipe name or a path, got {shown(value)}")
    found = (path.resolve().parent / Path(value).expanduser()).resolve()
    if not found.is_file():
        if "/" in value or "\\" in value:
            raise ValueError(f"extends: {value}: no such file (looked in {path.resolve().parent})")
        try:
            found = shipped_recipe(value.removesuffix(".yaml")).resolve()
        except ValueError as err:
            raise ValueError(f"extends: no file {value} beside the recipe, and {err}") from None
    seen = (*chain, path.resolve())
    if found in seen:
        cycle = " -> ".join(p.name for p in (*seen[seen.index(found) :], found))
        raise ValueError(f"extends: a cycle ({cycle})")
    if len(seen) >= MAX_EXTENDS:
        raise ValueError(f"extends: more than {MAX_EXTENDS} recipes in the chain")
    return found


@dataclass
class _Entry:
    """One stage of the base, with what the extension does to it."""

    name: str
    params: dict[str, Any]
    removed: bool = False
    before: list[Any] = field(default_factory=list)
    after: list[Any] = field(default_factory=list)


def _index(stages: list[Any], prefix: str, found: dict[str, _Entry]) -> list[_Entry]:
    """Entries for a validated stage list, each also filed in `found` under its address."""
    entries, seen = [], {}
    for name, params in stage_entries(stages, "stages"):
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        entry = _Entry(name, dict(params))
        found[prefix + label] = entry
        routes = entry.params.get("routes") if name == "route" else None
        if isinstance(routes, dict):
            entry.params["routes"] = {
                key: _index(inner, f"{prefix}{label}/{key}/", found) for key, inner in routes.items()
            }
        entries.append(entry)
    return entries


def _emit(items: list[Any]) -> list[Any]:
    """The stage list back as recipe entries, with insertions and removals applied."""
    result: list[Any] = []
    for item in items:
        if not isinstance(item, _Entry):
            result.append(item)
            continue
        result.extend(item.before)
        if not item.removed:
            params = item.params
            if item.name == "route" and isinstance(params.get("routes"), dict):
                params = {**params, "routes": {key: _emit(inner) for key, inner in params["routes"].items()}}
            result.append({item.name: params})
        result.extend(item.after)
    return result


def _find(found: dict[str, _Entry], address: Any, where: str) -> _Entry:
    if not isinstance(address, str) or address not in found:
        hint = did_you_mean(address, found) if isinstance(address, str) else ""
        raise ValueError(f"{where}: no stage {shown(address)} in the base recipe{hint}")
    return found[address]


def _apply_stage_changes(stages: list[Any], raw: dict[str, Any]) -> list[Any]:
    found: dict[str, _Entry] = {}
    entries = _index(stages, "", found)
    override = raw.get("override") or {}
    if not isinstance(override, dict):
        raise ValueError(f"override: expected a mapping of stage to parameters, got {shown(override)}")
    for address, params in override.items():
        if not isinstance(params, dict):
            raise ValueError(f"override.{address}: expected a mapping of parameters, got {shown(params)}")
        entry = _find(found, address, f"override.{address}")
        entry.params = {**entry.params, **params}
    remove = raw.get("remove") or []
    if not isinstance(remove, list):
        raise ValueError(f"remove: expected a list of stages, got {shown(remove)}")
    for i, address in enumerate(remove):
        _find(found, address, f"remove[{i}]").removed = True
    insert = raw.get("insert") or []
    if not isinstance(insert, list):
        raise ValueError(f"insert: expected a list of {{before|after: stage, stages: [...]}}, got {shown(insert)}")
    for i, item in enumerate(insert):
        where = f"insert[{i}]"
        places = sorted(set(item) & {"before", "after"}) if isinstance(item, dict) else []
        if len(places) != 1 or set(item) != {places[0], "stages"} or not isinstance(item["stages"], list):
            raise ValueError(f"{where}: expected {{before: stage, stages: [...]}} or {{after: stage, stages: [...]}}")
        entry = _find(found, item[places[0]], f"{where}.{places[0]}")
        getattr(entry, places[0]).extend(item["stages"])
    return _emit(entries)


def _merged_section(base: Any, value: Any, key: str) -> Any:
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected a mapping of keys to change, got {shown(value)}")
    return {**(base or {}), **value}


def apply_extension(base: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The recipe `raw` (with `extends:`) describes, given its base in validated mapping form."""
    unknown = [key for key in raw if key not in EXTENDING_KEYS]
    if unknown:
        hint = did_you_mean(unknown[0], EXTENDING_KEYS)
        raise ValueError(f"{unknown[0]}: unknown key in an extending recipe{hint} (known: {', '.join(EXTENDING_KEYS)})")
    resolved = dict(base)
    if "description" in raw:
        resolved["description"] = raw["description"]
    for key in ("input", "output"):
        if raw.get(key) is not None:
            resolved[key] = _merged_section(base.get(key), raw[key], key)
    if "dedup" in raw:
        dedup = raw["dedup"]
        if dedup is None or dedup is False:
            resolved.pop("dedup", None)
        elif dedup is True:
            resolved["dedup"] = base.get("dedup") or {}
        else:
            resolved["dedup"] = _merged_section(base.get("dedup"), dedup, "dedup")
    plugins = raw.get("plugins") or []
    if not isinstance(plugins, list):
        raise ValueError(f"plugins: expected a list of .py files or module names, got {shown(plugins)}")
    resolved["plugins"] = list(dict.fromkeys([*base.get("plugins", []), *plugins]))
    if not resolved["plugins"]:
        del resolved["plugins"]
    stages = raw["stages"] if "stages" in raw else base.get("stages", [])
    if not isinstance(stages, list):
        raise ValueError("stages: expected a list of stages")
    resolved["stages"] = _apply_stage_changes(stages, raw)
    return resolved
