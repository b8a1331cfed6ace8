"""`ledger render` and `ledger templates`: formats, counts, public version, template errors."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ledger.core.money import completion_rate
from ledger.read.notice import count_phrase, progress_sentence

from ._notice import (
    MODEL_CLUTTER,
    TODAY,
    close_in_file,
    model_text,
    normal,
    replace_in,
    shipped_copy,
)
from .conftest import Run


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shipped_copy(tmp_path)


def _render(run: Run, root: Path, *args: str) -> str:
    result = run("--root", root, "--today", TODAY, "render", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _issue(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(("done", "total", "rate"), [
    (3, 23, "13.04"), (19, 25, "76"), (688, 697, "98.71"), (1, 8, "12.5"), (2, 3, "66.67"),
    (0, 5, "0"), (5, 5, "100"), (0, 0, "0"),
])
def test_completion_rate(done: int, total: int, rate: str) -> None:
    assert completion_rate(done, total) == rate


def test_count_phrase() -> None:
    assert count_phrase(4, 23) == "四个方面23项整改问题"
    assert count_phrase(2, 3) == "两个方面3项整改问题"
    assert count_phrase(11, 40) == "十一个方面40项整改问题"
    assert count_phrase(0, 3) == "3项整改问题"


def test_progress_sentence_names_each_status_present() -> None:
    statuses = ["已完成"] * 2 + ["基本完成"] + ["正在推进"] * 3 + ["长期坚持"]
    assert progress_sentence(statuses) == (
        "目前,已完成整改2项、基本完成1项、正在推进3项、长期坚持1项,整改完成率28.57%。")


def test_closing_three_problems_with_progress_sentence(run: Run, root: Path) -> None:
    for number in (3, 11, 22):
        close_in_file(root, number)
    replace_in(root / "data" / "notice.yaml", "progress_sentence: false",
               "progress_sentence: true")
    lines = normal(_render(run, root))
    at = next(i for i, line in enumerate(lines) if "四个方面23项整改问题" in line)
    assert lines[at + 2] == "目前,已完成整改3项、正在推进20项,整改完成率13.04%。"
    # Off again, the notice is the model notice once more.
    replace_in(root / "data" / "notice.yaml", "progress_sentence: true",
               "progress_sentence: false")
    assert normal(_render(run, root)) == normal(model_text(), MODEL_CLUTTER)


# ---------------------------------------------------------------- public version


def test_public_leaves_out_withheld_problems_and_renumbers(run: Run, root: Path) -> None:
    withheld = _issue(root, 2)
    replace_in(withheld, "status: 正在推进\n", "status: 正在推进\npublic: false\n")
    title = "贯彻人防系统腐败问题重要批示不够坚决的问题。"
    internal = _render(run, root)
    public = _render(run, root, "--public")
    assert title in internal and title not in public
    # The official count of the inspection stays (issue 16): out of the body, not the count.
    assert "四个方面23项整改问题" in public and "22项" not in public
    labels = [int(n) for n in re.findall(r"^\s*\((\d+)\)", public, flags=re.MULTILINE)]
    assert labels == list(range(1, 23))
    assert "(2)立足战备推动防空核心能力建设被动应付的问题。" in public


def test_public_drops_an_aspect_with_nothing_to_show(run: Run, root: Path) -> None:
    for number in (22, 23):
        replace_in(_issue(root, number), "status: 正在推进\n", "status: 正在推进\npublic: false\n")
    public = _render(run, root, "--public")
    assert "四个方面23项整改问题" in public and "三个方面" not in public
    assert "关于巡视、审计等监督发现问题" not in public
    assert not re.search(r"^\s*\(四\)关于", public, flags=re.MULTILINE)
    rows = list(csv.reader(io.StringIO(
        _render(run, root, "--public", "-t", "table", "-f", "csv").removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 22)]


# ---------------------------------------------------------------- data stays data


def test_template_syntax_in_data_renders_literally(run: Run, root: Path) -> None:
    replace_in(_issue(root, 5), "title: 行业政策落实不到位的问题。",
               "title: '{{ 7*7 }}行业<b>政策</b>&落实不到位的问题。'")
    txt = _render(run, root)
    assert "(5){{ 7*7 }}行业<b>政策</b>&落实不到位的问题。" in txt
    md = _render(run, root, "-f", "md")
    assert r"(5){{ 7\*7 }}行业\<b\>政策\</b\>&落实不到位的问题。" in md
    html = _render(run, root, "-f", "html")
    assert "{{ 7*7 }}行业&lt;b&gt;政策&lt;/b&gt;&amp;落实" in html
    page = _Page()
    page.feed(html)
    assert "b" not in page.tags
    assert "(5){{ 7*7 }}行业<b>政策</b>&落实不到位的问题。" in page.texts
    table = _render(run, root, "-t", "table", "-f", "csv")
    assert "{{ 7*7 }}行业<b>政策</b>&落实不到位的问题。" in table
    for output in (txt, md, html, table):
        assert "49" not in output


# ---------------------------------------------------------------- formats


class _Page(HTMLParser):
    """Tags with their classes and the text inside each, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.elements: list[tuple[str, str, list[str]]] = []
        self.open: list[tuple[str, str, list[str]]] = []
        self.texts: list[str] = []
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("br", "wbr", "meta"):  # void elements: no end tag
            return
        element: tuple[str, str, list[str]] = (tag, dict(attrs).get("class") or "", [])
        self.elements.append(element)
        self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            element = self.open.pop()
            self.texts.append("".join(element[2]))

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element[2].append(data)
        if self.open and self.open[-1][0] == "style":
            self.style += data


