"""Failures that stop a command, each with its exit code.

Problems found in the data are not exceptions: they are `model.Problem`
values, collected and reported together. These classes are for what stops a
command outright (no ledger found, a refused edit, a failed write). An
error's constructor only builds its message; the CLI's error boundary prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ledger.model costs ~10 ms at start-up; `--help` needs none of it
    from ledger.core.model import Location

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_POLICY = 3
EXIT_WRITE = 4
EXIT_LOCKED = 5  # another command is changing the ledger (lock wait timed out)
EXIT_IMPORT_WARNINGS = 6  # `ledger import` wrote the ledger, with warnings to review
EXIT_INTERNAL = 70  # a defect of the program itself (sysexits' EX_SOFTWARE)


class LedgerError(Exception):
    """A failure with a message for the user, an optional hint and location."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, hint: str = "", location: Location | None = None,
                 field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location
        # The input the error is about (reason, evidence, title …): the library names no
        # command-line flag, the CLI maps the field to its own (see cli.FIELD_FLAGS).
        self.field = field


class UsageError(LedgerError):
    """The command was called wrongly (bad option value, unknown number format)."""

    exit_code = EXIT_USAGE


class NoLedgerError(UsageError):
    """No ledger (data/ledger.yaml) was found where the command looked."""


class RefusedError(LedgerError):
    """An edit was refused; nothing was written."""

    exit_code = EXIT_PROBLEMS


class WriteError(LedgerError):
    """A file could not be written; the original is unchanged."""

    exit_code = EXIT_WRITE


class RenderError(LedgerError):
    """A template failed: its name and line are in the message."""
