"""Typed configuration: a recipe mapping checked against a dataclass's field types.

Recipe sections and stage parameters are dataclasses; `build_dataclass` builds one from YAML data,
so an unknown key or a wrong type is one error naming the key. It sits below both the recipe and
the stages (a `route` builds its sub-stages with it), so neither imports the other.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, Literal, Union

import regex

_SIZE = regex.compile(r"^\s*(\d+)\s*([KMG]i?B|B)?\s*$", regex.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


class ByteSize(int):
    """An int that a recipe may also write as "256MiB" or "2GB"."""


def shown(value: Any, limit: int = 120) -> str:
    """`repr(value)` for an error message, cut to `limit` characters (a recipe value may be huge)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}… ({len(text):,} chars)"


def did_you_mean(word: str, known: Any) -> str:
    """ "; did you mean 'x'?" when `word` is close to one of `known` (a misspelt key or stage), else ""."""
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """Return `value` checked against the type `hint`, or raise RecipeError-ready ValueError."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(value, option, key)
            except ValueError:
                continue
        raise ValueError(f"{key}: expected {_type_name(hint)}, got {shown(value)}")
    if origin is Literal:
        if value not in typing.get_args(hint):
            choices = ", ".join(repr(c) for c in typing.get_args(hint))
            raise ValueError(f"{key}: must be one of {choices}, got {shown(value)}")
        return value
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ValueError(f"{key}: expected a list, got {shown(value)}")
        return [_coerce(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ValueError(f"{key}: expected a mapping, got {shown(value)}")
        return {_coerce(k, key_type, key): _coerce(v, value_type, f"{key}.{k}") for k, v in value.items()}
    if hint is ByteSize:
        if isinstance(value, str) and (match := _SIZE.match(value)):
            return ByteSize(int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ByteSize(value)
        raise ValueError(f"{key}: expected a size such as 1048576 or '256MiB', got {shown(value)}")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise ValueError(f"{key}: expected int, got {shown(value)}")
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise ValueError(f"{key}: expected {_type_name(hint)}, got {shown(value)}")


def build_dataclass(cls: type, raw: Any, where: str) -> Any:
    """Construct dataclass `cls` from a recipe mapping, checking every key and type."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping of parameters, got {shown(raw)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(raw) - fields)
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        hint = did_you_mean(unknown[0], fields)
        raise ValueError(f"{where}.{unknown[0]}: unknown key{hint} (known keys: {known})")
    values = {name: _coerce(value, hints[name], f"{where}.{name}") for name, value in raw.items()}
    return cls(**values)
