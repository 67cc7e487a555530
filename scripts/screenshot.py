"""Make docs/report-first-screen.png: the first screen (1280×900) of the report on corpora/seeds.

Usage (from the repository root): ``python scripts/screenshot.py [--out PATH] [--report HTML]``.
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


def screenshot(page: Path, out: Path, profile: Path) -> None:
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
        f"--window-size={SIZE[0]},{SIZE[1]}",
        f"--screenshot={out}",
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not out.exists():
        sys.exit(f"截图失败：{proc.stderr[-500:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "docs" / "report-first-screen.png"))
    ap.add_argument("--report", help="an existing report.html (default: generate one for corpora/seeds)")
    args = ap.parse_args()
    if not cjk_font_installed():
        print("警告：没有安装中文字体（如 fonts-noto-cjk），截图中的汉字会显示为方框", file=sys.stderr)
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="simtool-shot-") as tmp:
        page = Path(args.report) if args.report else make_report(Path(tmp))
        out.unlink(missing_ok=True)
        screenshot(page, out, Path(tmp) / "profile")
    print(f"截图已保存：{out}")


if __name__ == "__main__":
    main()
