"""Grounded answers without an LLM: a lead from the best knowledge item or article, then quoted articles.

Every citation's text is a verbatim span of the cited article (or the verbatim quote a
curated item carries); nothing is paraphrased as if it were law. An optional LLM may
rephrase the lead (``assistant/llm.py``); it never adds or changes citations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.excerpts import best_excerpt, best_sentence
from assistant.llm import LlmClient
from assistant.models import Citation
from assistant.retrieval import Hit, HybridRetriever, Retrieval
from assistant.scope import ScopeDecision, ScopeGate
from ingest.chunks import Chunk
from kb.corpus import Corpus
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.lexical import Tokenizer
from kb.schema import Grounded

MAX_CITATIONS = 6
RETRIEVE = 10
OUT_OF_SCOPE_ANSWER = (
    "抱歉，这个问题不在筹备期审批辅导的知识范围内（{reason}），我无法给出可靠的依据。"
    "请联系您的专员或行政审批窗口工作人员咨询。"
)
CLOSING = "以上内容供筹备参考，具体以审批部门的审查意见为准；如有疑问请联系您的专员。"
PENDING = "依据待补充"


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    out_of_scope: bool
    scope: ScopeDecision
    retrieval: Retrieval | None = None
    items: list[str] = field(default_factory=list)  # knowledge items the answer used


class Assistant:
    def __init__(
        self,
        retriever: HybridRetriever,
        scope: ScopeGate,
        kb: KnowledgeBase,
        corpus: Corpus,
        tokenizer: Tokenizer,
        llm: LlmClient | None = None,
        types_named: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.retriever = retriever
        self.scope = scope
        self.kb = kb
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.llm = llm
        self.types_named = types_named
        self._doc_types = _types_citing_each_doc(kb)
        self._items: dict[str, Grounded] = {
            **{item.id: item for item in kb.all_requirements()},
            **{item.id: item for item in kb.all_problems()},
            **kb.faq,
        }

    def ask(self, question: str, project_types: list[str] | None = None) -> Answer:
        """Answer a question; ``project_types`` are the types of the project it is asked about, if any."""
        retrieval = self.retriever.search(self._contextualise(question, project_types), k=RETRIEVE)
        if not project_types and self.types_named is not None:
            project_types = self.types_named(question) or None
        decision = self.scope.decide(question, retrieval)
        if not decision.in_scope:
            return Answer(OUT_OF_SCOPE_ANSWER.format(reason=decision.reason), [], True, decision, retrieval)
        hits = self._relevant(retrieval.hits, project_types)
        lead, citations, items = self._compose(hits, retrieval.tokens, question)
        if self.llm is not None:
            lead = self.llm.rephrase(question, lead, citations) or lead
        text = "\n\n".join(part for part in (lead, self._quotes(citations), CLOSING) if part)
        return Answer(text, citations, False, decision, retrieval, items)

    # -- composition ---------------------------------------------------------

    def _contextualise(self, question: str, project_types: list[str] | None) -> str:
        """In a project's chat, a question that names no project type is about that project."""
        if not project_types or self.scope.covered_terms(question):
            return question
        names = "、".join(self.kb.types[t].name for t in project_types if t in self.kb.types)
        return f"{names}：{question}" if names else question

    def _relevant(self, hits: list[Hit], project_types: list[str] | None) -> list[Hit]:
        """When the project types are known, drop curated items of other types and articles of
        regulations that only other types rely on (no 娱乐场所 rules in an answer about a 烧烤店)."""
        if not project_types:
            return hits
        allowed = {t.id for t in self.kb.expand(project_types)}

        def keep(hit: Hit) -> bool:
            if hit.chunk.kind in ("regulation", "document"):
                owners = self._doc_types.get(hit.chunk.doc_id)
                return not owners or bool(owners & allowed)
            return not hit.chunk.project_types or bool(allowed & set(hit.chunk.project_types.split(",")))

        return [hit for hit in hits if keep(hit)]

    def _compose(self, hits: list[Hit], tokens: list[str], question: str) -> tuple[str, list[Citation], list[str]]:
        """Lead from a curated item that clearly matches, else from the best article; then the quotes."""
        citations: dict[tuple[str, str], Citation] = {}
        items: list[str] = []
        lead = ""
        item_hit = self._leading_item(hits)
        if item_hit is not None:
            item = self._items[item_hit.chunk.item_id]
            lead = self._item_lead(item_hit.chunk, item)
            items.append(item.id)
            for basis in item.basis:
                citation = Citation.from_basis(basis, self.corpus)
                citations.setdefault(citation.key, citation)
        sources = [hit for hit in hits if hit.chunk.kind in ("regulation", "document")]
        for index, hit in enumerate(sources):
            if len(citations) >= MAX_CITATIONS:
                break
            if not lead:
                sentence = best_sentence(hit.chunk.text, tokens, self.tokenizer, question)
                lead = f"根据{hit.chunk.label}：“{sentence}”"
            if index > 0 and not self._worth_citing(hit):
                continue
            citation = self._citation(hit.chunk, tokens, question)
            citations.setdefault(citation.key, citation)
        return lead, list(citations.values()), items

    def _leading_item(self, hits: list[Hit]) -> Hit | None:
        """A curated FAQ, requirement or problem that ranks first and that both retrieval legs found.

        A FAQ entry that is the closest of all by meaning leads wherever fusion put it: it is the
        question itself, answered by staff.
        """
        closest = max((hit.dense or 0.0 for hit in hits), default=0.0)
        for hit in hits:
            if hit.chunk.kind == "faq" and hit.dense == closest and hit.lexical_rank is not None:
                return hit
        for hit in hits[:2]:
            if hit.chunk.item_id not in self._items:
                continue
            agreed = hit.dense_rank is not None and hit.lexical_rank is not None
            if hit is hits[0] and (agreed or hit.chunk.kind == "faq"):
                return hit
            if agreed and max(hit.dense_rank, hit.lexical_rank) <= 2:
                return hit
        return None

    @staticmethod
    def _worth_citing(hit: Hit) -> bool:
        """Keep sources that two rankings agree on, or that rank near the top of one."""
        return len(hit.ranks) >= 2 or min(hit.ranks) <= 3

    def _item_lead(self, chunk: Chunk, item: Grounded) -> str:
        if chunk.kind == "faq":
            text = f"{chunk.text}"
        elif chunk.kind == "problem":
            text = f"常见问题：{chunk.title}。{chunk.text.replace(chr(10), ' ')}"
        else:
            text = f"{chunk.title}：{chunk.text}"
        if item.basis_pending:
            text += f"（{PENDING}：{item.pending_note}）"
        return text

    def _citation(self, chunk: Chunk, tokens: list[str], question: str) -> Citation:
        return Citation(
            doc_id=chunk.doc_id,
            title=chunk.title,
            article=chunk.article,
            text=best_excerpt(chunk.text, tokens, self.tokenizer, question),
            level=chunk.level or None,
            version_date=chunk.version_date or None,
            caveat=chunk.caveat or None,
        )

    @staticmethod
    def _quotes(citations: list[Citation]) -> str:
        if not citations:
            return f"（{PENDING}：知识库中暂无可引用的条文，请向专员确认。）"
        lines = ["相关规定："]
        lines += [f"{n}. 《{c.title}》{c.article}：“{c.text}”" for n, c in enumerate(citations, start=1)]
        outdated = list(dict.fromkeys(f"《{c.title}》" for c in citations if c.caveat))
        if outdated:
            lines.append(f"注：{'、'.join(outdated)}的收录文本可能不是现行版本，请以现行文本为准。")
        return "\n".join(lines)


def _types_citing_each_doc(kb: KnowledgeBase) -> dict[str, set[str]]:
    """doc_id → the project types (and blocks) whose items cite it; the 通用 block cites for everyone."""
    owners: dict[str, set[str]] = {}
    general_docs: set[str] = set()
    for project_type in kb.types.values():
        for item in (*project_type.requirements, *project_type.problems, *project_type.steps):
            for basis in item.basis:
                if project_type.id == GENERAL_TYPE_ID:
                    general_docs.add(basis.doc_id)
                else:
                    owners.setdefault(basis.doc_id, set()).add(project_type.id)
    return {doc: types for doc, types in owners.items() if doc not in general_docs}
