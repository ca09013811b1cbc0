"""google-re2 (linear time) against `regex` and the stdlib `re` on the hot patterns, on real text.

`python bench/regex_engines.py [--mb 1.0]`

For each pattern the stages run on every document (word and line scans, Han counts, whitespace
splits, URLs), times the same operation with each engine over the first `--mb` MB of the zh, en and
raw-web files of bench/stage_profile.py, checks that every engine gives the same result, and prints CPU
seconds per MB. A pattern an engine cannot compile (possessive quantifiers, lookarounds, which
re2 lacks) is listed as such. re2 needs the `google-re2` package; without it only `regex` and `re`
are timed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex
from corpus import CORPUS

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from stage_profile import GROUPS, chunk_end  # noqa: E402

from cleaner.stages import gopher, web_lines, zh_quality  # noqa: E402
from cleaner.stages.removal import _URL  # noqa: E402
from cleaner.text import script  # noqa: E402

try:
    import re2
except ImportError:
    re2 = None

#: (name, pattern, flags as `regex` spells them, operation on a compiled pattern and a text).
PATTERNS: list[tuple[str, str, int, Callable[[Any, str], Any]]] = [
    ("gopher words findall", gopher._WORDS.pattern, 0, lambda p, t: p.findall(t)),
    ("gopher letterless tokens", gopher._LETTERLESS_TOKEN.pattern, 0, lambda p, t: len(p.findall(t))),
    ("Han count", zh_quality.HAN.pattern, 0, lambda p, t: len(p.findall(t))),
    ("Han runs", script.HAN_RUNS.pattern, 0, lambda p, t: [m.span() for m in p.finditer(t)]),
    ("Latin words", web_lines._LATIN_WORDS.pattern, 0, lambda p, t: p.findall(t)),
    ("URLs", _URL.pattern, regex.IGNORECASE, lambda p, t: [m.span() for m in p.finditer(t)]),
]


def load(megabytes: float) -> tuple[list[str], float]:
    texts: list[str] = []
    size = 0
    for names in GROUPS.values():
        for name in names:
            path = CORPUS / name
            if not path.is_file():
                continue
            end = chunk_end(path, megabytes)
            with open(path, "rb") as fh:
                data = fh.read() if end is None else fh.read(end)
            for line in data.splitlines():
                record = json.loads(line)
                text = record.get("text") or record.get("content") or ""
                texts.append(text)
                size += len(text.encode("utf-8"))
    return texts, size / 1e6


def engines(pattern: str, flags: int) -> dict[str, Any]:
    """The pattern compiled by every engine that accepts it, or the error text."""
    out: dict[str, Any] = {"regex": regex.compile(pattern, flags)}
    try:
        out["re"] = re.compile(pattern, re.IGNORECASE if flags & regex.IGNORECASE else 0)
    except re.error as err:
        out["re"] = f"no: {err}"
    if re2 is not None:
        options = re2.Options()
        options.case_sensitive = not flags & regex.IGNORECASE
        try:
            out["re2"] = re2.compile(pattern, options)
        except re2.error as err:
            out["re2"] = f"no: {str(err)[:40]}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    texts, mb = load(args.mb)
    names = ["regex", "re", "re2"] if re2 is not None else ["regex", "re"]
    print(f"{len(texts):,} documents, {mb:.2f} MB; CPU s/MB (same = result equal to `regex`'s)")
    print(f"{'pattern':<28}" + "".join(f"{name:>22}" for name in names))
    for label, pattern, flags, operation in PATTERNS:
        compiled = engines(pattern, flags)
        reference = None
        cells = []
        for name in names:
            engine = compiled.get(name)
            if isinstance(engine, str):
                cells.append(engine[:21])
                continue
            started = time.process_time()
            results = [operation(engine, text) for text in texts]
            seconds = time.process_time() - started
            reference = results if reference is None else reference
            same = "" if results is reference else (" same" if results == reference else " DIFF")
            cells.append(f"{seconds / mb:.4f}{same}")
        print(f"{label:<28}" + "".join(f"{cell:>22}" for cell in cells))


if __name__ == "__main__":
    main()
