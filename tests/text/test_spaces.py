"""text.spaces: str.split's speed with regex's idea of whitespace, on every code point and on real text."""

from __future__ import annotations

from pathlib import Path

import regex

from cleaner.text.spaces import SPLIT_ONLY_SPACES, holds_split_only_space, non_space_count, without_spaces
from tests.conftest import corpus_records

PAGES = ["web/zh_news_gne_testpages.jsonl", "en/en_usenet_20newsgroups.jsonl", "multi/multi_web_pages_fulltext.jsonl"]


def _real_texts(corpus_dir: Path) -> list[str]:
    return [r.get("text") or r.get("content") or "" for name in PAGES for r in corpus_records(corpus_dir, name, 60)]


def test_non_space_count_is_regex_whitespace() -> None:
    """str.split and regex `\\s` disagree on exactly the separators non_space_count counts back, over
    every code point (with this Python's and this regex's Unicode tables)."""
    every = "".join(map(chr, range(0x110000)))
    regex_spaces = set(regex.findall(r"\s", every))
    split_spaces = {c for c in every if c.isspace()}
    assert split_spaces - regex_spaces == set(SPLIT_ONLY_SPACES) and regex_spaces <= split_spaces


def test_non_space_count_is_regex_whitespace_on_real_text(corpus_dir: Path) -> None:
    """The same count as deleting regex `\\s` (the ideographic space and U+2028 are spaces, the
    separators \\x1c-\\x1f are not), on Chinese, English and web text."""
    whitespace = regex.compile(r"\s+")
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wechat_articles.jsonl", 30)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl", 100)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 10)]
    texts += ["\x1c\x1d a\u3000b\u2028\x85\U0010ffff\u200b", "", " \t\n"]
    for text in texts:
        assert non_space_count(text) == len(whitespace.sub("", text))
    assert non_space_count("\x1c\x1d a\u3000b\u2028\x85\U0010ffff\u200b") == 6


def test_without_spaces_is_the_regex_deletion(corpus_dir: Path) -> None:
    spaces = regex.compile(r"\s+")
    texts = _real_texts(corpus_dir)
    # U+001C..1F: whitespace to str.split, not to regex `\s`, so they stay.
    texts += [t[:200] + "\x1c\x1f" + t[200:400] for t in texts[:20]]
    for text in texts:
        assert without_spaces(text) == spaces.sub("", text)
    assert without_spaces("a\x1cb c\u3000d\xa0e") == "a\x1cbcde"


def test_the_separators_are_found_wherever_they_are() -> None:
    assert not holds_split_only_space("plain text\t\n\u3000")
    assert all(holds_split_only_space(f"a{c}b") for c in SPLIT_ONLY_SPACES)
