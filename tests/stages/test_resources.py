"""resolve_resource: beside the recipe first, then the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.stages.resources import PROJECT_ROOT, load_phrases, pin_resource, resolve_resource


def test_recipe_folder_wins_over_project_root(tmp_path: Path) -> None:
    (tmp_path / "blacklists" / "boilerplate").mkdir(parents=True)
    local = tmp_path / "blacklists" / "boilerplate" / "wechat.txt"
    local.write_text("x\n", encoding="utf-8")
    assert resolve_resource("blacklists/boilerplate/wechat.txt", tmp_path) == local.resolve()


def test_falls_back_to_project_root(tmp_path: Path) -> None:
    found = resolve_resource("blacklists/boilerplate/news.txt", tmp_path)
    assert found == (PROJECT_ROOT / "blacklists" / "boilerplate" / "news.txt").resolve()


def test_missing_file_names_the_places_searched(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        resolve_resource("missing.txt", tmp_path)


def test_load_phrases_skips_comments_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "l.txt"
    path.write_text("# note\n\n  甲乙 \n丙\n", encoding="utf-8")
    assert load_phrases(path) == ["甲乙", "丙"]


def test_pin_is_relative_inside_the_project(tmp_path: Path) -> None:
    assert pin_resource("blacklists/boilerplate/news.txt", tmp_path) == "blacklists/boilerplate/news.txt"
    (tmp_path / "mine.txt").write_text("x\n", encoding="utf-8")
    assert pin_resource("mine.txt", tmp_path) == str((tmp_path / "mine.txt").resolve())
