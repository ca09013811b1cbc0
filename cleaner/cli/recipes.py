"""`cleaner recipes`: the shipped recipes, by the name `--recipe` accepts, with what each is for."""

from __future__ import annotations

import argparse

from cleaner.resources import shipped_recipe, shipped_recipes
from cleaner.safe_yaml import load_yaml


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return subparsers.add_parser("recipes", help="list the shipped recipes (use one with --recipe NAME)")


def descriptions() -> dict[str, str]:
    """Shipped recipe name -> its `description:`, on one line."""
    found = {}
    for name in shipped_recipes():
        raw = load_yaml(shipped_recipe(name).read_text(encoding="utf-8"))
        found[name] = " ".join(str(raw.get("description") or "").split())
    return found


def run(args: argparse.Namespace) -> int:
    listed = descriptions()
    width = max(map(len, listed))
    for name, description in listed.items():
        print(f"{name:<{width}}  {description}")
    return 0
