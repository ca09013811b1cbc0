"""charsets: the C-speed character helpers give what the regex or per-character test they replace gives."""

from __future__ import annotations

import sys
from pathlib import Path

from cleaner.stages.charsets import CharSet, CharTest, any_of, code_points, latin1_view
from tests.conftest import corpus_records

PAGES = ["web/zh_news_gne_testpages.jsonl", "en/en_usenet_20newsgroups.jsonl", "multi/multi_web_pages_fulltext.jsonl"]


def _real_texts(corpus_dir: Path) -> list[str]:
    return [r.get("text") or r.get("content") or "" for name in PAGES for r in corpus_records(corpus_dir, name, 60)]


def test_latin1_view_is_one_byte_per_character(corpus_dir: Path) -> None:
    texts = [t for t in _real_texts(corpus_dir) if not t.isascii()] + ["é€😀\ud800x"]
    assert len(texts) > 20
    for text in texts:
        view = latin1_view(text)
        assert len(view) == len(text)
        assert all(view[i] == (ord(c) if ord(c) < 256 else ord("?")) for i, c in enumerate(text))


def test_any_of_matches_exactly_the_points() -> None:
    points = {0, 1, 2, 5, 0x3000, 0x3001, 0x1F100, sys.maxunicode}
    pattern = any_of(points)
    found = {c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and pattern.match(chr(c))}
    assert found == points


def test_charset_mask_is_membership(corpus_dir: Path) -> None:
    members = "，。的了\U00020000"
    chars = CharSet(members)
    for text in _real_texts(corpus_dir)[:40] + ["\U0010ffff的\U00020000"]:
        assert chars.mask(code_points(text)).tolist() == [c in members for c in text]


def test_char_test_reads_astral_characters_exactly() -> None:
    test = CharTest([0x41, 0x1F110])
    assert test.search("xAy") and test.search("😀🄐") and test.search("😀A")
    assert not test.search("😀 x") and not test.search("")
