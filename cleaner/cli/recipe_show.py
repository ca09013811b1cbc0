"""`cleaner recipe show FILE`: the recipe fully resolved, as the run validates and fingerprints it.

`extends:` applied, every default filled in and resource paths pinned, printed as YAML that loads
as a recipe itself (with the same fingerprint), so a derived recipe can be read in one place.
"""

from __future__ import annotations

import argparse

import yaml

from cleaner.errors import UsageError
from cleaner.resources import find_recipe


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    recipe = subparsers.add_parser("recipe", help="inspect a recipe")
    commands = recipe.add_subparsers(dest="recipe_command", required=True, metavar="show")
    show = commands.add_parser("show", help="print the fully resolved recipe (extends applied, defaults filled in)")
    show.add_argument("recipe", metavar="FILE", help="a recipe file, or the name of a shipped recipe")
    return recipe


def run(args: argparse.Namespace) -> int:
    from cleaner.recipe import load_recipe

    try:
        path = find_recipe(args.recipe)
    except ValueError as err:
        raise UsageError(f"recipe {args.recipe}: {err}") from None
    recipe = load_recipe(path)
    print(f"# {recipe.path}, fully resolved; fingerprint {recipe.fingerprint}")
    print(yaml.safe_dump(recipe.as_mapping(), sort_keys=False, allow_unicode=True, width=100), end="")
    return 0
