"""The hazard workflow's refusals are the kit's ``Refusal`` (``anjian.utilities.workflow``).

``HazardError`` and ``TransitionNotAllowed`` are kept as names of it for the code that
still imports them; new code raises and catches ``Refusal``.
"""

from __future__ import annotations

from anjian.utilities.workflow import Refusal

HazardError = Refusal
TransitionNotAllowed = Refusal

__all__ = ["HazardError", "Refusal", "TransitionNotAllowed"]