def _rule(css: str, selector: str) -> str:
    found = re.search(re.escape(selector) + r"\s*(?:,[^{]*)?\{([^}]*)\}", css)
    assert found is not None, selector
    return found.group(1)


def test_html_structure_and_typography(run: Run, root: Path) -> None:
    html = _render(run, root, "-f", "html")
    assert html.startswith("<!DOCTYPE html>")
    page = _Page()
    page.feed(html)
    kinds = [(tag, cls) for tag, cls, _ in page.elements]
    assert kinds.count(("h1", "title")) == 1
    assert sum(tag == "h2" for tag, _ in kinds) == 3      # 一、 二、 三、
    assert sum(tag == "h3" for tag, _ in kinds) == 4      # (一)…(四) aspects
    assert sum(tag == "h4" for tag, _ in kinds) == 11     # 1.…11.
    assert sum(tag == "h5" for tag, _ in kinds) == 23     # (1)…(23)
    title = next(el for el in page.elements if el[0] == "h1")
    assert "".join(title[2]) == ("中共山东省人民防空办公室党组"
                                 "关于十一届省委第八轮巡视整改进展情况的通报")
    # Lines may break only at sense units (<wbr> with keep-all), balanced.
    assert "关于十一届省委第八轮巡视<wbr>整改进展情况的通报</h1>" in html
    assert "word-break: keep-all" in _rule(page.style, "h1.title")
    assert "margin: 0 0 28.95pt" in _rule(page.style, "h1.title")  # one body line below
    # Body 仿宋, title 小标宋 centred, 一、 黑体, (一) 楷体.
    assert "仿宋" in _rule(page.style, "body")
    h1 = _rule(page.style, "h1.title")
    assert "小标宋" in h1 and "text-align: center" in h1
    assert "黑体" in _rule(page.style, ".level-1")
    assert "楷体" in _rule(page.style, ".level-2")
    assert "楷体" in _rule(page.style, ".point-lead")
    # The issuer and date close the page, issuer 右空二字, date two characters further in.
    tail = [el for el in page.elements if el[1] in ("signature", "issuer", "date")]
    assert [(el[1], "".join(el[2])) for el in tail][1:] == [
        ("issuer", "中共山东省人民防空办公室党组"), ("date", "2021年8月26日")]
    assert page.elements[-len(tail)][1] == "signature"
    assert "margin: 1.8em 2em 0 auto" in _rule(page.style, ".signature")
    assert "padding-left: 2em" in _rule(page.style, ".signature .date")


