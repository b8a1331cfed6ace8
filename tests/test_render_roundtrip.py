"""The notice both ways, for any ledger: render it, import the text, get the ledger back."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.notice_import.run import UNGROUPED, dump, issue_record, parse
from ledger.present.render import render
from ledger.read.loader import load
from ledger.read.notice import NOTICE_PATH, load_notice

# Words without 是 (so no text reads as 二是) and without labels or punctuation.
_WORD = st.text(alphabet="整改落实制度建设学习督导会议台账监督责任工作推进干部管理", min_size=2,
                max_size=10)
_MEASURE = st.builds(lambda words, stop: "".join(words) + stop,
                     st.lists(_WORD, min_size=1, max_size=3), st.sampled_from(["。", ";"]))


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, Any]:
    """Aspects → optional subjects → problems, numbered as a notice would number them."""
    aspects: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    with_aspects = draw(st.booleans())
    for aspect in range(1, (draw(st.integers(1, 3)) if with_aspects else 1) + 1):
        aspects.append({"number": aspect, "title": f"关于{draw(_WORD)}方面问题"})
        # Problems straight under the aspect come first, then subjects with theirs.
        groups: list[int | None] = [None] * draw(st.integers(0, 2))
        if with_aspects:
            groups += list(range(draw(st.integers(0, 2))))
        if not groups:
            groups = [None]
        for group in groups:
            subject = None
            if group is not None:
                subjects.append({"number": len(subjects) + 1, "aspect": aspect,
                                 "title": f"关于{draw(_WORD)}问题。"})
                subject = len(subjects)
            for _ in range(draw(st.integers(1, 2)) if group is not None else 1):
                issue: dict[str, Any] = {"number": len(issues) + 1, "aspect": aspect}
                if subject is not None:
                    issue["subject"] = subject
                issue.update(title=f"{draw(_WORD)}的问题。",
                             measures=draw(st.lists(_MEASURE, min_size=1, max_size=4)),
                             status="正在推进")
                issues.append(issue)
    notice: dict[str, Any] = {"date": date(2022, 3, 1), "intro": ["现将整改情况通报如下。"]}
    if with_aspects:
        notice["sections"] = [{"heading": "反馈问题整改情况", "problems": True}]
    else:
        notice.update(aspects=False, problems=True)
    notice["closing"] = ["欢迎监督。"]
    header = {"schema": 1, "issuer": "中共某某局党组", "title": "关于巡察整改情况的通报",
              "inspection": {"kind": "巡察", "feedback": date(2022, 1, 5)},
              "aspects": aspects if with_aspects else [{"number": 1, "title": UNGROUPED}]}
    if subjects:
        header["subjects"] = subjects
    return {"header": header, "notice": notice, "issues": issues}


def _write(root: Path, data: dict[str, Any]) -> None:
    (root / "data" / "issues").mkdir(parents=True)
    (root / "data" / "ledger.yaml").write_text(dump(data["header"]), encoding="utf-8")
    (root / NOTICE_PATH).write_text(dump(data["notice"]), encoding="utf-8")
    for issue in data["issues"]:
        (root / "data" / "issues" / f"{issue['number']:03d}.yaml").write_text(
            dump(issue_record(issue)), encoding="utf-8")


@settings(max_examples=40, deadline=None)
@given(ledgers())
def test_render_then_import_gives_the_ledger_back(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _write(root, data)
        notice, problems = load_notice(root)
        assert problems == []
        text = render(root, load(root).ledger, notice, date(2022, 3, 2))
    back = parse(text)
    assert back.problems == [] or {p.code for p in back.problems} == {"import-no-inspection"}
    assert back.issues == data["issues"]
    assert back.header["aspects"] == data["header"]["aspects"]
    assert back.header.get("subjects", []) == data["header"].get("subjects", [])
