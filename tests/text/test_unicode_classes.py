import numpy as np
import pytest
import regex

from cleaner.text.unicode_classes import class_table

EVERY_POINT = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize("char_class", [r"\p{L}\p{N}\p{M}", r"\s\p{P}\p{S}", r"\p{Han}\p{Hangul}\p{Thai}"])
def test_the_table_agrees_with_the_regex_on_every_code_point(char_class: str) -> None:
    members = regex.sub(f"[^{char_class}]", "", EVERY_POINT)
    expected = np.zeros(0x110000, dtype=bool)
    expected[np.frombuffer(members.encode("utf-32-le"), dtype=np.uint32)] = True
    table = class_table(char_class)
    assert expected.sum() > 1000
    assert np.array_equal(table, expected)


def test_known_members_and_surrogates() -> None:
    words = class_table(r"\p{L}\p{N}\p{M}")
    assert words[ord("a")] and words[ord("中")] and words[ord("٣")] and words[0x0301]
    assert not words[ord(" ")] and not words[ord("，")] and not words[0xD800:0xE000].any()
