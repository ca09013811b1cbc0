"""term_match's byte-level fast paths give what the regexes they replace give, on every code point
that matters and on real text of every script."""

from __future__ import annotations

from pathlib import Path

import regex

from cleaner.text.term_match import (
    _FULL_WIDTH,
    _INVISIBLE,
    _NON_ASCII_SPACES,
    _compact_utf8,
    _folded_away,
    _single_spaces,
    _utf8,
    fold,
)
from tests.conftest import corpus_records

#: What the fast paths replace: every whitespace run to one space; spaces and separators dropped.
SPACE_RUNS = regex.compile(r"\s+")
SEPARATORS = regex.compile(r"[.\-_*·•~/\\|+=#@^`'\"]+")
FILES = [
    "en/en_web_pages_fulltext.jsonl",
    "web/zh_web_cwced_pages.jsonl",
    "web/zh_email_trec06c_spam_ham.jsonl",
    "multi/multi_web_pages_fulltext.jsonl",
    "zh/zh_wechat_articles.jsonl",
]
EDGES = [
    "",
    " ",
    "\n\n",
    " a  b\t\tc \n",
    "x\x1cy\x1f z",
    "全角\u3000空格\xa0和\x85换行\u2028段\u2029",
    "\u200a\u2000lead and trail\u205f",
    "a\u3000\u3000 \tb",
    "ok\ud800lone",
    "赌.博 色 情 · 网•站 a-b_c*d|e/f\\g+h=i#j@k^l`m'n\"o",
]


def _texts(corpus_dir: Path) -> list[str]:
    return [record["text"] for name in FILES for record in corpus_records(corpus_dir, name, 150)] + EDGES


def test_non_ascii_spaces_are_the_regex_ones() -> None:
    """`_single_spaces` replaces these and the ASCII tab, newline, vertical tab, form feed and
    carriage return: together exactly what regex `\\s` matches besides the space."""
    space = regex.compile(r"\s")
    beyond = [chr(code) for code in range(0x80, 0x110000) if space.match(chr(code))]
    assert beyond == [chr(code) for code in range(0x80, 0x110000) if _NON_ASCII_SPACES.match(chr(code))]
    assert [chr(code) for code in range(0x80) if space.match(chr(code))] == list("\t\n\x0b\x0c\r ")


def test_single_spaces_and_compact_view_match_the_regexes(corpus_dir: Path) -> None:
    texts = _texts(corpus_dir)
    spaces = [set(_NON_ASCII_SPACES.findall(text)) for text in texts]
    assert [
        text for text, found in zip(texts, spaces) if _single_spaces(text, found) != SPACE_RUNS.sub(" ", text)
    ] == []
    folded = [fold(text) for text in texts if "\ud800" not in text]
    assert sum(not text.isascii() for text in folded) > 200
    expected = [_utf8(SEPARATORS.sub("", text.replace(" ", ""))) for text in folded]
    assert [_compact_utf8(text) for text in folded] == expected


def test_invisible_are_the_regex_format_characters() -> None:
    """`fold` drops these: exactly what regex `\\p{Cf}` matches (stdlib unicodedata is older); its
    one scan beyond ASCII looks for these, the full-width characters and the spaces, and no other."""
    code_points = [chr(code) for code in range(0x110000)]
    invisible = [char for char in code_points if regex.match(r"\p{Cf}", char)]
    assert invisible == [char for char in code_points if _INVISIBLE.match(char)]
    away = {*invisible, *_FULL_WIDTH, *(char for char in code_points if _NON_ASCII_SPACES.match(char))}
    assert [char for char in code_points if _folded_away(char)] == sorted(away)


def test_fold_drops_invisible_characters_only_beyond_ascii() -> None:
    """`fold` skips the format-character regex on ASCII text: ASCII holds no format character."""
    assert not [code for code in range(0x80) if regex.match(r"\p{Cf}", chr(code))]
    assert fold("a\u200bb\u2060c") == "abc"
