"""Synthetic ledgers of N problems, shaped like the shipped data but in use.

The header (aspects, subjects, inspection) and the problem titles and measures
are taken from the shipped `data/` when it exists, else from a small built-in
sample of the model notice; numbers are then cycled up to N. Unlike the
shipped data (every problem open, nothing filled in), a generated ledger is
one in the middle of its work: units, people, deadlines (dates and tiers),
progress notes, closed problems with evidence, extensions and history, so the
loader and checks meet every kind of record. The output validates clean:
benchmarks measure the common case, not error reporting.

What it does not do: measure anything (see run.py), or produce broken files.

    python bench/generate.py OUT_DIR N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

GENERATOR_VERSION = "1"  # bump when the output changes, so cached ledgers are rebuilt

UNITS = ("办公室", "政治部", "人防指挥处", "工程建设处", "计划财务处", "法规宣传处",
         "通信警报处", "机关党委", "信息中心", "工程质量监督站", "直属机关纪委",
         "人防工程管理中心", "审计处", "组织人事处", "指挥通信处")
PEOPLE = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周强", "吴婷",
          "徐明", "孙丽", "马超", "朱琳", "胡军")
TIERS = ("立行立改", "短期", "中期", "长期")

_BUILTIN_ASPECTS = (
    "关于贯彻落实党的理论和路线方针政策以及党中央决策部署方面问题",
    "关于落实全面从严治党战略部署方面问题",
    "关于落实新时代党的组织路线方面问题",
    "关于落实巡视、审计等监督发现问题整改方面问题",
)
_BUILTIN_TITLES = (
    "落实人民防空是国之大事、是国家战略、是长期战略的要求不到位的问题。",
    "学习贯彻习近平总书记重要指示精神不够深入的问题。",
    "人防工程建设监管存在薄弱环节的问题。",
    "落实意识形态工作责任制有差距的问题。",
    "干部队伍建设统筹谋划不够的问题。",
    "以前巡视反馈问题整改不够彻底的问题。",
)
_BUILTIN_MEASURES = (
    "制定并落实党组理论学习中心组学习计划,把学习贯彻党的创新理论作为首要任务",
    "围绕人民防空战略定位开展专题研讨,形成调研报告",
    "修订完善人防工程建设管理制度,堵塞监管漏洞",
    "开展专项检查,对发现的问题建立台账、逐项整改",
    "健全干部教育培训机制,制定年度培训计划",
    "建立整改长效机制,定期调度整改进展",
)


@dataclass
class Shape:
    """What a generated ledger copies from the shipped one."""

    header_text: str
    aspects: list[int]
    subjects: dict[int, list[int]]  # aspect -> its subject numbers
    templates: list[tuple[int, int | None, str, list[str]]]  # aspect, subject, title, measures
    feedback: date


def shape_from(data_dir: Path | None) -> Shape:
    """Read the shipped data's shape, or fall back to the built-in sample."""
    if data_dir is not None and (data_dir / "ledger.yaml").is_file():
        shape = _shipped_shape(data_dir)
        if shape is not None:
            return shape
    header = _builtin_header()
    subjects = {1: [1, 2, 3], 2: [4, 5, 6, 7], 3: [8, 9], 4: [10, 11]}
    templates: list[tuple[int, int | None, str, list[str]]] = []
    for index, title in enumerate(_BUILTIN_TITLES):
        aspect = index % 4 + 1
        templates.append((aspect, subjects[aspect][0], title,
                          list(_BUILTIN_MEASURES[index: index + 3])))
    return Shape(header, [1, 2, 3, 4], subjects, templates, date(2021, 2, 7))


def _shipped_shape(data_dir: Path) -> Shape | None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ledger.read.loader import parse_header, parse_issue

    header_bytes = (data_dir / "ledger.yaml").read_bytes()
    header, _ = parse_header("data/ledger.yaml", header_bytes)
    if header is None or not header.aspects or header.inspection.feedback is None:
        return None
    templates: list[tuple[int, int | None, str, list[str]]] = []
    for path in sorted((data_dir / "issues").glob("*.yaml")):
        issue, _ = parse_issue(f"data/issues/{path.name}", path.read_bytes())
        if issue is not None and issue.title:
            templates.append((issue.aspect, issue.subject, issue.title,
                              [m.text for m in issue.measures if m.text] or ["落实整改"]))
    if not templates:
        return None
    subjects: dict[int, list[int]] = {a.number: [] for a in header.aspects}
    for subject in header.subjects:
        subjects.setdefault(subject.aspect, []).append(subject.number)
    return Shape(header_bytes.decode("utf-8"), [a.number for a in header.aspects], subjects,
                 templates, header.inspection.feedback)


