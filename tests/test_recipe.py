"""Recipe validation: every mistake is one error naming the file and the key, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.errors import RecipeError
from cleaner.recipe import DEFAULT_RECIPE, load_recipe
from tests.helpers import cli


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("stages: [no_such_stage]\n", "stages[0].no_such_stage: unknown stage"),
        ("stages:\n  - length_filter: {min_chars: 5, min_word: 3}\n", "stages[0].length_filter.min_word: unknown key"),
        ("stages:\n  - length_filter: {min_chars: many}\n", "stages[0].length_filter.min_chars: expected int"),
        ("stages:\n  - length_filter: {min_chars: true}\n", "min_chars: expected int, got True"),
        ("stages:\n  - length_filter: {min_chars: 9, max_chars: 3}\n", "max_chars: 3 is below min_chars 9"),
        ("stages:\n  - unicode_normalise: {nfkc: 'yes'}\n", "unicode_normalise.nfkc: expected bool"),
        ("input: {text_feild: content}\nstages: []\n", "input.text_feild: unknown key"),
        ("input: {chunk_bytes: lots}\nstages: []\n", "input.chunk_bytes: expected a size"),
        ("output: {compression_level: 40}\nstages: []\n", "output.compression_level: must be 1..22"),
        ("stage: []\n", "stage: unknown section"),
        ("stages: {a: 1}\n", "stages: expected a list"),
        ("stages: [[1, 2]]\n", "stages[0]: expected `name` or `name: {params}`"),
        ("stages: [unicode_normalise\n", "not valid YAML"),
        ("- just\n- a list\n", "top level: expected a mapping"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RecipeError) as error:
        load_recipe(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_recipe_file(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="cannot read"):
        load_recipe(tmp_path / "nope.yaml")


def test_sizes_defaults_and_labels(tmp_path: Path) -> None:
    recipe = load_recipe(
        write(
            tmp_path,
            "input: {chunk_bytes: 64KiB, text_field: [text, content]}\n"
            "stages: [whitespace_normalise, length_filter, {length_filter: {min_words: 3}}]\n",
        )
    )
    assert recipe.input.chunk_bytes == 65536
    assert recipe.text_fields == ("text", "content")
    assert [s.label for s in recipe.stages] == ["whitespace_normalise", "length_filter", "length_filter#2"]
    assert recipe.stages[2].params["min_words"] == 3


def test_fingerprint_changes_with_parameters_only(tmp_path: Path) -> None:
    a = load_recipe(write(tmp_path, "# comment\nstages: [{length_filter: {min_chars: 5}}]\n"))
    b = load_recipe(write(tmp_path, "stages:\n  - length_filter:\n      min_chars: 5\n"))
    c = load_recipe(write(tmp_path, "stages: [{length_filter: {min_chars: 6}}]\n"))
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_unsafe_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "stages: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(path)


def test_shipped_default_recipe_is_valid() -> None:
    assert load_recipe(DEFAULT_RECIPE).stages


def test_cli_reports_recipe_error_in_one_line_and_starts_nothing(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    src.write_text('{"text": "x"}\n')
    result = cli("run", str(src), str(tmp_path / "out"), "--recipe", str(write(tmp_path, "stages: [nope]\n")))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "stages[0].nope: unknown stage" in result.stderr
    assert not (tmp_path / "out" / "_state").exists()
