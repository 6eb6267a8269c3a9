"""The workflow kit shared by every module with a status and transitions.

A module's workflow is its status field, a ``TransitionTable`` on the model (the
guards), atomic functions in its ``actions`` (the transitions) and an event model
(the timeline). The kit gives each of those one shape:

``Refusal``
    a rule of the workflow saying no (the state of the row does not allow the
    action, a guard is not met, or a concurrent change got there first). The
    API's exception handler (``utilities.api_settings``) answers it with 409
    ``{"detail": "<the rule's words>"}``; on a page it becomes an error message
    (``refusals_as_messages`` / ``run_action`` below, and the generic
    ``ObjectActionView``). A user who may not act at all gets Django's
    ``PermissionDenied`` (403), bad input a ``ValidationError`` (400).

``lock(queryset, pk)``
    the row, locked for the rest of the transaction (``select_for_update``). It
    must run inside ``transaction.atomic()``. On SQLite ``select_for_update`` is
    a no-op: there the transactions are ``IMMEDIATE`` (settings), so the write
    lock is taken when the transaction begins and two transitions of one row
    still run one after the other. A row that has gone is a ``Refusal``.

``Transition`` and ``TransitionTable``
    the transitions of a status: from which statuses, to which, under which
    permission, with which guards. ``table.check(obj, action, user)`` raises
    ``PermissionDenied`` or ``Refusal`` in this order: unknown action (Refusal),
    the role lacks the permission (403), a table-wide precondition fails
    (Refusal, e.g. "withdrawn"), the permission on this very row (403), the
    status is not a source (Refusal), a guard of the transition fails
    (Refusal). ``table.can(...)`` and ``table.available(obj, user)`` serve the
    pages (which buttons to show). A guard is ``guard(obj, user) -> str | None``:
    the refusal in words, or None when it is met.

``WorkflowEvent``
    the abstract event model: ``actor``, ``at``, ``action``, ``from_status``,
    ``to_status``, ``comment``, ``data``. A module's event model adds the foreign
    key to its subject and names it in ``subject_field``; ``Event.record(subject,
    action, actor=…, …)`` is the one factory that writes an event (and, unless
    ``audit=False``, its audit entry).

``notify_on_commit(users, title, …, actor=…)``
    tells the people concerned once the transaction commits (a rolled-back
    transition tells nobody); the actor is left out of the recipients.

Pages::

    with refusals_as_messages(request) as outcome:
        actions.verify(actor=request.user, hazard=hazard)
    if outcome.ok:
        messages.success(request, _("Closed."))
    return redirect(back)

or in one call ``return run_action(request, lambda: actions.verify(...), back=url,
success=_("Closed."))``. Both catch ``Refusal`` and ``ValidationError`` (an error
message in the rule's words); ``PermissionDenied`` and ``Http404`` pass through.

Adding a module's workflow: docs/architecture.md, "Workflows".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import BaseModel, json_value

__all__ = [
    "Refusal", "Transition", "TransitionTable", "WorkflowEvent", "lock", "notify_on_commit", "refusals_as_messages",
    "run_action",
]


class Refusal(Exception):
    """A workflow rule refused the action; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


# --- the row lock ---------------------------------------------------------------------------------------------

def lock(queryset: QuerySet | type[models.Model], pk: Any = None, *, missing: str | Promise | None = None,
         **lookup: Any) -> Any:
    """The row ``pk`` (or the one row matching ``lookup``) of ``queryset`` (or of a model's base
    manager), locked until the transaction ends.

    ``pk`` may be the object itself. Outside ``transaction.atomic()`` it is a programming error
    (the lock would end at once). A row that does not exist (any more) is a ``Refusal`` saying
    ``missing``.
    """
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._base_manager.all()
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic(): the lock lasts until the transaction ends.")
    if pk is not None:
        lookup["pk"] = getattr(pk, "pk", pk)
    try:
        return queryset.select_for_update().get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Refusal(missing or gettext("This record no longer exists.")) from exc


# --- transitions and their guards -------------------------------------------------------------------------------

Guard = Callable[[Any, Any], "str | Promise | None"]


