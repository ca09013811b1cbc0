"""Every kind of malformed line is named; good lines become Documents with their fields carried."""

from __future__ import annotations

import pytest

from cleaner.io.parse import Malformed, parse_line
from cleaner.io.reader import RawLine


def parse(data: bytes, fields: tuple[str, ...] = ("text",)):
    return parse_line(RawLine(7, 0, data), "dir/f.jsonl", fields, "id")


@pytest.mark.parametrize(
    "data, kind",
    [
        (b'{"text": "unterminated', "invalid_json"),
        (b'{"text": "caf\xe9"}', "invalid_utf8"),
        (b'{"text": "\\ud800 lone surrogate"}', "invalid_unicode"),
        (b'["a", "list"]', "not_object"),
        (b'"just a string"', "not_object"),
        (b'{"content": "wrong field"}', "missing_text"),
        (b'{"text": 42}', "text_not_string"),
        (b'{"text": null}', "text_not_string"),
        (b'{"text": "  \\n "}', "empty_text"),
        (b"   ", "empty_line"),
    ],
)
def test_malformed_kinds(data: bytes, kind: str) -> None:
    result = parse(data)
    assert isinstance(result, Malformed)
    assert result.kind == kind
    assert result.line.data == data  # the raw bytes are preserved


def test_reader_problems_pass_through() -> None:
    result = parse_line(RawLine(3, 0, b"xx", "line_too_long", "why"), "f", ("text",), "id")
    assert isinstance(result, Malformed) and result.kind == "line_too_long" and result.detail == "why"


def test_document_fields_and_default_id() -> None:
    doc = parse('{"text": "正文", "url": "http://x", "meta": {"a": [1, 2]}}'.encode())
    assert doc.text == "正文" and doc.id == "dir/f.jsonl:7" and doc.line == 7
    assert doc.meta == {"url": "http://x", "meta": {"a": [1, 2]}}


def test_id_field_kept_as_string_and_removed_from_meta() -> None:
    assert parse(b'{"text": "t", "id": 12}').id == "12"
    doc = parse(b'{"text": "t", "id": "abc", "x": 1}')
    assert doc.id == "abc" and doc.meta == {"x": 1}


def test_text_field_alternatives_in_order() -> None:
    assert parse(b'{"content": "c"}', ("text", "content")).text == "c"
    doc = parse(b'{"text": "t", "content": "c"}', ("text", "content"))
    assert doc.text == "t" and doc.meta == {"content": "c"}


def test_bom_and_json_extensions_accepted() -> None:
    assert parse(b'\xef\xbb\xbf{"text": "bom"}').text == "bom"
    doc = parse(b'{"text": "t", "score": NaN, "big": 123456789012345678901234567890}')
    assert doc.meta["big"] == 123456789012345678901234567890


@pytest.mark.parametrize("depth", [201, 1025, 200_000])
def test_deep_nesting_is_malformed_not_a_crash(depth: int) -> None:
    data = b'{"text": "a document", "a": ' + b"[" * depth + b"]" * depth + b"}"
    result = parse(data)
    assert isinstance(result, Malformed) and result.kind == "too_deep"
    assert result.line.data == data


def test_nesting_up_to_the_limit_is_carried() -> None:
    data = b'{"text": "a document", "a": ' + b"[" * 199 + b"]" * 199 + b"}"  # 200 levels with the record
    value, depth = parse(data).meta["a"], 1
    while value:
        (value,), depth = value, depth + 1
    assert depth == 199


def test_integers_beyond_64_bits_are_carried_and_beyond_4300_digits_malformed() -> None:
    assert parse(b'{"text": "x", "n": ' + b"9" * 300 + b"}").meta["n"] == int("9" * 300)
    assert parse(b'{"text": "x", "n": [1, -18446744073709551617]}').meta["n"] == [1, -(2**64) - 1]
    result = parse(b'{"text": "x", "n": ' + b"9" * 5000 + b"}")
    assert isinstance(result, Malformed) and result.kind == "number_too_long"
