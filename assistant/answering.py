"""Answers like a coach, without an LLM: the direct answer first, a short list only when asked, and only
the citations whose articles state what the answer says.

A question is read in the context of its conversation (``assistant/understanding.py``) and of the
project it is asked about (``assistant/project_context.py``), declined when it is not a pre-opening
approval matter (``assistant/scope.py``), and composed from curated knowledge, the 事项目录 or the
articles themselves (``assistant/composer.py``). An optional LLM may reword the answer; what it writes
is checked against the sources before it is shown (``assistant/llm.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.composer import Composer
from assistant.config import AnswerConfig
from assistant.fact_reader import read_facts
from assistant.llm import AnswerWriter
from assistant.models import AskResponse, Citation
from assistant.project_context import ProjectContext, points_at_project
from assistant.reply import PENDING, Reply
from assistant.retrieval import HybridRetriever, Retrieval
from assistant.scope import ScopeDecision, ScopeGate
from assistant.understanding import Interpreter, PriorTurn, Understanding
from kb.corpus import Corpus
from kb.facts import ProjectFacts
from kb.knowledge import KnowledgeBase

DECLINE = (
    "这个我帮不上忙：{reason}。我只解答开业前审批方面的问题——要办哪些证照和手续、选址和房产、人员和设备、"
    "消防和卫生要求、申请材料、办理时限和流程。您可以换个问法，或直接联系您的专员。"
)
NOTICE = "以上内容供筹备参考，具体以审批部门的审查意见为准；如有疑问请联系您的专员。"
NO_BASIS = f"知识库里没有找到能回答这个问题的规定（{PENDING}），请向您的专员确认。"
# Words that point at the project itself rather than name what is asked about.


@dataclass
class AskContext:
    """What the question is asked in: the conversation so far and, in a project chat, the project."""

    history: list[PriorTurn] = field(default_factory=list)
    project: ProjectContext | None = None


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    out_of_scope: bool
    scope: ScopeDecision
    understanding: Understanding
    reply: Reply | None = None
    retrieval: Retrieval | None = None
    notice: str | None = None
    type_ids: list[str] = field(default_factory=list)
    # 事项 the direct answer names without being about them (a quoted article: "取得经营高危险性体育项目行政
    # 许可的，可以经营…"): what "这个证" in the next question may mean.
    mentioned_permits: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        return self.reply.items if self.reply else []

    @property
    def permits(self) -> list[str]:
        return self.reply.permits if self.reply else []

    @property
    def points(self) -> list[str]:
        return self.reply.points if self.reply else []

    @property
    def understood_as(self) -> str | None:
        return self.understanding.text if self.understanding.rewritten else None

    def response(self, session_id: str) -> AskResponse:
        """The JSON contract of POST /api/v1/ask (also what the CLI prints with --json)."""
        return AskResponse(
            answer=self.text,
            citations=self.citations,
            out_of_scope=self.out_of_scope,
            session_id=session_id,
            understood_as=self.understood_as,
            intent=str(self.understanding.intent),
            points=self.points,
            items=self.items,
            permits=self.permits,
            notice=self.notice,
            answered_from=self.reply.source if self.reply else None,
        )

    def turn(self) -> PriorTurn:
        """How this turn is remembered for the next question of the conversation."""
        permits = self.permits[:6] or self.understanding.permit_ids
        return PriorTurn(
            question=self.understanding.question,
            understood=self.understanding.text,
            type_ids=tuple(self.type_ids),
            permit_ids=tuple(permits),
            subject=self.understanding.subject,
            intent=self.understanding.intent,
            out_of_scope=self.out_of_scope,
            mentioned_permit_ids=tuple(self.mentioned_permits),
        )


class Assistant:
    def __init__(
        self,
        retriever: HybridRetriever,
        scope: ScopeGate,
        kb: KnowledgeBase,
        corpus: Corpus,
        interpreter: Interpreter,
        composer: Composer,
        config: AnswerConfig,
        writer: AnswerWriter | None = None,
    ) -> None:
        self.retriever = retriever
        self.scope = scope
        self.kb = kb
        self.corpus = corpus
        self.interpreter = interpreter
        self.composer = composer
        self.config = config
        self.writer = writer

    def ask(self, question: str, context: AskContext | None = None) -> Answer:
        context = context or AskContext()
        history = context.history[-self.config.history_turns :]
        understanding = self.interpreter.understand(question, history)
        project = context.project
        talked_about = _business_talked_about(history)
        # The business the chat is about: a trade word in a question about it (电玩城's 彩票 for prizes) is no
        # other trade, unless the question opens that trade.
        known = [self.kb.types[t].name for t in (project.type_ids if project else talked_about) if t in self.kb.types]
        by_words = self.scope.by_words(question, known)
        if by_words is not None and not by_words.in_scope:
            return self._decline(by_words, understanding)
        type_ids, _, retrieval, decision = self._read(understanding, project, talked_about)
        if not decision.in_scope and not understanding.follows_up and any(not t.out_of_scope for t in history):
            # Alone it looks off-topic; read as a follow-up of the conversation it belongs to.
            again = self.interpreter.understand(question, history, force=True)
            candidate = self._read(again, project, talked_about)
            if candidate[3].in_scope:
                understanding = again
                type_ids, _query, retrieval, decision = candidate
        if not decision.in_scope:
            return self._decline(decision, understanding, retrieval)
        stated = _stated_facts(understanding.text)
        reply = self.composer.compose(understanding, retrieval, type_ids, stated, project, self._search)
        if not reply.lead:
            reply = Reply(lead=NO_BASIS)
        if self.writer is not None:  # only the direct answer is reworded; lists and notes stay as composed
            reply.lead = self.writer.rewrite(understanding.text, reply.lead, reply.citations) or reply.lead
        text = reply.render()
        return Answer(
            text=text,
            citations=reply.citations,
            out_of_scope=False,
            scope=decision,
            understanding=understanding,
            reply=reply,
            retrieval=retrieval,
            notice=self._notice(reply.citations),
            type_ids=type_ids,
            mentioned_permits=[] if reply.permits else self._mentioned_permits(reply),
        )

    def _mentioned_permits(self, reply: Reply) -> list[str]:
        """事项 an answer not about 事项 still names: in its direct answer, or as the 事项 of the item it gives
        (锅炉 → 特种设备使用登记, which "这个登记" then means)."""
        named = [n.id for n in self.interpreter.permits.named(reply.lead)]
        for item_id in reply.items:
            found = self.kb.find(item_id)
            permit_id = getattr(found[1], "permit_id", None) if found else None
            if permit_id:
                named.append(permit_id)
        return list(dict.fromkeys(named))

    def _read(self, understanding: Understanding, project: ProjectContext | None, talked_about: list[str]
              ) -> tuple[list[str], str, Retrieval, ScopeDecision]:  # fmt: skip
        """The types it is about, the query, what retrieval finds, and whether it is ours to answer.
        A question that names no business is about the project's, else about the one the conversation is
        about ("公安那边的备案有没有时间限制？" after a KTV question). A project chat or a follow-up is
        judged with the lower threshold of a question about a known business."""
        type_ids = understanding.type_ids or (project.type_ids if project else []) or talked_about
        query = self._query(understanding, type_ids, project)
        retrieval = self.retriever.search(query, k=self.config.retrieve)
        in_context = project is not None or understanding.follows_up
        # Judged on the question as understood (with its business named), not on the project description
        # a deictic question carries into retrieval.
        judged = self._query(understanding, type_ids)
        return type_ids, query, retrieval, self.scope.decide(judged, retrieval, in_context)

    def _query(self, understanding: Understanding, type_ids: list[str], project: ProjectContext | None = None) -> str:
        """The understood question, prefixed with the business it is about when it does not say; in a
        project chat, a question that points at the project ("他这种情况", "这个铺子") carries its description."""
        text = understanding.text
        if project is not None and project.description and points_at_project(text):
            text = f"{text}（{project.description}）"
        if understanding.type_ids or not type_ids or self.scope.covered_terms(understanding.text):
            return text
        names = "、".join(self.kb.types[t].name.split("（")[0] for t in type_ids if t in self.kb.types)
        return f"{names}：{text}" if names else text

    def _search(self, query: str, type_ids: list[str]) -> Retrieval:
        return self.retriever.search(query, k=self.config.retrieve)

    def _decline(self, decision: ScopeDecision, understanding: Understanding,
                 retrieval: Retrieval | None = None) -> Answer:  # fmt: skip
        return Answer(
            text=DECLINE.format(reason=decision.reason),
            citations=[],
            out_of_scope=True,
            scope=decision,
            understanding=understanding,
            retrieval=retrieval,
        )

    @staticmethod
    def _notice(citations: list[Citation]) -> str:
        outdated = list(dict.fromkeys(f"《{c.title}》" for c in citations if c.caveat))
        if outdated:
            return f"{NOTICE}所引{'、'.join(outdated)}的收录文本可能不是现行版本，请以现行文本为准。"
        return NOTICE


def _business_talked_about(history: list[PriorTurn]) -> list[str]:
    """The businesses of the conversation's last answered turn."""
    last = next((turn for turn in reversed(history) if not turn.out_of_scope), None)
    return list(last.type_ids) if last is not None else []


def _stated_facts(text: str) -> ProjectFacts:
    """Facts the question itself states ("离小学一百来米", "负二层"), to apply the rules to."""
    return ProjectFacts.model_validate({reading.fact: reading.value for reading in read_facts(text)})
