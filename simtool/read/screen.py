"""Whether a document's text could be a rectification notice at all.

A file with no sign of a notice (no notice title, no 整改/巡察/巡视/通报) and little Chinese
text — ``hello world``, a one-character file, an English text — is not analysed: its reason
says why, in one Chinese line, and that ``--force`` takes it in anyway.  Any sign of a notice,
or a real amount of Chinese prose, is enough to be read (a plain Chinese text without notice
structure is still analysed as one notice).

>>> not_a_notice("XX局关于巡察整改进展情况的通报") is None, not_a_notice("会议纪要：" + "认真学习文件精神" * 3) is None
(True, True)
>>> not_a_notice("hello world")
'不像整改通报：文件里没有汉字，已跳过（如确需分析，请加 --force）'
>>> not_a_notice("改")
'不像整改通报：只有 1 个汉字，也没有通报标题或整改、巡察字样，已跳过（如确需分析，请加 --force）'
"""

from __future__ import annotations

import re

MIN_CJK = 20  # fewer Chinese characters than this, and no sign of a notice: not a notice
MIN_CJK_SHARE = 0.3  # Chinese characters among letters (CJK and Latin) below this: not a notice

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_SIGN = re.compile(r"整改|巡[察视視]|通[报報]")
_FORCE = "已跳过（如确需分析，请加 --force）"


def not_a_notice(text: str) -> str | None:
    """The Skip reason (``不像整改通报：……``) when ``text`` cannot be a notice, else ``None``."""
    if _SIGN.search(text):  # every notice title names 整改/巡察/巡视 and 通报
        return None
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return f"不像整改通报：文件里没有汉字，{_FORCE}"
    if cjk < MIN_CJK:
        return f"不像整改通报：只有 {cjk} 个汉字，也没有通报标题或整改、巡察字样，{_FORCE}"
    share = cjk / (cjk + len(_LATIN.findall(text)))
    if share < MIN_CJK_SHARE:
        return f"不像整改通报：汉字只占文字的 {share:.0%}，也没有通报标题或整改、巡察字样，{_FORCE}"
    return None
