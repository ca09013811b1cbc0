"""Stages register under the name a recipe uses for them."""

from __future__ import annotations

from typing import TypeVar

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
