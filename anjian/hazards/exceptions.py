"""Domain errors of the hazard workflow.

``TransitionNotAllowed`` is an illegal or conflicting transition (the state of
the hazard does not allow it: HTTP 409); a user who may not act at all gets
Django's ``PermissionDenied`` (403) and bad input a ``ValidationError`` (400).
"""

from __future__ import annotations


class HazardError(Exception):
    """A workflow rule refused the action; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(HazardError):
    pass