@dataclass(frozen=True)
class Transition:
    """One transition: ``action`` from any of ``sources`` to ``target`` (``""``: the status stays),
    for users with ``perm`` (on the row), when every guard is met."""

    action: str
    sources: tuple[str, ...]
    target: str = ""
    perm: str = ""
    label: str | Promise = ""
    style: str = "primary"
    guards: tuple[Guard, ...] = ()
    # The refusal when the status is not a source; default: the table's ``wrong_state``.
    refused: str | Promise = ""
    # Shown on the page even when a guard fails (so the page can say what is missing).
    show_when_guarded: bool = field(default=True)


WRONG_STATE = _("Cannot “{action}” now: the status is “{status}”; this is possible only when it is “{allowed}”.")
DENIED = _("You may not “{action}” this record.")
UNKNOWN = _("Unknown action “{action}”.")


class TransitionTable:
    """The transitions of one status field, with the checks every action runs first.

    ``preconditions`` apply to every transition (checked after the role's permission, before
    the permission on the row: a withdrawn hazard says so to anyone who could otherwise act).
    ``wrong_state`` is the refusal for a status that is not a source; it is formatted with
    ``action``, ``status`` and ``allowed`` (the labels).
    """

    def __init__(self, *transitions: Transition, status_field: str = "status",
                 preconditions: Iterable[Guard] = (),
                 wrong_state: str | Promise = WRONG_STATE, denied: str | Promise = DENIED,
                 unknown: str | Promise = UNKNOWN) -> None:
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        self.status_field = status_field
        self.preconditions = tuple(preconditions)
        self.wrong_state, self.denied, self.unknown = wrong_state, denied, unknown

    # The table reads like the dict it replaces.
    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: object) -> bool:
        return action in self.transitions

    def __iter__(self) -> Iterator[str]:
        return iter(self.transitions)

    def __len__(self) -> int:
        return len(self.transitions)

    def get(self, action: str, default: Any = None) -> Transition | None:
        return self.transitions.get(action, default)

    def keys(self) -> Any:
        return self.transitions.keys()

    def values(self) -> Any:
        return self.transitions.values()

    def items(self) -> Any:
        return self.transitions.items()

    def status_of(self, obj: Any) -> str:
        return getattr(obj, self.status_field)

    def status_label(self, obj: Any, status: str) -> str:
        choices = dict(obj._meta.get_field(self.status_field).flatchoices)
        return str(choices.get(status, status))

    def check(self, obj: Any, action: str, user: Any) -> Transition:
        """The transition ``action`` if ``user`` may make it on ``obj`` now; else ``PermissionDenied``
        (the user may not) or ``Refusal`` (the state or a guard says no)."""
        t = self.transitions.get(action)
        if t is None:
            raise Refusal(str(self.unknown).format(action=action))
        denied = PermissionDenied(str(self.denied).format(action=t.label or action))
        if t.perm and not user.has_perm(t.perm):
            raise denied
        for guard in self.preconditions:
            _refuse_unless(guard(obj, user))
        if t.perm and not user.has_perm(t.perm, obj):
            raise denied
        status = self.status_of(obj)
        if status not in t.sources:
            allowed = "、".join(self.status_label(obj, s) for s in t.sources)
            raise Refusal(str(t.refused or self.wrong_state).format(
                action=t.label or action, status=self.status_label(obj, status), allowed=allowed))
        for guard in t.guards:
            _refuse_unless(guard(obj, user))
        return t

    def can(self, obj: Any, action: str, user: Any) -> bool:
        try:
            self.check(obj, action, user)
        except (PermissionDenied, Refusal):
            return False
        return True

    def available(self, obj: Any, user: Any) -> list[Transition]:
        """The transitions ``user`` may make from the row's status (with the row's permission and
        the preconditions met); a transition whose own guards fail shows when ``show_when_guarded``."""
        out = []
        status = self.status_of(obj)
        if any(guard(obj, user) for guard in self.preconditions):
            return out
        for t in self.transitions.values():
            if status not in t.sources or (t.perm and not user.has_perm(t.perm, obj)):
                continue
            if not t.show_when_guarded and any(guard(obj, user) for guard in t.guards):
                continue
            out.append(t)
        return out


