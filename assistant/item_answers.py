"""The direct answer from one curated item (FAQ, requirement, problem) or, failing that, one article.

The answer's own sentences come from curated text (an item's title, a sentence of its detail,
the first sentence of a FAQ answer) or quote an article verbatim; a project's facts are put in
front when the item's conditions hold on them ("按您的项目（距学校约150米），…").
"""

from __future__ import annotations

import re

from assistant.config import AnswerConfig
from assistant.excerpts import LISTS_WHAT_IT_TAKES, sentence_score, sentences
from assistant.fact_phrases import applied_to
from assistant.intent import Intent, asked_unit, asks_quantity, detect_intent
from assistant.models import Citation
from assistant.reply import PENDING, Reply, sentence
from assistant.support import Support
from kb.chunks import Chunk
from kb.corpus import Corpus
from kb.lexical import Tokenizer
from kb.quantities import quantity_pattern
from kb.schema import Basis, FaqEntry, Grounded, Problem, Requirement

Item = Requirement | Problem | FaqEntry


class ItemAnswers:
    def __init__(
        self, items: dict[str, Item], corpus: Corpus, tokenizer: Tokenizer, support: Support, config: AnswerConfig
    ) -> None:
        self.items = items
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.support = support
        self.config = config

    # -- from a curated item -----------------------------------------------------

    def from_item(
        self, item_id: str, question: str, intent: Intent, tokens: list[str],
        applied: dict[str, object] | None = None, in_project: bool = False, chosen: str | None = None,
    ) -> Reply:  # fmt: skip
        """``chosen``: the sentence that answers (see assistant/sentence_choice.py); else the item's best."""
        item = self.items[item_id]
        wanted = set(tokens)
        lead_parts: list[str] = []
        if applied:
            who = "您的项目" if in_project else "按您说的情况"
            verdict = "不能。" if getattr(item, "red_line", False) else ""
            lead_parts.append(f"{verdict}{who}（{applied_to(applied)}）：{sentence(_title(item))}")
        parts = self._around(item, chosen, skip_title=bool(applied)) if chosen else self._best_sentences(
            item, question, intent, wanted, skip_title=bool(applied))  # fmt: skip
        for part in parts:
            if len("".join(lead_parts)) + len(part) > self.config.lead_chars and lead_parts:
                break
            lead_parts.append(part)
        department = getattr(item, "department", None)
        if intent == Intent.DEPARTMENT and department and department not in "".join(lead_parts):
            lead_parts.append(f"负责部门：{department}。")
        lead = "".join(lead_parts)
        reply = Reply(
            lead=lead, items=[item.id], source="red_line" if applied and getattr(item, "red_line", False) else "item"
        )
        if item.basis_pending:
            reply.notes.append(f"（{PENDING}：{item.pending_note}）")
        citations = self.citations_for(item, lead, self.config.item_citations)
        if intent in LIST_INTENTS and citations and self._list_the_article(reply, citations[0]):
            citations = citations[:1]  # the whole list is the answer: the article that enumerates it
        reply.cite(citations, self.config.max_citations)
        return reply

    def _list_the_article(self, reply: Reply, citation: Citation) -> bool:
        """A list question answered by an item whose article enumerates (主诊医师须同时具备下列条件：（一）…（四）):
        the article's items, verbatim, under the item's sentence, with the lead-in and items as the quote."""
        article = self.corpus.find_article(citation.doc_id, citation.article)
        if article is None:
            return False
        quote = citation.text.strip().rstrip("。；;…")
        lead_in = _enumerating_lead_in(article.text, quote)
        if lead_in is None or not LISTS_WHAT_IT_TAKES.search(lead_in):
            return False  # a list of what a category covers (下列情形之一的…是特殊建设工程) answers no list question
        reply.heading = lead_in.rstrip("：:")
        reply.points, notes, citation.text = self._listed(article.text, lead_in)
        reply.notes += notes
        return True

    def _listed(self, text: str, lead_in: str) -> tuple[list[str], list[str], str]:
        """The items a lead-in introduces, as a list's points (clipped, at most ``max_points``), the note when
        some are left out, and the verbatim quote of lead-in and items for the citation."""
        items = _list_items(text, lead_in)
        points = [_clip(item, self.config.sentence_chars) for item in items[: self.config.max_points]]
        notes = [f"（共{len(items)}项，其余见原文。）"] if len(items) > len(points) else []
        return points, notes, _verbatim_prefix(lead_in + "".join(items), self.config.sentence_chars * 2)

    def cleared(self, item: Requirement | Problem, decided: dict[str, object], in_project: bool) -> Reply:
        """A red line the facts rule out: what the facts are, that the prohibition does not reach them (or that
        they meet the threshold a duty sets, 执业满五年), and the rule itself, verbatim from its article."""
        who = "您的项目" if in_project else "按您说的情况"
        basis = item.basis[0]
        rule = _whole_sentence(self.corpus, basis).rstrip("；;。")
        if is_threshold_duty(item):
            lead = f"{who}（{applied_to(decided)}）符合这条规定：{sentence(rule)}"
        else:
            if not _PROHIBITION.search(rule):  # one listed case ("（四）建筑物地下一层以下"): with its lead-in
                rule = f"{prohibition_lead_in(self.corpus, basis)}……{rule}"
            lead = f"{who}（{applied_to(decided)}）不在这条禁止性规定的范围内：{sentence(rule)}"
        reply = Reply(lead=lead, items=[item.id], source="red_line")
        reply.cite([Citation.from_basis(basis, self.corpus)], self.config.max_citations)
        return reply

    def citations_for(self, item: Grounded, statement: str, limit: int | None = None) -> list[Citation]:
        """The item's bases that support the statement; its first basis when none clearly does."""
        limit = limit or self.config.max_citations
        chosen = self.support.supporting(item.basis, statement, limit)
        if not chosen and item.basis:
            chosen = item.basis[:1]
        return [Citation.from_basis(basis, self.corpus) for basis in chosen]

    def _enumeration(self, chunk: Chunk, lead_in: str) -> Reply:
        """An article that lists what was asked for (条件, 材料, 不得开办的情形): its lead-in as the answer, its
        items as the list, each verbatim (clipped when long), and the article as the citation."""
        points, notes, quote = self._listed(chunk.text, lead_in)
        reply = Reply(lead=f"根据《{chunk.title}》{chunk.article}：“{lead_in}”", points=points, notes=notes,
                      source="article")  # fmt: skip
        reply.cite([Citation(doc_id=chunk.doc_id, title=chunk.title, article=chunk.article, text=quote,
                             level=chunk.level or None, version_date=chunk.version_date or None,
                             caveat=chunk.caveat or None)], self.config.max_citations)  # fmt: skip
        return reply

    def _with_list(self, text: str, chosen: str, wanted: set[str]) -> str:
        """A lead-in ("应同时具备下列条件：") says nothing alone: it goes with the list items after it, as
        one verbatim span, up to the item that best matches the question (one with a quantity first)."""
        if not chosen.rstrip().endswith(("：", ":")) or chosen not in text:
            return chosen
        start = text.index(chosen) + len(chosen)
        items = [text[a:b] for a, b in sentences(text[start:])]
        if not items:
            return chosen
        scores = [len(wanted & set(self.tokenizer.tokens(item))) + (1.5 if _QUANTITY_WORD.search(item) else 0)
                  for item in items]  # fmt: skip
        last = max(range(len(items)), key=lambda i: (scores[i], -i))
        return text[text.index(chosen) : start + sum(len(item) for item in items[: last + 1])].strip()

    def _around(self, item: Item, chosen: str, skip_title: bool) -> list[str]:
        """The chosen sentence, framed: a FAQ's opening verdict or a requirement's title before it when short."""
        head = None
        if isinstance(item, FaqEntry):
            parts = _split(item.answer)
            head = parts[0] if parts else None
            if head and chosen == head and len(head) < _SHORT_VERDICT and len(parts) > 1:
                chosen = parts[1]  # "不能。" alone says nothing: the reason follows
        elif not skip_title:
            head = sentence(item.title)
        elif _same(chosen, sentence(item.title)):
            return []  # the applied-facts opening already says it
        chosen = _clip(chosen, self.config.sentence_chars)
        if head and not _same(head, chosen) and len(head) + len(chosen) <= self.config.lead_chars:
            return [_clip(head, self.config.sentence_chars), chosen]
        return [chosen]

    def _per_part(self, candidates: list[str], question: str, intent: Intent, wanted: set[str]) -> list[str]:
        """The best sentence for each part of the question, in text order, without repeats."""
        chosen: list[str] = []
        for part in question_parts(question):
            part_intent = detect_intent(part) if part != question else intent
            part_words = wanted & set(self.tokenizer.query_tokens(part)) if part != question else wanted
            best = max(candidates, key=lambda s: sentence_score(s, part_words or wanted, self.tokenizer, part_intent,
                                                                asks_quantity(part), asked_unit(part)))  # fmt: skip
            if best not in chosen:
                chosen.append(best)
        return sorted(chosen, key=candidates.index)

    def _best_sentences(
        self, item: Item, question: str, intent: Intent, wanted: set[str], skip_title: bool
    ) -> list[str]:
        """One or two sentences of the item that answer the question, best first, in the item's words."""
        wants_quantity, unit = asks_quantity(question), asked_unit(question)
        if isinstance(item, FaqEntry):
            parts = _split(item.answer)
            first = parts[0] if parts else item.answer
            best = max(parts, key=lambda s: sentence_score(s, wanted, self.tokenizer, intent, wants_quantity, unit),
                       default=first)  # fmt: skip
            chosen = [first] if first == best else [first, best]
            return [_clip(s, self.config.sentence_chars) for s in chosen]
        candidates = [] if skip_title else [sentence(_title(item))]
        candidates += _split(item.detail)
        if isinstance(item, Problem):
            candidates += _split(item.advice)
        if not candidates:
            return []
        if len(question_parts(question)) > 1:
            chosen = self._per_part(candidates, question, intent, wanted)
            return [_clip(s, self.config.sentence_chars) for s in chosen]
        scored = [(sentence_score(s, wanted, self.tokenizer, intent, wants_quantity, unit), -n, s)
                  for n, s in enumerate(candidates)]  # fmt: skip
        scored.sort(reverse=True)
        best = scored[0][2]
        chosen = [best]
        title = None if skip_title else candidates[0]
        if title is not None and best != title and len(title) + len(best) <= self.config.lead_chars:
            chosen = [title, best]  # the headline, then the sentence that answers
        return [_clip(s, self.config.sentence_chars) for s in chosen]

    # -- from an article -----------------------------------------------------------

    def from_article(self, chunk: Chunk, question: str, intent: Intent, tokens: list[str],
                     chosen: str | None = None) -> Reply:  # fmt: skip
        if chosen is not None and intent in LIST_INTENTS:
            lead_in = _enumerating_lead_in(chunk.text, chosen.strip().rstrip("。；;"))
            if lead_in is not None and LISTS_WHAT_IT_TAKES.search(lead_in):  # the whole list answers
                return self._enumeration(chunk, lead_in)
        if chosen is not None:
            best = chosen
        else:
            spans = sentences(chunk.text)
            parts = [chunk.text[start:end].strip() for start, end in spans] or [chunk.text.strip()]
            picked = self._per_part(parts, question, intent, set(tokens))
            best = "".join(picked) if len(picked) > 1 and _contiguous(chunk.text, picked) else picked[0]
        best = _with_exception(chunk.text, self._with_list(chunk.text, best, set(tokens)))
        quote = _verbatim_prefix(best, self.config.sentence_chars * 2)
        shown = quote if quote == best else f"{quote}……"
        lead = f"根据《{chunk.title}》{chunk.article}：“{shown}”"
        citation = Citation(
            doc_id=chunk.doc_id,
            title=chunk.title,
            article=chunk.article,
            text=quote,
            level=chunk.level or None,
            version_date=chunk.version_date or None,
            caveat=chunk.caveat or None,
        )
        return Reply(lead=lead, citations=[citation], source="article")


