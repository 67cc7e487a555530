"""The structural markers a line of a notice can start with (shared by layout and parse).

``一、`` opens a section (l1), ``（一）`` a problem group (l2), ``1.``/``1、`` an item (l3),
``（1）`` a sub-item (l4); ``关于……的问题``/``问题一：`` name a problem (about); ``一是`` starts an
enumerated measure (enum).  ``LABEL`` matches a label such as ``整改情况：`` at a line start.

>>> [line_kind(s) for s in ("一、总体情况", "（二）关于学习不深入的问题", "3.制度不健全", "一是加强学习", "根据统一部署")]
['l1', 'l2', 'l3', 'enum', 'plain']
>>> starts_structure("整改情况：已完成。"), starts_structure("①制定方案"), starts_structure("并反馈了意见。")
(True, True, False)
"""

from __future__ import annotations

import re
from typing import Literal

LineKind = Literal["l1", "l2", "l3", "l4", "about", "sub", "enum", "plain"]

L1 = re.compile(r"[一二三四五六七八九十]{1,3}\s*[、.．]")
L2 = re.compile(r"[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]")
L4 = re.compile(r"[（(]\s*[0-9０-９]{1,3}\s*[)）]")
L3 = re.compile(
    r"[0-9０-９]{1,3}\s*[.．、](?![0-9０-９])"
    r"|[0-9]{1,2}(?=[\u4e00-\u9fff])(?![年月日时号个项条名家人次元万亿起座所批轮栋亩台笔份期场届级类种位岁户篇本套件处辆吨米倍成])"
)
ABOUT = re.compile(
    r"(?:(?:存在的?)?问题[一二三四五六七八九十0-9]{0,3}\s*[:：](?=.)"  # 问题一：……
    r"|关于(?>“[^”]*”|[^。“”]){1,80}?问题(?:的整改情况|的整改|整改情况)?"
    r"|针对“[^”]{1,80}”(?:的)?(?:整改情况|问题))(?=[。：:，,；;\s]|$|(?<=[:：]))"
)
PROBLEM_LABEL = re.compile(r"(?:存在的?)?问题[一二三四五六七八九十0-9]{0,3}\s*[:：]")
ENUM_START = re.compile(r"[一二三四五六七八九十]{1,2}是")
LABEL = re.compile(  # 整改情况： / ……主要包括： (never an enumerated measure such as 一是制定整改措施：)
    r"(?![一二三四五六七八九十]{1,2}是|[①-⑳]|第[一二三四五六七八九十])"
    r"[^。；;\n]{0,60}?(?:整改情况|整改措施|整改举措|整改结果|整改成效|完成情况|主要包括|具体如下|情况如下|工作打算"
    r"|整改进展)\s*[:：]"
)
KINDS: tuple[tuple[re.Pattern[str], LineKind], ...] = (
    (L1, "l1"),
    (L2, "l2"),
    (L4, "l4"),
    (L3, "l3"),
    (ABOUT, "about"),
    (ENUM_START, "enum"),
)
# Other line starts that never continue a sentence: circled numbers, 第一，/第二、 ordinals,
# 附件, Markdown headings, lists, quotes and tables.
_OTHER_START = re.compile(
    r"[①-⑳⑴-⒇❶-❿]|第[一二三四五六七八九十]{1,3}[，,、：:]|附件\s*[0-9０-９]*\s*[:：]?|#{1,6}\s|[-*+]\s|>|\|"
)
_DOTTED = re.compile(r"[0-9０-９]{1,3}\s*[.．、](?![0-9０-９])")
_SHORT_LABEL = re.compile(r"[^。，,；;\s]{1,12}[：:]\s*$")  # 问题： / 整改措施： on a line of its own


def line_kind(text: str) -> LineKind:
    """The marker a line starts with (``一、`` l1, ``（一）`` l2, ``1.`` l3, ``（1）`` l4 …)."""
    for pattern, kind in KINDS:
        if pattern.match(text):
            return kind
    return "plain"


def starts_structure(line: str, *, weak: bool = True) -> bool:
    """Whether ``line`` starts a heading, an item, an enumerator or a label (never a continuation).

    Two starts are weak evidence, as a line broken at a fixed width may begin with them too:
    a number without a stop (``14宗……``, which may be the tail of ``114宗``) and a short line
    ending in a colon (``展情况通报如下：``).  ``weak=False`` does not count them.

    >>> starts_structure("14宗已开展调查"), starts_structure("14宗已开展调查", weak=False)
    (True, False)
    """
    s = line.lstrip(" \t\u3000")
    if LABEL.match(s) or _OTHER_START.match(s):
        return True
    kind = line_kind(s)
    if kind == "l3" and not _DOTTED.match(s):
        return weak
    if kind != "plain":
        return True
    return weak and _SHORT_LABEL.match(s) is not None