def _builtin_header() -> str:
    lines = ["schema: 1", "issuer: 中共山东省人民防空办公室党组",
             "title: 关于十一届省委第八轮巡视整改进展情况的通报",
             "inspection: {kind: 巡视, by: 省委第十一巡视组, start: 2020-09-27, "
             "end: 2020-12-25, feedback: 2021-02-07}", "aspects:"]
    lines += [f"  - {{number: {n}, title: {t}}}" for n, t in enumerate(_BUILTIN_ASPECTS, 1)]
    lines.append("subjects:")
    aspects_of = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 4, 11: 4}
    lines += [f"  - {{number: {n}, aspect: {a}, title: 关于第{n}项事项的问题。}}"
              for n, a in aspects_of.items()]
    lines.append("policy: {green_days: 20, yellow_days: 10, fail_on: [red]}")
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    """A YAML scalar for generated text: plain when safe, else double-quoted (JSON is YAML)."""
    if value and not any(c in value for c in ":#'\"{}[],&*!|>%@`") and value[0] not in "-? ":
        return value
    return json.dumps(value, ensure_ascii=False)


def issue_text(number: int, shape: Shape, rng: random.Random, today: date) -> str:
    """One problem file of a ledger in use."""
    aspect, subject, title, measures = shape.templates[(number - 1) % len(shape.templates)]
    feedback = shape.feedback
    lines = [f"number: {number}", f"aspect: {aspect}"]
    if subject is not None:
        lines.append(f"subject: {subject}")
    if number > len(shape.templates):
        title = f"{title[:-1] if title.endswith('。') else title}(第{number}项)。"
    lines.append(f"title: {_text(title)}")
    roll = rng.random()
    status = ("已完成" if roll < 0.45 else "基本完成" if roll < 0.55
              else "长期坚持" if roll < 0.62 else "正在推进")
    closed_on = feedback + timedelta(days=rng.randint(10, 330))
    if closed_on > today:
        closed_on = today
    lines.append("measures:")
    for index, text in enumerate(measures, start=1):
        if status == "已完成":
            lines += [f"  - text: {_text(text)}", f"    done: {closed_on.isoformat()}"]
        elif index == 1 and rng.random() < 0.3:
            due_measure = feedback + timedelta(days=rng.randint(30, 200))
            lines += [f"  - text: {_text(text)}", f"    deadline: {due_measure.isoformat()}",
                      f"    unit: {rng.choice(UNITS)}"]
        else:
            lines.append(f"  - {_text(text)}")
    lines.append(f"leader: {rng.choice(PEOPLE)}")
    lines.append(f"unit: {rng.choice(UNITS)}")
    co = rng.sample(UNITS, rng.randint(0, 2))
    lines.append(f"co_units: [{', '.join(co)}]")
    lines.append(f"owner: {rng.choice(PEOPLE)}")
    due: date | None = None
    if status == "长期坚持":
        lines.append("deadline: 长期坚持")
    elif rng.random() < 0.5:
        lines.append(f"deadline: {rng.choice(TIERS)}")
    else:
        due = feedback + timedelta(days=rng.randint(30, 400))
        lines.append(f"deadline: {due.isoformat()}")
    lines.append(f"status: {status}")
    if rng.random() < 0.05:
        lines.append("public: false")
    notes = rng.randint(0, 3)
    if notes:
        lines.append("progress:")
        for k in range(notes):
            when = feedback + timedelta(days=20 * (k + 1))
            lines += [f"  - date: {when.isoformat()}",
                      f"    text: 召开专题会议研究部署,完成阶段性任务{k + 1}项",
                      f"    by: {rng.choice(PEOPLE)}"]
    if status == "正在推进" and due is not None and rng.random() < 0.2:
        asked = due - timedelta(days=10)
        lines += ["extensions:", f"  - date: {asked.isoformat()}",
                  f"    to: {(due + timedelta(days=90)).isoformat()}",
                  "    reason: 涉及多部门协调,需延长整改时限",
                  f"    approved_by: {rng.choice(PEOPLE)}", f"    by: {rng.choice(PEOPLE)}"]
    if status == "已完成":
        lines += ["closed:", f"  date: {closed_on.isoformat()}", f"  by: {rng.choice(PEOPLE)}",
                  "  evidence:", "    - 整改报告及会议纪要", "    - 制度文件",
                  "  note: 经核查,整改到位",
                  "history:", f"  - date: {closed_on.isoformat()}", "    action: close",
                  f"    by: {rng.choice(PEOPLE)}", "    note: 申请销号,审核通过"]
    return "\n".join(lines) + "\n"


def generate(out: Path, count: int, seed: int = 7, data_dir: Path | None = None,
             today: date = date(2021, 12, 31)) -> Path:
    """Write a ledger of `count` problems under `out` (data/ledger.yaml, data/issues/)."""
    shape = shape_from(data_dir)
    rng = random.Random(seed)
    issues = out / "data" / "issues"
    issues.mkdir(parents=True, exist_ok=True)
    (out / "data" / "ledger.yaml").write_text(shape.header_text, encoding="utf-8")
    for number in range(1, count + 1):
        # the loader's naming rule: three digits, more when needed
        # (ledger.read.loader.issue_filename)
        (issues / f"{number:03d}.yaml").write_text(
            issue_text(number, shape, rng, today), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    generate(args.out, args.count, args.seed, args.data)


if __name__ == "__main__":
    main()
