"""Template reuse inside one notice (千篇一律) on the real seeds.

Notice #1 of the compilation, problems 21–24 (source lines 79–86)::

    21.财务制度执行不严
    整改情况：一是按照财务制度相关要求，对相关结算清单进行补充完善。二是根据上级相关规定和街道实际情况，
    组织财务人员进行集体学习，完善街居财务管理制度。
    22.个别项目预算清单等相关凭证不齐全
    整改情况：一是补齐相关项目预算清单和验收清单等财务凭证资料。二是组织财务人员进行集体学习。三是根据
    上级相关规定和街道实际情况，完善了街居财务管理制度。
    23.个别系统平台相关费用明细单不齐全
    整改情况：一是补齐相关财务凭证资料。二是组织财务人员进行集体学习。三是根据上级相关规定和街道实际
    情况，完善了街居财务管理制度。
    24.固定资产管理制度规范化程度不够
    整改情况：一是将相关设备硬件纳入街道固定资产管理，补齐了对应设备的固定资产信息卡。二是根据上级相关
    规定和街道实际情况，完善了街居财务管理制度，并组织财务人员进行集体学习。
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simtool
from simtool.analyses.reuse import ReuseFinding, _links, content_start, reuse_records
from simtool.cli.app import app
from simtool.report.output import record_dict

NOTICE_1 = "corpora/seeds/000_80f6373e3b7370b3.txt#1"
FIELDS = {"notice", "title", "unit", "measure", "count", "problems", "score", "occurrences", "problem_labels"}


@pytest.fixture(scope="module")
def found(seeds: simtool.Loaded) -> list[ReuseFinding]:
    return reuse_records(seeds.notices)


def of(found: list[ReuseFinding], notice: str, measure: str) -> ReuseFinding:
    recs = [r for r in found if r.notice == notice and r.measure.startswith(measure)]
    assert len(recs) == 1, [r.measure for r in found if r.notice == notice]
    return recs[0]


def test_collective_study_serves_problems_21_to_24(found: list[ReuseFinding]) -> None:
    rec = of(found, NOTICE_1, "组织财务人员进行集体学习")
    assert rec.measure == "组织财务人员进行集体学习。"
    assert rec.problems == (21, 22, 23, 24) and rec.count == 4
    occ = {o.problem: o for o in rec.occurrences}
    assert occ[22].text == occ[23].text == "组织财务人员进行集体学习。"
    assert {occ[22].match, occ[23].match} == {"representative", "identical"}
    assert occ[24].match == occ[21].match == "contained"  # inside a longer measure
    assert occ[24].text.endswith("并组织财务人员进行集体学习。")
    assert occ[22].problem_text == "22.个别项目预算清单等相关凭证不齐全"
    assert occ[24].problem_text == "24.固定资产管理制度规范化程度不够"
    assert rec.score == 1.0


def test_financial_rules_serve_problems_21_to_24(found: list[ReuseFinding]) -> None:
    rec = of(found, NOTICE_1, "根据上级相关规定和街道实际情况，完善了街居财务管理制度")
    assert rec.problems == (21, 22, 23, 24)
    assert rec.score >= 0.8
    occ = {o.problem: o for o in rec.occurrences}
    assert occ[21].text == "根据上级相关规定和街道实际情况，组织财务人员进行集体学习，完善街居财务管理制度。"


def test_vouchers_serve_problems_22_and_23_only(found: list[ReuseFinding]) -> None:
    """补齐相关财务凭证资料 (23) is 22's measure with the details dropped; 24 补齐 a different thing."""
    rec = of(found, NOTICE_1, "补齐相关财务凭证资料")
    assert rec.problems == (22, 23)
    occ = {o.problem: o for o in rec.occurrences}
    assert occ[22].text == "补齐相关项目预算清单和验收清单等财务凭证资料。" and occ[22].match == "contained"


def test_contract_spans_and_ranking(seeds: simtool.Loaded, found: list[ReuseFinding]) -> None:
    by_id = {n.id: n for n in seeds.notices}
    order = {n.id: k for k, n in enumerate(seeds.notices)}
    assert len(found) >= 10
    for r in found:
        assert set(record_dict(r)) == FIELDS
        n = by_id[r.notice]
        assert r.title == n.title and r.unit == n.unit
        assert len(r.problems) >= 2 and list(r.problems) == sorted({o.problem for o in r.occurrences})
        assert r.count == len(r.occurrences) and r.score >= 0.8
        assert len(simtool.normalize(r.measure)) >= 8
        problems = {s.problem: s.text for s in reversed(n.segments) if s.kind == "problem"}
        for o in r.occurrences:
            assert n.text[o.start : o.end] == o.text
            assert o.problem_text == problems[o.problem]
    keys = [(-len(r.problems), order[r.notice], r.occurrences[0].start) for r in found]
    assert keys == sorted(keys)
    assert keys[0][0] == -4  # notice #1's financial measures lead


def test_lower_min_sim_finds_more(seeds: simtool.Loaded, found: list[ReuseFinding]) -> None:
    loose = reuse_records(seeds.notices, min_sim=0.6)
    assert len(loose) > len(found)
    assert all(r.score >= 0.6 for r in loose)  # complete linkage: no chained core


def test_short_measures_are_ignored(tmp_path: Path) -> None:
    """一是召开专题会议 under every problem is too short (7 normalized chars) to count as reuse."""
    body = "\n".join(
        f"{k}.{p}\n整改情况：一是召开专题会议。二是{m}。"
        for k, (p, m) in enumerate(
            [
                ("理论学习不深入", "组织全体干部进行集体学习"),
                ("会议记录不规范", "指定专人做好会议记录工作"),
                ("制度执行不严格", "修订完善内部管理制度"),
            ],
            1,
        )
    )
    text = (
        f"XX局D组关于巡察整改进展情况的通报\n\n根据区委统一部署，区委第一巡察组对XX局D组进行了巡察。"
        f"现将巡察整改进展情况予以公布。\n\n一、关于D的建设方面\n{body}\n\n"
        "欢迎广大干部群众对巡察整改落实情况进行监督。\n\nXX局D组\n2023年8月1日\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    notices = simtool.load([str(path)]).notices
    assert reuse_records(notices) == []
    short = reuse_records(notices, min_chars=4)
    assert [(r.measure, r.problems) for r in short] == [("召开专题会议。", (1, 2, 3))]


def test_links_containment_must_be_tight() -> None:
    assert _links(["补齐相关财务凭证资料", "补齐相关项目预算清单和验收清单等财务凭证资料"], 0.8) == [(0, 1, 1.0, True)]
    spread = "补齐了对应设备的固定资产信息卡并将相关设备硬件纳入街道固定资产管理财务人员的凭证学习资料"
    assert _links(["补齐相关财务凭证资料", spread], 0.8) == []


def test_content_start() -> None:
    assert content_start("二是组织财务人员进行集体学习。") == 2
    assert content_start("（三）加强督查") == 3
    assert content_start("1.加强督查") == 2
    assert content_start("是否") == 0


def test_deterministic_and_cli(seeds: simtool.Loaded, found: list[ReuseFinding]) -> None:
    assert reuse_records(seeds.notices) == found
    runs = [CliRunner().invoke(app, ["reuse", "corpora/seeds", "--format", "jsonl"]) for _ in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    assert runs[0].stdout == runs[1].stdout
    lines = [json.loads(x) for x in runs[0].stdout.splitlines()]
    assert lines == json.loads(json.dumps([record_dict(r) for r in found], ensure_ascii=False))
