"""A generated corpus for 套话 versus copying: 24 notices built from seed text, six of which copy the
same five substantive measures from one circulated template (照搬照抄).

Every notice has the genre's opening and closing formulas (with its own unit, dates and inspection
group), its own problems and measures (seed problems and measures, each used by one notice only),
and a signature.  The six notices ``TEMPLATE_GROUP`` also carry the template's five measures under
their first problem.  The template is shared by 6 of 24 notices (25 %, more than the old K of
20 %), all as measures.
"""

from __future__ import annotations

from collections.abc import Sequence

from simtool.core.types import Notice
from simtool.read.parse import notices_from_text
from simtool.text.normalize import normalize

COUNT = 24
TEMPLATE_GROUP = (2, 6, 10, 14, 18, 22)
_CN = "一二三四五六七八九十"
_UNITS = ("财政局", "教育局", "卫健委", "民政局", "司法局", "水务局", "农业农村局", "商务局", "审计局", "统计局",
          "科技局", "文旅局", "交通局", "住建局", "林业局", "医保局", "人社局", "应急局", "市场监管局", "信访局",
          "档案馆", "气象局", "总工会", "团委")  # fmt: skip


_OPENINGS = (
    "根据县委统一部署，2022年{m}月{d}日至{m2}月{d}日，{group}对{unit}党组进行了巡察。{m3}月{d}日，巡察组向{unit}"
    "党组反馈了巡察意见。按照党务公开原则和巡察工作有关要求，现将巡察整改进展情况予以公布。",
    "按照县委巡察工作安排，{group}于2022年{m}月至{m2}月对{unit}党组开展了常规巡察，并于{m3}月{d}日反馈了巡察意见。"
    "现将巡察整改进展情况予以公布。",
    "2022年{m}月{d}日至{m2}月{d}日，{group}对{unit}进行了巡察，{m3}月{d}日向{unit}党组反馈了巡察意见。根据巡察工作"
    "有关要求，现将整改进展情况通报如下。",
)


def _pool(seeds: Sequence[Notice], kind: str, lo: int, hi: int) -> list[str]:
    """Seed segments of ``kind`` with ``lo``–``hi`` characters, each normalized text once, in seed order."""
    seen: set[str] = set()
    out = []
    for n in seeds:
        for s in n.segments:
            key = normalize(s.text)[6:40]
            if s.kind == kind and lo <= len(s.text) <= hi and key not in seen and "\n" not in s.text:
                seen.add(key)
                out.append(s.text.strip())
    return out


def _measure(k: int, text: str) -> str:
    body = text.lstrip("0123456789.．、（）()一二三四五六七八九十是第，, ")
    return f"{_CN[k % 10]}是{body}"


def circulated_template(seeds: Sequence[Notice]) -> tuple[list[Notice], list[str]]:
    """The 24 notices and the template's five measures (as written)."""
    measures = _pool(seeds, "measure", 45, 150)
    problems = _pool(seeds, "problem", 12, 60)
    template = [m for m in measures if len(m) >= 130][:5]
    own = [m for m in measures if m not in template]
    notices: list[Notice] = []
    for i in range(COUNT):
        unit = f"XX县{_UNITS[i]}"
        month, day = 3 + i % 6, 1 + (i * 7) % 27
        group = f"县委第{_CN[i % 5]}巡察组"
        lines = [
            f"中共{unit}党组关于巡察整改进展情况的通报",
            _OPENINGS[i % 3].format(unit=unit, group=group, m=month, d=day, m2=month + 2, m3=month + 3),
            "一、巡察反馈问题整改落实情况",
        ]
        mine = iter(own[i * 12 : (i + 1) * 12])
        for p in range(4):
            lines.append(f"（{_CN[p]}）{problems[i * 4 + p].lstrip('（）()一二三四五六七八九十0123456789.、 ')}")
            steps = [next(mine) for _ in range(3)]
            if p == 0 and i in TEMPLATE_GROUP:
                steps = template + steps[:1]
            lines.append("整改情况：" + "".join(_measure(k, s) for k, s in enumerate(steps)))
        lines += [
            "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。",
            f"中共{unit}党组",
            f"2023年{month + 5}月{day}日",
        ]
        notices.extend(notices_from_text("\n".join(lines) + "\n", f"gen/{i:02d}_{_UNITS[i]}.txt")[0])
    return notices, template
