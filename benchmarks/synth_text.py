"""New text and the edits of copying, for the notice generator (``synth.py``).

* :class:`Markov` — word-level (jieba) Markov chains over seed sentences that draw new sentences;
* :class:`Identity` — who issues a generated notice and how it is written (masked or clear, width);
* :class:`Editor` — the edits real copying shows, each recorded by kind.
"""

from __future__ import annotations

import collections
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

# ------------------------------------------------------------------------------------------------ new text
FRESH_RUN = 13  # --fresh: new text holds no run this long of a seed (CNKI's copy mark)
FRESH_TRIES = 12  # a walk that needs this many other successors for one word is given up and drawn again


def seed_grams(texts: Sequence[str], n: int = FRESH_RUN) -> frozenset[str]:
    """Every character ``n``-gram of ``texts`` (whitespace left out: a run may cross a line break).

    >>> sorted(seed_grams(["加强 理论"], 3))
    ['加强理', '强理论']
    """
    return frozenset(t[k : k + n] for raw in texts for t in ["".join(raw.split())] for k in range(len(t) - n + 1))


class Markov:
    """Word-level order-2 Markov chain over training sentences; draws new sentences.

    A drawn sentence is rejected when more than ``max_copied`` of its characters come as one run from one
    training sentence (so new text is new) or when it was drawn before.  ``forbidden``: character
    ``FRESH_RUN``-grams the drawn text must not hold (``seed_grams``, ``--fresh``): the walk takes another
    successor of its context when a word would complete one, so new text shares no run of CNKI's 13
    characters with the seeds.
    """

    def __init__(
        self, texts: Sequence[str], max_copied: float = 0.55, order: int = 2, forbidden: frozenset[str] = frozenset()
    ) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.words: list[str] = ["^", "$"]
        index: dict[str, int] = {"^": 0, "$": 1}
        table: dict[tuple[int, ...], list[tuple[int, int, int]]] = collections.defaultdict(list)
        for sid, text in enumerate(texts):
            ids = [index.setdefault(w, len(index)) for w in jieba.lcut(text)]
            seq = [0] * order + ids + [1]
            for p in range(order, len(seq)):
                table[tuple(seq[p - order : p])].append((seq[p], sid, p))
        self.order = order
        self.words = list(index)
        self.lens = [len(w) for w in self.words]
        self.table = {k: tuple(v) for k, v in table.items()}
        self.max_copied = max_copied
        self.forbidden = forbidden

    def _completes_forbidden(self, text: str, word: str) -> bool:
        """Whether ``text + word`` ends in a forbidden gram that ``text`` did not hold."""
        tail = text[-(FRESH_RUN - 1) :] + word
        return any(tail[k : k + FRESH_RUN] in self.forbidden for k in range(len(tail) - FRESH_RUN + 1))

    def draw(self, rng: random.Random, seen: set[str], min_chars: int = 12, max_chars: int = 150) -> str:
        for attempt in range(2000):
            strict = attempt < 200  # then accept text mostly from one seed sentence, as long as it is new
            ctx = (0,) * self.order
            out: list[int] = []
            chars = run = longest = 0
            last_sid = last_pos = -1
            drawn = ""
            while True:
                nxt = self.table[ctx]
                w, sid, pos = nxt[int(rng.random() * len(nxt))]
                if self.forbidden:
                    tries = 0
                    while w != 1 and self._completes_forbidden(drawn, self.words[w]) and tries < FRESH_TRIES:
                        w, sid, pos = nxt[int(rng.random() * len(nxt))]
                        tries += 1
                    if w != 1 and tries == FRESH_TRIES:
                        chars = -1  # (even when the last try found one: the rule the measured corpora were made by)
                        break
                    drawn += self.words[w] if w != 1 else ""
                if w == 1:
                    break
                n = self.lens[w]
                run = run + n if (sid == last_sid and pos == last_pos + 1) else n
                longest = max(longest, run)
                last_sid, last_pos = sid, pos
                out.append(w)
                chars += n
                ctx = (*ctx[1:], w)
                if chars > max_chars:
                    break
            if chars < 0:
                continue
            text = "".join(self.words[w] for w in out)
            if chars > max_chars:  # too long: keep the sentences that fit
                cut = max(text.rfind(p, 0, max_chars) for p in "。；")
                text, chars = text[: cut + 1], cut + 1
            if chars < min_chars or (strict and longest > self.max_copied * chars):
                continue
            if text[-1] not in "。；！？":
                text = text.rstrip("，、；：,;:") + "。"
            if text in seen:
                continue
            seen.add(text)
            return text
        raise RuntimeError("Markov chain drew no acceptable sentence in 2000 tries")