_PROHIBITION = re.compile(r"不得|禁止|严禁|不准")
_DUTY = re.compile(r"须|应当|必须")


def is_threshold_duty(item: Requirement | Problem) -> bool:
    """A red line set by a number its first basis makes a duty (须…执业满五年): a stated number past it meets it."""
    numeric = any(c.lt is not None or c.lte is not None or c.gt is not None or c.gte is not None for c in item.when)
    return numeric and bool(item.basis) and bool(_DUTY.search(item.basis[0].quote))


def prohibition_lead_in(corpus: Corpus, basis: Basis) -> str:
    """The sentence of the cited article that forbids ("娱乐场所不得设立在下列地点："), for a quote that is one of
    the cases it lists; "" when the article forbids nothing."""
    regulation = corpus.get(basis.doc_id)
    article = regulation.article(basis.article) if regulation else None
    if article is None:
        return ""
    for part in re.split(r"(?<=[：:。；;])", article.text):
        if _PROHIBITION.search(part):
            return part.strip().rstrip("：:")
    return ""


def _whole_sentence(corpus: Corpus, basis: Basis) -> str:
    """The sentence of the article a quote was cut from (the whole prohibition, 200米 and 居民住宅楼 alike)."""
    regulation = corpus.get(basis.doc_id)
    article = regulation.article(basis.article) if regulation else None
    quote = basis.quote.strip().rstrip("；;。")
    if article is not None:
        for part in re.split(r"(?<=[。；;\n])", article.text):
            if quote in part:
                return part.strip()
    return basis.quote.strip()


