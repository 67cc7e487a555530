"""Typed records passed between the pipeline stages.

Every stage is a function from some of these records to others; only the store and the
index keep state.  Offsets (``start``/``end``) are always into the owning notice's own
text, so ``notice.text[seg.start:seg.end] == seg.text`` holds for every segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SegmentKind = Literal["title", "heading", "problem", "measure", "framing", "closing", "signature"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = (
    "title",
    "heading",
    "problem",
    "measure",
    "framing",
    "closing",
    "signature",
)
FileFormat = Literal["txt", "md", "docx", "html", "pdf"]
View = Literal["literal", "template"]
Scope = Literal["cross", "within", "all"]


@dataclass(frozen=True, slots=True)
class Document:
    """One input file read as text.

    ``path`` is the path as the user gave it (relative stays relative); ``sha256`` is the
    hash of the raw bytes and keys the document in the store.
    """

    path: str
    format: FileFormat
    encoding: str | None
    text: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that could not be read; ``reason`` is one Chinese line for the user."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of a notice with a structural role.

    ``heading`` is the path of headings above the segment (outermost first).  ``problem``
    is the 1-based number of the problem (within the notice) that the segment belongs to,
    for problem and measure segments; ``None`` elsewhere.  ``label`` is the number a problem
    segment carries as printed, with the printed numbers of the item headings above it
    (``（二）12.``, ``(一)1.一是``; the ``一、`` section is left out), ``None`` for other segments
    and for a problem printed without a number (see :func:`simtool.read.parse.problem_label`).
    """

    kind: SegmentKind
    start: int
    end: int
    text: str
    heading: tuple[str, ...] = ()
    problem: int | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """One rectification notice with its metadata and segments.

    ``id`` is the file path as given, plus ``#k`` (1-based) when the file holds more than
    one notice.  Dates are ISO ``YYYY-MM-DD`` strings or ``None`` when not stated.
    ``declared`` holds counts the notice states itself, e.g. ``{"problems": 12,
    "measures": 68, "aspects": 3}``.
    """

    id: str
    path: str
    index: int
    title: str
    text: str
    segments: tuple[Segment, ...]
    unit: str | None = None
    inspector: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    feedback_date: str | None = None
    date: str | None = None
    declared: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        return sum(1 for s in self.segments if s.kind == "problem")

    @property
    def measures(self) -> int:
        return sum(1 for s in self.segments if s.kind == "measure")

    @property
    def chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A document's text after distributor noise was removed.

    ``removed`` lists the removed lines (stripped) in order, for the ingest report.
    """

    text: str
    removed: tuple[str, ...]