def test_markdown_is_the_same_text_with_heading_levels(run: Run, root: Path) -> None:
    md = _render(run, root, "-f", "md")
    assert "\n## 一、整改工作基本情况\n" in md
    assert "\n### (一)关于贯彻落实党的理论" in md
    assert "\n#### 1.关于学习贯彻" in md
    assert "\n##### (23)整改效果不佳" in md
    plain = re.sub(r"^#+ ", "", md, flags=re.MULTILINE).replace("**", "")
    plain = re.sub(r"\\(.)", r"\1", plain)
    # The same lines of text; Markdown needs a blank line between issuer and title.
    assert [line for line in normal(plain) if line] == [
        line for line in normal(model_text(), MODEL_CLUTTER) if line]


def test_table_markdown(run: Run, root: Path) -> None:
    md = _render(run, root, "-t", "table", "-f", "md")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert rows[0] == ("| 序号 | 方面 | 问题 | 整改措施 | 责任领导 | 责任单位 | 时限 | 状态 | 进展 "
                       "| 销号日期 |")
    assert len(rows) == 1 + 23
    assert "<br>2. 组织召开三次数据工程整改推进专题会议" in rows[1]


def test_csv_has_bom_and_measures_in_one_cell(run: Run, root: Path, tmp_path: Path) -> None:
    close_in_file(root, 9, on="2021-08-20")
    replace_in(_issue(root, 9), "unit:\n", "unit: 机关纪委\n")
    out = tmp_path / "table.csv"
    result = run("--root", root, "--today", TODAY, "render", "-t", "table", "-f", "csv",
                 "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "时限", "状态",
                       "进展", "销号日期"]
    assert rows[1][3].split("\n")[1].startswith("2. 组织召开三次")
    assert rows[9][3] == ("设置机关纪委专职书记,剥离原纪委书记承担的非纪检工作。严格执行信访举报"
                          "案件处理有关规定,进一步规范信访举报案件处理流程,收到职责范围内的信访举报"
                          "后,做到迅速调查办理。")
    assert (rows[9][5], rows[9][7], rows[9][9]) == ("机关纪委", "已完成", "2021年8月20日")


def test_output_file_and_unknown_format(run: Run, root: Path, tmp_path: Path) -> None:
    result = run("--root", root, "render", "-t", "table", "-f", "txt")
    assert result.exit_code == 2
    assert "没有 txt 格式" in result.stderr
    result = run("--root", root, "render", "-t", "nosuch")
    assert result.exit_code == 2
    assert "找不到模板 nosuch.txt.j2" in result.stderr


# ---------------------------------------------------------------- refusals and templates


def test_render_refuses_a_ledger_with_errors(run: Run, root: Path) -> None:
    replace_in(_issue(root, 7), "status: 正在推进", "status: 完成了")
    result = run("--root", root, "--today", TODAY, "render")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "data/issues/007.yaml:" in result.stderr and "unknown-status" in result.stderr
    assert "未生成" in result.stderr


def test_render_refuses_a_bad_notice_file(run: Run, root: Path) -> None:
    replace_in(root / "data" / "notice.yaml", "progress_sentence: false",
               "progress_sentence: false\nprogres: true")
    result = run("--root", root, "--today", TODAY, "render")
    assert result.exit_code == 1
    assert "data/notice.yaml:" in result.stderr and "unknown-key" in result.stderr


def _own_template(root: Path, name: str, text: str) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / name).write_text(text, encoding="utf-8")


def test_missing_field_names_template_and_line(run: Run, root: Path) -> None:
    _own_template(root, "notice.txt.j2", "{{ title }}\n\n{{ problems[0].nosuch }}\n")
    result = run("--root", root, "--today", TODAY, "render")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "notice.txt.j2" in result.stderr and "第3行" in result.stderr
    assert "nosuch" in result.stderr


