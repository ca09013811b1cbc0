"""`cleaner run`, `cleaner stop` and `cleaner status`: start or resume a run, stop it, follow it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from cleaner.errors import AccountingError, UsageError

if TYPE_CHECKING:
    from cleaner.run.engine import RunOptions
    from cleaner.run.remote_dest import RemoteDest


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return number


#: `--workers` above this many per core is refused unless `--force`: likely a typo, and each
#: worker holds its own copy of the models and automata.
MAX_WORKERS_PER_CORE = 4


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def add_verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    """-q/-v, on `cleaner` itself and on `cleaner run` (there with no default, so it keeps the
    value given before the command)."""
    from cleaner.run.progress import QUIET, VERBOSE

    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=QUIET,
        default=default,
        help="no progress lines: only errors and the final summary",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=VERBOSE,
        default=default,
        help="also one line per finished unit",
    )


def _local_dest(text: str) -> Path:
    """DEST for `stop` and `status`: a remote DEST's run lives in its (default) staging folder."""
    from cleaner.io.storage import is_remote, location, staging_dir

    return staging_dir(text) if is_remote(text) else Path(location(text))


def add_parsers(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="clean SOURCE into DEST (resumes a partial run)")
    run.set_defaults(handler=run_command)
    run.add_argument(
        "source", metavar="SOURCE", help="a JSONL file or a folder searched recursively; or a URI (s3://bucket/prefix)"
    )
    run.add_argument("dest", metavar="DEST", help="output folder, or a URI in object storage (s3://bucket/prefix)")
    run.add_argument("--recipe", type=Path, help="recipe name (`cleaner recipes`) or YAML file (default: default)")
    run.add_argument("--workers", type=_positive_int, default=_default_workers(), help="worker processes")
    run.add_argument("--restart", action="store_true", help="discard a partial run in DEST and start over")
    run.add_argument("--force", action="store_true", help=f"allow more than {MAX_WORKERS_PER_CORE} workers per core")
    run.add_argument("--progress-seconds", type=_positive_float, default=5.0, help="seconds between progress lines")
    run.add_argument("--runs-dir", type=Path, help="where runs are registered for `cleaner stop`")
    run.add_argument("--dedup-against", metavar="DEST_OLD", help="also remove duplicates of DEST_OLD's docs")
    run.add_argument(
        "--storage-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an fsspec option for URIs (endpoint_url=..., s3 by default; PROTOCOL.KEY=VALUE for others)",
    )
    run.add_argument(
        "--staging-dir", type=Path, help="local folder a remote DEST is staged in (default: see README, Object storage)"
    )
    run.add_argument("--executor", choices=["local", "ray"], default="local", help="worker processes or Ray")
    run.add_argument("--ray-address", help="Ray cluster to join (default: start a local Ray runtime)")
    run.add_argument("--ray-retries", type=int, default=3, help="reruns of a unit lost with a Ray worker or node")
    run.add_argument("--tokenizer", help="count tokens with cl100k_base (default), a tokenizer.json, or none")
    run.add_argument("--legacy-layout", action="store_true", help="also write the old cleaner's good/ and bad/")
    run.add_argument(
        "--limit",
        type=_positive_int,
        default=0,
        metavar="N",
        help="a quick trial: only the first N lines of each shard",
    )
    add_verbosity(run, argparse.SUPPRESS)

    stop = commands.add_parser("stop", help="stop the run in DEST, or every registered run")
    stop.set_defaults(handler=stop_command)
    stop.add_argument("dest", type=_local_dest, nargs="?", metavar="DEST")
    stop.add_argument("--timeout", type=float, default=30.0, help="seconds to wait before SIGKILL")
    stop.add_argument("--runs-dir", type=Path, help="registry of runs (default: $CLEANER_RUNS_DIR)")

    status = commands.add_parser("status", help="progress of a running or finished run")
    status.set_defaults(handler=status_command)
    status.add_argument("dest", type=_local_dest, metavar="DEST")


