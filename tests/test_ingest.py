"""Tests for simtool.read.ingest: encodings, formats, bad inputs and folder walking."""

from __future__ import annotations

import doctest
import hashlib
import logging
import os
import random
import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from simtool.core.types import Document, Skip
from simtool.read import ingest
from simtool.read.ingest import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, iter_files, read_document, read_paths

NOTICE = "关于巡察整改进展情况的通报。\n一是加强党的建设，二是落实整改责任。\n"
NOTICE_TRAD = "關於巡察整改進展情況的通報。\n一是加強黨的建設，二是落實整改責任。\n"

BINARY = "不是文本文件（疑似二进制），已跳过"
DOCX_CORRUPT = "docx 文件损坏或不是有效的 Word 文档，请用 Word 另存后再试"
PDF_NO_TEXT = "PDF 没有文本层（可能是扫描件），请先做 OCR 再导入"
NOT_FOUND = "路径不存在，请检查路径是否写错"


def ingest_write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def ingest_read_ok(path: str) -> Document:
    result = read_document(path)
    assert isinstance(result, Document), result
    return result


def ingest_pdf(path: Path, pages: list[str], *, text: bool = True) -> str:
    """A PDF with one Chinese line per page, or (text=False) a page with only a rectangle."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for line in pages:
        if text:
            pdf.setFont("STSong-Light", 14)
            pdf.drawString(72, 700, line)
        else:
            pdf.rect(72, 500, 200, 100, fill=1)
        pdf.showPage()
    pdf.save()
    return str(path)


def ingest_encrypt(src: str, dst: Path, user: str, owner: str) -> str:
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user, owner_password=owner)
    with open(dst, "wb") as fh:
        writer.write(fh)
    return str(dst)


# ----------------------------------------------------------------------------- constants


def test_constants() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".text", ".docx", ".html", ".htm", ".pdf"}
    assert isinstance(SUPPORTED_SUFFIXES, frozenset)
    assert MAX_FILE_BYTES == 20 * 1024 * 1024


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NOTICE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + NOTICE.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + NOTICE.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + NOTICE.encode("utf-16-be"), "utf-16"),
        (NOTICE.encode("gbk"), "gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "gbk"],
)
def test_text_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = ingest_write(tmp_path / "n.txt", data)
    doc = ingest_read_ok(path)
    assert doc == Document(path, "txt", encoding, NOTICE, hashlib.sha256(data).hexdigest())


def test_big5_traditional(tmp_path: Path) -> None:
    doc = ingest_read_ok(ingest_write(tmp_path / "n.txt", NOTICE_TRAD.encode("big5")))
    assert (doc.encoding, doc.text) == ("big5", NOTICE_TRAD)


def test_gbk_long_text_with_utf8_lookalike_line(tmp_path: Path) -> None:
    # "目录" in GBK (C4 BF C2 BC) is valid UTF-8 by accident ("Ŀ¼"); it must still read as GBK.
    text = "目录\n" + NOTICE * 5
    doc = ingest_read_ok(ingest_write(tmp_path / "n.txt", text.encode("gbk")))
    assert (doc.encoding, doc.text) == ("gb18030", text)


def test_invalid_bytes_inside_utf8_become_replacement_char(tmp_path: Path) -> None:
    data = "关于巡察整改".encode() + b"\xff" + "进展情况的通报\n一是加强党的建设\n".encode()
    doc = ingest_read_ok(ingest_write(tmp_path / "n.txt", data))
    assert (doc.encoding, doc.text) == ("utf-8", "关于巡察整改\ufffd进展情况的通报\n一是加强党的建设\n")


def test_mixed_utf8_and_gbk_lines(tmp_path: Path) -> None:
    data = "第一行是UTF-8编码的整改措施\n".encode() + "第二行是GBK编码的整改措施\n".encode("gbk")
    doc = ingest_read_ok(ingest_write(tmp_path / "n.txt", data))
    assert (doc.encoding, doc.text) == ("mixed", "第一行是UTF-8编码的整改措施\n第二行是GBK编码的整改措施\n")


def test_line_endings_normalized_and_suffix_formats(tmp_path: Path) -> None:
    data = "整改通报\r\n一是\r二是\n".encode()
    for name, fmt in (("a.md", "md"), ("b.text", "txt"), ("C.TXT", "txt")):
        doc = ingest_read_ok(ingest_write(tmp_path / name, data))
        assert (doc.format, doc.text) == (fmt, "整改通报\n一是\n二是\n")


def test_seed_files() -> None:
    docs = list(read_paths(["corpora/seeds"]))
    assert [d.path for d in docs] == [
        os.path.join("corpora/seeds", "000_80f6373e3b7370b3.txt"),
        os.path.join("corpora/seeds", "002_7d8fcde3e44e2eb6.txt"),
    ]
    assert all(isinstance(d, Document) and d.encoding == "utf-8" for d in docs)
    assert "统计局D组关于巡察整改进展情况的通报" in docs[0].text  # type: ignore[union-attr]
    assert "县委关于省委巡视反馈意见整改进展情况的通报" in docs[1].text  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- docx / html / pdf


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("关于巡察整改进展情况的通报")
    table = document.add_table(rows=2, cols=3)
    for col, text in enumerate(["问题", "整改措施", "时限"]):
        table.cell(0, col).text = text
    table.cell(1, 0).text = "学习不深入"
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    merged.text = "一是加强学习"
    document.add_paragraph("欢迎广大干部群众监督。")
    path = str(tmp_path / "n.docx")
    document.save(path)
    doc = ingest_read_ok(path)
    assert (doc.format, doc.encoding) == ("docx", None)
    assert (
        doc.text == "关于巡察整改进展情况的通报\n问题\t整改措施\t时限\n学习不深入\t一是加强学习\n欢迎广大干部群众监督。"
    )


def test_html_drops_scripts_styles_and_keeps_blocks(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="gbk"><title>页面标题</title><style>p{color:red}</style></head>'
        "<body><nav>首页 | 通知</nav><script>var x = '脚本内容';</script>"
        "<h1>关于巡察整改\n进展情况的通报</h1><!-- 注释 -->"
        "<p>一是<b>加强</b>党的建设；<br>二是落实责任。</p>"
        "<table><tr><td>问题</td><td>措施</td></tr></table>"
        "<noscript>请开启脚本</noscript><footer>版权所有</footer></body></html>"
    )
    path = ingest_write(tmp_path / "n.htm", html.encode("gbk"))
    doc = ingest_read_ok(path)
    assert (doc.format, doc.encoding) == ("html", "gb18030")
    assert doc.text == "关于巡察整改 进展情况的通报\n一是加强党的建设；\n二是落实责任。\n问题\t措施"


def test_html_without_meta_detects_encoding(tmp_path: Path) -> None:
    doc = ingest_read_ok(ingest_write(tmp_path / "n.html", f"<p>{NOTICE_TRAD}</p>".encode("big5")))
    assert (doc.encoding, doc.text) == ("big5", NOTICE_TRAD.replace("\n", " ").strip())


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    path = ingest_write(tmp_path / "n.html", b"<html><script>alert(1)</script><p> </p></html>")
    assert read_document(path) == Skip(path, "网页里没有正文文字，已跳过")


def test_pdf_with_chinese_text(tmp_path: Path) -> None:
    path = ingest_pdf(tmp_path / "n.pdf", ["关于巡察整改进展情况的通报", "一是加强党的建设"])
    doc = ingest_read_ok(path)
    assert (doc.format, doc.encoding) == ("pdf", None)
    assert "关于巡察整改进展情况的通报" in doc.text
    assert "一是加强党的建设" in doc.text
    assert doc.text.index("通报") < doc.text.index("一是")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = ingest_pdf(tmp_path / "scan.pdf", ["x"], text=False)
    assert read_document(path) == Skip(path, PDF_NO_TEXT)


def test_encrypted_pdf(tmp_path: Path) -> None:
    plain = ingest_pdf(tmp_path / "plain.pdf", ["关于巡察整改进展情况的通报"])
    locked = ingest_encrypt(plain, tmp_path / "locked.pdf", user="secret", owner="owner")
    assert read_document(locked) == Skip(locked, "PDF 已加密，请先解除密码保护")


def test_pdf_with_owner_password_only_opens(tmp_path: Path) -> None:
    plain = ingest_pdf(tmp_path / "plain.pdf", ["关于巡察整改进展情况的通报"])
    opened = ingest_encrypt(plain, tmp_path / "owner.pdf", user="", owner="owner")
    assert "关于巡察整改进展情况的通报" in ingest_read_ok(opened).text


def test_recoverable_pdf_reads_without_pypdf_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = Path(ingest_pdf(tmp_path / "full.pdf", ["关于巡察整改进展情况的通报"])).read_bytes()
    broken_xref = re.sub(rb"startxref\s+\d+", b"startxref\n17", data)
    path = ingest_write(tmp_path / "bad_xref.pdf", broken_xref)
    with caplog.at_level(logging.DEBUG):
        assert "关于巡察整改进展情况的通报" in ingest_read_ok(path).text
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []


def test_truncated_pdf(tmp_path: Path) -> None:
    data = Path(ingest_pdf(tmp_path / "full.pdf", ["关于巡察整改进展情况的通报"])).read_bytes()
    path = ingest_write(tmp_path / "cut.pdf", data[: len(data) // 2])
    assert read_document(path) == Skip(path, "PDF 文件不完整（可能下载或复制时中断），请重新获取文件")


def test_garbage_pdfs(tmp_path: Path) -> None:
    broken = ingest_write(tmp_path / "broken.pdf", b"%PDF-1.4\n1 0 obj garbage\nendobj\n%%EOF\n")
    assert read_document(broken) == Skip(broken, "PDF 文件损坏或无法解析，请用 PDF 阅读器另存后再试")
    fake = ingest_write(tmp_path / "fake.pdf", NOTICE.encode())
    assert read_document(fake) == Skip(fake, "不是有效的 PDF 文件（文件头不对），请确认文件类型")


def test_truncated_and_fake_docx(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(NOTICE)
    document.save(str(tmp_path / "full.docx"))
    data = (tmp_path / "full.docx").read_bytes()
    cut = ingest_write(tmp_path / "cut.docx", data[: len(data) // 2])
    fake = ingest_write(tmp_path / "fake.docx", NOTICE.encode())
    assert read_document(cut) == Skip(cut, DOCX_CORRUPT)
    assert read_document(fake) == Skip(fake, DOCX_CORRUPT)


def test_empty_docx(tmp_path: Path) -> None:
    path = str(tmp_path / "empty.docx")
    docx.Document().save(path)
    assert read_document(path) == Skip(path, "Word 文档里没有文字内容，已跳过")


# ----------------------------------------------------------------------------- bad inputs


def test_binary_files(tmp_path: Path) -> None:
    with_nul = ingest_write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    rng = random.Random(0)
    noise = ingest_write(tmp_path / "b.txt", bytes(rng.randrange(1, 256) for _ in range(4000)))
    controls = ingest_write(tmp_path / "c.txt", bytes(range(1, 32)) * 50)
    for path in (with_nul, noise, controls):
        assert read_document(path) == Skip(path, BINARY)


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = ingest_write(tmp_path / "empty.txt", b"")
    blank = ingest_write(tmp_path / "blank.md", " \r\n\t\u3000\n".encode())
    assert read_document(empty) == Skip(empty, "空文件，已跳过")
    assert read_document(blank) == Skip(blank, "文件里没有文字内容（只有空白），已跳过")


def test_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 1024)
    path = ingest_write(tmp_path / "big.txt", "通报".encode() * 1000)  # 6000 bytes
    assert read_document(path) == Skip(path, "文件过大（5.9 KB），超过 1 KB 上限，请拆分后再导入")


def test_doctests() -> None:
    assert doctest.testmod(ingest).failed == 0


def test_oversized_reason_in_megabytes() -> None:
    size = int(52.3 * 1024 * 1024)
    assert ingest._too_large(size, MAX_FILE_BYTES) == "文件过大（52.3 MB），超过 20 MB 上限，请拆分后再导入"


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ingest_write(tmp_path / "locked.txt", NOTICE.encode())

    def deny(path: str, limit: int) -> bytes:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(ingest, "_read_bytes", deny)
    assert read_document(path) == Skip(path, "没有读取权限，请检查文件权限")


def test_unexpected_parser_error_becomes_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ingest_write(tmp_path / "n.txt", NOTICE.encode())

    def boom(data: bytes) -> tuple[str, str]:
        raise RuntimeError("unexpected\nmultiline")

    monkeypatch.setattr(ingest, "_decode_text", boom)
    assert read_document(path) == Skip(path, "无法解析文件（RuntimeError），请检查文件是否完好")


def test_nonexistent_and_unsupported_paths(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.txt")
    sheet = ingest_write(tmp_path / "table.xlsx", b"PK")
    plain = ingest_write(tmp_path / "README", b"x")
    assert list(iter_files([missing, sheet, plain])) == [
        Skip(missing, NOT_FOUND),
        Skip(sheet, "不支持的文件类型 .xlsx（支持 txt/md/docx/html/pdf）"),
        Skip(plain, "不支持的文件类型 （无扩展名）（支持 txt/md/docx/html/pdf）"),
    ]
    assert list(read_paths([missing])) == [Skip(missing, NOT_FOUND)]
    assert read_document(sheet) == Skip(sheet, "不支持的文件类型 .xlsx（支持 txt/md/docx/html/pdf）")


# ----------------------------------------------------------------------------- folders


def test_symlink_loop_and_hidden_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "notices"
    ingest_write(root / "b.txt", NOTICE.encode())
    ingest_write(root / "sub" / "a.txt", NOTICE.encode())
    ingest_write(root / ".hidden.txt", NOTICE.encode())
    ingest_write(root / ".git" / "c.txt", NOTICE.encode())
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "z_alias").symlink_to(root / "sub", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    # every real folder is entered once, under the first name met in sorted order
    assert list(iter_files(["notices", "notices/"])) == [
        os.path.join("notices", "b.txt"),
        os.path.join("notices", "sub", "a.txt"),
    ]
    assert list(iter_files([os.path.join("notices", ".hidden.txt")])) == [os.path.join("notices", ".hidden.txt")]


def test_folder_mixing_good_and_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "in"
    ingest_write(root / "01_good.txt", NOTICE.encode("gbk"))
    ingest_write(root / "02_empty.txt", b"")
    ingest_write(root / "03_sheet.xlsx", b"PK\x03\x04")
    ingest_write(root / "04_bad.docx", b"not a zip")
    ingest_write(root / "05_page.html", f"<p>{NOTICE}</p>".encode())
    ingest_write(root / "z" / "06_bin.md", b"\x00\x01\x02\x03" * 10)
    (root / "07_dead.txt").symlink_to(root / "nowhere.txt")
    monkeypatch.chdir(tmp_path)
    results = list(read_paths(["in"]))
    outcome = [(r.path, r.reason if isinstance(r, Skip) else r.format) for r in results]
    assert outcome == [
        ("in/01_good.txt", "txt"),
        ("in/02_empty.txt", "空文件，已跳过"),
        ("in/03_sheet.xlsx", "不支持的文件类型 .xlsx（支持 txt/md/docx/html/pdf）"),
        ("in/04_bad.docx", DOCX_CORRUPT),
        ("in/05_page.html", "html"),
        ("in/07_dead.txt", "链接指向的文件不存在（失效的快捷方式），已跳过"),
        ("in/z/06_bin.md", BINARY),
    ]
    assert results[0].text == NOTICE  # type: ignore[union-attr]
    assert list(read_paths(["in"])) == results


def test_skip_reasons_are_one_line(tmp_path: Path) -> None:
    paths = [
        ingest_write(tmp_path / "e.txt", b""),
        ingest_write(tmp_path / "b.txt", b"\x00" * 9),
        ingest_write(tmp_path / "d.docx", b"x"),
        str(tmp_path / "missing"),
    ]
    for result in read_paths(paths):
        assert isinstance(result, Skip)
        assert "\n" not in result.reason and result.reason.strip() == result.reason
