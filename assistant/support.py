"""Which quotes support a statement: a citation is shown only where its article states what the answer says."""

from __future__ import annotations

from collections.abc import Iterable

from kb.grounding import quantities
from kb.lexical import Tokenizer
from kb.schema import Basis

# Words too common in the corpus and in answers to show that a quote supports a sentence.
_WEAK = frozenset(
    {"经营", "场所", "规定", "应当", "不得", "单位", "部门", "人民政府", "有关", "依法", "按照", "或者", "以及"}
)


class Support:
    def __init__(self, tokenizer: Tokenizer, min_shared: int = 2, min_share: float = 0.25) -> None:
        self.tokenizer = tokenizer
        self.min_shared = min_shared
        self.min_share = min_share

    def content(self, text: str) -> set[str]:
        return {token for token in self.tokenizer.tokens(text) if len(token) >= 2 and token not in _WEAK}

    def strength(self, quote: str, statement: str) -> float:
        """How much of the statement the quote states: shared quantities count most, then shared words."""
        shared_quantities = set(quantities(quote)) & set(quantities(statement))
        quote_words, statement_words = self.content(quote), self.content(statement)
        shared = quote_words & statement_words
        if not shared_quantities and (
            len(shared) < self.min_shared or len(shared) < self.min_share * min(len(quote_words), len(statement_words))
        ):
            return 0.0
        return 3.0 * len(shared_quantities) + len(shared) / max(1, len(quote_words)) + 0.1 * len(shared)

    def supporting(self, bases: Iterable[Basis], statement: str, limit: int) -> list[Basis]:
        """The bases that support the statement, strongest first, at most one per article."""
        scored: dict[tuple[str, str], tuple[float, Basis]] = {}
        for basis in bases:
            score = self.strength(basis.quote, statement)
            key = (basis.doc_id, basis.article)
            if score > 0 and (key not in scored or score > scored[key][0]):
                scored[key] = (score, basis)
        ranked = sorted(scored.values(), key=lambda pair: -pair[0])
        return [basis for _, basis in ranked[:limit]]
