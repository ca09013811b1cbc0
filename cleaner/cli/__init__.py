"""The command line: `cleaner run|stop|status|explain|report|recipes|recipe show|train-quality`, one module per command.

Bad usage is one line on stderr and exit code 2; a failed run (a write error, an accounting
mismatch) is one line and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version

from cleaner.cli import explain, recipe_show, recipes, report, run, train_quality
from cleaner.errors import AccountingError, OutputError, UsageError, WorkerError
from cleaner.run.progress import NORMAL, set_verbosity


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _version() -> str:
    try:
        return version("corpus-cleaner")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cleaner", description="Clean JSONL pretraining shards into Parquet.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    run.add_verbosity(parser, NORMAL)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run.add_parsers(commands)
    for module in (train_quality, explain, report, recipes, recipe_show):
        module.add_parser(commands).set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        set_verbosity(args.verbosity)
        return args.handler(args)
    except UsageError as err:
        print(f"cleaner: error: {err}", file=sys.stderr)
        return 2
    except (OutputError, AccountingError, WorkerError) as err:
        print(f"cleaner: failed: {err}", file=sys.stderr)
        return 1
