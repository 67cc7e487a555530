"""Ingest: files and folders → :class:`~simtool.core.types.Document` records (pipeline stage 1).

Reads txt/md in any common Chinese encoding (detected, never assumed), docx (paragraphs and
tables in document order), html (visible text only) and pdf (text layer, pages separated by a
form feed so that page furniture can be told apart later).  A file that cannot be read becomes a
:class:`~simtool.core.types.Skip` with one Chinese line saying what went wrong and what to do; no
exception escapes :func:`read_document` or :func:`read_paths` for bad input.  A text that cannot be
a notice (``hello world``) is a Skip ``不像整改通报：……`` unless ``force=True``.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import logging
import os
import re
import warnings
from collections.abc import Iterator, Sequence

import charset_normalizer
import docx
from bs4 import BeautifulSoup, NavigableString
from docx.table import Table
from pypdf import PdfReader

from simtool.core.types import Document, FileFormat, Skip
from simtool.read.layout import PAGE_BREAK
from simtool.read.screen import not_a_notice

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".text", ".docx", ".html", ".htm", ".pdf"})
MAX_FILE_BYTES = 20 * 1024 * 1024

_FORMATS: dict[str, FileFormat] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
_NOT_FOUND = "路径不存在，请检查路径是否写错"
_BINARY = "不是文本文件（疑似二进制），已跳过"
_DOCX_CORRUPT = "docx 文件损坏或不是有效的 Word 文档，请用 Word 另存后再试"

# Very common characters in simplified and in traditional Chinese (incl. this domain's words).
# A correct decoding of Chinese text hits this set often; a wrong one yields rare characters.
_COMMON_CHARS = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经去法学如都同现当没动面起看定天分还进好小部其些主样理心本前"
    "开但因只从想实日者意无力与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重"
    "并物手应向头文体政相见被利二等产或新己制身果加通报巡察整改反馈题措施落实责任党委组织领导干"
    "建设监督纪律作风度推完善强况展情县市区省局社会工作群众意见一二三四五六七八九十月年日"
    "這個們來為國時說對會發動過產種後與關當經學進還開點從業現實體無機將問題認識處給報導區際務"
    "強黨設況於歷團組織幹領導責監紀律風製議決標準應執並雖傳統員達轉縣會眾見規範"
)


class _Unreadable(Exception):
    """Raised inside a reader; ``args[0]`` is the Skip's one-line Chinese reason."""


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _unsupported(suffix: str) -> str:
    kind = suffix if suffix else "（无扩展名）"
    return f"不支持的文件类型 {kind}（支持 txt/md/docx/html/pdf）"


def _check_file(path: str) -> str | Skip:
    suffix = _suffix(path)
    return path if suffix in SUPPORTED_SUFFIXES else Skip(path, _unsupported(suffix))


def _walk(folder: str, visited: set[str]) -> Iterator[str | Skip]:
    """Depth-first, name-sorted walk; hidden entries skipped, each real folder entered once."""
    stack = [folder]
    while stack:
        path = stack.pop()
        if os.path.isdir(path):
            real = os.path.realpath(path)
            if real in visited:
                continue
            visited.add(real)
            try:
                names = sorted(os.listdir(path), reverse=True)
            except PermissionError:
                yield Skip(path, "没有读取权限，请检查文件夹权限")
                continue
            except OSError as exc:
                yield Skip(path, f"无法打开文件夹（{_one_line(exc.strerror)}），请检查路径")
                continue
            stack.extend(os.path.join(path, name) for name in names if not name.startswith("."))
        elif os.path.isfile(path):
            yield _check_file(path)
        elif not os.path.exists(path):
            yield Skip(path, "链接指向的文件不存在（失效的快捷方式），已跳过")


def iter_files(paths: Sequence[str]) -> Iterator[str | Skip]:
    """Expand files and folders (recursively, sorted by name) into file paths to read.

    Paths keep the form they were given in (relative stays relative).  Hidden entries inside
    folders are skipped silently; every real folder is entered once, under the first name met,
    so symlink loops terminate.  Missing paths and unsupported file types are yielded as
    :class:`Skip`.
    """
    visited: set[str] = set()
    for given in paths:
        if not os.path.exists(given):
            yield Skip(given, _NOT_FOUND)
        elif os.path.isdir(given):
            yield from _walk(given, visited)
        else:
            yield _check_file(given)


