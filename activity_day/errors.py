"""Conditions an operator can act on. Their messages are Chinese and say what to do next.

Commands print such a message as one line and exit 2; a flow run that meets one fails with the same
message as its state message in the Prefect UI. Anything else is unexpected: one line plus the log.
"""

from __future__ import annotations


class OperatorError(RuntimeError):
    """An expected condition with a message (Chinese) that tells the operator what to do."""

    exit_code = 2


class MissingPrerequisite(OperatorError):
    """A step's input is not there yet; the message names the command to run first."""


class PrefectUnavailable(OperatorError):
    """The Prefect API could not be started or reached."""
