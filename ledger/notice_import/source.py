"""Reading an import's input: a notice's text (UTF-8, UTF-16, GB18030) or a Word document.

Only reading and decoding; parsing is `text` (notices) and `sheet` (Excel/CSV).
python-docx is imported here, lazily, only when a .docx is given.
"""

from __future__ import annotations

from pathlib import Path

from ledger.core.errors import UsageError

# A notice is a few dozen kilobytes; anything this large is not one.
MAX_NOTICE_BYTES = 4 * 1024 * 1024
# A Word notice or an office's workbook carries styles and images: allow more.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


def read_input(source: Path, limit: int = MAX_NOTICE_BYTES) -> bytes:
    """The file's bytes; a folder, a huge file or an unreadable one is a usage error."""
    try:
        if source.is_dir():
            raise UsageError(f"{source} 是目录,不是通报文件", "请给出通报正文的文本文件")
        size = source.stat().st_size
        if size > limit:
            raise UsageError(f"通报文件 {source} 过大({size // 1024 // 1024} MiB),不像一份通报",
                             "请只保存通报正文(通常不足 100 KB)")
        return source.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取通报文件 {source}:{exc.strerror}",
                         "请检查文件路径和读取权限") from exc


def decode_text(source: Path, data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030; else refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UsageError(f"通报文件 {source} 的 UTF-16 编码已损坏",
                             "请把正文另存为 UTF-8 文本") from exc
    if b"\x00" in data:
        raise UsageError(f"通报文件 {source} 不是文本文件(含有空字节)",
                         "请把网页正文复制到文本文件,另存为 UTF-8")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UsageError(f"通报文件 {source} 不是 UTF-8 或 GB18030 编码的文本",
                     "请把网页正文复制到文本文件,另存为 UTF-8")


def read_notice(source: Path) -> str:
    """The notice's text: a text file decoded, or a Word document's paragraphs, one a line."""
    if source.suffix.lower() == ".docx":
        return read_docx(source)
    return decode_text(source, read_input(source))


def read_docx(source: Path) -> str:
    """A Word notice's paragraphs (and table cells, row by row) as lines of text."""
    import io
    import zipfile

    data = read_input(source, MAX_DOCUMENT_BYTES)
    try:
        import docx  # python-docx: only for this
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise UsageError("读取 Word 文档需要 python-docx",
                         "请安装:pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UsageError(f"{source} 不是有效的 Word 文档(.docx)",
                         "请用 Word 或 WPS 打开后另存为 .docx;旧的 .doc 格式请先转换") from exc
    lines: list[str] = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)
