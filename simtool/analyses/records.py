"""What the analyses' typed records share: a field that only some records carry, and the excerpt.

Every analysis result that leaves its module is a frozen dataclass whose field names are the
keys of its JSON object (``simtool.report.output.record_dict`` turns it into one, keeping the
field order).  A field made with ``optional()`` holds ``None`` when the record does not carry it
(e.g. the 去除引用 ratios of ``overlap`` without ``--reference``) and is then left out of the
JSON object, as the contract has it; a field that may be ``null`` in JSON is an ordinary one.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, slots=True, kw_only=True)
... class Example:
...     ratio: float
...     ratio_unquoted: float | None = optional()
>>> is_optional(fields(Example)[1]), is_optional(fields(Example)[0])
(True, False)
"""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from typing import Any

__all__ = ["OPTIONAL", "Excerpt", "fields", "is_optional", "optional"]

OPTIONAL = "simtool.optional"  # the metadata key of a field left out of JSON when it is None


def optional() -> Any:
    """A field that defaults to ``None`` and is left out of the record's JSON object when ``None``."""
    return field(default=None, metadata={OPTIONAL: True})


def is_optional(f: Field[Any]) -> bool:
    """Whether ``f`` was made with ``optional()``."""
    return bool(f.metadata.get(OPTIONAL))


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A stretch of a notice: its id and ``text == notice.text[start:end]`` (a formula's example,
    a measure family's member)."""

    notice: str
    start: int
    end: int
    text: str
