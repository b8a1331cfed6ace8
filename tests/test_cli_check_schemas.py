"""The junit and sarif outputs of `ledger check` against the rules of their schemas.

No schema validator is among the allowed dependencies, so the rules are
written out here from the schemas themselves:
- JUnit: Jenkins' junit-10.xsd (jenkinsci/xunit-plugin), the schema Jenkins
  validates against; GitLab reads the same testsuites/testsuite/testcase tree.
  Elements, required and allowed attributes, the time pattern, and counts
  consistent with the test cases.
- SARIF 2.1.0 (OASIS sarif-schema-2.1.0.json): required properties, enums,
  minimums, and `additionalProperties: false` (only known property names) for
  every object `ledger check` writes; URIs the spec wants absolute
  (helpUri, informationUri) absolute; plus GitHub code scanning's needs
  (ruleId pointing into rules, a location with a line, each rule's
  fullDescription and help in text and Markdown, which its alert page shows).
Each validator is itself tested on broken documents, so a check that cannot
fail is not mistaken for a pass.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from ._check import ISSUES, TODAY, write_ledger
from .conftest import REPO, Run

# ---------------------------------------------------------------- JUnit (junit-10.xsd)

SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
OUTCOMES = {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure",
            "flakyError"}
# element: (required attributes, allowed attributes, allowed child elements)
JUNIT: dict[str, tuple[set[str], set[str], set[str]]] = {
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors"},
                  {"name", "tests", "failures", "errors", "group", "time", "skipped",
                   "timestamp", "hostname", "id", "package", "file", "log", "url"},
                  {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "testcase": ({"name"}, {"name", "time", "classname", "group"},
                 OUTCOMES | {"system-out", "system-err"}),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, {"name", "value"}, set()),
}


def junit_errors(document: str) -> list[str]:
    """Every way `document` breaks junit-10.xsd or its own counts; empty when valid."""
    try:
        root = ET.fromstring(document.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed: {exc}"]
    if root.tag != "testsuites":
        return [f"root is <{root.tag}>, expected <testsuites>"]
    errors = []
    for element in root.iter():
        if element.tag not in JUNIT:
            errors.append(f"unknown element <{element.tag}>")
            continue
        required, allowed, children = JUNIT[element.tag]
        attributes = set(element.attrib)
        errors += [f"<{element.tag}> lacks {name}" for name in sorted(required - attributes)]
        errors += [f"<{element.tag}> has {name}" for name in sorted(attributes - allowed)]
        errors += [f"<{child.tag}> inside <{element.tag}>" for child in element
                   if child.tag not in children]
        if "time" in element.attrib and not SUREFIRE_TIME.fullmatch(element.attrib["time"]):
            errors.append(f"<{element.tag}> time {element.attrib['time']!r}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counted = {"tests": len(cases),
                   "failures": sum(1 for case in cases if case.find("failure") is not None),
                   "errors": sum(1 for case in cases if case.find("error") is not None),
                   "skipped": sum(1 for case in cases if case.find("skipped") is not None)}
        for key, value in counted.items():
            if key in suite.attrib and suite.attrib[key] != str(value):
                errors.append(f"suite {key}={suite.attrib[key]} but {value} cases")
            if key in totals:
                totals[key] += value
    for key, value in totals.items():
        if key in root.attrib and root.attrib[key] != str(value):
            errors.append(f"testsuites {key}={root.attrib[key]} but {value} in suites")
    return errors


# ---------------------------------------------------------------- SARIF 2.1.0

LEVELS = {"none", "note", "warning", "error"}
# object kind: (required properties, allowed properties, {property: kind of its value(s)})
SARIF: dict[str, tuple[set[str], set[str], dict[str, str]]] = {
    "log": ({"version", "runs"}, {"$schema", "version", "runs", "inlineExternalProperties",
                                  "properties"}, {"runs": "run"}),
    "run": ({"tool"}, {
        "tool", "invocations", "conversion", "language", "versionControlProvenance",
        "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
        "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
        "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
        "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
        "translations", "policies", "webRequests", "webResponses", "specialLocations",
        "properties"}, {"tool": "tool", "invocations": "invocation", "results": "result"}),
    "tool": ({"driver"}, {"driver", "extensions", "properties"}, {"driver": "toolComponent"}),
    "toolComponent": ({"name"}, {
        "guid", "name", "organization", "product", "productSuite", "shortDescription",
        "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion",
        "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings",
        "notifications", "rules", "taxa", "locations", "language", "contents",
        "isComprehensive", "localizedDataSemanticVersion",
        "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent",
        "translationMetadata", "supportedTaxonomies", "properties"},
        {"rules": "reportingDescriptor"}),
    "reportingDescriptor": ({"id"}, {
        "id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
        "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration",
        "helpUri", "help", "relationships", "properties"},
        {"shortDescription": "multiformatMessageString",
         "fullDescription": "multiformatMessageString",
         "help": "multiformatMessageString",
         "defaultConfiguration": "reportingConfiguration"}),
    "multiformatMessageString": ({"text"}, {"text", "markdown", "properties"}, {}),
    "reportingConfiguration": (set(), {"enabled", "level", "rank", "parameters", "properties"},
                               {}),
    "invocation": ({"executionSuccessful"}, {
        "commandLine", "arguments", "responseFiles", "startTimeUtc", "endTimeUtc", "exitCode",
        "ruleConfigurationOverrides", "notificationConfigurationOverrides",
        "toolExecutionNotifications", "toolConfigurationNotifications",
        "exitCodeDescription", "exitSignalName", "exitSignalNumber",
        "processStartFailureMessage", "executionSuccessful", "machine", "account",
        "processId", "executableLocation", "workingDirectory", "environmentVariables",
        "stdin", "stdout", "stderr", "stdoutStderr", "properties"},
        {"toolExecutionNotifications": "notification"}),
    "notification": ({"message"}, {"locations", "message", "level", "threadId", "timeUtc",
                                   "exception", "descriptor", "associatedRule", "properties"},
                     {"message": "message"}),
    "result": ({"message"}, {
        "ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget",
        "locations", "guid", "correlationGuid", "occurrenceCount", "partialFingerprints",
        "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals", "relatedLocations",
        "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri",
        "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse",
        "properties"}, {"message": "message", "locations": "location"}),
    "message": (set(), {"text", "markdown", "id", "arguments", "properties"}, {}),
    "location": (set(), {"id", "physicalLocation", "logicalLocations", "message",
                         "annotations", "relationships", "properties"},
                 {"physicalLocation": "physicalLocation"}),
    "physicalLocation": (set(), {"address", "artifactLocation", "region", "contextRegion",
                                 "properties"},
                         {"artifactLocation": "artifactLocation", "region": "region"}),
    "artifactLocation": (set(), {"uri", "uriBaseId", "index", "description", "properties"}, {}),
    "region": (set(), {"startLine", "startColumn", "endLine", "endColumn", "charOffset",
                       "charLength", "byteOffset", "byteLength", "snippet", "message",
                       "sourceLanguage", "properties"}, {}),
}


def _walk(value: Any, kind: str, where: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{where}: {kind} is not an object"
        return
    required, allowed, children = SARIF[kind]
    yield from (f"{where}: {kind} lacks {name}" for name in sorted(required - set(value)))
    yield from (f"{where}: {kind} has unknown {name}" for name in sorted(set(value) - allowed))
    for name, child_kind in children.items():
        if name not in value:
            continue
        child = value[name]
        if isinstance(child, list):
            for index, item in enumerate(child):
                yield from _walk(item, child_kind, f"{where}.{name}[{index}]")
        else:
            yield from _walk(child, child_kind, f"{where}.{name}")
    yield from _rules(value, kind, where)


def _rules(value: dict[str, Any], kind: str, where: str) -> Iterator[str]:
    """The constraints beyond shape: enums, minimums, types, anyOf."""
    if kind == "log" and value.get("version") != "2.1.0":
        yield f"{where}: version {value.get('version')!r}"
    if kind in ("reportingConfiguration", "notification", "result") \
            and "level" in value and value["level"] not in LEVELS:
        yield f"{where}: level {value['level']!r}"
    if kind == "message" and not isinstance(value.get("text", value.get("id")), str):
        yield f"{where}: message has neither text nor id"
    if kind == "physicalLocation" and "artifactLocation" not in value and "address" not in value:
        yield f"{where}: physicalLocation has neither artifactLocation nor address"
    if kind == "artifactLocation":
        uri = value.get("uri", "")
        if not isinstance(uri, str) or quote(unquote(uri), safe="/%:") != uri:
            yield f"{where}: uri {uri!r} is not a URI reference"
    if kind == "region":
        for name in ("startLine", "startColumn", "endLine", "endColumn"):
            if name in value and (not isinstance(value[name], int) or value[name] < 1):
                yield f"{where}: {name} {value[name]!r} below 1"
    if kind == "run" and value.get("columnKind", "utf16CodeUnits") not in (
            "utf16CodeUnits", "unicodeCodePoints"):
        yield f"{where}: columnKind {value['columnKind']!r}"
    if kind == "result" and not all(isinstance(key, str) and isinstance(item, str)
                                    for key, item in value.get("partialFingerprints",
                                                               {}).items()):
        yield f"{where}: partialFingerprints must map strings to strings"
    for name in ("helpUri", "informationUri", "downloadUri"):
        if kind in ("reportingDescriptor", "toolComponent") and name in value \
                and not _absolute_uri(value[name]):
            yield f"{where}: {name} {value[name]!r} is not an absolute URI"
    if kind == "reportingDescriptor":
        for name in ("fullDescription", "help"):
            if name not in value:
                yield f"{where}: rule lacks {name} (code scanning shows it)"
        if "markdown" not in value.get("help", {"markdown": ""}):
            yield f"{where}: rule help lacks markdown"
    if kind == "invocation" and not isinstance(value.get("executionSuccessful"), bool):
        yield f"{where}: executionSuccessful must be a boolean"


def _absolute_uri(uri: object) -> bool:
    """RFC 3986 absolute URI (scheme and authority here), every character allowed unescaped."""
    if not isinstance(uri, str):
        return False
    parts = urlsplit(uri)
    return bool(re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme) and parts.netloc) \
        and quote(unquote(uri), safe="/%:#@!$&'()*+,;=?~-._") == uri


def sarif_errors(document: str) -> list[str]:
    """Every way `document` breaks SARIF 2.1.0 or code scanning's needs; empty when valid."""
    log = json.loads(document)
    errors = list(_walk(log, "log", "$"))
    if not isinstance(log.get("$schema"), str) or "sarif" not in log["$schema"]:
        errors.append("$schema does not name the SARIF schema")
    for run_index, run in enumerate(log.get("runs", [])):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids):
            errors.append(f"runs[{run_index}]: rule ids repeat")
        for index, result in enumerate(run.get("results", [])):
            where = f"runs[{run_index}].results[{index}]"
            if result.get("ruleId") not in ids:
                errors.append(f"{where}: ruleId {result.get('ruleId')!r} not among the rules")
            elif "ruleIndex" in result and ids[result["ruleIndex"]] != result["ruleId"]:
                errors.append(f"{where}: ruleIndex points at another rule")
            locations = result.get("locations", [])
            if not locations or "startLine" not in locations[0].get(
                    "physicalLocation", {}).get("region", {}):
                errors.append(f"{where}: no location with a start line")
    return errors


