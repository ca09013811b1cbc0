"""Recipe inheritance: `extends:` plus overrides resolves to the recipe that is validated and run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cleaner.errors import RecipeError
from cleaner.recipe import load_recipe
from cleaner.recipe_extends import MAX_EXTENDS
from cleaner.resources import shipped_recipe, shipped_recipes
from tests.helpers import cli


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def labels(path: Path) -> list[str]:
    return [spec.label for spec in load_recipe(path).stages]


def params(path: Path, label: str) -> dict:
    return next(spec.params for spec in load_recipe(path).stages if spec.label == label)


def test_override_and_removal_of_a_shipped_recipe(tmp_path: Path) -> None:
    base = load_recipe(shipped_recipe("zh_web"))
    path = write(
        tmp_path / "mine.yaml",
        "extends: zh_web\n"
        "override: {length_filter: {min_chars: 100}}\n"
        "remove: [promotions, weak_table_page]\n"
        "input: {text_field: content}\n",
    )
    recipe = load_recipe(path)
    assert [s.label for s in recipe.stages] == [
        s.label for s in base.stages if s.label not in ("promotions", "weak_table_page")
    ]
    by_label = {s.label: s.params for s in recipe.stages}
    assert by_label["length_filter"] == {**params(shipped_recipe("zh_web"), "length_filter"), "min_chars": 100}
    assert all(by_label[s.label] == s.params for s in base.stages if s.label in by_label and s.label != "length_filter")
    assert recipe.input.text_field == "content" and recipe.input.id_field == base.input.id_field
    assert recipe.output == base.output and recipe.fingerprint != base.fingerprint


def test_a_file_beside_the_recipe_wins_over_a_shipped_name(tmp_path: Path) -> None:
    write(tmp_path / "zh_web.yaml", "stages: [unicode_normalise]\n")
    assert labels(write(tmp_path / "a.yaml", "extends: zh_web.yaml\n")) == ["unicode_normalise"]
    assert labels(write(tmp_path / "sub" / "b.yaml", "extends: zh_web.yaml\n")) == labels(shipped_recipe("zh_web"))


def test_extends_without_changes_is_the_base(tmp_path: Path) -> None:
    path = write(tmp_path / "same.yaml", "extends: ../base.yaml\n")
    write(tmp_path.parent / "base.yaml", "stages: [unicode_normalise, {length_filter: {min_chars: 5}}]\n")
    assert load_recipe(path).fingerprint == load_recipe(tmp_path.parent / "base.yaml").fingerprint


def test_insert_before_and_after_and_inside_a_route(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed_plus.yaml",
        """
extends: mixed
insert:
  - {before: lang_id, stages: [{length_filter: {min_chars: 10}}]}
  - {after: route/chinese/min_han_chars, stages: [{zh_char_ratio: {min_ratio: 0.7}}]}
override:
  route/latin/c4_quality: {min_sentences: 3}
