"""Reading blacklist files: term lists by category, allow-lists and domain lists.

Shipped lists live in `cleaner/blacklists/<category>/*.txt` (terms) and `*.domains` (site domains), one
entry per line, `#` starts a comment. User lists may be plain (every line belongs to the
category the recipe names for the file) or in the old cleaner's `keyword=>category` format,
whose category names are translated by a mapping (sex -> porn, gumble -> gambling, ...).
"""

from __future__ import annotations

from pathlib import Path

from cleaner.resources import load_phrases
from cleaner.text.term_match import MIN_TERM_CHARS, normalise_term

OLD_FORMAT_SEPARATOR = "=>"


def read_terms(path: Path, category: str, category_map: dict[str, str]) -> list[tuple[str, str]]:
    """(normalised term, category) per usable line; entries too short to be evidence are skipped."""
    entries = []
    for line in load_phrases(path):
        term, own_category = line, category
        if OLD_FORMAT_SEPARATOR in line:
            term, _, own_category = line.rpartition(OLD_FORMAT_SEPARATOR)
            own_category = own_category.strip()
            own_category = category_map.get(own_category, own_category)
        term = normalise_term(term)
        if len(term) >= MIN_TERM_CHARS and own_category:
            entries.append((term, own_category))
    return entries


def read_domains(path: Path) -> list[str]:
    """Lower-case domains without a leading `www.` or `*.`."""
    return [d.lower().removeprefix("*.").removeprefix("www.") for d in load_phrases(path)]


def shipped_files(lists_dir: Path, category: str, suffix: str) -> list[Path]:
    return sorted((lists_dir / category).glob(f"*{suffix}"))
