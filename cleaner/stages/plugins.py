"""User rules: Python modules that register stages, named by a recipe or installed as entry points.

A recipe's `plugins:` lists files (a path ending in `.py`, relative to the recipe) or importable
module names. The driver imports them before validating the recipe and every worker before building
its stages, so a stage registered there with `cleaner.stages.registry.register` is validated and
run like a shipped one. Installed packages can register stages through the `cleaner.stages`
entry-point group, loaded once per process. A file is loaded by path under a module name derived
from that path, so every process gives it the same name; no string is ever executed.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import re
import sys
import traceback
from pathlib import Path

from cleaner.stages.registry import STAGES

#: The entry-point group through which installed packages register stages.
ENTRY_POINT_GROUP = "cleaner.stages"

_MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_entry_points_loaded = False


class PluginError(ValueError):
    """A plugin that cannot be found or imported: one line naming it and why."""


def resolve_plugin(entry: str, recipe_dir: Path) -> str:
    """The reference every process loads: an absolute file path for `*.py`, else the module name."""
    if entry.endswith(".py") or "/" in entry or "\\" in entry:
        path = (recipe_dir / Path(entry).expanduser()).resolve()
        if not path.is_file():
            raise PluginError(f"{entry}: no such file (looked in {recipe_dir})")
        return str(path)
    if not _MODULE_NAME.match(entry):
        raise PluginError(f"{entry!r}: neither a .py file nor a module name")
    return entry


def module_name_for(path: Path) -> str:
    """A stable module name for a plugin file: the same in the driver and every worker."""
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:16]
    stem = re.sub(r"\W", "_", path.stem)
    return f"cleaner_plugin_{digest}_{stem}"


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0]}" if text else type(err).__name__


def _failure(ref: str, err: BaseException) -> PluginError:
    """The plugin's own line that failed, when there is one, and the exception in one line."""
    where = ""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == ref]
    if isinstance(err, SyntaxError) and err.filename == ref:
        where = f" (line {err.lineno})"
    elif frames:
        where = f" (line {frames[-1].lineno})"
    return PluginError(f"{ref}: cannot import{where}: {_one_line(err)}")


def _import_file(ref: str) -> None:
    name = module_name_for(Path(ref))
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, ref)
    if spec is None or spec.loader is None:
        raise PluginError(f"{ref}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def _undo_registrations(before: set[str]) -> None:
    """Forget stages a half-imported plugin registered, so a corrected retry can register them."""
    for name in set(STAGES) - before:
        del STAGES[name]


def load_plugin(ref: str) -> None:
    """Import one resolved plugin reference in this process (again: a no-op); PluginError if it fails."""
    before = set(STAGES)
    try:
        if ref.endswith(".py"):
            _import_file(ref)
        else:
            importlib.import_module(ref)
    except PluginError:
        raise
    except (Exception, SystemExit) as err:  # noqa: BLE001 (whatever a plugin raises is one line)
        if ref.endswith(".py"):
            sys.modules.pop(module_name_for(Path(ref)), None)
        _undo_registrations(before)
        raise _failure(ref, err) from None


def load_entry_points() -> None:
    """Import every installed `cleaner.stages` entry point, once per process."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except (Exception, SystemExit) as err:  # noqa: BLE001 (a broken installed plugin is one line)
            package = point.dist.name if point.dist is not None else "?"
            raise PluginError(
                f"entry point {point.name} = {point.value} (package {package}): cannot import: {_one_line(err)}"
            ) from None
    _entry_points_loaded = True


def load_plugins(refs: tuple[str, ...] | list[str]) -> None:
    """Everything a recipe's stages may need registered: installed entry points, then its plugins."""
    load_entry_points()
    for ref in refs:
        load_plugin(ref)


def plugin_digest(ref: str) -> str:
    """sha256 of the plugin's source file, so a changed plugin refuses a resume like a changed recipe."""
    if ref.endswith(".py"):
        path = Path(ref)
    else:
        spec = importlib.util.find_spec(ref)
        if spec is None or spec.origin is None or not Path(spec.origin).is_file():
            return ""
        path = Path(spec.origin)
    return hashlib.sha256(path.read_bytes()).hexdigest()
