"""Make docs/report-first-screen.png: the first screen (1280×900) of the report on corpora/seeds;
with ``--sheet``, docs/check-report.png: the whole 检测报告单 of ``simtool check NOTICE --html`` for a
sample new notice (its own text, three sentences of seed notice #5 and the closing formula) against
a store of corpora/seeds.

Usage (from the repository root): ``python scripts/screenshot.py [--sheet] [--out PATH] [--report HTML]``.
Needs Chromium (``chromium``) and a CJK font (Debian: ``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1280, 900)
SHEET_WIDTH = 860
SAMPLE = [  # a new notice: its own text, three sentences of corpora/seeds/000_80f6373e3b7370b3.txt#5, a closing
    "XX街道阳光社区党委关于巡察整改进展情况的通报",
    "",
    "根据区委统一部署，2024年3月至5月，区委第二巡察组对阳光社区党委开展了常规巡察。"
    "2024年6月反馈了巡察意见。现将整改进展情况予以公布。",
    "一、整改工作开展情况",
    "社区党委召开专题会议研究部署整改工作，逐条梳理问题，建立整改台账。",
    "二、具体问题整改情况",
    "一是针对集体资产收回不及时问题，已通过司法诉讼途径解决，严格按法院判决执行。"
    "二是在县委大力支持下，将我居委“炼油厂”空地建设为农贸市场，使我居委增加了集体经济收入。"
    "三是修建大XX循环路，解决周边居民出行问题，及时化解不稳定因素。"
    "四是社区新建老年食堂一处，每日为八十岁以上独居老人送餐上门，收到居民好评。",
    "五是组织网格员逐户走访辖区商户，登记消防隐患十二处，已全部整改到位。",
    "欢迎广大干部群众对巡察整改落实情况进行监督。",
    "阳光社区党委",
    "2024年9月1日",
]


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    sys.exit("找不到 Chromium（chromium），无法截图")


def cjk_font_installed() -> bool:
    fc = shutil.which("fc-list")
    if fc is None:
        return True  # cannot tell; let Chromium try
    out = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def make_report(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    import os

    from simtool.store.corpus import load
    from simtool.report.html import build_report, write_atomic

    os.chdir(ROOT)  # notice ids are paths as given
    loaded = load(["corpora/seeds"])
    html, _ = build_report(loaded.notices, min_sim=0.8, inputs=["corpora/seeds"], skips=loaded.skips)
    page = folder / "report.html"
    write_atomic(str(page), html)
    return page


def make_sheet(folder: Path) -> Path:
    """The 检测报告单 of the sample notice against a store of corpora/seeds, as the CLI writes it."""
    simtool = [sys.executable, "-m", "simtool.cli.app"]
    (folder / "corpora").symlink_to(ROOT / "corpora")  # ids and paths on the page as a user types them
    (folder / "阳光社区整改通报.txt").write_text("\n".join(SAMPLE) + "\n", encoding="utf-8")
    for args in (["ingest", "corpora/seeds", "-q"], ["check", "阳光社区整改通报.txt", "--html", "sheet.html"]):
        proc = subprocess.run([*simtool, *args, "--db", "simtool.db"], cwd=folder, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"生成检测报告单失败：{proc.stderr.strip()}")
    return folder / "sheet.html"


def page_height(page: Path, width: int, profile: Path) -> int:
    """The height of ``page`` laid out ``width`` pixels wide (for a screenshot of the whole page)."""
    probe = page.with_name("probe-" + page.name)
    script = "<script>document.title = 'h' + document.documentElement.scrollHeight;</script>"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    cmd = [browser(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
    cmd += [f"--window-size={width},900", "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    start = dom.find("<title>h")
    if start < 0:
        sys.exit("截图失败：无法测得页面高度")
    return int(dom[start + 8 : dom.index("<", start + 8)])


def screenshot(page: Path, out: Path, profile: Path, size: tuple[int, int] = SIZE) -> None:
    cmd = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--run-all-compositor-stages-before-draw",
        "--hide-scrollbars",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={out}",
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not out.exists():
        sys.exit(f"截图失败：{proc.stderr[-500:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sheet", action="store_true", help="the 检测报告单 (docs/check-report.png) instead")
    ap.add_argument("--out", help="default: docs/report-first-screen.png, with --sheet docs/check-report.png")
    ap.add_argument("--report", help="an existing report.html (default: generate one for corpora/seeds)")
    args = ap.parse_args()
    if not cjk_font_installed():
        print("警告：没有安装中文字体（如 fonts-noto-cjk），截图中的汉字会显示为方框", file=sys.stderr)
    default = "check-report.png" if args.sheet else "report-first-screen.png"
    out = Path(args.out or ROOT / "docs" / default).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="simtool-shot-") as tmp:
        if args.sheet:
            page = make_sheet(Path(tmp))
            size = (SHEET_WIDTH, page_height(page, SHEET_WIDTH, Path(tmp) / "probe"))
        else:
            page, size = Path(args.report) if args.report else make_report(Path(tmp)), SIZE
        out.unlink(missing_ok=True)
        screenshot(page, out, Path(tmp) / "profile", size)
    print(f"截图已保存：{out}")


if __name__ == "__main__":
    main()
