"""The Chinese names of formula roles (where a 套话 stands), shared by the tables and the report."""

from __future__ import annotations

from typing import Any

ROLE_NAMES = {
    "opening": "开头",
    "closing": "结尾",
    "heading": "小标题",
    "framing": "通用表述",
    "measure": "措施",
    "problem": "问题",
    "提法": "提法",
    "user": "用户指定",
    "signature": "落款",
    "date": "日期",
}


def role_name(value: Any) -> str:
    """A formula's role in Chinese (``opening`` → 开头).

    >>> role_name("closing"), role_name("提法")
    ('结尾', '提法')
    """
    return ROLE_NAMES.get(str(value), str(value or ""))
