"""A ``messages`` history read as a conversation, remembered exactly as the session path remembers one.

POST /api/v1/ask keeps, for every answered turn, how it was understood (``Answer.turn()``) and reads the last
few back for a follow-up. An OpenAI client instead resends the whole conversation each time, so each earlier
question is read again by the same assistant, with the turns before it, which yields the same remembered
turns. A turn is cached on (project, question, the turns before it), and the turn just answered is cached
too: a client resending its history costs one answer per request, and a client that keeps only a sliding
window of messages (as Dify does) still finds its turns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from cachetools import LRUCache

from assistant.answering import Answer, AskContext, Assistant
from assistant.project_context import ProjectContext
from assistant.understanding import PriorTurn

TurnKey = tuple[str | None, str, tuple[PriorTurn, ...]]


class TurnReplayer:
    def __init__(
        self,
        assistant: Callable[[], Assistant],
        project: Callable[[str], ProjectContext],
        history_turns: int,
        replay_turns: int,
        cache_size: int,
    ) -> None:
        """``assistant`` (the one re-reading earlier turns) is looked up on each use, since reloading the
        knowledge base replaces it."""
        self._assistant = assistant
        self._project = project
        self._history_turns = history_turns
        self._replay_turns = replay_turns
        self._cache: LRUCache[TurnKey, PriorTurn] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()

    def answer(self, assistant: Assistant, project_id: str | None, questions: Sequence[str]) -> Answer:
        """The last of ``questions`` (user messages, oldest first) answered in the context of the others."""
        *earlier, question = questions
        history = self.history(project_id, earlier)
        project = self._project(project_id) if project_id else None
        answer = assistant.ask(question, AskContext(history, project))
        with self._lock:
            self._cache[(project_id, question, tuple(history))] = answer.turn()
        return answer

    def history(self, project_id: str | None, questions: Sequence[str]) -> list[PriorTurn]:
        """The last turns of a conversation whose earlier user questions are ``questions`` (oldest first).

        Only the last ``replay_turns`` questions are read; the first of them without what came before it.
        """
        turns: list[PriorTurn] = []
        for question in questions[max(0, len(questions) - self._replay_turns) :]:
            turns.append(self._turn((project_id, question, tuple(turns[-self._history_turns :]))))
        return turns[-self._history_turns :]

    def _turn(self, key: TurnKey) -> PriorTurn:
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        project_id, question, before = key
        project = self._project(project_id) if project_id else None
        turn = self._assistant().ask(question, AskContext(list(before), project)).turn()
        with self._lock:
            self._cache[key] = turn
        return turn
