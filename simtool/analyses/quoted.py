"""引用: text of a notice that matches a reference document (``--reference``), as CNKI's 去除引用复制比.

A reference is a document whose text a notice may legitimately quote — the inspection group's
feedback, the superior's template, the text of a 条例.  Its text is matched against the notices by
the same engine and counted by the same shared-characters function (``spans_by_other``), so a
quoted span is exactly what ``shared_text`` would call shared with that document.  References are
never sources of copying: they are matched only to find 引用, and ``shared_text`` then leaves 引用
out of the numerator of 去除引用复制比 (``copy_ratio_unquoted``), over all the notice's characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from simtool.analyses.shared import Span, spans_by_other
from simtool.core.spans import merge_spans
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, find_matches

REFERENCE_PREFIX = "引用:"  # reference ids are kept apart from notice ids (the same file may be both)


def as_references(documents: Sequence[Notice]) -> list[Notice]:
    """Reference documents with ids that cannot clash with a notice's."""
    return [d if d.id.startswith(REFERENCE_PREFIX) else replace(d, id=REFERENCE_PREFIX + d.id) for d in documents]


def quoted_spans(
    notices: Sequence[Notice], references: Sequence[Notice], *, min_sim: float = DEFAULT_MIN_SIM
) -> dict[str, list[Span]]:
    """Per notice id, the merged spans of its text that match any of ``references`` (empty without any)."""
    if not references or not notices:
        return {n.id: [] for n in notices}
    refs = as_references(references)
    ids = {r.id for r in refs}
    both = [*notices, *refs]
    shared = spans_by_other(both, find_matches(both, min_sim=min_sim, scope="cross"))
    return {
        n.id: merge_spans(s for other, spans in shared[i].items() if other in ids for s in spans)
        for i, n in enumerate(notices)
    }
