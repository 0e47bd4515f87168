"""Ingest is idempotent, replaces changed files without duplicates, and survives being killed midway."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from chubei.services import Services
from kb.lexical import LexicalIndex
from tests.conftest import make_settings

TOPICS = ["游泳池", "歌舞厅", "网吧", "民宿", "诊所", "养老院", "培训学校", "旅行社", "餐馆", "剧本杀"]


def rule_text(name: str, articles: int, salt: str = "") -> str:
    lines = [f"# {name}管理示例规定", ""]
    for n in range(1, articles + 1):
        numeral = "一二三四五六七八九十"[n - 1]
        lines.append(f"第{numeral}条 {name}经营者应当遵守第{n}项安全要求{salt}，并接受主管部门监督检查。")
    return "\n".join(lines) + "\n"


def write_rules(folder: Path, count: int, articles: int = 4) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"rule-{index:02d}.md"
        path.write_text(rule_text(TOPICS[index % len(TOPICS)] + str(index), articles), encoding="utf-8")
        paths.append(path)
    return paths


def stored_ids(services: Services) -> list[str]:
    return [chunk.id for chunk in services.store.iter_chunks()]


def test_unchanged_files_are_skipped_and_changed_ones_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    paths = write_rules(folder, 2)
    (folder / "notes.txt").write_text("筹备期服务说明。专员提前介入，一项目一方案。", encoding="utf-8")
    services = Services(make_settings(tmp_path / "data"))

    first = services.indexer.ingest_paths([folder])
    assert (first.files, first.chunks, first.skipped, first.failed) == (3, 9, 0, [])
    second = services.indexer.ingest_paths([folder])
    assert (second.files, second.chunks, second.skipped) == (3, 0, 3)
    assert services.store.count() == 9

    paths[0].write_text(rule_text("游泳池0", 2, salt="（已修订）"), encoding="utf-8")
    third = services.indexer.ingest_paths([folder])
    assert (third.chunks, third.skipped) == (2, 2)
    ids = stored_ids(services)
    assert len(ids) == len(set(ids)) == 7
    texts = [chunk.text for chunk in services.store.iter_chunks() if chunk.source == f"file:{paths[0].resolve()}"]
    assert len(texts) == 2 and all("（已修订）" in text for text in texts)
    hits = services.retriever.search("游泳池经营者安全要求", k=3).hits
    assert "（已修订）" in hits[0].chunk.text


def test_a_bad_file_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_rules(folder, 1)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    scanned = folder / "scanned.pdf"
    pdf = canvas.Canvas(str(scanned), pagesize=A4)
    pdf.rect(100, 100, 200, 200, fill=1)
    pdf.save()
    services = Services(make_settings(tmp_path / "data"))
    report = services.indexer.ingest_paths([folder, tmp_path / "missing.docx"])
    assert report.chunks == 4
    assert len(report.failed) == 3
    assert any("broken.pdf" in failure for failure in report.failed)
    assert any("scanned.pdf" in failure and "扫描件" in failure for failure in report.failed)
    assert any("找不到" in failure for failure in report.failed)


def test_a_pdf_of_a_local_rule_is_cut_by_article(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "qingdao-rule.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("STSong-Light", 12)
    lines = ["青岛市示例场所管理办法", "第一条 为规范示例场所管理，制定本办法。", "第二条 示例场所应当设置两个以上安全出口。",
             "第三条 本办法自公布之日起施行。"]  # fmt: skip
    for row, line in enumerate(lines):
        pdf.drawString(60, 780 - row * 24, line)
    pdf.save()
    services = Services(make_settings(tmp_path / "data"))
    report = services.indexer.ingest_paths([path])
    assert report.chunks == 3 and not report.failed
    hit = services.retriever.search("示例场所要几个安全出口", k=1).hits[0]
    assert (hit.chunk.article, hit.chunk.title) == ("第二条", "青岛市示例场所管理办法")


def test_killed_midway_leaves_an_answering_index_and_a_rerun_completes_it(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_rules(folder, 12, articles=6)
    data = tmp_path / "data"
    env = {**os.environ, "CHUBEI_DATA_DIR": str(data), "CHUBEI_API_KEYS": "k"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "chubei"), "ingest", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    state = data / "index" / "ingest-state.sqlite3"
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and done < 2 and process.poll() is None:
        time.sleep(0.2)
        if state.exists():
            with sqlite3.connect(state) as db:
                done = db.execute("SELECT count(*) FROM sources WHERE status = 'done'").fetchone()[0]
    assert process.poll() is None, "ingest finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    services = Services(make_settings(data))
    partial = services.store.count()
    assert 12 <= partial < 72
    assert services.retriever.search("游泳池0经营者安全要求", k=1).hits

    report = services.indexer.ingest_paths([folder])
    assert report.skipped >= 2 and not report.failed
    ids = stored_ids(services)
    assert len(ids) == len(set(ids)) == 72
    hit = services.retriever.search("剧本杀9经营者应当遵守第6项安全要求", k=1).hits[0]
    assert hit.chunk.title == "剧本杀9管理示例规定"


def test_a_store_changed_without_its_lexical_index_is_rebuilt_by_the_next_ingest(tmp_path: Path) -> None:
    """A writer killed between the store write and publishing BM25 leaves a stale index; the next run repairs it."""
    folder = tmp_path / "docs"
    write_rules(folder, 2)
    services = Services(make_settings(tmp_path / "data"))
    services.indexer.ingest_paths([folder])
    before = LexicalIndex.load(services.settings.lexical_dir)
    services.state.bump()
    report = services.indexer.ingest_paths([folder])
    after = LexicalIndex.load(services.settings.lexical_dir)
    assert report.skipped == 2 and after is not None and after.version != before.version
    assert after.fingerprint.endswith(f"/{services.state.generation}/{services.tokenizer.version}")
    assert len(after.chunks) == services.store.count() == len(before.chunks)


def test_only_changed_knowledge_chunks_are_written(tmp_path: Path) -> None:
    """Adding one FAQ entry re-embeds and re-writes that entry, not the whole knowledge base."""
    services = Services(make_settings(tmp_path / "data"))
    services.ensure_index()
    overlay = services.settings.kb_overlay_dir
    overlay.mkdir(parents=True)
    (overlay / "faq-staff.yaml").write_text(
        "- id: faq.staff_test\n  question: 测试场馆的筹备台账怎么建？\n  answer: 按示例建立台账。\n"
        "  basis_pending: true\n  pending_note: 测试\n",
        encoding="utf-8",
    )
    written = services.reload_knowledge()
    assert 1 <= written <= 3
    assert services.lexical().by_id.keys() >= {chunk.id for chunk in services.store.iter_chunks()}
    assert any(chunk.item_id == "faq.staff_test" for chunk in services.lexical().chunks)


def test_a_scanned_regulation_pdf_is_read_by_ocr_and_chunked_by_article(tmp_path: Path) -> None:
    """Real OCR: a regulation printed and scanned (an image in a PDF, no text layer) is indexed by 条."""
    from tests import samples

    lines = [
        "市北区筹备辅导示例规定",
        "第一条 为规范筹备期辅导，制定本规定。",
        "第二条 攀岩馆应当每年检测岩壁并保存记录。",
    ]
    path = tmp_path / "docs" / "扫描规定.pdf"
    path.parent.mkdir()
    path.write_bytes(samples.scanned_pdf(samples.render(samples.Sample(kind="other", lines=lines))))
    services = Services(make_settings(tmp_path / "data"))
    report = services.indexer.ingest_paths([path.parent])
    assert report.failed == [] and report.chunks >= 2
    assert any("已做文字识别" in warning for warning in report.warnings)
    articles = {chunk.article: chunk.text for chunk in services.lexical().chunks}
    assert "岩壁" in articles.get("第二条", ""), articles
