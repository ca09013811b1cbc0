"""Typed recipe values: every key and type checked against the dataclass declaration."""

from dataclasses import dataclass, field

import pytest

from cleaner.config import ByteSize, build_dataclass


@dataclass
class Example:
    size: ByteSize = ByteSize(1)
    ratio: float = 0.5
    names: list[str] = field(default_factory=list)
    limit: int | None = None


def test_values_are_coerced_by_their_declared_type() -> None:
    built = build_dataclass(Example, {"size": "2MiB", "ratio": 1, "names": ["a"], "limit": None}, "x")
    assert (built.size, built.ratio, built.names, built.limit) == (2 * 2**20, 1.0, ["a"], None)
    assert isinstance(built.ratio, float)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sise": 1}, r"x\.sise: unknown key; did you mean 'size'\? \(known keys: limit, names, ratio, size\)"),
        ({"colour": 1}, r"x\.colour: unknown key \(known keys: limit, names, ratio, size\)"),
        ({"limit": True}, r"x\.limit: expected"),
        ({"names": "a"}, r"x\.names: expected a list"),
        ({"size": "lots"}, r"x\.size: expected a size"),
    ],
)
def test_wrong_keys_and_types_name_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_dataclass(Example, raw, "x")