def _too_large(size: int, limit: int) -> str:
    """The Skip reason for a file over the size limit.

    >>> _too_large(int(52.3 * 2**20), 20 * 2**20)
    '文件过大（52.3 MB），超过 20 MB 上限，请拆分后再导入'
    """

    def human(n: int) -> str:
        unit, scale = ("MB", 2**20) if n >= 2**20 else ("KB", 2**10) if n >= 2**10 else ("B", 1)
        return f"{n / scale:.1f}".rstrip("0").rstrip(".") + f" {unit}"

    return f"文件过大（{human(size)}），超过 {human(limit)} 上限，请拆分后再导入"


def _read_bytes(path: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes; a larger file raises :class:`_Unreadable` unread."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise _Unreadable(_too_large(size, limit))
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _Unreadable(_too_large(len(data), limit))
    return data


def _one_line(message: object) -> str:
    return " ".join(str(message or "未知错误").split())


def read_document(path: str, *, force: bool = False) -> Document | Skip:
    """Read one file into a :class:`Document`, or explain in a :class:`Skip` why not.

    A text that cannot be a notice (no 整改/巡察/通报 and little Chinese, see
    :func:`~simtool.read.screen.not_a_notice`) is a Skip ``不像整改通报：……`` unless ``force``.
    """
    fmt = _FORMATS.get(_suffix(path))
    if fmt is None:
        return Skip(path, _unsupported(_suffix(path)))
    try:
        data = _read_bytes(path, MAX_FILE_BYTES)
        if not data:
            raise _Unreadable("空文件，已跳过")
        encoding: str | None = None
        if fmt == "docx":
            text = _docx_text(data)
        elif fmt == "pdf":
            text = _pdf_text(data)
        elif fmt == "html":
            text, encoding = _html_text(data)
        else:
            text, encoding = _decode_text(data)
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise _Unreadable("文件里没有文字内容（只有空白），已跳过")
        doubt = None if force else not_a_notice(text)
        if doubt is not None:
            raise _Unreadable(doubt)
    except _Unreadable as exc:
        return Skip(path, str(exc.args[0]))
    except PermissionError:
        return Skip(path, "没有读取权限，请检查文件权限")
    except FileNotFoundError:
        return Skip(path, _NOT_FOUND)
    except IsADirectoryError:
        return Skip(path, "这是文件夹，不是文件，请检查路径")
    except OSError as exc:
        return Skip(path, f"读取失败（{_one_line(exc.strerror)}），请检查文件或磁盘")
    except Exception as exc:  # any parser failure on bad input must become a Skip
        return Skip(path, f"无法解析文件（{type(exc).__name__}），请检查文件是否完好")
    return Document(path, fmt, encoding, text, hashlib.sha256(data).hexdigest())


def read_paths(paths: Sequence[str], *, force: bool = False) -> Iterator[Document | Skip]:
    """:func:`iter_files` followed by :func:`read_document` for each file, in the same order."""
    for item in iter_files(paths):
        yield item if isinstance(item, Skip) else read_document(item, force=force)


def _codec_name(name: str) -> str | None:
    """Normalized codec name (``"utf-8"``, ``"gb18030"``…), or None if Python does not know it.

    >>> _codec_name("UTF_8"), _codec_name("GB2312"), _codec_name("no-such")
    ('utf-8', 'gb18030', None)
    """
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if canonical in ("gb2312", "gbk", "hz") else canonical


def _common_share(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters."""
    wide = [c for c in text if ord(c) > 127]
    return sum(c in _COMMON_CHARS for c in wide) / len(wide) if wide else 0.0


def _utf8_bad_share(line: bytes) -> float:
    """How little ``line`` looks like UTF-8 Chinese: share of its non-ASCII characters that are
    U+FFFD or two-byte (U+0080–U+07FF; GBK bytes read as UTF-8 often form those by chance).

    >>> _utf8_bad_share("目录".encode("utf-8")), _utf8_bad_share("目录".encode("gbk"))
    (0.0, 1.0)
    """
    text = line.decode("utf-8", errors="replace")
    wide = [c for c in text if ord(c) > 127]
    return sum(1 for c in wide if c == "\ufffd" or ord(c) < 0x800) / max(1, len(wide))


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: GB18030/GBK or Big5, else charset-normalizer's guess."""
    candidates: list[tuple[str, str]] = []
    for name in ("gb18030", "big5", "cp950"):
        try:
            candidates.append((data.decode(name), name))
        except UnicodeDecodeError:
            continue
        if name == "big5":
            break
    if candidates:
        return max(candidates, key=lambda c: _common_share(c[0]))  # ties keep gb18030
    loose = data.decode("gb18030", errors="replace")
    if loose.count("\ufffd") <= 0.01 * len(loose):
        return loose, "gb18030"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise _Unreadable(_BINARY)
    return str(best), _codec_name(best.encoding) or best.encoding


def _decode_text(data: bytes) -> tuple[str, str]:
    """Detect the encoding of plain-text bytes; returns ``(text, encoding)``.

    Order: BOMs; NUL bytes mean binary; strict UTF-8; line by line — UTF-8 with a
    few invalid bytes stays UTF-8 (U+FFFD), UTF-8 lines beside GBK lines is ``"mixed"``;
    otherwise GB18030 vs Big5 by common-character share.  Binary data raises :class:`_Unreadable`.
    """
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif b"\x00" in data:
        raise _Unreadable(_BINARY)
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_non_utf8(data)
    controls = len(_CONTROLS.findall(text))
    if controls > 0.05 * len(text):
        raise _Unreadable(_BINARY)
    return text, encoding


_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")  # category Cc but \t \n \v \f \r \x1a


def _decode_non_utf8(data: bytes) -> tuple[str, str]:
    """Invalid UTF-8: a few bad bytes stay UTF-8, UTF-8 lines beside GBK lines are "mixed"."""
    lines = data.splitlines(keepends=True)
    legacy = [not line.isascii() and _utf8_bad_share(line) >= 0.3 for line in lines]
    if not any(legacy):
        return data.decode("utf-8", errors="replace"), "utf-8"
    if all(is_legacy or line.isascii() for is_legacy, line in zip(legacy, lines)):
        return _decode_legacy(data)
    codecs_ = ("gb18030" if is_legacy else "utf-8" for is_legacy in legacy)
    return "".join(ln.decode(c, errors="replace") for ln, c in zip(lines, codecs_)), "mixed"


def _docx_text(data: bytes) -> str:
    """Paragraphs and table rows (cells joined by tabs, merged cells once) in body order."""
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:  # a merged cell appears once per grid column: keep one
                    lines.append("\t".join({cell._tc: cell.text for cell in row.cells}.values()))
            else:
                lines.append(block.text)
    except Exception as exc:
        raise _Unreadable(_DOCX_CORRUPT) from exc
    if not "".join(lines).strip():
        raise _Unreadable("Word 文档里没有文字内容，已跳过")
    return "\n".join(lines)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _opens_with_empty_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without the cryptography package
        return False


def _pdf_text(data: bytes) -> str:
    """Text layer of all pages joined by form feeds (page breaks); encrypted/truncated/scanned PDFs raise."""
    if b"%PDF-" not in data[:1024]:
        raise _Unreadable("不是有效的 PDF 文件（文件头不对），请确认文件类型")
    if b"%%EOF" not in data[-1024:]:
        raise _Unreadable("PDF 文件不完整（可能下载或复制时中断），请重新获取文件")
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            locked = reader.is_encrypted and not _opens_with_empty_password(reader)
            text = "" if locked else PAGE_BREAK.join(p.extract_text() or "" for p in reader.pages)
        except Exception as exc:
            raise _Unreadable("PDF 文件损坏或无法解析，请用 PDF 阅读器另存后再试") from exc
    if locked:
        raise _Unreadable("PDF 已加密，请先解除密码保护")
    if not text.strip():
        raise _Unreadable("PDF 没有文本层（可能是扫描件），请先做 OCR 再导入")
    return text


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_DROP = ["script", "style", "noscript", "head", "nav", "footer", "template", "svg", "iframe"]
_HTML_BLOCKS = (
    "p div li tr table ul ol dl dt dd h1 h2 h3 h4 h5 h6 section article aside header main"
    " blockquote pre address figure figcaption hr form fieldset caption"
).split()
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _decode_html(data: bytes) -> tuple[str, str]:
    """Decode with the declared ``<meta charset>`` when it fits the bytes, else detect."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = _META_CHARSET.search(data[:4096])
        name = _codec_name(match.group(1).decode("ascii")) if match else None
        if name:
            try:
                return data.decode(name), name
            except (UnicodeDecodeError, LookupError):
                pass
    return _decode_text(data)


def _html_text(data: bytes) -> tuple[str, str]:
    """Visible text of an HTML page: one line per block element, no scripts/styles/navigation."""
    markup, encoding = _decode_html(data)
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    for string in list(soup.find_all(string=True)):
        if type(string) is not NavigableString:  # comments, doctype, processing instructions
            string.extract()
        elif string.find_parent("pre") is None:
            string.replace_with(_HTML_SPACE.sub(" ", str(string)))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("\t")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = (line.strip(" \t\xa0") for line in soup.get_text().splitlines())
    text = "\n".join(line for line in lines if line)
    if not text:
        raise _Unreadable("网页里没有正文文字，已跳过")
    return text, encoding
