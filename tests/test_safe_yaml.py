"""Recipes are untrusted: alias bombs, duplicate keys and syntax errors are one-line errors."""

from __future__ import annotations

import pytest

from cleaner.safe_yaml import MAX_VALUES, YamlError, load_yaml

LAUGHS = (
    "a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi"))
)


def test_billion_laughs_is_refused_before_anything_walks_it() -> None:
    with pytest.raises(YamlError, match=f"more than {MAX_VALUES:,} values"):
        load_yaml(LAUGHS)


def test_a_few_aliases_are_fine() -> None:
    data = load_yaml("base: &p {min_chars: 50}\nstages:\n  - length_filter: *p\n")
    assert data["stages"] == [{"length_filter": {"min_chars": 50}}]


def test_duplicate_keys_name_the_key_and_line() -> None:
    with pytest.raises(YamlError, match=r"duplicate key 'min_chars' at line 3"):
        load_yaml("stages:\n  - length_filter: {min_chars: 1,\n      min_chars: 2}\n")


def test_syntax_errors_are_one_line() -> None:
    with pytest.raises(YamlError) as err:
        load_yaml("stages: [\n  - x: {\n")
    assert "\n" not in str(err.value) and "line 2" in str(err.value)


def test_tags_build_no_objects() -> None:
    with pytest.raises(YamlError):
        load_yaml("x: !!python/object/apply:os.system ['true']\n")
