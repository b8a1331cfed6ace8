"""A ledger's own Word template (templates/notice.docx, the office's 红头 file) filled in.

The template holds Jinja tags ({{ title }}, {%p for b in blocks %} …) typed in
Word; it is filled with the same context as the text templates, in the same
sandboxed environment with StrictUndefined, values XML-escaped. docxtpl does
the Word side: it joins a tag that Word split over several runs (spelling
marks, edits) before Jinja sees it, and knows paragraph and table-row tags
({%p %}, {%tr %}); python-docx alone would leave both to us.

A broken or unknown tag is a RenderError (exit 1) that names the template and
the tag. docxtpl (and python-docx, lxml under it) is imported here only.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core.errors import RenderError

if TYPE_CHECKING:
    import jinja2

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]+>")


def fill(path: Path, shown: str, data: dict[str, Any], env: jinja2.Environment) -> bytes:
    """The template at `path` (called `shown` in messages) filled with the context `data`."""
    import jinja2
    from docxtpl import DocxTemplate

    try:
        template = DocxTemplate(path)
        template.init_docx()
    except Exception as exc:  # not a Word file: a zip, XML or format error of any kind
        raise RenderError(f"无法读取 Word 模板 {shown}:{type(exc).__name__}",
                          "模板须是 Word 保存的 .docx 文件") from None
    env.autoescape = True  # values go into XML: < & are text, never markup
    try:
        template.render(data, jinja_env=env)
    except jinja2.TemplateSyntaxError as exc:
        raise _error(shown, _paragraph(exc.source, exc.lineno), f"模板语法错误:{exc.message}"
                     ) from None
    except jinja2.UndefinedError as exc:
        raise _error(shown, _paragraph(None, None, exc), f"模板引用了不存在的字段({exc.message})",
                     "请检查字段名;可用字段与文字模板相同,见 README 的“模板”一节") from None
    except Exception as exc:
        # As in a text template: whatever the template's code raises is its failure.
        raise _error(shown, _paragraph(None, None, exc),
                     f"模板运行出错:{type(exc).__name__}: {exc}",
                     "请检查模板中的这个标签") from None
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _paragraph(source: str | None, line: int | None, exc: BaseException | None = None) -> str:
    """The text of the template paragraph where Jinja stopped (docxtpl puts one per line)."""
    if exc is not None:
        source, line = _traceback_source(exc)
    if source is None or not line:
        return ""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return ""
    return _XML_TAG.sub("", lines[line - 1])


def _traceback_source(exc: BaseException) -> tuple[str | None, int | None]:
    """The rendered XML and the innermost template line, from a Jinja-rewritten traceback."""
    tb = exc.__traceback__
    line = None
    source = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        if source is None and frame.f_code.co_name == "render_xml_part":
            source = frame.f_locals.get("src_xml")
        tb = tb.tb_next
    return (source if isinstance(source, str) else None), line


def _error(shown: str, paragraph: str, message: str, hint: str = "") -> RenderError:
    tags = _TAG.findall(paragraph)
    where = f",标签 {' '.join(tags)}" if tags else (f",段落“{paragraph[:40]}”" if paragraph
                                                     else "")
    return RenderError(f"Word 模板 {shown}{where}:{message}",
                       hint or "请在 Word 中改正这个标签;标签写法同文字模板(Jinja)")
