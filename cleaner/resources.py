"""Files that recipes reference (recipes, phrase and word lists, models), found the same way everywhere.

The shipped recipes (`cleaner/rules/`), blacklists and boilerplate lists (`cleaner/blacklists/`)
and models (`cleaner/data/`) are package data, found with importlib.resources, so an installed
wheel works as the checkout does. A relative path is looked up beside the recipe first, then in
the shipped data, so a user's recipe anywhere can name `blacklists/...` and still use its own files
beside it. `validate` pins the resolved path into the stage's field (`pin_resource`), so workers
rebuilt from the validated parameters load the same file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from cleaner.config import did_you_mean

#: The package's own folder: the root of every shipped resource (a wheel installs it as files).
SHIPPED = Path(str(files("cleaner")))
RECIPES_DIR = SHIPPED / "rules"


def resolve_resource(name: str, recipe_dir: Path | None = None, folder: bool = False) -> Path:
    """The existing file (or, with `folder`, directory) `name` refers to; ValueError naming the
    places searched otherwise."""
    path = Path(name).expanduser()
    candidates = [path] if path.is_absolute() else [d / path for d in (recipe_dir, SHIPPED) if d is not None]
    for candidate in candidates:
        if candidate.is_dir() if folder else candidate.is_file():
            return candidate.resolve()
    kind = "folder" if folder else "file"
    raise ValueError(f"{kind} {name!r} not found (looked in {', '.join(str(c) for c in candidates)})")


def load_phrases(path: Path) -> list[str]:
    """Non-empty, stripped lines of a UTF-8 list file; lines starting with `#` are comments."""
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            phrases.append(line)
    return phrases


def pin_resource(name: str, recipe_dir: Path) -> str:
    """The path a validated stage keeps: relative to the shipped data when the file is part of it
    (so recipe fingerprints do not depend on where the package is installed), absolute otherwise."""
    path = resolve_resource(name, recipe_dir)
    try:
        return str(path.relative_to(SHIPPED.resolve()))
    except ValueError:
        return str(path)


def shipped_recipes() -> list[str]:
    """Names of the shipped recipes (file names without `.yaml`), sorted."""
    return sorted(path.stem for path in RECIPES_DIR.glob("*.yaml"))


def shipped_recipe(name: str) -> Path:
    """The file of the shipped recipe `name`; ValueError naming the shipped ones otherwise."""
    path = RECIPES_DIR / f"{name}.yaml"
    if "/" in name or "\\" in name or not path.is_file():
        names = shipped_recipes()
        hint = did_you_mean(name, names)
        raise ValueError(f"{name!r}: no shipped recipe of that name{hint} (shipped: {', '.join(names)})")
    return path


def find_recipe(spec: str | Path) -> Path:
    """`--recipe`: an existing file, else the shipped recipe of that name (`zh_web`, `zh_web.yaml`)."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    if path.parent != Path("."):
        raise ValueError(f"cannot read: no such file (shipped recipes, by name: {', '.join(shipped_recipes())})")
    try:
        return shipped_recipe(path.name.removesuffix(".yaml"))
    except ValueError as err:
        raise ValueError(f"cannot read: no such file, and {err}") from None
