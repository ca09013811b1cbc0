"""Stages register under the name a recipe uses for them."""

from __future__ import annotations

from typing import TypeVar

from cleaner.config import did_you_mean
from cleaner.stages.base import Stage

STAGES: dict[str, type[Stage]] = {}

S = TypeVar("S", bound=type[Stage])


def register(cls: S) -> S:
    """Class decorator: make `cls` available to recipes as `cls.name`."""
    if not cls.name:
        raise TypeError(f"{cls.__qualname__} has no name")
    if cls.name in STAGES:
        raise TypeError(f"stage name {cls.name!r} registered twice")
    STAGES[cls.name] = cls
    return cls


def unknown_stage(name: str, where: str) -> ValueError:
    """The error for a stage name no module registered, with the closest registered name."""
    return ValueError(f"{where}: unknown stage{did_you_mean(name, STAGES)} (known: {', '.join(sorted(STAGES))})")


def stage_entries(raw: list[object], where: str) -> list[tuple[str, object]]:
    """A recipe's list of stages as (name, params): each entry is `name` or `{name: {params}}`."""
    entries = []
    for i, entry in enumerate(raw):
        if isinstance(entry, str):
            entries.append((entry, {}))
        elif isinstance(entry, dict) and len(entry) == 1:
            entries.append(next(iter(entry.items())))
        else:
            raise ValueError(f"{where}[{i}]: expected `name` or `name: {{params}}`, got {entry!r}")
    return entries