# ------------------------------------------------------------------------------------------------ edits
_CN_DIGITS = "一二三四五六七八九十"
_PLACE_HEAD = "青白云金石龙凤安平长永宁华新东西南北兴和丰德清泉林山江河阳明秀溪桥湖"
_PLACE_TAIL = "禾川原峰岭城谷湾州溪水源泽坪田台岗林坝亭塘"
_BUREAUS = (
    "财政局",
    "教育局",
    "统计局",
    "科技局",
    "民政局",
    "农业农村局",
    "交通运输局",
    "卫生健康委",
    "市场监管局",
    "自然资源局",
    "住建局",
    "审计局",
    "文旅局",
    "医保局",
    "人社局",
    "商务局",
    "水利局",
    "林业局",
    "应急管理局",
    "司法局",
    "生态环境局",
    "发改委",
    "工信局",
    "退役军人事务局",
)
_INSERTS = (
    "进一步",
    "切实",
    "认真",
    "全面",
    "持续",
    "扎实",
    "严格",
    "及时",
    "深入",
    "着力",
    "不断",
    "坚决",
    "积极",
    "按要求",
    "从严",
    "逐项",
    "定期",
    "结合实际",
)
_DATE = re.compile(r"(\d{4}|X{1,4})年(\d{1,2}|X{1,2})月(?:(\d{1,2}|X{1,2})日)?|(\d{1,2}|X{1,2})月(\d{1,2}|X{1,2})日")
_INSPECTOR = re.compile(
    r"(?:十[三四五]届)?([省市区县州])委(?:第[一二三四五六七八九十]+轮第[一二三四五六七八九十]+批)?"
    r"(?:巡察|巡视)?第?([一二三四五六七八九十]+)(?:巡察|巡视)(?:[一二三四五六七八九十])?组"
)
_PLACE = re.compile(r"XX(?:市XX)?(?:区|县|街道|镇|乡|村|社区|州)|X县")
_NUMBER = re.compile(r"(?<![0-9.])[1-9][0-9]{0,3}(?![0-9.])")
_CLAUSES = re.compile(r"[^，；。]+[，；]")
_PUNCT_HALF = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?"})
_DIGITS_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_MASK = re.compile(r"(?<![A-Za-z])D+(?![A-Za-z])")
_STRUCTURE_START = re.compile(r"[一二三四五六七八九十]{1,2}是|[（(]|[0-9０-９]|关于|整改|问题|针对")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who issues a notice and how it is written."""

    place: str  # 青禾县
    unit: str  # 青禾县统计局D组 (masked) / 青禾县统计局党组 (clear)
    formal: str  # signature line
    level: str  # 县 / 区 / 市 …
    inspector: str  # 县委第三巡察组
    masked: bool
    half_width: bool
    year: int


def mask(text: str, masked: bool) -> str:
    """The compilation's masking (D, AAA, 扫H除E) applied or undone."""
    if masked:
        return text.replace("党", "D").replace("微信", "AAA").replace("扫黑除恶", "扫H除E").replace("黑恶", "H恶")
    text = _MASK.sub(lambda m: "党" * len(m.group()), text)
    return text.replace("AAA", "微信").replace("扫H除E", "扫黑除恶").replace("H恶", "黑恶")


def new_identity(rng: random.Random) -> Identity:
    head = rng.choice(_PLACE_HEAD) + rng.choice(_PLACE_TAIL)
    masked = rng.random() < 0.5
    kind = rng.random()
    if kind < 0.55:
        level = rng.choice("县区")
        place = head + level
        bureau = rng.choice(_BUREAUS)
        unit = f"{place}{bureau}党组"
        formal = f"中共{place}{bureau}党组"
    elif kind < 0.75:
        level = "县"
        place = head + rng.choice(("县", "区")) + rng.choice(_PLACE_HEAD) + rng.choice(("镇", "乡", "街道"))
        suffix = "党工委" if place.endswith("街道") else "党委"
        unit = place + suffix
        formal = f"中共{place}{'工作' if suffix == '党工委' else ''}委员会"
    elif kind < 0.9:
        level = rng.choice("市区")
        place = head + level
        org = rng.choice(("国资委党委", "机关事务管理局党组", "总工会党组", "妇联党组", "社科联党组", "供销社党委"))
        unit = place + org
        formal = "中共" + unit
    else:
        level = "市"
        place = head + rng.choice(("县", "区"))
        unit = place + "委"
        formal = f"中共{place}委员会"
    inspector = f"{level}委第{rng.choice(_CN_DIGITS[:8])}{'巡视' if unit.endswith('县委') else '巡察'}组"
    return Identity(
        place=place,
        unit=mask(unit, masked),
        formal=mask(formal, masked),
        level=level,
        inspector=inspector,
        masked=masked,
        half_width=rng.random() < 0.04,
        year=rng.choice((2021, 2022, 2023, 2024)),
    )


