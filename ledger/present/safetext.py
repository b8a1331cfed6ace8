"""Data made safe for the place it is shown: a terminal or CI log, JSON, Markdown.

Text from the ledger's files (titles, units, notes, file names) and from the
command line is data, never instructions to whatever displays it:

- `visible` is the one function every writer to a terminal or plain text
  stream passes data through (list, show, check, validate, every message; also
  the texts of JUnit and SARIF reports). Control characters (C0, DEL, C1),
  Unicode line and paragraph separators, bidirectional overrides, lone
  surrogates and U+FFFE/U+FFFF are shown as escapes (`\\x1b`, `\\u202e`), so no
  escape sequence reaches the terminal and no XML 1.0 document is broken. In
  a one-line field a line break is shown as ↵, so data can never start a line
  of its own (a GitHub workflow command such as `::error::` or
  `::stop-commands::` needs one). rich markup is not this module's business:
  `present` hands rich Text objects, which it never parses.
- `json_safe` escapes the same characters in JSON text as \\uXXXX: the same
  values to every JSON reader, nothing raw for a terminal.
- `markdown` and `markdown_cell` escape what CommonMark and GitHub's tables and
  strikethrough would interpret in data, and nothing else, so that ordinary
  text (half-width "(" and ":" included) comes out byte for byte.

What it does not do: decide where data goes or shorten it (the presenters do).
Only the standard library's `re`: it is on the start-up path of every command.
"""

from __future__ import annotations

import re

NEWLINE_MARK = "↵"  # a line break inside a one-line field

# What a terminal, a CI log or an XML parser would act on or refuse.
_UNSAFE = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
           "\ud800-\udfff\ufffe\uffff")
# Patterns are compiled on first use (re keeps them): most runs never need one, and
# compiling them all at import cost 2.5 ms of every command's start-up.
_UNSAFE_LINES = f"[{_UNSAFE}]"  # keeps \t and \n
_UNSAFE_LINE = f"[\t\n{_UNSAFE}]"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return NEWLINE_MARK
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` as a terminal shows it literally: controls as \\x1b, line breaks as ↵.

    With `multiline` the text keeps its line breaks and tabs (a diff, a report
    body); without, it is one line. Idempotent: what it returns, it returns unchanged.
    """
    if text.isprintable():
        return text
    return re.compile(_UNSAFE_LINES if multiline else _UNSAFE_LINE).sub(_escape, text)


_JSON_RAW = ("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
             "\ufffe\uffff]")


def json_safe(document: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False) with nothing raw a terminal acts on.

    json.dumps already escapes C0; these characters can only stand inside
    strings, where \\uXXXX means the same character to every JSON reader.
    """
    return re.compile(_JSON_RAW).sub(lambda match: f"\\u{ord(match.group()):04x}", document)


# ---------------------------------------------------------------- Markdown

# Interpreted wherever they stand: escapes, code, emphasis, strikethrough,
# links and images, HTML and autolinks, headings, table cells.
_MD_ALWAYS = str.maketrans({char: "\\" + char for char in "\\`*_~[]<>#|"})
# & starts a character reference only before a name or number and a semicolon.
_MD_ENTITY = r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)"
# At the start of a line: a list item (- + 1. 1)), a thematic break or setext
# underline (--- ===), or (four spaces, a tab) an indented code block.
_MD_LIST = r"[-+](?=[ \t]|$)|[-=][-= \t]*$"
_MD_ORDERED = r"([0-9]{1,9})([.)])(?=[ \t]|$)"
_MD_BREAKS = {"\r\n": "&#10;", "\n": "&#10;", "\r": "&#13;"}
_MD_BREAK = "\r\n|[\r\n]"


def markdown(value: object, *, inline: bool = False) -> str:
    """Text that Markdown shows literally, as one line, wherever it is put.

    A line break of the data is a character reference (&#10;), so it can
    neither end a heading nor start a block. Unless `inline` (a table cell, the
    rest of a line), what would open a block at the start of a line is escaped too.
    """
    text = re.compile(_MD_ENTITY).sub(r"\\&", str(value).translate(_MD_ALWAYS))
    if "\n" in text or "\r" in text:
        text = re.compile(_MD_BREAK).sub(lambda match: _MD_BREAKS[match.group()], text)
    if inline or not text:
        return text
    if text[0] in " \t":
        text = f"&#{ord(text[0])};" + text[1:]
    elif re.compile(_MD_LIST).match(text):
        text = "\\" + text
    else:
        ordered = re.compile(_MD_ORDERED).match(text)
        if ordered is not None:
            text = ordered.group(1) + "\\" + text[ordered.end(1):]
    return text


def markdown_cell(value: object) -> str:
    """A Markdown table cell: each line escaped, line breaks as <br>."""
    return "<br>".join(markdown(line, inline=True) for line in str(value).split("\n"))
