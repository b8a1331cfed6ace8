"""A ledger from nothing: `ledger init`, `ledger aspect add`, `ledger subject add`.

Each returns a `lifecycle.Edit` (a diff for --dry-run, or bytes to write
atomically), so `init` + `aspect add` + `new` builds a ledger with no YAML
editing. `init` writes data/ledger.yaml and an empty data/issues/; the other two
append to the header's lists, keeping the rest of the file as it is. They do
not hold the lock themselves: the CLI does, as for every edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core.errors import RefusedError, UsageError
from ledger.core.model import INSPECTION_KINDS
from ledger.edit.lifecycle import Edit
from ledger.read.loader import HEADER_PATH, ISSUES_DIR, parse_header

if TYPE_CHECKING:
    from ledger.core.model import Header
    from ledger.edit.yamledit import Document, Value


@dataclass(frozen=True)
class InitFields:
    """The header's fields, as `ledger init` takes them from its options."""

    issuer: str
    title: str
    kind: str
    feedback: date
    by: str = ""
    start: date | None = None
    end: date | None = None


def init(root: Path, fields: InitFields) -> Edit:
    """data/ledger.yaml for a new ledger (no aspects yet: `aspect add` adds them)."""
    from ledger.edit.yamlout import dump

    if fields.kind not in INSPECTION_KINDS:
        raise UsageError(f"未知的检查类别 \"{fields.kind}\"",
                         f"类别只能是:{'、'.join(INSPECTION_KINDS)}")
    if not fields.issuer.strip() or not fields.title.strip():
        raise UsageError("发文机关(--issuer)和标题(--title)不能为空")
    path = root / HEADER_PATH
    if path.exists():
        raise RefusedError(f"{root} 中已有台账({HEADER_PATH}),未覆盖",
                           "要从通报重新生成请用 ledger import --force;要修改请直接编辑该文件")
    data = {"schema": 1, "issuer": fields.issuer.strip(), "title": fields.title.strip(),
            "inspection": {"kind": fields.kind, "by": fields.by or None, "start": fields.start,
                           "end": fields.end, "feedback": fields.feedback},
            "aspects": []}
    text = dump(data)
    return Edit(path, HEADER_PATH, None, text.encode("utf-8"),
                f"已新建台账 {path}:{fields.issuer}{fields.title}。"
                "下一步:ledger aspect add 添加方面")


def apply_init(root: Path, edit: Edit) -> None:
    """Write the new header and make data/issues/ (the loader needs it)."""
    from ledger.core import atomic

    (root / ISSUES_DIR).mkdir(parents=True, exist_ok=True)
    if not atomic.create_exclusive(edit.path, edit.new):
        raise RefusedError(f"{edit.path} 已被其他命令创建,未覆盖")


def _header_doc(root: Path) -> tuple[bytes, Header, Document]:
    from ledger.edit.yamledit import Document

    path = root / HEADER_PATH
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取 {path}:{exc.strerror}", "请先运行 ledger init") from exc
    header, _ = parse_header(HEADER_PATH, data)
    if header is None:
        raise RefusedError(f"{HEADER_PATH} 无法读取,未修改",
                           "请先运行 ledger validate 修正这个文件")
    return data, header, Document.from_bytes(data)


def aspect_add(root: Path, title: str) -> Edit:
    """Append an aspect (方面) numbered one past the last."""
    title = title.strip()
    if not title:
        raise UsageError("方面的标题不能为空")
    old, header, doc = _header_doc(root)
    number = max((aspect.number for aspect in header.aspects), default=0) + 1
    if doc.has(("aspects",)) and not header.aspects:
        doc.set(("aspects",), [{"number": number, "title": title}])
    else:
        entry: dict[str, Value] = {"number": number, "title": title}
        doc.append(("aspects",), entry)
    return Edit(root / HEADER_PATH, HEADER_PATH, old, doc.to_bytes(),
                f"已添加第 {number} 个方面:{title}")


def subject_add(root: Path, aspect: int, title: str) -> Edit:
    """Append a subject (事项) under an aspect, numbered one past the last (on across aspects)."""
    title = title.strip()
    if not title:
        raise UsageError("事项的标题不能为空")
    old, header, doc = _header_doc(root)
    if aspect not in {item.number for item in header.aspects}:
        known = "、".join(str(item.number) for item in header.aspects) or "无"
        raise RefusedError(f"没有第 {aspect} 个方面(现有:{known})",
                           "先用 ledger aspect add 添加方面")
    number = max((subject.number for subject in header.subjects), default=0) + 1
    entry: dict[str, Value] = {"number": number, "aspect": aspect, "title": title}
    if doc.has(("subjects",)) and header.subjects:
        doc.append(("subjects",), entry)
    else:
        doc.set(("subjects",), [entry])
    return Edit(root / HEADER_PATH, HEADER_PATH, old, doc.to_bytes(),
                f"已在第 {aspect} 个方面下添加第 {number} 个事项:{title}")
