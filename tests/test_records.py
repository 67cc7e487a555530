"""The analyses' typed records on the real seeds: every record is a frozen dataclass of the module
that makes it (nested records too, no dicts or lists inside), and ``record_dict`` — the one place
that turns a record into JSON — gives exactly the line the command prints."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import FrozenInstanceError, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import runner

import simtool
from simtool.analyses.clusters import MeasureCluster, MeasureTheme, cluster_records, theme_records
from simtool.analyses.formulas import Phrase, Variant
from simtool.analyses.overlap import NoticeRatios, OverlapPair, notice_ratios, overlap_records
from simtool.analyses.phrases import phrase_records
from simtool.analyses.quoted import quoted_spans
from simtool.analyses.records import Excerpt
from simtool.analyses.reuse import ReuseFinding, ReuseOccurrence, reuse_records
from simtool.cli.app import app
from simtool.core.types import Notice
from simtool.report import output

SEEDS = "corpora/seeds"
Make = Callable[[Sequence[Notice]], Sequence[Any]]

CASES: list[tuple[list[str], Make, type, set[type]]] = [
    (["overlap"], overlap_records, OverlapPair, set()),
    (["phrases"], phrase_records, Phrase, {Variant, Excerpt}),
    (["clusters"], cluster_records, MeasureCluster, {Excerpt}),
    (["clusters", "--themes"], theme_records, MeasureTheme, set()),
    (["reuse"], reuse_records, ReuseFinding, {ReuseOccurrence}),
]


def nested_records(value: Any) -> list[Any]:
    """Every record inside ``value``'s fields, checking on the way that no list or nested dict is left."""
    out = []
    for f in fields(value):
        v = getattr(value, f.name)
        assert not isinstance(v, list), (type(value).__name__, f.name)
        if isinstance(v, dict):  # only a plain count per key (Phrase.roles)
            assert all(isinstance(x, (str, int, float)) for x in v.values()), f.name
        for item in v if isinstance(v, tuple) else (v,):
            if is_dataclass(item):
                out.append(item)
                out.extend(nested_records(item))
    return out


@pytest.mark.parametrize(("command", "make", "cls", "inner"), CASES, ids=lambda c: getattr(c, "__name__", None))
def test_records_are_frozen_dataclasses_and_print_as_the_jsonl(
    seeds: simtool.Loaded, command: list[str], make: Make, cls: type, inner: set[type]
) -> None:
    recs = make(seeds.notices)
    assert len(recs) >= 3 and all(type(r) is cls for r in recs)
    found = {type(x) for r in recs for x in nested_records(r)}
    assert found == inner
    with pytest.raises(FrozenInstanceError):
        setattr(recs[0], fields(recs[0])[0].name, None)
    result = runner.invoke(app, [*command, SEEDS, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [output.jsonl_line(r) for r in recs]


def test_the_table_reads_the_attributes(seeds: simtool.Loaded) -> None:
    recs = reuse_records(seeds.notices)
    columns: list[output.Column] = [("notice", "通报"), ("measure", "措施"), ("problems", "问题"), ("score", "分")]
    typed, plain = io.StringIO(), io.StringIO()
    output.emit(recs, "table", columns, file=typed)
    output.emit([output.record_dict(r) for r in recs], "table", columns, file=plain)
    assert typed.getvalue() == plain.getvalue() and typed.getvalue().count("\n") > len(recs)
    assert output.csv_text(recs, rows="occurrences") == output.csv_text(
        [output.record_dict(r) for r in recs], rows="occurrences"
    )


def test_optional_fields_appear_only_with_references(seeds: simtool.Loaded) -> None:
    rest, reference = seeds.notices[:-1], seeds.notices[-1]
    quoted = quoted_spans(rest, [reference])
    plain = output.record_dict(overlap_records(rest)[0])
    with_refs = output.record_dict(overlap_records(rest, quoted=quoted)[0])
    assert "ratio_a_unquoted" not in plain and "ratio_a_unquoted" in with_refs
    assert list(with_refs) == [k for k in with_refs if k in plain or k.endswith("_unquoted")]
    keys = list(with_refs)
    assert keys.index("ratio_b_substantive") + 1 == keys.index("ratio_a_unquoted")  # in the contract's place
    ratios = notice_ratios(rest, quoted=quoted)
    first = next(iter(ratios.values()))
    assert isinstance(first, NoticeRatios)
    assert set(output.record_dict(first)) >= {"copy_ratio", "copy_ratio_unquoted", "quoted_share"}
    assert "quoted_share" not in output.record_dict(next(iter(notice_ratios(rest).values())))


def test_check_and_compare_records_print_as_the_jsonl(tmp_path: Path, seeds: simtool.Loaded) -> None:
    from simtool.analyses.check import (
        CheckMatch,
        CheckPassage,
        CheckResult,
        CheckSource,
        ComparePassage,
        CompareSide,
        Comparison,
        check_notices,
        compare_notices,
    )
    from simtool.analyses.phrases import store_formulaic
    from simtool.store.sqlite import Store

    db = str(tmp_path / "s.db")
    simtool.ingest([SEEDS], db)
    with Store(db) as store:
        checked = check_notices(seeds.notices, store, formulaic=store_formulaic(store))
    assert all(type(r) is CheckResult for r in checked)
    assert {type(x) for r in checked for x in nested_records(r)} == {CheckSource, CheckPassage, CheckMatch}
    result = runner.invoke(app, ["check", SEEDS, "--db", db, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [output.jsonl_line(r) for r in checked]
    assert "quoted_spans" not in output.record_dict(checked[0])  # no reference: 去除引用 not reported

    a, b = seeds.notices[4], seeds.notices[8]
    rec = compare_notices(a, b)
    assert type(rec) is Comparison and {type(x) for x in nested_records(rec)} == {ComparePassage, CompareSide}
    result = runner.invoke(app, ["compare", a.id, b.id, SEEDS, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [output.jsonl_line(rec)]
