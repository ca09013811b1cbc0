"""Resources: beside the recipe first, then the package's shipped data; recipes by name or path."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.recipe import load_recipe
from cleaner.resources import (
    RECIPES_DIR,
    SHIPPED,
    find_recipe,
    load_phrases,
    pin_resource,
    resolve_resource,
    shipped_recipe,
    shipped_recipes,
)


def test_recipe_folder_wins_over_shipped_data(tmp_path: Path) -> None:
    (tmp_path / "blacklists" / "boilerplate").mkdir(parents=True)
    local = tmp_path / "blacklists" / "boilerplate" / "wechat.txt"
    local.write_text("x\n", encoding="utf-8")
    assert resolve_resource("blacklists/boilerplate/wechat.txt", tmp_path) == local.resolve()


def test_falls_back_to_shipped_data_inside_the_package(tmp_path: Path) -> None:
    found = resolve_resource("blacklists/boilerplate/news.txt", tmp_path)
    assert found == (SHIPPED / "blacklists" / "boilerplate" / "news.txt").resolve()
    assert found.is_relative_to(Path(__file__).resolve().parents[1] / "cleaner")
    assert resolve_resource("blacklists", tmp_path, folder=True) == (SHIPPED / "blacklists").resolve()


def test_missing_file_names_the_places_searched(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found") as error:
        resolve_resource("missing.txt", tmp_path)
    assert str(tmp_path) in str(error.value) and str(SHIPPED) in str(error.value)


def test_load_phrases_skips_comments_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "l.txt"
    path.write_text("# note\n\n  甲乙 \n丙\n", encoding="utf-8")
    assert load_phrases(path) == ["甲乙", "丙"]


def test_pin_is_relative_inside_the_shipped_data(tmp_path: Path) -> None:
    assert pin_resource("blacklists/boilerplate/news.txt", tmp_path) == "blacklists/boilerplate/news.txt"
    (tmp_path / "mine.txt").write_text("x\n", encoding="utf-8")
    assert pin_resource("mine.txt", tmp_path) == str((tmp_path / "mine.txt").resolve())


def test_recipe_by_name_or_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"default", "en_web", "mixed", "zh_web"} <= set(shipped_recipes())
    assert find_recipe("zh_web") == shipped_recipe("zh_web")
    assert find_recipe("zh_web") == find_recipe("zh_web.yaml") == RECIPES_DIR / "zh_web.yaml"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zh_web.yaml").write_text("stages: [unicode_normalise]\n", encoding="utf-8")
    assert find_recipe("zh_web.yaml") == Path("zh_web.yaml")  # a file of that name wins
    assert [s.name for s in load_recipe("zh_web.yaml").stages] == ["unicode_normalise"]
    with pytest.raises(ValueError, match="no shipped recipe of that name.*shipped: default, "):
        find_recipe("zh_wbe")
    with pytest.raises(ValueError, match="no such file"):
        find_recipe("elsewhere/zh_web.yaml")  # a path is never taken for a name


def test_user_recipe_lists_resolve_beside_it_and_shipped_ones_by_name(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "mine.txt").write_text("本站声明\n", encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "stages:\n  - trim_boilerplate: {phrase_lists: [lists/mine.txt, blacklists/boilerplate/news.txt]}\n",
        encoding="utf-8",
    )
    (params,) = (spec.params for spec in load_recipe(recipe).stages)
    mine = str((tmp_path / "lists" / "mine.txt").resolve())
    assert params["phrase_lists"] == [mine, "blacklists/boilerplate/news.txt"]
