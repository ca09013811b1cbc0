"""Turn a raw JSONL line into a Document, or say precisely why it is malformed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import orjson

from cleaner.document import Document
from cleaner.io.reader import RawLine

_BOM = b"\xef\xbb\xbf"

#: Deepest nesting of arrays/objects accepted in a record: carried fields are written back as JSON
#: text, and the encoders recurse. Deeper lines are `malformed:too_deep`, never a crash of the run.
MAX_DEPTH = 200

#: A number of 19+ digits: orjson would read an integer beyond 64 bits as a float, losing digits.
_LONG_NUMBER = re.compile(rb"[\[:,]\s*-?\d{19}")


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that never became a Document; it is written to the rejected output with `raw`."""

    line: RawLine
    kind: str
    detail: str


class _TooDeep(ValueError):
    """Nesting deeper than the parsers recurse; the line is malformed, never a crash of the run."""


class _NumberTooLong(ValueError):
    """An integer of more digits than Python converts (sys.get_int_max_str_digits, 4,300 by default)."""


def _load_json(data: bytes) -> object:
    """orjson first (fast); the stdlib accepts what orjson refuses but JSON allows (NaN, ints beyond
    64 bits, read exactly). orjson refuses nesting past 1,024 levels, which the stdlib would recurse into."""
    try:
        if _LONG_NUMBER.search(data):
            raise orjson.JSONDecodeError("integer beyond 64 bits", "", 0)
        return orjson.loads(data)
    except orjson.JSONDecodeError as fast_error:
        if "recursion" in str(fast_error).lower():
            raise _TooDeep(str(fast_error)) from None
        try:
            value = json.loads(data.decode("utf-8"))
        except RecursionError:
            raise _TooDeep("nested too deeply for the JSON parser") from None
        except ValueError as err:
            if "digits" in str(err):
                raise _NumberTooLong(str(err)) from None
            raise fast_error from None
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be written: refuse here
        except RecursionError:
            raise _TooDeep("nested too deeply to be written back") from None
        return value


def _depth(value: object) -> int:
    """Nesting depth of a parsed JSON value, walked without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_depth(data: bytes, record: object) -> None:
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH and _depth(record) > MAX_DEPTH:
        raise _TooDeep(f"nested deeper than {MAX_DEPTH} levels")


def parse_line(
    raw: RawLine, source_file: str, text_fields: tuple[str, ...], id_field: str, html_field: str | None = None
) -> Document | Malformed:
    """`text_fields` are tried in order; the first one present in the record is the text. A record
    whose `html_field` is present (not null) may lack the text: html_extract makes it from the HTML."""
    if raw.problem:
        return Malformed(raw, raw.problem, raw.detail)
    data = raw.data[3:] if raw.data.startswith(_BOM) else raw.data
    if not data.strip():
        return Malformed(raw, "empty_line", "blank line")
    try:
        record = _load_json(data)
        _check_depth(data, record)
    except _TooDeep as err:
        return Malformed(raw, "too_deep", str(err))
    except _NumberTooLong as err:
        return Malformed(raw, "number_too_long", str(err))
    except (orjson.JSONDecodeError, UnicodeEncodeError) as err:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as utf8_err:
            return Malformed(raw, "invalid_utf8", str(utf8_err))
        if isinstance(err, UnicodeEncodeError):
            return Malformed(raw, "invalid_unicode", f"unencodable string: {err.reason}")
        return Malformed(raw, "invalid_json", str(err))
    if not isinstance(record, dict):
        return Malformed(raw, "not_object", f"JSON {type(record).__name__}, not an object")
    has_html = html_field is not None and record.get(html_field) is not None
    text_field = next((name for name in text_fields if name in record), None)
    if text_field is None and not has_html:
        names = (*text_fields, html_field) if html_field else text_fields
        return Malformed(raw, "missing_text", f"no field {' or '.join(map(repr, names))}")
    text = record.pop(text_field) if text_field is not None else ""
    if not isinstance(text, str):
        return Malformed(raw, "text_not_string", f"field {text_field!r} is {type(text).__name__}")
    if not text.strip() and not has_html:
        return Malformed(raw, "empty_text", f"field {text_field!r} is empty")
    doc_id = record.pop(id_field, None)
    if doc_id is None:
        doc_id = f"{source_file}:{raw.number}"
    elif not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False)
    return Document(doc_id, text, source_file, raw.number, record)
