"""`--legacy-layout`: the old cleaner's output folders, so existing downstream scripts keep working.

The old cleaner wrote `dest/good/<file>` and `dest/bad/<file>`: each input object plus `content`
(the cleaned text; in bad/ the text as it was when rejected), `clean_status` (1 good, 0 bad) and
`clean_policy` ("" or the reason). We write the same from the final Parquet outputs, one JSONL
file per shard (`good/zh/news.jsonl` for `kept/zh/news.parquet`). Differences, on purpose:

- every input line is accounted for: malformed lines (which crashed the old cleaner) go to bad/
  with `content` the raw line decoded as UTF-8 (undecodable bytes replaced) and policy
  `malformed:<kind>`; the old cleaner silently dropped short lines, we never drop any;
- the record also keeps our provenance and annotation columns (`id`, `source_file`, `line`,
  `lang`, `quality_score`, dedup columns, ...); null cells are left out, as an absent field;
- input fields that were objects or arrays are the JSON text our Parquet stores, not objects.

`clean_policy` uses the old reason name where one has the same meaning (see LEGACY_REASONS),
ours otherwise, so a script that counted `TooShortSentence` still counts the same thing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cleaner.errors import OutputError
from cleaner.io.fsutil import read_json
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import claim, claimed, release

#: Our reason -> the old cleaner's `clean_policy` for the same rule (the old cleaner's rule list, section 2.2).
LEGACY_REASONS = {
    "too_short": "TooShortSentence",
    "no_sentence_punctuation": "not_has_punctuations",
    "rare_characters": "is_common_zhLessThan60",  # the old name of common_zhLessThan20
    "low_chinese_ratio": "ChineseLessThan60",
    "blacklist:porn": "has_sensitive_words:sex",
    "blacklist:gambling": "has_sensitive_words:gumble",
    "blacklist:fraud_ads": "has_sensitive_words:ads",
    "blacklist:profanity": "has_sensitive_words:dirty",
    "blacklist:politics": "has_sensitive_words:politician",
}
#: Columns that become content/clean_policy instead of being copied.
_CONSUMED = {"text", "raw", "stage", "reason", "detail"}


def legacy_policy(reason: str) -> str:
    return LEGACY_REASONS.get(reason, reason)


def _record(row: dict[str, Any], good: bool) -> dict[str, Any]:
    record = {k: v for k, v in row.items() if k not in _CONSUMED and v is not None}
    content = row.get("text")
    if content is None and row.get("raw") is not None:
        content = row["raw"].decode("utf-8", "replace")
    record["content"] = content if content is not None else ""
    record["clean_status"] = 1 if good else 0
    record["clean_policy"] = "" if good else legacy_policy(row["reason"])
    return record


def _convert(parquet: Path, target: Path, good: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for batch in pq.ParquetFile(parquet).iter_batches(batch_size=4096):
                for row in batch.to_pylist():
                    fh.write(json.dumps(_record(row, good), ensure_ascii=False) + "\n")
        tmp.replace(target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {err.strerror or err}") from None


def write_legacy_layout(dest: Path) -> None:
    """Write DEST/good/<shard>.jsonl and DEST/bad/<shard>.jsonl from the run's kept/ and rejected/
    files (replacing the files an earlier call wrote, nothing else in good/ and bad/)."""
    layout = RunLayout(Path(dest))
    written = []
    for folder, good in (("good", True), ("bad", False)):
        release(layout, claimed(layout, f"{folder}/"))
        for shard in read_json(layout.plan):
            outputs = layout.shard_outputs(shard["name"])
            target = layout.dest / folder / f"{shard['name']}.jsonl"
            _convert(outputs.kept if good else outputs.rejected, target, good)
            written.append(target)
    claim(layout, written)
