"""The actor: who is acting, with which role and scope, from where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    account_id: uuid.UUID | None
    role: str | None
    username: str | None = None
    grid_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)  # grid workers
    community_id: uuid.UUID | None = None  # committee staff
    station_id: uuid.UUID | None = None  # police
    token_id: uuid.UUID | None = None
    request_id: str | None = None
    client_addr: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def anonymous(request_id: str | None = None, client_addr: str | None = None) -> Actor:
    return Actor(account_id=None, role=None, request_id=request_id, client_addr=client_addr)


def system(what: str = "cli") -> Actor:
    """Commands run by an operator on the server (audited as role 'system')."""
    return Actor(account_id=None, role="system", username=what)
