"""Render DEST/report.html in headless Chromium and save a PNG, to check the report in a real browser.

    python bench/report_screenshot.py DEST [--png FILE] [--height 3000] [--rebuild]

Uses Debian's `chromium`; when it is missing, installs it with apt-get (as root), and a CJK font
(`fonts-wqy-zenhei`) when fontconfig knows none, or Chinese shows as empty boxes. Chromium runs
with every background service off (no sync, component updates, QUIC or first-run requests) and
a fresh profile in a temporary folder that is removed afterwards, so the screenshot shows the
file exactly as a reader opening it offline sees it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def apt_install(package: str) -> None:
    print(f"installing {package} with apt-get", flush=True)
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", package], check=True)


def chromium() -> str:
    """The chromium binary, installed from the Debian archive when it is not there yet."""
    found = shutil.which("chromium")
    if found:
        return found
    apt_install("chromium")
    found = shutil.which("chromium")
    if not found:
        raise SystemExit("apt-get installed chromium, but no `chromium` binary is on PATH")
    return found


def cjk_font() -> None:
    """Chinese text renders as empty boxes without a CJK font; install a small one when none is found."""
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout.strip():
        return
    apt_install("fonts-wqy-zenhei")


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 3000) -> None:
    binary = chromium()
    cjk_font()
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            html.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, timeout=120, capture_output=True)
    if not png.exists():
        raise SystemExit(f"chromium exited without writing {png}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--png", type=Path, help="output PNG (default: DEST/report.png)")
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--rebuild", action="store_true", help="run `cleaner report DEST` first")
    args = parser.parse_args()
    if args.rebuild:
        from cleaner.report.build import build_report

        build_report(args.dest)
    html = args.dest / "report.html"
    if not html.exists():
        raise SystemExit(f"{html} does not exist; run `cleaner report {args.dest}` first")
    png = args.png or args.dest / "report.png"
    screenshot(html, png, height=args.height)
    print(f"screenshot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
