"""Turn a raw JSONL line into a Document, or say precisely why it is malformed."""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

from cleaner.document import Document
from cleaner.io.reader import RawLine

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that never became a Document; it is written to the rejected output with `raw`."""

    line: RawLine
    kind: str
    detail: str


def _load_json(data: bytes) -> object:
    """orjson first (fast); the stdlib accepts what orjson refuses but JSON allows (NaN, huge ints)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as fast_error:
        try:
            value = json.loads(data.decode("utf-8"))
        except ValueError:
            raise fast_error from None
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be written: refuse here
        return value


def parse_line(raw: RawLine, source_file: str, text_fields: tuple[str, ...], id_field: str) -> Document | Malformed:
    """`text_fields` are tried in order; the first one present in the record is the text."""
    if raw.problem:
        return Malformed(raw, raw.problem, raw.detail)
    data = raw.data[3:] if raw.data.startswith(_BOM) else raw.data
    if not data.strip():
        return Malformed(raw, "empty_line", "blank line")
    try:
        record = _load_json(data)
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
    text_field = next((name for name in text_fields if name in record), None)
    if text_field is None:
        return Malformed(raw, "missing_text", f"no field {' or '.join(map(repr, text_fields))}")
    text = record.pop(text_field)
    if not isinstance(text, str):
        return Malformed(raw, "text_not_string", f"field {text_field!r} is {type(text).__name__}")
    if not text.strip():
        return Malformed(raw, "empty_text", f"field {text_field!r} is empty")
    doc_id = record.pop(id_field, None)
    if doc_id is None:
        doc_id = f"{source_file}:{raw.number}"
    elif not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False)
    return Document(doc_id, text, source_file, raw.number, record)