def _cn(n: int) -> str:
    return _CN_DIGITS[n - 1] if n <= 10 else "十" + _CN_DIGITS[n - 11] if n < 20 else str(n)


def _new_date(rng: random.Random, year: int, m: re.Match[str]) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if m.group(1) is not None:
        y = year - (1 if m.group(1) and m.group(1).isdigit() and rng.random() < 0.5 else 0)
        return f"{y}年{month}月" + (f"{day}日" if m.group(3) is not None else "")
    return f"{month}月{day}日"


class Editor:
    """Applies the edits of a copy and records their kinds."""

    def __init__(self, rng: random.Random, ident: Identity) -> None:
        self.rng = rng
        self.ident = ident

    def content(self, text: str, kinds: list[str], strength: int) -> str:
        rng = self.rng
        if _PLACE.search(text) and (not self.ident.masked or rng.random() < 0.3):
            text = _PLACE.sub(lambda m: self.ident.place, text)
            kinds.append("unit_name")
        if _DATE.search(text) and rng.random() < 0.8:
            text = _DATE.sub(lambda m: _new_date(rng, self.ident.year, m), text)
            kinds.append("date")
        options = ["insert_words", "drop_words", "reorder_clauses", "numbers"]
        for op in rng.sample(options, k=min(strength, len(options))):
            new = getattr(self, "_" + op)(text)
            if new != text:
                text = new
                kinds.append(op)
        return text

    def _insert_words(self, text: str) -> str:
        cuts = [m.end() for m in _CLAUSES.finditer(text)] or [0]
        at = self.rng.choice(cuts)
        return text[:at] + self.rng.choice(_INSERTS) + text[at:]

    def _drop_words(self, text: str) -> str:
        if len(text) < 16:
            return text
        n = self.rng.randint(2, min(6, len(text) // 8))
        at = self.rng.randint(0, len(text) - n - 1)
        return text[:at] + text[at + n :]

    def _reorder_clauses(self, text: str) -> str:
        parts = re.findall(r"[^，；]+[，；]?", text.rstrip("。"))
        if len(parts) < 3:
            return text
        k = self.rng.randint(0, len(parts) - 3)
        a, b = parts[k].rstrip("，；"), parts[k + 1].rstrip("，；")
        parts[k], parts[k + 1] = b + parts[k][len(a) :], a + parts[k + 1][len(b) :]
        return "".join(parts) + ("。" if text.endswith("。") else "")

    def _numbers(self, text: str) -> str:
        return _NUMBER.sub(lambda m: str(max(1, int(m.group()) + self.rng.randint(-9, 9))), text, count=2)

    def style(self, text: str, source_masked: bool, kinds: list[str]) -> str:
        """Target notice's masking and width; a hard line break now and then."""
        rng = self.rng
        if source_masked != self.ident.masked:
            new = mask(text, self.ident.masked)
            if new != text:
                if ("D" in text) != ("D" in new) or ("党" in text) != ("党" in new):
                    kinds.append("mask_party")
                if ("AAA" in text) != ("AAA" in new):
                    kinds.append("wechat")
                text = new
        else:
            text = mask(text, self.ident.masked)
        if self.ident.half_width or rng.random() < 0.06:
            new = text.translate(_PUNCT_HALF)
            if rng.random() < 0.5:
                new = new.translate(_DIGITS_FULL)
            if new != text:
                text = new
                kinds.append("width")
        if len(text) > 30 and rng.random() < 0.08:
            text = self.line_break(text)
            kinds.append("line_break")
        return text

    def line_break(self, text: str) -> str:
        """A hard line break inside a sentence, as left by a PDF copy (after a comma mostly)."""
        commas = [i + 1 for i, c in enumerate(text[:-8]) if c in "，," and i > 8]
        if commas and self.rng.random() < 0.7:
            at = self.rng.choice(commas)
        else:
            at = self.rng.randint(10, len(text) - 8)
        while at < len(text) - 4 and _STRUCTURE_START.match(text, at):
            at += 1
        return text[:at] + "\n" + text[at:]
