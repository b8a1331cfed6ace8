"""Plain data to YAML a clerk can edit: the writer of new files (import, init).

Edits of existing files never come here: they go through `yamledit`, which keeps
every other byte. This is for files written whole, once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, empty values left empty."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same date twice is written twice: ledgers use no anchors


def _represent_none(dumper: yaml.SafeDumper, _: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    # Quoted, as docs/formats.md writes amounts: the text is the exact number.
    return dumper.represent_scalar("tag:yaml.org,2002:str", f"{value:f}", style='"')


_Dumper.add_representer(type(None), _represent_none)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump(data: dict[str, Any]) -> str:
    """YAML a clerk can edit: block style, key order kept, no line folding."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=False)
