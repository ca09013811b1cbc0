"""Files that recipes reference (phrase lists, word lists), found the same way by every stage.

A relative path is looked up beside the recipe first, then under the project root, so a recipe in
any folder can use the lists shipped in `blacklists/`. `validate` pins the resolved path into the
stage's field (`pin_resource`), so workers rebuilt from the validated parameters load the same file.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def resolve_resource(name: str, recipe_dir: Path | None = None) -> Path:
    """The existing file `name` refers to; ValueError naming the places searched otherwise."""
    path = Path(name).expanduser()
    candidates = [path] if path.is_absolute() else [d / path for d in (recipe_dir, PROJECT_ROOT) if d is not None]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise ValueError(f"file {name!r} not found (looked in {', '.join(str(c) for c in candidates)})")


def load_phrases(path: Path) -> list[str]:
    """Non-empty, stripped lines of a UTF-8 list file; lines starting with `#` are comments."""
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            phrases.append(line)
    return phrases


def pin_resource(name: str, recipe_dir: Path) -> str:
    """The path a validated stage keeps: relative to the project root when the file is inside it
    (so recipe fingerprints do not depend on where the checkout lives), absolute otherwise."""
    path = resolve_resource(name, recipe_dir)
    try:
        return str(path.relative_to(PROJECT_ROOT.resolve()))
    except ValueError:
        return str(path)