def test_missing_variable_and_syntax_error(run: Run, root: Path) -> None:
    _own_template(root, "mine.txt.j2", "a\nb\n{{ nothing_here }}\n")
    result = run("--root", root, "render", "-t", "mine.txt")
    assert result.exit_code == 1
    assert "mine.txt.j2" in result.stderr and "第3行" in result.stderr
    _own_template(root, "broken.txt.j2", "{% for x in blocks %}\n{{ x.text }}\n")
    result = run("--root", root, "render", "-t", "broken.txt")
    assert result.exit_code == 1
    assert "broken.txt.j2" in result.stderr and "模板语法错误" in result.stderr


def test_own_templates_are_sandboxed(run: Run, root: Path) -> None:
    _own_template(root, "evil.txt.j2", "{{ title.__class__.__mro__[1].__subclasses__() }}\n")
    result = run("--root", root, "render", "-t", "evil.txt")
    assert result.exit_code == 1
    assert "evil.txt.j2" in result.stderr
    assert result.stdout == ""


def test_own_template_overrides_shipped_and_is_listed(run: Run, root: Path) -> None:
    _own_template(root, "notice.txt.j2", "{{ issuer }}:{{ counts.phrase }}\n")
    _own_template(root, "weekly.md.j2", "{{ counts.progress }}\n")
    assert _render(run, root) == "中共山东省人民防空办公室党组:四个方面23项整改问题\n"
    assert _render(run, root, "-t", "weekly.md") == (
        "目前,已完成整改0项、正在推进23项,整改完成率0%。\n")
    listing = run("--root", root, "templates")
    assert listing.exit_code == 0
    lines = dict(line.split("\t") for line in listing.stdout.splitlines())
    assert lines["notice.txt.j2"] == "本台账 templates/(覆盖内置)"
    assert lines["weekly.md.j2"] == "本台账 templates/"
    assert lines["notice.html.j2"] == "内置"
    assert set(lines) >= {"notice.md.j2", "table.md.j2", "table.csv.j2"}


