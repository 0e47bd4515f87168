"""FastAPI dependencies of the OpenAI-compatible routes: the long-lived components they use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.conversations import Conversations
from api.dossiers import Dossiers
from api.openai_compat.turns import TurnReplayer
from chubei.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


def dossiers(request: Request) -> Dossiers:
    return request.app.state.dossiers


def conversations(request: Request) -> Conversations:
    return request.app.state.conversations


def turns(request: Request) -> TurnReplayer:
    return request.app.state.openai_turns


ServicesDep = Annotated[Services, Depends(services)]
DossiersDep = Annotated[Dossiers, Depends(dossiers)]
ConversationsDep = Annotated[Conversations, Depends(conversations)]
TurnsDep = Annotated[TurnReplayer, Depends(turns)]
