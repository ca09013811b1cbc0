"""Errors the CLI turns into one clear line and an exit code."""


class UsageError(Exception):
    """Bad flags, a missing SOURCE, a DEST in a state we refuse to touch: exit 2, nothing started."""


class RecipeError(UsageError):
    """A recipe that does not validate; the message names the file and the key."""


class AccountingError(RuntimeError):
    """read != kept + rejected + malformed: the run must fail loudly, never silently lose lines."""


class OutputError(RuntimeError):
    """A write failed (disk full, permission denied); the message names the file."""


class WorkerError(RuntimeError):
    """A worker could not start (a model file that does not load, a stage unknown in the worker),
    or its input changed under it: the run ends at once with this one line, exit 1."""
