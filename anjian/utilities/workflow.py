"""The workflow kit shared by every module with a status and transitions.

``Refusal`` is a rule of the workflow saying no (the state of the row does not
allow the action, or a concurrent change got there first): the API answers it
with 409 and the pages with a message, both in the rule's words. A user who may
not act at all gets Django's ``PermissionDenied`` (403), bad input a
``ValidationError`` (400).
"""

from __future__ import annotations


class Refusal(Exception):
    """A workflow rule refused the action; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