def run_command(args: argparse.Namespace) -> int:
    if args.executor == "local":
        from cleaner.run.forkserver import start_fork_server

        start_fork_server()  # its imports run while the driver imports and checks
    from cleaner.io.storage import is_remote, location, remote, set_options
    from cleaner.recipe import load_recipe
    from cleaner.run.engine import RunOptions
    from cleaner.run.executors import check_ray_address, require_ray
    from cleaner.run.records import default_runs_dir
    from cleaner.run.remote_dest import fetch_finished_run, open_remote_dest
    from cleaner.run.tokens import check_tokenizer

    set_options(args.storage_option)
    source = location(args.source)
    if isinstance(source, Path) and not source.exists():
        raise UsageError(f"SOURCE {args.source} does not exist")
    if isinstance(source, str):
        remote(source)  # an unreachable bucket is one line here, before DEST is touched
    if is_remote(args.dest):
        _refuse_remote_overlap(args.source, args.dest)
    elif args.staging_dir is not None:
        raise UsageError("--staging-dir is for a DEST in object storage; a local DEST is written in place")
    cores = _default_workers()
    if args.workers > MAX_WORKERS_PER_CORE * cores and not args.force:
        raise UsageError(
            f"--workers {args.workers} is more than {MAX_WORKERS_PER_CORE} per core ({cores} cores); "
            "add --force if you mean it"
        )
    if args.executor == "ray":
        require_ray(args.ray_address)
        if args.ray_address:
            check_ray_address(args.ray_address)
    recipe = load_recipe(args.recipe, args.tokenizer)
    if recipe.output.tokenizer != "none":
        check_tokenizer(recipe.output.tokenizer)  # a bad tokenizer fails here, before anything starts
    if args.dedup_against is not None and recipe.dedup is None:
        raise UsageError("--dedup-against needs a recipe with a dedup: section")
    against = location(args.dedup_against) if args.dedup_against is not None else None
    if isinstance(against, str):
        against = fetch_finished_run(against)
    remote_dest = open_remote_dest(args.dest, args.staging_dir, args.restart) if is_remote(args.dest) else None
    dest = remote_dest.staging if remote_dest is not None else Path(location(args.dest))
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create DEST {dest}: {err.strerror or err}") from None
    options = RunOptions(
        source,
        dest,
        recipe,
        args.workers,
        args.restart,
        args.runs_dir or default_runs_dir(),
        args.progress_seconds,
        args.executor,
        args.ray_address,
        against,
        args.limit,
        ray_retries=args.ray_retries,
        remote=remote_dest,
    )
    try:
        return _run_and_report(options, remote_dest, args.legacy_layout)
    finally:
        if remote_dest is not None:
            remote_dest.close()


def _run_and_report(options: RunOptions, remote_dest: RemoteDest | None, legacy_layout: bool) -> int:
    """Run, then write the report (and the legacy layout when asked) and upload them to a remote DEST."""
    from cleaner.report.build import build_report
    from cleaner.run.engine import run
    from cleaner.run.legacy import write_legacy_layout
    from cleaner.run.progress import QUIET, log

    dest = options.dest
    code = run(options)
    if code == 0:
        shown = remote_dest.uri.rstrip("/") if remote_dest is not None else dest
        report = build_report(dest, **(remote_dest.report_names() if remote_dest is not None else {}))
        log(f"report: {shown}/report.html", QUIET, stamp=False)
        if legacy_layout:
            write_legacy_layout(dest)
            log(f"legacy layout: {shown}/good and {shown}/bad", QUIET, stamp=False)
        if remote_dest is not None:
            remote_dest.sync()
        failed = [check["check"] for check in report["checks"] if not check["ok"]]
        if failed:
            raise AccountingError(f"report checks failed: {', '.join(failed)}")
    return code


def _refuse_remote_overlap(source: str, dest: str) -> None:
    """A remote DEST must not be SOURCE, lie inside it (its outputs would be listed as input), or
    hold SOURCE in one of its output folders."""
    from cleaner.run.layout import OUTPUT_FOLDERS

    src, out = source.rstrip("/"), dest.rstrip("/")
    if src == out or out.startswith(src + "/"):
        raise UsageError(f"DEST {dest} lies inside SOURCE {source}; choose a DEST outside SOURCE")
    for folder in ("_state", *OUTPUT_FOLDERS):
        if src.startswith(f"{out}/{folder}/") or src == f"{out}/{folder}":
            raise UsageError(f"SOURCE {source} lies inside DEST's output folder {out}/{folder}; choose another DEST")


def stop_command(args: argparse.Namespace) -> int:
    from cleaner.run.records import default_runs_dir, registered_dests, stop_run

    runs_dir = args.runs_dir or default_runs_dir()
    dests = [args.dest] if args.dest else registered_dests(runs_dir)
    if not dests:
        print(f"no runs recorded in {runs_dir}")
    for dest in dests:
        print(stop_run(dest, runs_dir, args.timeout), flush=True)
    return 0


def status_command(args: argparse.Namespace) -> int:
    from cleaner.run.status import describe

    print(describe(args.dest))
    return 0
