"""The acting user and request of the current unit of work, as a ContextVar.

Set by ``RequestContextMiddleware`` for web requests and by ``acting_as()``
for background jobs and commands, so that the change log can say who did a
change, from where, and under which request id.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChangeContext:
    user_id: int | None = None
    username: str = ""
    ip: str | None = None
    user_agent: str = ""
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    source: str = "web"  # web | api | job | command


current: ContextVar[ChangeContext | None] = ContextVar("anjian_change_context", default=None)


def get() -> ChangeContext:
    return current.get() or ChangeContext(source="system")


@contextlib.contextmanager
def acting_as(user: Any = None, *, source: str = "command", request_id: uuid.UUID | str | None = None,
              ip: str | None = None) -> Iterator[ChangeContext]:
    ctx = ChangeContext(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        ip=ip,
        source=source,
        request_id=uuid.UUID(str(request_id)) if request_id else uuid.uuid4(),
    )
    token = current.set(ctx)
    try:
        yield ctx
    finally:
        current.reset(token)
