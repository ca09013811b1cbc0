"""`cleaner report DEST`: rebuild the report from a finished run's files, without rerunning anything."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    report = subparsers.add_parser("report", help="write report.json/html, samples/ and meta-info for DEST")
    report.add_argument("dest", metavar="DEST", help="the output folder of a finished run, or its URI (s3://...)")
    report.add_argument("--seed", type=int, help="sample seed (default: the run's; another one redraws)")
    report.add_argument(
        "--tokenizer",
        help="recount tokens with cl100k_base or a Hugging Face tokenizer.json (default: the workers' counts)",
    )
    report.add_argument("--dataset", help="dataset name for the meta-info file (default: DEST's parent folder)")
    report.add_argument(
        "--version",
        dest="data_version",
        metavar="VERSION",
        help="version for the meta-info file (default: DEST's name)",
    )
    report.add_argument(
        "--legacy-layout", action="store_true", help="also write the old cleaner's good/ and bad/ JSONL folders"
    )
    return report


def run(args: argparse.Namespace) -> int:
    from cleaner.io.storage import is_remote, location
    from cleaner.report.build import build_report
    from cleaner.run.legacy import write_legacy_layout
    from cleaner.run.remote_dest import open_remote_dest

    # A run in object storage is reported from its staging folder (fetched when empty), then uploaded.
    remote = open_remote_dest(args.dest, None, restart=False) if is_remote(args.dest) else None
    dest = remote.staging if remote is not None else Path(location(args.dest))
    shown = remote.uri.rstrip("/") if remote is not None else dest
    names = remote.report_names() if remote is not None else {}
    dataset, version = args.dataset or names.get("dataset"), args.data_version or names.get("version")
    report = build_report(dest, args.seed, args.tokenizer, dataset, version)
    totals = report["totals"]
    tokens = "-" if totals["tokens_out"] is None else f"{totals['tokens_out']:,}"
    print(f"report for {totals['read']:,} lines ({totals['kept']:,} kept, {tokens} tokens): {shown}/report.html")
    failed = [c["check"] for c in report["checks"] if not c["ok"]]
    for check in failed:
        print(f"check failed: {check}")
    if args.legacy_layout:
        write_legacy_layout(dest)
        print(f"legacy layout: {shown}/good and {shown}/bad")
    if remote is not None:
        remote.sync()
    return 1 if failed else 0
