"""Errors the CLI turns into one clear line and an exit code."""


class UsageError(Exception):
    """Bad flags, a missing SOURCE, a DEST in a state we refuse to touch: exit 2, nothing started."""


class RecipeError(UsageError):
    """A recipe that does not validate; the message names the file and the key."""


class AccountingError(RuntimeError):
    """read != kept + rejected + malformed: the run must fail loudly, never silently lose lines."""


class OutputError(RuntimeError):
    """A write failed (disk full, permission denied); the message names the file."""