def _list_items(text: str, lead_in: str) -> list[str]:
    """The items a lead-in introduces ("应当具备下列条件：" → （一）…（二）…), verbatim, up to the next plain line.

    An item is its whole line: "（二）具有…工作经历。其中，…应具有6年以上…" keeps the sentences after its first."""
    if lead_in not in text:
        return []
    rest = text[text.index(lead_in) + len(lead_in) :]
    items: list[str] = []
    for line in (line.strip() for line in rest.split("\n")):
        if not line:
            continue
        if not _ITEM_MARK.match(line):
            if items:
                break
            items += [line[a:b].strip() for a, b in sentences(line) if line[a:b].strip()][:1]
            continue
        items.append(line)
    return items


def _enumerating_lead_in(text: str, quote: str) -> str | None:
    """The lead-in line ("…具备下列条件：") of an enumeration that contains the quote (or is it); None otherwise."""
    lead_in = None
    for line in (line.strip() for line in text.split("\n")):
        if line.endswith(("：", ":")) and _INTRODUCES_LIST.search(line):
            lead_in = line
        elif lead_in is not None and not _ITEM_MARK.match(line):
            lead_in = None
        if lead_in is not None and quote and quote in line:
            return lead_in if len(_list_items(text, lead_in)) >= 2 else None
    return None


