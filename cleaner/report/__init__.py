"""The run report: report.json, report.html, review samples and the meta-info file, from DEST alone.

Entry point: `cleaner.report.build.build_report`. Nothing is imported here, so that `cleaner`
subcommands which only register `cleaner report` do not load pyarrow and numpy at startup.
"""
