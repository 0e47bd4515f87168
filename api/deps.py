"""Typed FastAPI dependencies: the long-lived components a route may use, built once in ``create_app``.

Routes declare what they need (``services: ServicesDep``) instead of reaching into ``request.app.state``,
so a route's signature says what it touches and a test can override any of them.
"""

from __future__ import annotations

from typing import Annotated

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


def services(request: Request) -> Services:
    return request.app.state.services


def settings(request: Request) -> Settings:
    return request.app.state.settings


def dossiers(request: Request) -> Dossiers:
    return request.app.state.dossiers


def conversations(request: Request) -> Conversations:
    return request.app.state.conversations


def documents(request: Request) -> Documents:
    return request.app.state.documents


def knowledge_writer(request: Request) -> KnowledgeWriter:
    return request.app.state.knowledge


def knowledge_changes(request: Request) -> KnowledgeChanges:
    return request.app.state.knowledge_changes


def sessions(request: Request) -> StaffSessions:
    return request.app.state.sessions


def rate_limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


def staff_keys(request: Request) -> StaffKeys:
    return request.app.state.staff_keys


def turns(request: Request) -> TurnReplayer:
    return request.app.state.openai_turns


def accounts(request: Request) -> StaffAccounts:
    return request.app.state.accounts


def public_links(request: Request) -> PublicLinks:
    return request.app.state.public_links


def public_base(request: Request) -> str:
    """Where visitors reach us: CHUBEI_PUBLIC_BASE_URL, or else the address this request came to."""
    return (request.app.state.settings.public_base_url or str(request.base_url)).rstrip("/")


ServicesDep = Annotated[Services, Depends(services)]
SettingsDep = Annotated[Settings, Depends(settings)]
DossiersDep = Annotated[Dossiers, Depends(dossiers)]
ConversationsDep = Annotated[Conversations, Depends(conversations)]
DocumentsDep = Annotated[Documents, Depends(documents)]
KnowledgeWriterDep = Annotated[KnowledgeWriter, Depends(knowledge_writer)]
KnowledgeChangesDep = Annotated[KnowledgeChanges, Depends(knowledge_changes)]
SessionsDep = Annotated[StaffSessions, Depends(sessions)]
RateLimitsDep = Annotated[RateLimits, Depends(rate_limits)]
StaffKeysDep = Annotated[StaffKeys, Depends(staff_keys)]
TurnsDep = Annotated[TurnReplayer, Depends(turns)]
AccountsDep = Annotated[StaffAccounts, Depends(accounts)]
PublicLinksDep = Annotated[PublicLinks, Depends(public_links)]
PublicBase = Annotated[str, Depends(public_base)]
