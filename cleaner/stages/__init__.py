"""All stages; importing this package registers every stage under its recipe name."""

from cleaner.stages import length, normalise  # noqa: F401  (imported to register their stages)
from cleaner.stages.registry import STAGES

__all__ = ["STAGES"]
