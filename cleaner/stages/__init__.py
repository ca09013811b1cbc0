"""All stages; importing this package registers every stage under its recipe name."""

from cleaner.stages import (  # noqa: F401  (imported to register their stages)
    blacklist,
    boilerplate,
    convert,
    langid,
    length,
    normalise,
    pii,
    prefix,
    punctuation,
    quality,
    removal,
    repetition,
)
from cleaner.stages.registry import STAGES

__all__ = ["STAGES"]
