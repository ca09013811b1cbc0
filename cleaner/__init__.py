"""Pretraining-corpus cleaner: JSONL shards in, cleaned Parquet plus stats out."""

__version__ = "0.1.0"
