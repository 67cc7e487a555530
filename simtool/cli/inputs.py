"""The extra inputs of ``phrases``/``overlap``/``check``/``report``: the user's formula files
(``--formula-file``) and reference documents (``--reference``), read into what the library takes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from simtool.core.errors import UserError
from simtool.core.types import Notice

if TYPE_CHECKING:
    from simtool.analyses.overlap import OverlapPair


def user_formulas(paths: Sequence[str]) -> list[str]:
    """The formulas of every ``--formula-file`` (one per line), each once, in order."""
    from simtool.analyses.formulaic import read_formula_file

    return list(dict.fromkeys(p for path in paths for p in read_formula_file(path)))


def load_references(paths: Sequence[str]) -> list[Notice]:
    """The reference documents of ``--reference`` (read whether or not they look like notices)."""
    if not paths:
        return []
    from simtool.store.corpus import load

    loaded = load(list(paths), force=True)
    if loaded.skips:
        s = loaded.skips[0]
        raise UserError(f"无法读取参考文件 {s.path}：{s.reason}")
    if not loaded.notices:
        raise UserError(f"参考文件 {'、'.join(paths)} 中没有可读的文字，请检查路径和文件格式")
    return loaded.notices


def with_stored(given: Sequence[Notice], stored: Sequence[Notice]) -> list[Notice]:
    """The references of ``--reference`` and those stored with ``ingest --reference``, each text once."""
    from simtool.store.corpus import text_key

    seen: set[str] = set()
    out = []
    for ref in [*given, *stored]:
        key = text_key([ref])
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def references_for(paths: Sequence[str], db: str, files: Sequence[str]) -> list[Notice]:
    """The 引用 of a command that reads ``paths`` or, without them, the store ``db``: the documents
    of ``--reference`` and, on the store, its reference documents (``ingest --reference``)."""
    given = load_references(files)
    if paths or not Path(db).exists():
        return given
    from simtool.store.sqlite import Store

    with Store(db, create=False) as store:
        return with_stored(given, store.references())


def overlap_with(
    notices: Sequence[Notice], *, min_sim: float, user: Sequence[str], references: Sequence[Notice]
) -> list[OverlapPair]:
    """``overlap`` records with the user's formulas counted as 套话 and 引用 of ``references``."""
    from simtool.analyses.overlap import overlap_records
    from simtool.analyses.phrases import corpus_formulaic
    from simtool.analyses.quoted import quoted_spans

    formulaic = corpus_formulaic(notices, user) if user else None
    quoted = quoted_spans(notices, references, min_sim=min_sim) if references else None
    return overlap_records(notices, min_sim=min_sim, formulaic=formulaic, quoted=quoted)
