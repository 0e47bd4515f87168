"""Which project types and which 事项 a text names, with the words it used (KTV, 高危证, 卫生许可…).

Matching is by the aliases curated in the knowledge base, longest first and without overlaps,
so 游泳馆卫生许可证 names the 卫生许可 事项 once and the 游泳场所 type once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kb.knowledge import KnowledgeBase


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Words longest first, ties in a fixed order: matched or removed in this order, a set's order (which
    changes with every process's hash seed) would decide between 培训学校 and 艺术培训, and so the answer."""
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


@dataclass(frozen=True)
class Named:
    id: str
    word: str
    start: int


class PermitNames:
    """Alias matching over the 事项目录; one alias may name several 事项 (消防验收 → 验收 and 验收备案)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        words: dict[str, list[str]] = {}
        for permit in kb.permits.values():
            for word in {variant for name in (permit.name, *permit.aliases) for variant in _variants(name)}:
                if len(word) >= 2 and permit.id not in words.get(word.lower(), []):
                    words.setdefault(word.lower(), []).append(permit.id)
        self._words = sorted(words.items(), key=lambda pair: (-len(pair[0]), pair[0]))
        self.names = {permit.id: permit.name for permit in kb.permits.values()}
        # The businesses a 事项 is specific to: "这个证" after "开网吧要办啥证" means the trade's own licence.
        self.trades = {permit.id: frozenset(permit.applies_to) for permit in kb.permits.values()}
        # 中医诊所备案 is also said 开中医诊所走备案: the head, then the kind of 事项 a few characters on.
        self._split: list[tuple[str, str, str]] = []
        for permit in kb.permits.values():
            for name in sorted({permit.name, *permit.aliases}):
                match = _KIND_TAIL.search(name)
                if match and len(name[: match.start()]) >= 2:
                    self._split.append((name[: match.start()].lower(), match.group(0), permit.id))
        self._split.sort(key=lambda split: (-len(split[0]), split))  # 中医诊所…备案 before 诊所…备案 inside it

    def named(self, text: str) -> list[Named]:
        lowered = text.lower()
        taken: list[tuple[int, int]] = []
        found: dict[str, Named] = {}
        for word, permit_ids in self._words:
            start = lowered.find(word)
            while start != -1:
                end = start + len(word)
                if not any(start < high and low < end for low, high in taken):
                    taken.append((start, end))
                    for permit_id in self._closest(permit_ids, lowered):
                        found.setdefault(permit_id, Named(permit_id, text[start:end], start))
                start = lowered.find(word, start + 1)
        for head, tail, permit_id in self._split:
            start = lowered.find(head)
            if start == -1 or permit_id in found:
                continue
            end = start + len(head)
            gap = lowered.find(tail, end, end + _GAP + len(tail))
            if gap != -1 and _CLAUSE_BREAK.search(lowered[end:gap]):
                continue  # 储值卡以后要去哪个部门备案 is one clause; 储值卡卖了，备案… is two
            if gap != -1 and not any(start < high and low < gap + len(tail) for low, high in taken):
                taken.append((start, gap + len(tail)))
                found[permit_id] = Named(permit_id, text[start : gap + len(tail)], start)
        return sorted(found.values(), key=lambda named: (named.start, named.id))

    def _closest(self, permit_ids: list[str], text: str) -> list[str]:
        """For a name several 事项 share (消防验收), the ones whose full name the text echoes most
        (特殊建设工程…消防验收 → the 验收, not the 备案); all of them when the text does not say."""
        if len(permit_ids) == 1:
            return permit_ids
        overlap = {p: sum(char in text for char in set(self.names[p])) for p in permit_ids}
        best = max(overlap.values())
        return [p for p in permit_ids if overlap[p] == best]


_KIND_TAIL = re.compile(r"(?:备案|许可证?|登记|审查|验收|检查|审批)$")
_GAP = 10
_CLAUSE_BREAK = re.compile(r"[，。；！？,;!?、]")


def _variants(name: str) -> set[str]:
    """经营高危险性体育项目许可 is also said 高危险性体育项目许可 and 高危险性体育项目许可证."""
    names = {name, re.sub(r"^(?:经营|办理|申请)", "", name)}
    names |= {f"{n}证" for n in names if n.endswith("许可")} | {
        n.removesuffix("证") for n in names if n.endswith("许可证")
    }
    return {re.sub(r"（.*?）", "", n) for n in names} | names


TypesNamed = Callable[[str], list[Named]]
