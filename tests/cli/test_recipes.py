"""`cleaner recipes`: every shipped recipe by the name `--recipe` takes, with its description."""

from __future__ import annotations

import pytest

from cleaner.cli import main
from cleaner.resources import shipped_recipes


def test_recipes_command_lists_every_shipped_recipe(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recipes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == shipped_recipes()
    zh_web = next(line for line in lines if line.startswith("zh_web "))
    assert "Chinese web pages" in zh_web
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)  # every recipe says what it is for