# ---------------------------------------------------------------- the outputs

@pytest.fixture(params=["full", "clear", "undated", "empty"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Ledgers whose reports differ in shape: failures, none, all skipped, no problems."""
    issues = {
        "full": ISSUES,
        "clear": {number: ISSUES[number] for number in (3, 4, 5, 10)},
        "undated": {11: ISSUES[11]},
        "empty": {},
    }[request.param]
    return write_ledger(tmp_path / request.param, issues)


# `check`'s exit code for each ledger above: 3 when the policy fails a problem.
EXIT_CODES = {"full": 3, "clear": 0, "undated": 0, "empty": 0}


def _report(run: Run, root: Path, fmt: str) -> str:
    result = run("--root", root, "--today", TODAY, "check", "--format", fmt)
    assert result.exit_code == EXIT_CODES[root.name], result.output
    return result.stdout


def test_junit_follows_the_schema(run: Run, ledger: Path) -> None:
    document = _report(run, ledger, "junit")
    assert junit_errors(document) == []
    root = ET.fromstring(document.encode("utf-8"))
    # One test case per open problem, failed exactly when the policy fails it.
    facts = json.loads(_report(run, ledger, "json"))
    open_problems = [item for item in facts["problems"]
                     if item["level"] not in ("closed", "closed-late")]
    cases = root.findall("testsuite/testcase")
    assert [case.attrib["name"].split(":")[0] for case in cases] == [
        f"问题 {item['number']}" for item in open_problems]
    assert [case.find("failure") is not None for case in cases] == [
        item["fails"] for item in open_problems]


def test_sarif_follows_the_schema(run: Run, ledger: Path) -> None:
    document = _report(run, ledger, "sarif")
    assert sarif_errors(document) == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEDGER_DOCS_URL", DOCS_URL)
        linked = _report(run, ledger, "sarif")
    assert sarif_errors(linked) == []
    assert "helpUri" in linked
    facts = json.loads(_report(run, ledger, "json"))
    warned = sorted(item["number"] for item in facts["problems"]
                    if item["level"] in ("red", "yellow", "green"))
    results = json.loads(document)["runs"][0]["results"]
    assert sorted(int(result["partialFingerprints"]["ledgerProblem/v1"])
                  for result in results) == warned


DOCS_URL = "https://git.example.cn/ledger/blob/0a1b2c3/docs/"


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped,
    spaces as hyphens, repeats numbered), outside code blocks."""
    anchors: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = re.match(r"#{1,6} (.+)", line)
        if fenced or not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        candidate, count = slug, 0
        while candidate in anchors:
            count += 1
            candidate = f"{slug}-{count}"
        anchors.add(candidate)
    return anchors


def test_github_anchors_of_headings() -> None:
    text = "# 命令参考\n## ledger check\n```\n# not a heading\n```\n### 预警规则(policy)\n" \
           "## ledger check\n#### deadline-red\n"
    assert github_anchors(text) == {"命令参考", "ledger-check", "预警规则policy",
                                    "ledger-check-1", "deadline-red"}


def test_every_sarif_help_uri_is_an_anchor_of_its_docs_page(run: Run, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("LEDGER_DOCS_URL", DOCS_URL)
    result = run("--root", write_ledger(tmp_path / "full", ISSUES), "--today", TODAY, "check",
                 "--format", "sarif")
    assert result.exit_code == 3
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    links = [driver["informationUri"]] + [rule["helpUri"] for rule in driver["rules"]]
    assert len(links) == 4
    for link in links:
        assert link.startswith(DOCS_URL), link
        page, _, anchor = unquote(link[len(DOCS_URL):]).partition("#")
        path = REPO / "docs" / page
        assert path.is_file(), link
        if anchor:
            assert anchor in github_anchors(path.read_text(encoding="utf-8")), link


def test_docs_of_each_sarif_rule_say_what_the_catalogue_says() -> None:
    """docs/ci.md describes each rule under its id: its level and every command it suggests."""
    from ledger.core.codes import CHECK_RULES
    from ledger.deadline.standing import LEVEL_NAMES, Level

    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for level, (rule_id, _short, _full, steps) in CHECK_RULES.items():
        section = text.split(f"\n#### {rule_id}\n", 1)[1].split("\n#", 1)[0]
        assert section.strip().startswith(LEVEL_NAMES[Level(level)] + ":"), rule_id
        for _words, command in steps:
            assert command.split(" 序号")[0] in section, (rule_id, command)


# ---------------------------------------------------------------- the validators can fail

GOOD_JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="1" errors="0">
  <testsuite name="s" tests="1" failures="1" errors="0" time="0">
    <testcase name="c" classname="k" time="0"><failure message="m" type="t">x</failure></testcase>
  </testsuite>
</testsuites>"""


@pytest.mark.parametrize(("old", "new", "error"), [
    ('failures="1" errors="0" time', 'failures="2" errors="0" time',
     "suite failures=2 but 1 cases"),
    ('<testsuites tests="1"', '<testsuites tests="3"', "testsuites tests=3 but 1 in suites"),
    ('classname="k"', 'classname="k" file="a.yaml"', "<testcase> has file"),
    ('<testsuite name="s" ', "<testsuite ", "<testsuite> lacks name"),
    ('time="0"><failure', 'time="1 s"><failure', "<testcase> time '1 s'"),
    ('<failure message="m" type="t">x</failure>', "<failed/>", "unknown element <failed>"),
    ("</testcase>", "</testcase", "not well-formed"),
])
def test_junit_validator_catches_breaks(old: str, new: str, error: str) -> None:
    assert junit_errors(GOOD_JUNIT) == []
    broken = junit_errors(GOOD_JUNIT.replace(old, new, 1))
    assert any(item.startswith(error) for item in broken), broken


GOOD_SARIF: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "version": "2.1.0",
    "runs": [{"tool": {"driver": {"name": "t", "informationUri": "https://example.cn/docs/",
                                  "rules": [{"id": "r", "fullDescription": {"text": "f"},
                                             "help": {"text": "h", "markdown": "*h*"},
                                             "helpUri": "https://example.cn/docs/a.md#r"}]}},
              "invocations": [{"executionSuccessful": True}],
              "results": [{"ruleId": "r", "ruleIndex": 0, "level": "error",
                           "message": {"text": "m"},
                           "locations": [{"physicalLocation": {
                               "artifactLocation": {"uri": "a/b.yaml"},
                               "region": {"startLine": 1}}}]}]}],
}


@pytest.mark.parametrize(("path", "value", "error"), [
    (("version",), "2.0.0", "$: version '2.0.0'"),
    (("runs", 0, "tool", "driver", "name"), None, "$.runs[0].tool.driver: toolComponent lacks"),
    (("runs", 0, "results", 0, "level"), "fatal", "$.runs[0].results[0]: level 'fatal'"),
    (("runs", 0, "results", 0, "ruleId"), "x", "runs[0].results[0]: ruleId 'x'"),
    (("runs", 0, "results", 0, "message"), None, "$.runs[0].results[0]: result lacks message"),
    (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0,
     "$.runs[0].results[0].locations[0].physicalLocation.region: startLine 0"),
    (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "artifactLocation", "uri"),
     "台账/a b.yaml", "$.runs[0].results[0].locations[0].physicalLocation.artifactLocation: uri"),
    (("runs", 0, "results", 0, "file"), "a", "$.runs[0].results[0]: result has unknown file"),
    (("runs", 0, "tool", "driver", "rules", 0, "helpUri"), "docs/ci.md#r",
     "$.runs[0].tool.driver.rules[0]: helpUri 'docs/ci.md#r' is not an absolute URI"),
    (("runs", 0, "tool", "driver", "rules", 0, "helpUri"), "https://example.cn/docs/整改.md",
     "$.runs[0].tool.driver.rules[0]: helpUri"),
    (("runs", 0, "tool", "driver", "informationUri"), "/docs/",
     "$.runs[0].tool.driver: informationUri '/docs/' is not an absolute URI"),
    (("runs", 0, "tool", "driver", "rules", 0, "help"), None,
     "$.runs[0].tool.driver.rules[0]: rule lacks help"),
    (("runs", 0, "tool", "driver", "rules", 0, "fullDescription"), None,
     "$.runs[0].tool.driver.rules[0]: rule lacks fullDescription"),
    (("runs", 0, "tool", "driver", "rules", 0, "help", "markdown"), None,
     "$.runs[0].tool.driver.rules[0]: rule help lacks markdown"),
    (("runs", 0, "tool", "driver", "rules", 0, "help", "text"), None,
     "$.runs[0].tool.driver.rules[0].help: multiformatMessageString lacks text"),
    (("runs", 0, "invocations", 0, "executionSuccessful"), None,
     "$.runs[0].invocations[0]: invocation lacks"),
])
def test_sarif_validator_catches_breaks(path: tuple[str | int, ...], value: object,
                                        error: str) -> None:
    assert sarif_errors(json.dumps(GOOD_SARIF)) == []
    log = json.loads(json.dumps(GOOD_SARIF))
    target = log
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    broken = sarif_errors(json.dumps(log))
    assert any(item.startswith(error) for item in broken), broken