remove: [route/chinese/chapter_list]
dedup: false
""",
    )
    recipe = load_recipe(path)
    names = [s.label for s in recipe.stages]
    assert names[names.index("lang_id") - 1] == "length_filter"
    route = next(s.params for s in recipe.stages if s.name == "route")
    chinese = [next(iter(entry)) for entry in route["routes"]["chinese"]]
    assert chinese[chinese.index("min_han_chars") + 1] == "zh_char_ratio"
    assert chinese.count("zh_char_ratio") == 2 and "chapter_list" not in chinese
    assert route["routes"]["chinese"][chinese.index("min_han_chars") + 1]["zh_char_ratio"]["min_ratio"] == 0.7
    latin = {next(iter(entry)): next(iter(entry.values())) for entry in route["routes"]["latin"]}
    assert latin["c4_quality"]["min_sentences"] == 3
    assert recipe.dedup is None and load_recipe(shipped_recipe("mixed")).dedup is not None


def test_a_chain_resolves_each_step_beside_its_file(tmp_path: Path) -> None:
    write(tmp_path / "a" / "base.yaml", "stages: [unicode_normalise, {length_filter: {min_chars: 5}}]\n")
    write(tmp_path / "b" / "middle.yaml", "extends: ../a/base.yaml\noverride: {length_filter: {min_chars: 7}}\n")
    top = write(tmp_path / "top.yaml", "extends: b/middle.yaml\noverride: {length_filter: {max_chars: 900}}\n")
    assert params(top, "length_filter")["min_chars"] == 7 and params(top, "length_filter")["max_chars"] == 900


def test_a_base_file_reference_stays_beside_the_base(tmp_path: Path) -> None:
    write(tmp_path / "a" / "mine.txt", "本文来源：网络\n")
    write(tmp_path / "a" / "base.yaml", "stages: [{trim_boilerplate: {phrase_lists: [mine.txt]}}]\n")
    child = write(tmp_path / "b" / "child.yaml", "extends: ../a/base.yaml\n")
    assert params(child, "trim_boilerplate")["phrase_lists"] == [str((tmp_path / "a" / "mine.txt").resolve())]


def test_a_cycle_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(RecipeError, match=r"extends: a cycle \(a\.yaml -> b\.yaml -> a\.yaml\)"):
        load_recipe(tmp_path / "a.yaml")


def test_a_chain_too_long_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "r0.yaml", "stages: [unicode_normalise]\n")
    for i in range(1, MAX_EXTENDS + 1):
        write(tmp_path / f"r{i}.yaml", f"extends: r{i - 1}.yaml\n")
    assert labels(tmp_path / f"r{MAX_EXTENDS - 1}.yaml") == ["unicode_normalise"]
    with pytest.raises(RecipeError, match=f"more than {MAX_EXTENDS} recipes in the chain"):
        load_recipe(tmp_path / f"r{MAX_EXTENDS}.yaml")


@pytest.mark.parametrize(
    "text, message",
    [
        ("stages: [lenght_filter]\n", "stages[0].lenght_filter: unknown stage; did you mean 'length_filter'?"),
        ("stages: [{length_filter: {min_chras: 3}}]\n", "min_chras: unknown key; did you mean 'min_chars'?"),
        ("input: {text_feild: x}\nstages: []\n", "input.text_feild: unknown key; did you mean 'text_field'?"),
        ("stage: []\n", "stage: unknown section; did you mean 'stages'?"),
        ("extends: zh_web\noverride: {lenght_filter: {min_chars: 1}}\n", "did you mean 'length_filter'?"),
        ("extends: zh_web\noverride: {length_filter: {min_chras: 1}}\n", "did you mean 'min_chars'?"),
        ("extends: zh_web\nremove: [promotion]\n", "remove[0]: no stage 'promotion' in the base recipe; did you mean"),
        ("extends: zh_web\noverides: {}\n", "overides: unknown key in an extending recipe; did you mean 'override'?"),
        ("extends: zh_wbe\n", "no file zh_wbe beside the recipe, and 'zh_wbe': no shipped recipe of that name;"),
        ("extends: zh_web\ninsert: [{after: length_filter}]\n", "insert[0]: expected {before: stage, stages: [...]}"),
        ("extends: ../nowhere.yaml\n", "extends: ../nowhere.yaml: no such file"),
        ("override: {length_filter: {min_chars: 1}}\nstages: []\n", "override: only in a recipe that names"),
    ],
)
def test_mistakes_name_the_key_and_the_likely_intent(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RecipeError, match="recipe .*" + re.escape(message)):
        load_recipe(write(tmp_path / "r.yaml", text))


@pytest.mark.parametrize("name", shipped_recipes())
def test_show_output_loads_as_the_same_recipe(name: str, tmp_path: Path) -> None:
    """The resolved form is a recipe itself: validated again, it has the same fingerprint."""
    recipe = load_recipe(shipped_recipe(name))
    path = write(tmp_path / "shown.yaml", yaml.safe_dump(recipe.as_mapping(), allow_unicode=True))
    assert load_recipe(path).fingerprint == recipe.fingerprint


def test_recipe_show_command(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.yaml", "extends: zh_news\noverride: {length_filter: {min_chars: 123}}\n")
    shown = cli("recipe", "show", str(path))
    assert shown.returncode == 0, shown.stderr
    resolved = yaml.safe_load(shown.stdout)
    lengths = [entry["length_filter"] for entry in resolved["stages"] if "length_filter" in entry]
    assert lengths[0]["min_chars"] == 123 and "extends" not in resolved and "override" not in resolved
    assert shown.stdout.startswith(f"# {path}, fully resolved; fingerprint {load_recipe(path).fingerprint}")
    wrong = cli("recipe", "show", str(write(tmp_path / "bad.yaml", "extends: zh_news\nremove: [lenght_filter]\n")))
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "did you mean 'length_filter'" in wrong.stderr