def test_templates_lists_shipped_ones_outside_a_ledger(run: Run, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("templates")
    assert result.exit_code == 0, result.output
    assert "notice.txt.j2\t内置" in result.stdout


def test_markdown_renders_as_intended_by_commonmark(run: Run, root: Path) -> None:
    # markdown-it-py comes with rich (a runtime dependency): a CommonMark parser.
    from markdown_it import MarkdownIt

    replace_in(_issue(root, 5), "title: 行业政策落实不到位的问题。",
               "title: '*行业*政策_落实_[不到位](x)<i>的问题</i>。'")
    html = MarkdownIt("commonmark").render(_render(run, root, "-f", "md"))
    assert html.count("<h1>") == 1
    assert [html.count(f"<h{n}>") for n in (2, 3, 4, 5)] == [3, 4, 11, 23]
    # Every point's first sentence is bold (CommonMark's flanking rules and 。).
    assert html.count("<strong>") == 8
    assert "<strong>(一)提高政治站位,深化思想认识</strong>。办党组" in html
    assert "<h5>(5)*行业*政策_落实_[不到位](x)&lt;i&gt;的问题&lt;/i&gt;。</h5>" in html
    assert "<em>" not in html and "<a " not in html


def test_progress_sentence_after_ledger_close(run: Run, root: Path) -> None:
    # The same count through the lifecycle command a clerk would use.
    for number in (3, 11, 22):
        result = run("--root", root, "--today", "2021-08-20", "close", str(number),
                     "--evidence", "整改报告", "--by", "测试", "--force")
        assert result.exit_code == 0, result.output
    replace_in(root / "data" / "notice.yaml", "progress_sentence: false",
               "progress_sentence: true")
    assert "目前,已完成整改3项、正在推进20项,整改完成率13.04%。" in _render(run, root)
    rows = list(csv.reader(io.StringIO(
        _render(run, root, "-t", "table", "-f", "csv").removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:] if row[9] == "2021年8月20日"] == ["3", "11", "22"]


def test_a_ledger_without_notice_file_renders_its_problems(run: Run, base_ledger: Path) -> None:
    assert not (base_ledger / "data" / "notice.yaml").exists()
    lines = [line for line in normal(_render(run, base_ledger)) if line]
    # No narrative: aspects take the top rung 一、, subjects (一), problems 1., numbered on.
    assert lines[2:5] == ["一、关于党的领导弱化方面问题", "(一)关于学习不深入问题。",
                          "1.学习走过场的问题。"]
    assert "2.会议多文件多的问题。" in lines
    # Issue 11: a notice without a date of its own prints none, never the day it is rendered.
    assert lines[-1] == "中共某某局党组"
    assert not any("2021年9月1日" in line for line in lines)


def test_output_that_cannot_be_written_exits_4(run: Run, root: Path, tmp_path: Path) -> None:
    result = run("--root", root, "--today", TODAY, "render", "-o", tmp_path / "no" / "x.txt")
    assert result.exit_code == 4
    assert not (tmp_path / "no").exists()


def test_csv_cells_never_run_as_formulas(run: Run, root: Path) -> None:
    replace_in(_issue(root, 4), "unit:\n", "unit: =HYPERLINK(\"http://x\",\"点我\")\n")
    replace_in(_issue(root, 4), "leader:\n", "leader: '@SUM(1+1)'\n")
    table = _render(run, root, "-t", "table", "-f", "csv")
    row = next(r for r in csv.reader(io.StringIO(table.removeprefix("\ufeff"))) if r[0] == "4")
    assert (row[4], row[5]) == ("'@SUM(1+1)", "'=HYPERLINK(\"http://x\",\"点我\")")


def test_templates_are_plain_names_inside_the_ledger(run: Run, root: Path,
                                                     tmp_path: Path) -> None:
    result = run("--root", root, "render", "-t", "../data/ledger.yaml")
    assert result.exit_code == 2
    assert "找不到模板" in result.stderr
    secret = tmp_path / "secret.txt.j2"
    secret.write_text("机密内容\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "notice.txt.j2").symlink_to(secret)
    assert "机密内容" not in _render(run, root)  # the shipped template is used instead
    (root / "templates" / "bad.txt.j2").write_bytes(b"\xff\xfe bad")
    result = run("--root", root, "render", "-t", "bad.txt")
    assert result.exit_code == 1
    assert "无法读取模板 templates/bad.txt.j2" in result.stderr


def test_numbers_are_computed_where_a_problem_sits(run: Run, root: Path) -> None:
    # A problem added later to aspect (一), subject 3: the notice numbers it (7) and
    # numbers on; the internal table keeps its own number, the public one counts rows.
    (root / "data" / "issues" / "024.yaml").write_text(
        "number: 24\naspect: 1\nsubject: 3\ntitle: 新增的问题。\nmeasures:\n  - 新增措施。\n"
        "status: 正在推进\n", encoding="utf-8")
    lines = [line for line in normal(_render(run, root)) if line]
    at = lines.index("(7)新增的问题。")
    assert lines[at - 2].startswith("(6)项目资金督查不主动的问题。")
    assert lines[at + 1:at + 3] == [
        "新增措施。", "(二)关于落实全面从严治党责任不严不实,党员干部违纪违法问题仍时有发生方面问题"]
    assert "(24)整改效果不佳,长效机制未建立的问题。" in lines
    assert "四个方面24项整改问题" in " ".join(lines)

    def first_column(*args: str) -> list[str]:
        table = _render(run, root, "-t", "table", "-f", "csv", *args).removeprefix("\ufeff")
        return [row[0] for row in csv.reader(io.StringIO(table))][1:]

    assert first_column()[5:8] == ["6", "24", "7"]
    assert first_column("--public")[5:8] == ["6", "7", "8"]


def test_format_defaults_to_the_output_extension_or_the_template(run: Run, root: Path,
                                                                 tmp_path: Path) -> None:
    assert _render(run, root, "-t", "table").startswith("# 整改台账\n")
    page = tmp_path / "通报.html"
    result = run("--root", root, "--today", TODAY, "render", "-o", page)
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    sheet = tmp_path / "台账.csv"
    result = run("--root", root, "--today", TODAY, "render", "-t", "table", "-o", sheet)
    assert result.exit_code == 0, result.output
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,")  # BOM 序号,
