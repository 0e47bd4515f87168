"""An answer of the assistant as an OpenAI chat completion, whole or as ``chat.completion.chunk`` events."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from api.openai_compat.schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChubeiExtras,
    ChunkChoice,
    Delta,
    Usage,
)
from assistant.answering import Answer
from assistant.models import Citation

DONE = "data: [DONE]\n\n"


def content(answer: Answer) -> str:
    """The answer, then its citations as numbered references (clients that read only ``content`` keep them)."""
    return answer.text + references(answer.citations)


def references(citations: list[Citation]) -> str:
    if not citations:
        return ""
    return "\n\n" + "\n".join(f"[{n}] 《{c.title}》{c.article}" for n, c in enumerate(citations, 1))


def completion(request: ChatCompletionRequest, answer: Answer) -> ChatCompletion:
    text = content(answer)
    prompt = sum(len(message.text) for message in request.messages)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=request.model,
        choices=[Choice(message=AssistantMessage(content=text))],
        usage=Usage(prompt_tokens=prompt, completion_tokens=len(text), total_tokens=prompt + len(text)),
        citations=answer.citations,
        out_of_scope=answer.out_of_scope,
        understood_as=answer.understood_as,
    )


def events(reply: ChatCompletion, chunk_chars: int, include_usage: bool) -> Iterator[str]:
    """Server-sent events: the role, the content in pieces, the finish with Chubei's fields, usage if asked,
    then ``[DONE]``. The answer is composed whole before the first event, so a failure is an ordinary error."""

    def chunk(choices: list[ChunkChoice], usage: Usage | None = None, final: bool = False) -> str:
        event = ChatCompletionChunk(id=reply.id, created=reply.created, model=reply.model, choices=choices, usage=usage)
        data = event.model_dump(mode="json", exclude_none=True)  # as OpenAI sends: no null delta fields
        if final:
            data |= reply.model_dump(mode="json", include=set(ChubeiExtras.model_fields))
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    text = reply.choices[0].message.content
    yield chunk([ChunkChoice(delta=Delta(role="assistant", content=""))])
    for start in range(0, len(text), chunk_chars):
        yield chunk([ChunkChoice(delta=Delta(content=text[start : start + chunk_chars]))])
    yield chunk([ChunkChoice(delta=Delta(), finish_reason="stop")], final=True)
    if include_usage:
        yield chunk([], usage=reply.usage)
    yield DONE
