"""Conditions an operator can act on. Their messages are Chinese and say what to do next.

Commands print such a message as one line and exit 2; a flow run that meets one fails with the same
message as its state message in the Prefect UI. Anything else is unexpected: one line plus the log.
"""

from __future__ import annotations

from typing import Any


class OperatorError(RuntimeError):
    """An expected condition with a message (Chinese) that tells the operator what to do."""

    exit_code = 2


class MissingPrerequisite(OperatorError):
    """A step's input is not there yet; the message names the command to run first."""


class PrefectUnavailable(OperatorError):
    """The Prefect API could not be started or reached."""


class Refused(OperatorError):
    """A fact not taken, with what an API answers for it: 404 an unknown reference, 409 a state or time that does
    not allow it, 422 its content; `problems` name the fields (the API's problem shape). A file import turns it into
    a refused row, a phone page into a message by the field, a command into one line and exit code 2."""

    def __init__(self, message: str, status: int = 422, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message, self.status, self.problems = message, status, problems or []
