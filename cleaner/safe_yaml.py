"""Recipes are untrusted input: YAML read safely, with duplicate keys and alias bombs refused.

`yaml.safe_load` builds no objects from tags, but aliases let a few lines stand for billions of
values (the "billion laughs"): the loaded structure shares nodes, and everything that walks it
later (validation, the fingerprint) expands them. The document is refused when its expanded size
passes `MAX_VALUES`; duplicate mapping keys, which YAML would silently resolve to the last one,
are refused too.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Values (scalars, lists, mappings) a recipe may expand to, aliases counted at every use.
MAX_VALUES = 100_000


class YamlError(ValueError):
    """One line saying what is wrong and where (line and column)."""


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                mark = key_node.start_mark
                raise YamlError(f"duplicate key {key!r} at line {mark.line + 1}, column {mark.column + 1}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def _expanded_size(value: Any, limit: int) -> int:
    """Values in `value` with shared (aliased) parts counted every time, stopping past `limit`."""
    count, todo = 0, [value]
    while todo:
        item = todo.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return count


def _one_line(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def load_yaml(text: str) -> Any:
    """The data of one YAML document; YamlError for syntax errors, duplicate keys or alias bombs."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except YamlError:
        raise
    except yaml.YAMLError as err:
        raise YamlError(f"not valid YAML: {_one_line(err)}") from None
    if _expanded_size(data, MAX_VALUES) > MAX_VALUES:
        raise YamlError(f"expands to more than {MAX_VALUES:,} values (aliases used as a bomb?)")
    return data
