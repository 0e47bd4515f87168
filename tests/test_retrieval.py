"""Hybrid retrieval over the real index, embedded on disk and through a real Chroma server."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chubei.services import Services
from kb.lexical import LEXICON_DIR, LexicalIndex, Tokenizer
from tests.conftest import make_settings, with_shipped_index
from tests.servers import chroma_server

SPORTS_PERMIT = "jingying-gaoweixianxing-tiyu-xiangmu-xuke-guanli-banfa"
# (question in operators' words, articles that answer it, the best of which must be within the top k)
CHECKS = [
    ("网吧离学校要多远？", {("hulianwang-shangwang-fuwu-yingye-changsuo-guanli-tiaoli", "第九条")}, 1),
    ("KTV能开在地下二层吗", {("yule-changsuo-guanli-tiaoli", "第七条"), ("yule-changsuo-guanli-banfa", "第六条")}, 3),
    (
        "游泳馆要办高危险性体育项目许可，需要什么条件",
        {(SPORTS_PERMIT, "第六条"), ("quanmin-jianshen-tiaoli", "第三十二条"), ("tiyu-fa", "第一百零五条")},
        4,  # 山东省全民健身条例 第二十七条 (added 2026-12-02: which sports need the licence) now ranks first
    ),
    ("牙科诊所放一台牙片机要办什么证", {("fangshe-zhenliao-guanli-guiding", "第十一条")}, 5),
    ("电梯投入使用后多久要办使用登记", {("tezhong-shebei-anquan-fa", "第三十三条")}, 5),
]


def best_rank(services: Services, question: str, relevant: set[tuple[str, str]]) -> int | None:
    hits = services.retriever.search(question, k=0, kinds=("regulation",)).hits
    ranked = list(dict.fromkeys((hit.chunk.doc_id, hit.chunk.article) for hit in hits))
    return next((rank for rank, key in enumerate(ranked, start=1) if key in relevant), None)


def assert_checks(services: Services) -> None:
    for question, relevant, within in CHECKS:
        rank = best_rank(services, question, relevant)
        assert rank is not None and rank <= within, f"{question}: best relevant article at rank {rank}"


def test_hybrid_retrieval_finds_the_answering_article(indexed: Services) -> None:
    assert_checks(indexed)


def test_hits_carry_scores_of_both_legs(indexed: Services) -> None:
    retrieval = indexed.retriever.search("网吧离学校要多远？", k=5)
    top = retrieval.hits[0]
    assert top.dense is not None and top.lexical is not None
    assert 0.8 < retrieval.top_dense <= 1.0 and retrieval.top_lexical > 0
    assert "互联网上网服务营业场所" in retrieval.tokens  # colloquial 网吧 expanded for BM25


def test_bm25_is_persisted_and_readers_keep_the_live_version(indexed: Services) -> None:
    directory = indexed.settings.lexical_dir
    saved = LexicalIndex.load(directory)
    assert saved is not None and len(saved.chunks) == indexed.store.count()
    live = indexed.lexical()
    assert live.version == saved.version
    indexed.state.bump()  # as if a writer elsewhere had started changing the store
    assert indexed.lexical() is live  # questions are answered from the live version meanwhile; no reader rebuilds


def test_an_index_built_with_another_lexicon_is_not_taken_for_current(indexed: Services, tmp_path: Path) -> None:
    """A synonym added to the lexicon changes the tokens: the saved index names the lexicon it was built with."""
    saved = LexicalIndex.load(indexed.settings.lexical_dir)
    assert saved is not None and saved.fingerprint.endswith("/" + indexed.tokenizer.version)
    changed = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, changed)
    with (changed / "synonyms.yaml").open("a", encoding="utf-8") as synonyms:
        synonyms.write("挂证: [出借]\n")
    assert Tokenizer(changed).version != indexed.tokenizer.version
    assert Tokenizer(LEXICON_DIR).version == indexed.tokenizer.version


def test_lexical_search_ignores_unknown_words(indexed: Services) -> None:
    assert indexed.lexical().search(["完全不存在的词语xyz"], 5) == []


def test_concurrent_lexical_searches_get_their_own_results(indexed: Services) -> None:
    """The index keeps the last ranking for the next pool of the same question; threads asking different
    questions at once must still each get the ranking of their own words and pool."""
    index = indexed.lexical()
    queries = [
        (tokens, kinds)
        for tokens in (["网吧", "学校"], ["游泳", "救生员"], ["诊所", "执业"], ["民宿", "消防"])
        for kinds in (("regulation",), ("faq", "requirement"), None)
    ]
    expected = [index.search(tokens, 10, kinds) for tokens, kinds in queries]
    assert len({tuple(chunk.id for chunk, _ in hits) for hits in expected}) > len(queries) // 2

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):
            got = list(pool.map(lambda query: index.search(query[0], 10, query[1]), queries))
            assert got == expected


def test_a_question_during_a_knowledge_change_never_loads_the_index_back_from_disk(
    tmp_path: Path, shipped_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the writer saving the new BM25 version and swapping it in, a question in the same process must
    keep the live index, not load the new version from disk (seconds at 100k chunks, under the swap lock)."""
    services = Services(make_settings(with_shipped_index(tmp_path / "data", shipped_index)))
    services.ensure_index()
    live = services.lexical()
    loads: list[str] = []
    seen_while_saving: list[LexicalIndex] = []
    real_load, real_save = LexicalIndex.load, LexicalIndex.save

    def counting_load(root: Path) -> LexicalIndex | None:
        loads.append(str(root))
        return real_load(root)

    def save_then_ask(index: LexicalIndex, root: Path) -> None:
        real_save(index, root)
        seen_while_saving.append(services.lexical())  # a question arriving right after the new version is on disk

    monkeypatch.setattr(LexicalIndex, "load", staticmethod(counting_load))
    monkeypatch.setattr(LexicalIndex, "save", save_then_ask)
    overlay = services.settings.kb_overlay_dir
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "faq-staff.yaml").write_text(
        "- id: faq.staff_ledger\n  question: 筹备台账怎么建？\n  answer: 按示例建立台账。\n"
        "  basis_pending: true\n  pending_note: 测试\n",
        encoding="utf-8",
    )
    assert services.reload_knowledge() > 0
    assert seen_while_saving == [live] and loads == []
    assert services.lexical().version != live.version  # swapped in once saved


@pytest.mark.slow
def test_same_checks_against_a_chroma_server(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma-server") as url:
        services = Services(make_settings(tmp_path / "data", chroma_url=url))
        report = services.ensure_index()
        assert not report.failed
        assert services.store.count() > 3500
        assert not (tmp_path / "data" / "index" / "chroma").exists()
        assert_checks(services)