def _refuse_unless(problem: str | Promise | None) -> None:
    if problem:
        raise Refusal(str(problem))


# --- the timeline ---------------------------------------------------------------------------------------------

class WorkflowEvent(BaseModel):
    """One step of a workflow's timeline: who did what, when, from which status to which.

    A concrete event model adds the foreign key to its subject (``related_name="events"``) and
    names it::

        class HazardEvent(WorkflowEvent):
            subject_field = "hazard"
            hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
            scope = ScopeRule(enterprise="hazard__enterprise")

    ``labels`` maps actions to what the timeline shows (else the choices of ``action``, if a
    model gives it some, else the action itself).
    """

    subject_field: ClassVar[str] = ""
    labels: ClassVar[dict[str, str | Promise]] = {}

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.subject_field}_id', '')} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        if self.action in self.labels:
            return str(self.labels[self.action])
        choices = dict(self._meta.get_field("action").flatchoices)
        return str(choices.get(self.action, self.action))

    @classmethod
    def record(cls, subject: Any, action: str, *, actor: Any = None, from_status: str = "", to_status: str = "",
               comment: str = "", data: dict[str, Any] | None = None, audit: bool | str = True,
               audit_changes: dict[str, Any] | None = None, **fields: Any) -> WorkflowEvent:
        """Write the event ``action`` of ``subject`` (and its audit entry, a ``transition``).

        ``data`` is stored JSON-safe (dates as ISO strings, decimals as strings). The audit entry
        carries the status change (or ``audit_changes``) and the message ``"<action>: <comment>"``;
        ``audit`` may be the message instead, or False for none. ``fields`` are the model's own
        further fields (a hazard event's ``evidence``).
        """
        assert cls.subject_field, f"{cls.__name__}.subject_field names the foreign key to the subject"
        event = cls.objects.create(
            **{cls.subject_field: subject}, actor=actor if getattr(actor, "pk", None) else None, action=action,
            from_status=from_status or "", to_status=to_status or "", comment=comment or "",
            data={str(k): json_value(v) for k, v in (data or {}).items()}, **fields)
        if audit:
            from anjian.core import audit as audit_log
            from anjian.core.models import AuditAction

            changes = audit_changes
            if changes is None:
                changes = {"status": [from_status or None, to_status]} if to_status and from_status != to_status \
                    else {}
            message = audit if isinstance(audit, str) else f"{action}: {comment or ''}".strip(": ")
            audit_log.record(AuditAction.TRANSITION, subject, changes=changes, message=message[:2000])
        return event


# --- notifications ----------------------------------------------------------------------------------------------

def notify_on_commit(users: Iterable[Any], title: str, body: str = "", url: str = "", kind: str = "", *,
                     actor: Any = None, email: bool = False, sms: bool = False) -> None:
    """Tell ``users`` (not the ``actor``) once the current transaction commits; a rollback tells nobody."""
    from anjian.core.notify import notify

    actor_pk = getattr(actor, "pk", None)
    recipients = [u for u in users if u is not None and (actor_pk is None or u.pk != actor_pk)]
    if recipients:
        notify(recipients, title, body, url, kind=kind, email=email, sms=sms)


# --- pages ------------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What ``refusals_as_messages`` saw: ``ok`` unless the action was refused."""

    ok: bool = True
    message: str = ""


def _in_words(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@contextmanager
def refusals_as_messages(request: HttpRequest) -> Iterator[Outcome]:
    """Run a page's action: a ``Refusal`` or ``ValidationError`` becomes an error message in its
    own words (and ``outcome.ok`` is False); anything else passes through."""
    outcome = Outcome()
    try:
        yield outcome
    except (Refusal, ValidationError) as exc:
        outcome.ok, outcome.message = False, _in_words(exc)
        messages.error(request, outcome.message)


def run_action(request: HttpRequest, work: Callable[[], Any], *, back: str, success: str | Promise = "") -> HttpResponse:
    """Run ``work``; say how it went (the refusal in words, or ``success``) and go ``back``."""
    with refusals_as_messages(request) as outcome:
        work()
    if outcome.ok and success:
        messages.success(request, str(success))
    return redirect(back)
