"""Typed FastAPI dependencies: the long-lived components a route may use, built once in ``create_app``.

Routes declare what they need (``services: ServicesDep``) instead of reaching into ``request.app.state``,
so a route's signature says what it touches and a test can override any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from api.accounts import StaffAccounts
from api.conversations import Conversations
from api.documents import Documents
from api.dossiers import Dossiers
from api.keys import StaffKeys
from api.knowledge_admin import KnowledgeWriter
from api.knowledge_changes import KnowledgeChanges
from api.openai_compat.turns import TurnReplayer
from api.public_links import PublicLinks
from api.rate_limit import RateLimits
from api.sessions import StaffSessions
from chubei.services import Services
from chubei.settings import Settings

T = TypeVar("T")


def component(name: str, kind: type[T]) -> Callable[[Request], T]:
    """A dependency returning ``app.state.<name>``, the ``kind`` that ``create_app`` built once.

    The check turns the untyped ``app.state`` into the declared type (and a wiring mistake into a clear error).
    """

    def get(request: Request) -> T:
        value = getattr(request.app.state, name)
        if not isinstance(value, kind):
            raise TypeError(f"app.state.{name} is a {type(value).__name__}, not a {kind.__name__}")
        return value

    get.__name__ = name
    return get


def public_base(request: Request) -> str:
    """Where visitors reach us: CHUBEI_PUBLIC_BASE_URL, or else the address this request came to."""
    return (request.app.state.settings.public_base_url or str(request.base_url)).rstrip("/")


ServicesDep = Annotated[Services, Depends(component("services", Services))]
SettingsDep = Annotated[Settings, Depends(component("settings", Settings))]
DossiersDep = Annotated[Dossiers, Depends(component("dossiers", Dossiers))]
ConversationsDep = Annotated[Conversations, Depends(component("conversations", Conversations))]
DocumentsDep = Annotated[Documents, Depends(component("documents", Documents))]
KnowledgeWriterDep = Annotated[KnowledgeWriter, Depends(component("knowledge", KnowledgeWriter))]
KnowledgeChangesDep = Annotated[KnowledgeChanges, Depends(component("knowledge_changes", KnowledgeChanges))]
SessionsDep = Annotated[StaffSessions, Depends(component("sessions", StaffSessions))]
RateLimitsDep = Annotated[RateLimits, Depends(component("rate_limits", RateLimits))]
StaffKeysDep = Annotated[StaffKeys, Depends(component("staff_keys", StaffKeys))]
TurnsDep = Annotated[TurnReplayer, Depends(component("openai_turns", TurnReplayer))]
AccountsDep = Annotated[StaffAccounts, Depends(component("accounts", StaffAccounts))]
PublicLinksDep = Annotated[PublicLinks, Depends(component("public_links", PublicLinks))]
PublicBase = Annotated[str, Depends(public_base)]
