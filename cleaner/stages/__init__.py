"""All stages; importing this package registers every stage under its recipe name."""

from cleaner.stages import (  # noqa: F401  (imported to register their stages)
    blacklist,
    boilerplate,
    c4,
    commerce,
    convert,
    fineweb,
    gopher,
    html,
    langid,
    length,
    mojibake,
    normalise,
    pii,
    prefix,
    promotions,
    prose,
    punctuation,
    quality,
    removal,
    repeated_lines,
    repeated_phrase,
    repetition,
    route,
    structure,
    web_junk,
    web_lines,
    zh_quality,
)
from cleaner.stages.registry import STAGES

__all__ = ["STAGES"]
