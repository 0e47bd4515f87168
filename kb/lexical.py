"""The lexical leg: jieba tokens with a domain dictionary, colloquial synonyms, and BM25.

The BM25 index is derived data: updated after every ingest from the chunks written (and rebuilt
from the vector store when it is missing or out of date), persisted beside the vector index
with the fingerprint of the store state it was built from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import uuid
from functools import lru_cache
from pathlib import Path

import bm25s
import jieba
import numpy as np
import yaml

from kb.chunks import Chunk
from kb.quantities import NUMBER, parse_number

LEXICON_DIR = Path(__file__).parent / "lexicon"
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "等",
        "要",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "嘛",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "这",
        "那",
        "这个",
        "那个",
        "个",
        "一",
        "一个",
        "些",
        "什么",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "多少",
        "哪些",
        "哪个",
        "需要",
        "可以",
        "能",
        "能不能",
        "不",
        "没",
        "没有",
        "有",
        "有没有",
        "就",
        "都",
        "也",
        "还",
        "又",
        "把",
        "被",
        "对",
        "从",
        "向",
        "给",
        "让",
        "请问",
        "问",
        "想",
        "打算",
        "准备",
        "开",
        "办",
        "弄",
        "搞",
        "一下",
        "现在",
        "之前",
        "以后",
        "时候",
        "应该",
        "应当",
        "规定",
        "本",
        "其",
        "之",
        "为",
        "由",
        "于",
        "以",
        "上",
        "下",
        "中",
        "内",
        "外",
    ]
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


class Tokenizer:
    """jieba in search mode with the domain dictionary; queries also get synonym expansions."""

    def __init__(self, lexicon_dir: Path = LEXICON_DIR) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.load_userdict(str(lexicon_dir / "userdict.txt"))
        sources = [lexicon_dir / "userdict.txt", lexicon_dir / "synonyms.yaml"]
        # What the tokens depend on: an index built with another lexicon is rebuilt (see ingest/indexer.py).
        self.version = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]
        raw = yaml.safe_load((lexicon_dir / "synonyms.yaml").read_text(encoding="utf-8")) or {}
        self.synonyms: dict[str, list[str]] = {str(k).lower(): [str(v) for v in vs] for k, vs in raw.items()}
        for word in self.synonyms:
            self._jieba.add_word(word, freq=1000)

    def tokens(self, text: str) -> list[str]:
        words = (word.strip().lower() for word in self._jieba.lcut_for_search(text))
        return [word for word in words if word and word not in STOPWORDS and _KEEP.search(word)]

    def query_tokens(self, text: str) -> list[str]:
        tokens = self.tokens(text)
        expanded = list(tokens)
        lowered = text.lower()
        for word, formal in self.synonyms.items():
            if word in lowered:
                for term in formal:
                    expanded += self.tokens(term)
        ages = _ages(text)
        if any(age < ADULT_AGE for age in ages):  # "17岁的学生", "十五六岁的男孩": the law says 未成年人
            expanded += self.tokens("未成年人")
        if any(age < WORKING_AGE for age in ages):  # "招几个十五岁的学生": 未满十六周岁 may not be employed
            expanded += self.tokens("未满十六周岁")
        return expanded


ADULT_AGE = 18
WORKING_AGE = 16
_AGE = re.compile(rf"({NUMBER})\s*周?岁")
# "孩子十七了", "闺女才十五": a child's age said without 岁.
_CHILD_AGE = re.compile(
    rf"(?:孩子|小孩|学生|闺女|女儿|儿子|侄子|侄女|外甥女?|孙子|孙女|娃)[^，。？?\d]{{0,3}}?({NUMBER})(?:了|出头)"
)


def _ages(text: str) -> list[float]:
    """The ages a text states (17岁, 十五六岁 → 16)."""
    matches = [*_AGE.finditer(text), *_CHILD_AGE.finditer(text)]
    return [age for match in matches if (age := parse_number(match.group(1))) is not None]


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    return Tokenizer()


class LexicalIndex:
    """BM25 over chunk texts; keeps the chunks (and their tokens) so a hit needs no store round trip
    and a change to one source re-tokenises only that source's new text."""

    def __init__(
        self, chunks: list[Chunk], tokens: list[list[str]], model: bm25s.BM25 | None, fingerprint: str, version: str
    ) -> None:
        self.chunks = chunks
        self.tokens = tokens
        self.model = model
        self.fingerprint = fingerprint
        self.version = version
        self.by_id = {chunk.id: chunk for chunk in chunks}
        self._vocab = set(model.vocab_dict) if model is not None else set()
        self._idf: dict[str, float] = {}
        self._by_source: dict[str, list[Chunk]] | None = None
        self._kind_masks: dict[tuple[str, ...], np.ndarray] = {}
        self._last: tuple[tuple[str, ...], np.ndarray, np.ndarray] | None = None

    def idf(self, token: str) -> float:
        """How rare a token is in the indexed text (0 for a token the index never saw): rare words carry
        the meaning of a question (保安, 跳舞机), common ones (经营, 场所) do not."""
        if token in self._idf:
            return self._idf[token]
        weight = 0.0
        if self.model is not None and token in self.model.vocab_dict:
            index = self.model.vocab_dict[token]
            indptr = self.model.scores["indptr"]
            frequency = int(indptr[index + 1] - indptr[index])
            total = int(self.model.scores["num_docs"])
            weight = float(np.log(1 + (total - frequency + 0.5) / (frequency + 0.5)))
        self._idf[token] = weight
        return weight

    @classmethod
    def build(
        cls,
        chunks: list[Chunk],
        tokenizer: Tokenizer,
        fingerprint: str,
        known: dict[tuple[str, str], list[str]] | None = None,
    ) -> LexicalIndex:
        """Index ``chunks``; tokens in ``known`` (by chunk id and text) are reused rather than recomputed."""
        known = known or {}
        tokens = [
            known.get((chunk.id, chunk.embedding_text)) or tokenizer.tokens(chunk.embedding_text) or ["∅"]
            for chunk in chunks
        ]
        model = None
        if chunks:
            model = bm25s.BM25()
            model.index(tokens, show_progress=False)
        return cls(chunks, tokens, model, fingerprint, version=f"v{uuid.uuid4().hex[:12]}")

    def replace_sources(
        self, replacements: dict[str, list[Chunk]], tokenizer: Tokenizer, fingerprint: str
    ) -> LexicalIndex:
        """A new index with each named source's chunks replaced by the given ones (an empty list removes it)."""
        known = {
            (chunk.id, chunk.embedding_text): tokens for chunk, tokens in zip(self.chunks, self.tokens, strict=True)
        }
        kept = [chunk for chunk in self.chunks if chunk.source not in replacements]
        added = [chunk for chunks in replacements.values() for chunk in chunks]
        return LexicalIndex.build(kept + added, tokenizer, fingerprint, known)

    def chunks_of(self, source: str) -> list[Chunk]:
        if self._by_source is None:
            self._by_source = {}
            for chunk in self.chunks:
                self._by_source.setdefault(chunk.source, []).append(chunk)
        return self._by_source.get(source, [])

    def search(self, tokens: list[str], k: int, kinds: tuple[str, ...] | None = None) -> list[tuple[Chunk, float]]:
        """Top ``k`` chunks with a positive score; unknown tokens are ignored."""
        known = [token for token in tokens if token in self._vocab]
        if self.model is None or not known:
            return []
        scores, order = self._ranking(tuple(known))
        rows = order[: np.count_nonzero(scores > 0)]
        if kinds is not None:
            rows = rows[self._kind_mask(kinds)[rows]]
        return [(self.chunks[i], float(scores[i])) for i in rows[:k]]

    def _ranking(self, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of every chunk and the chunks best first, kept for the last tokens searched: a question
        searches each retrieval pool with the same tokens, and scoring and sorting every chunk is most of
        the cost (2 of 3 ms at 100k chunks).

        Safe across request threads without a lock: the cache is one immutable tuple, read once into a local
        and replaced whole, and the arrays in it are never written after they are made. Concurrent questions
        only lower the hit rate."""
        last = self._last
        if last is not None and last[0] == tokens:
            return last[1], last[2]
        assert self.model is not None
        scores = self.model.get_scores(list(tokens))
        order = np.argsort(-scores)
        self._last = (tokens, scores, order)
        return scores, order

    def _kind_mask(self, kinds: tuple[str, ...]) -> np.ndarray:
        """Which chunks are of these kinds (computed once per index and kinds)."""
        mask = self._kind_masks.get(kinds)
        if mask is None:
            mask = np.array([chunk.kind in kinds for chunk in self.chunks], dtype=bool)
            self._kind_masks[kinds] = mask
        return mask

    # -- on disk: <root>/<version>/ directories and a CURRENT file naming the live one ------------

    def save(self, root: Path) -> None:
        """Write a new version directory, then point CURRENT at it with an atomic rename.

        Readers (in this or another process) see the old version or the new one, never a half-written
        one; concurrent writers each use their own directory. The previous version is kept for readers
        still loading it; older ones are removed.
        """
        root.mkdir(parents=True, exist_ok=True)
        directory = root / self.version
        directory.mkdir()
        if self.model is not None:
            self.model.save(str(directory), show_progress=False)
        with (directory / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in self.chunks:
                handle.write(chunk.model_dump_json() + "\n")
        with (directory / "tokens.jsonl").open("w", encoding="utf-8") as handle:
            for tokens in self.tokens:
                handle.write(json.dumps(tokens, ensure_ascii=False) + "\n")
        (directory / "fingerprint.txt").write_text(self.fingerprint, encoding="utf-8")
        previous = current_version(root)
        pointer = root / f"CURRENT.{self.version}"
        pointer.write_text(self.version, encoding="utf-8")
        pointer.replace(root / "CURRENT")
        for stale in root.iterdir():
            if stale.name not in {self.version, previous, "CURRENT"}:
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)

    @classmethod
    def load(cls, root: Path) -> LexicalIndex | None:
        """The live saved index, or None when it is missing or unreadable (it is then rebuilt)."""
        version = current_version(root)
        if version is None:
            return None
        directory = root / version
        try:
            with (directory / "chunks.jsonl").open(encoding="utf-8") as handle:
                chunks = [Chunk.model_validate_json(line) for line in handle if line.strip()]
            with (directory / "tokens.jsonl").open(encoding="utf-8") as handle:
                tokens = [json.loads(line) for line in handle if line.strip()]
            model = bm25s.BM25.load(str(directory), show_progress=False) if chunks else None
            fingerprint = (directory / "fingerprint.txt").read_text(encoding="utf-8")
        except (OSError, ValueError, KeyError):
            return None
        if len(tokens) != len(chunks):
            return None
        return cls(chunks, tokens, model, fingerprint, version)


def current_version(root: Path) -> str | None:
    """The name of the live index version (a file read: cheap enough to check on every question)."""
    try:
        return (root / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