def question_parts(question: str) -> list[str]:
    """A question with several parts (有效期几年？提前多久延续？) is answered part by part; so is one that
    strings its asks together (去哪申请、交啥材料、多久出结果)."""
    parts = [
        p.strip()
        for p in re.split(r"[？?；;]|，(?=(?:那|还有|另外|能不能|可不可以|要不要|是否))", question)
        if len(p.strip()) >= 4
    ]
    parts = [asked for part in parts for asked in _strung_asks(part)]
    return parts if len(parts) >= 2 else [question]


def _strung_asks(part: str) -> list[str]:
    """The asks of a clause that strings several together with 、 or ， (去哪申请、交啥材料、多久出结果),
    each kept only when each asks for something different; otherwise the clause whole."""
    pieces = [p.strip() for p in re.split(r"[、，,]", part) if p.strip()]
    intents = [detect_intent(p) for p in pieces]
    if len(pieces) < 2 or Intent.OTHER in intents or len(set(intents)) < len(intents):
        return [part]
    return pieces


_SHORT_VERDICT = 8
# Questions answered by a whole list (条件, 材料, 前置, 有哪些) when an article enumerates it.
LIST_INTENTS = frozenset({Intent.CONDITIONS, Intent.MATERIALS, Intent.PREREQUISITES, Intent.LIST})
_ITEM_MARK = re.compile(r"^[（(][一二三四五六七八九十]+[)）]|^[0-9]+[.、．]|^[一二三四五六七八九十]+、")
_INTRODUCES_LIST = re.compile(r"下列|以下|如下")
# A lead-in that lists what it takes (条件, 材料, 设施, 不得/不予…), not the cases a category covers.
_QUANTITY_WORD = quantity_pattern("工作日 日 天 年 个月 月 米 平方米 周岁 岁 人 名 万元 元")


def _same(a: str, b: str) -> bool:
    return a.strip().rstrip("。；;") == b.strip().rstrip("。；;")


def _title(item: Item) -> str:
    return item.question if isinstance(item, FaqEntry) else item.title


def _split(text: str) -> list[str]:
    return [text[start:end].strip() for start, end in sentences(text) if text[start:end].strip()]


_EXCEPTION = re.compile(r"\s*(?:但是|但|除|不得|禁止)")


def _with_exception(text: str, chosen: str) -> str:
    """A rule and the exception that follows it go together (可以自主选择…；但是，不得…)."""
    if chosen not in text:
        return chosen
    end = text.index(chosen) + len(chosen)
    following = [text[end + a : end + b] for a, b in sentences(text[end:])]
    if following and _EXCEPTION.match(following[0]):
        return chosen + following[0]
    return chosen


def _contiguous(text: str, parts: list[str]) -> bool:
    """Whether the sentences follow each other in the text (so that together they are still one verbatim quote)."""
    return "".join(parts) in text


def _verbatim_prefix(text: str, limit: int) -> str:
    """The longest verbatim start of a quote that ends at a comma and fits; the whole quote if it fits."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in "，；：,;")
    return text[:cut] if cut > limit // 2 else text[:limit]


def _clip(text: str, limit: int) -> str:
    """A sentence cut at a comma when it is too long; the answer's own words, not a quote."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in "，；：,;")
    return text[:cut] + "。" if cut > limit // 2 else text[:limit] + "…"
