"""要件预审 on generated documents with the real OCR (rapidocr), real plans, a real SQLite and a real server.

OCR is about a second a page on two free cores: only a few tests here read images; the rest use text PDFs and DOCX
(read without OCR) to exercise the checks, limits and storage.
"""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import date
from pathlib import Path

import httpx
import pytest
from pypdf import PdfWriter
from sqlalchemy import text

from api.db.engine import Database
from api.documents import Documents
from api.dossiers import Dossiers
from api.links import LinkSigner
from api.schemas import FindingDecision, ItemUpdate, ProjectCreate
from assistant.config import PrereviewConfig
from assistant.prereview import PASSED, PROBLEM, Plan, ReadSummary, review, understand
from assistant.prereview.checks import check
from assistant.prereview.text import normalise
from chubei.services import Services
from ingest.ocr import OcrBusy, OcrQueue
from ingest.uploads import DocumentReader, DocumentRejected
from tests import samples
from tests.conftest import RunningServer

KTV = "在市北区辽宁路商场三楼开一家KTV，面积450平米，租赁"
POOL = "健身会所带25米恒温泳池，水面400平，租的商场四楼"
ADDRESS = "青岛市市北区辽宁路88号3层301室"
LESSOR, LESSEE = "青岛市北商业管理有限公司", "青岛欢唱娱乐有限公司"
TODAY = date(2026, 12, 3)
CONFIG = PrereviewConfig()


def canonical(value: str) -> str:
    return normalise(value).replace("〔", "(").replace("〕", ")")


def read_lines(reader: DocumentReader, data: bytes) -> list[tuple[int, str]]:
    document = reader.read(data, "材料")
    return [(page.number, line) for page in document.pages for line in page.lines]


def plan_of(services: Services, description: str) -> Plan:
    guidance = services.guide.plan(description)
    return Plan(guidance=guidance, active={r.id for r in guidance.requirements}, facts=dict(guidance.facts))


@pytest.fixture(scope="module")
def reader(indexed: Services) -> DocumentReader:
    return indexed.document_reader


@pytest.fixture(scope="module")
def ktv(indexed: Services) -> Plan:
    return plan_of(indexed, KTV)


def ktv_lease(end: str = "2031年12月31日", use: str = "商业") -> samples.Sample:
    return samples.lease(ADDRESS, use, "450.5", "2026年1月1日", end, LESSOR, LESSEE)


# -- reading with the real OCR -------------------------------------------------------------------------------------


def test_a_photographed_lease_is_read_and_passes_against_a_ktv_plan(reader: DocumentReader, ktv: Plan) -> None:
    sample = ktv_lease()
    photo = samples.jpeg(samples.photographed(samples.render(sample), seed=3))
    document = reader.read(photo, "租赁合同.jpg")
    assert document.media_type == "jpeg" and document.ocr
    understood = understand([(p.number, line) for p in document.pages for line in p.lines], CONFIG)
    fields = {field.name: field for field in understood.fields}
    assert understood.kind == "lease"
    assert canonical(fields["address"].value) == canonical(ADDRESS) and "辽宁路88号" in fields["address"].evidence
    assert fields["building_use"].value == "商业" and fields["area_m2"].value == "450.5"
    assert fields["floor"].value == "3"
    assert (fields["lease_start"].value, fields["lease_end"].value) == ("2026-01-01", "2031-12-31")
    assert fields["lessor"].value == LESSOR and fields["lessee"].value == LESSEE

    findings = review(understood, "lease", ktv, [], TODAY, CONFIG)
    assert {f.status for f in findings} == {PASSED}
    main = findings[0]
    assert main.item_id == "entertainment.property.documents"
    assert "租期约 5.1 年" in main.message and "娱乐经营许可" in main.message
    assert any("租赁合同" in citation.text for citation in main.basis)


def test_a_scanned_certificate_with_residential_use_is_a_red_line_for_a_ktv(reader: DocumentReader, ktv: Plan) -> None:
    sample = samples.property_certificate(LESSOR, "鲁（2024）青岛市不动产权第0012345号", ADDRESS, "城镇住宅", "450.50")
    scan = samples.scanned_pdf(samples.photographed(samples.render(sample, serif=True), seed=5))
    document = reader.read(scan, "房产证.pdf")
    assert document.media_type == "pdf" and document.ocr and len(document.pages) == 1
    understood = understand(read_lines(reader, scan), CONFIG)
    fields = {field.name: field.value for field in understood.fields}
    assert understood.kind == "property_certificate"
    assert fields["building_use"] == "住宅" and fields["holder"] == LESSOR
    assert canonical(fields["number"]) == canonical("鲁(2024)青岛市不动产权第0012345号")

    findings = review(understood, None, ktv, [], TODAY, CONFIG)
    red = [f for f in findings if f.red_line]
    assert red and all(f.status == PROBLEM for f in red)
    ban = next(f for f in red if f.item_id == "entertainment.property.no_residential_use")
    assert "住宅" in ban.message and "不能办理" in ban.message
    assert [(c.title, c.article) for c in ban.basis] == [("娱乐场所管理办法", "第六条")]  # the item's own basis
    assert not any(f.status == PASSED and f.item_id == "entertainment.property.no_residential_use" for f in findings)


def test_an_expired_lifeguard_certificate_is_a_problem(reader: DocumentReader, indexed: Services) -> None:
    sample = samples.qualification("救生员", "王海", "1912000000300123", "2025年6月30日")
    understood = understand(read_lines(reader, samples.png(samples.render(sample))), CONFIG)
    fields = {field.name: field.value for field in understood.fields}
    assert understood.kind == "qualification"
    assert fields == {"holder": "王海", "number": "1912000000300123", "valid_until": "2025-06-30",
                      "certificate": "救生员"}  # fmt: skip

    findings = review(understood, "qualification", plan_of(indexed, POOL), [], TODAY, CONFIG)
    [problem] = [f for f in findings if f.status == PROBLEM]
    assert problem.item_id == "swimming.personnel.lifeguards" and "2025-06-30 过期" in problem.message
    assert problem.basis and all(c.title for c in problem.basis)


# -- checks on documents read without OCR --------------------------------------------------------------------------


def test_a_lease_shorter_than_the_licence_cites_the_validity_clause(reader: DocumentReader, ktv: Plan) -> None:
    text = samples.text_pdf(ktv_lease(end="2027年6月30日"))
    document = reader.read(text, "合同.pdf")
    assert not document.ocr  # the text layer is read directly
    understood = understand(read_lines(reader, text), CONFIG)
    findings = review(understood, None, ktv, [], TODAY, CONFIG)
    [short] = [f for f in findings if f.status == PROBLEM]
    assert short.item_id == "entertainment.property.documents"
    assert "短于娱乐经营许可的有效期 2 年" in short.message
    assert [(c.title, c.article) for c in short.basis] == [("娱乐场所管理办法", "第十七条")]
    assert "有效期2年" in short.basis[0].text


def test_a_licence_for_another_company_and_a_lease_with_another_owner_are_problems(
    reader: DocumentReader, ktv: Plan
) -> None:
    lease = understand(read_lines(reader, samples.docx_bytes(ktv_lease())), CONFIG)
    licence_sample = samples.business_license("青岛别家娱乐有限公司", "91370203MA3XYZ1234", ADDRESS, "长期")
    licence = understand(read_lines(reader, samples.docx_bytes(licence_sample)), CONFIG)
    assert (lease.kind, licence.kind) == ("lease", "business_license")
    findings = review(licence, None, ktv, [lease.summary()], TODAY, CONFIG)
    assert any(f.status == PROBLEM and "不是本项目的证件" in f.message and LESSEE in f.message for f in findings)

    owner = samples.property_certificate("张三", "鲁（2024）青岛市不动产权第0000001号", ADDRESS, "商业", "450.5")
    title = understand(read_lines(reader, samples.docx_bytes(owner)), CONFIG)
    findings = review(title, None, ktv, [lease.summary()], TODAY, CONFIG)
    assert any("出租方“青岛市北商业管理有限公司”与不动产权证的权利人“张三”不一致" in f.message for f in findings)


def test_unreadable_and_wrong_documents_say_what_to_upload(ktv: Plan) -> None:
    blank = ReadSummary(kind="other", fields={}, chars=3)
    [unreadable] = check(blank, "lease", ktv, [], TODAY, CONFIG)
    assert unreadable.status == "无法识别" and "租赁合同" in unreadable.message
    minutes = understand([(1, line) for line in samples.other().lines], CONFIG)
    assert minutes.kind == "other"
    [wrong] = review(minutes, "property_certificate", ktv, [], TODAY, CONFIG)
    assert wrong.status == "材料不符" and "请上传不动产权证书" in wrong.message


# -- limits ----------------------------------------------------------------------------------------------------------


def test_limits_are_refused_in_chinese(reader: DocumentReader) -> None:
    def refused(data: bytes) -> str:
        with pytest.raises(DocumentRejected) as error:
            reader.read(data, "x")
        return str(error.value)

    assert "无法识别文件类型" in refused("这不是PDF".encode())
    assert "上限为 20 MB" in refused(b"%PDF-1.7" + b"0" * (20 * 1024 * 1024))
    assert "已损坏" in refused(b"%PDF-1.7\n1 0 obj<<>>\nendobj\ntrailer<<>>\n%%EOF")
    assert "照片太小" in refused(samples.png(samples.render(samples.other()).resize((300, 420))))

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    assert "已加密" in refused(locked.getvalue())

    many = PdfWriter()
    for _ in range(51):
        many.add_blank_page(595, 842)
    pages = io.BytesIO()
    many.write(pages)
    assert "共 51 页，超过 50 页的上限" in refused(pages.getvalue())


def test_the_ocr_queue_refuses_work_beyond_its_bound() -> None:
    queue = OcrQueue(workers=1, max_waiting=1)
    release = threading.Event()
    running = [queue.submit(release.wait), queue.submit(release.wait)]
    with pytest.raises(OcrBusy, match="请一分钟后再上传"):
        queue.submit(release.wait)
    release.set()
    assert all(future.result(timeout=10) for future in running)
    assert queue.submit(lambda: 42).result(timeout=10) == 42  # slots come back when jobs finish
    queue.shutdown()


# -- storage -----------------------------------------------------------------------------------------------------------


def test_files_of_a_deleted_project_are_removed(tmp_path: Path, reader: DocumentReader, indexed: Services) -> None:
    database = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    dossiers = Dossiers(database, indexed.guide.plan, LinkSigner(b"s"), "https://chubei.example", ttl_days=30)
    project = dossiers.create(ProjectCreate(name="某KTV", description=KTV, specialist_name="王专员"), "王专员")
    documents = Documents(database, reader, OcrQueue(1, 0), tmp_path / "documents", CONFIG, today=lambda: TODAY)
    out = asyncio.run(
        documents.upload(project.id, "合同.docx", samples.docx_bytes(ktv_lease()), None, "staff", "王专员")
    )
    assert out.kind == "lease" and (tmp_path / "documents" / project.id).is_dir()
    statuses = {i.item_id: i.status for i in dossiers.get(project.id).items}
    assert statuses["entertainment.property.documents"] == "已提交预审"
    # A decision never undoes progress made since: an item already 已完成 stays so.
    dossiers.update_item(project.id, "entertainment.property.documents", ItemUpdate(status="已完成"), "王专员")
    decided = documents.decide(project.id, out.id, 1, FindingDecision(decision="改判"), "王专员")
    assert decided.findings[0].decision == "改判"
    statuses = {i.item_id: i.status for i in dossiers.get(project.id).items}
    assert statuses["entertainment.property.documents"] == "已完成"

    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM projects WHERE id = :id"), {"id": project.id})
        assert connection.execute(text("SELECT count(*) FROM document_findings")).scalar() == 0
    assert documents.purge_orphans() == 1 and not (tmp_path / "documents" / project.id).exists()


# -- over HTTP ---------------------------------------------------------------------------------------------------------


def test_upload_review_and_decide_over_http(server: RunningServer) -> None:
    created = httpx.post(f"{server.url}/api/v1/projects", headers=server.headers, timeout=120,
                         json={"name": "欢唱KTV", "description": KTV, "specialist_name": "王专员"}).json()  # fmt: skip
    project_id, token = created["id"], created["links"][0]["token"]
    other = httpx.post(f"{server.url}/api/v1/projects", headers=server.headers, timeout=120,
                       json={"name": "别的项目", "description": POOL, "specialist_name": "李专员"}).json()  # fmt: skip

    lease = samples.text_pdf(ktv_lease())
    response = httpx.post(f"{server.url}/api/v1/c/{token}/documents", files={"file": ("合同.pdf", lease)},
                          data={"kind": "lease"}, timeout=120)  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"id", "kind", "fields", "findings", "pages", "ocr"}
    assert body["kind"] == "lease" and body["pages"] == 1 and body["ocr"] is False
    assert {"name": "lessee", "value": LESSEE}.items() <= next(
        f for f in body["fields"] if f["name"] == "lessee"
    ).items()
    first = body["findings"][0]
    assert first["n"] == 1 and first["status"] == PASSED and first["item_id"] == "entertainment.property.documents"
    assert first["basis"] and {"doc_id", "title", "article", "text"} <= set(first["basis"][0])
    stored = list((server.data_dir / "documents" / project_id).iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == lease

    project = httpx.get(f"{server.url}/api/v1/projects/{project_id}", headers=server.headers).json()
    item = next(i for i in project["items"] if i["item_id"] == "entertainment.property.documents")
    assert item["status"] == "已提交预审"

    # The operator sees their own project's documents only; another project's link sees none of them.
    other_token = other["links"][0]["token"]
    assert [d["id"] for d in httpx.get(f"{server.url}/api/v1/c/{token}/documents").json()] == [body["id"]]
    assert httpx.get(f"{server.url}/api/v1/c/{other_token}/documents").json() == []
    assert httpx.get(f"{server.url}/api/v1/c/not-a-token/documents").status_code == 401
    assert httpx.get(f"{server.url}/api/v1/projects/{project_id}/documents").status_code == 401  # staff only

    # The specialist confirms: the item is 预审通过, and the history says who did it.
    decided = httpx.patch(f"{server.url}/api/v1/projects/{project_id}/documents/{body['id']}/findings/1",
                          json={"decision": "确认", "note": "原件已核"},
                          headers={**server.headers, "X-Staff-Name": "%E7%8E%8B%E4%B8%93%E5%91%98"})  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert decided.json()["findings"][0]["decision"] == "确认"
    assert decided.json()["findings"][0]["decided_by"] == "王专员"
    project = httpx.get(f"{server.url}/api/v1/projects/{project_id}", headers=server.headers).json()
    assert next(i for i in project["items"] if i["item_id"] == item["item_id"])["status"] == "预审通过"
    history = httpx.get(f"{server.url}/api/v1/projects/{project_id}/history", headers=server.headers).json()
    assert [h["action"] for h in history[:2]] == ["确认预审结论", "上传预审材料"]
    assert history[0]["actor"] == "王专员" and history[0]["detail"]["item_status"] == ["已提交预审", "预审通过"]

    missing = httpx.patch(f"{server.url}/api/v1/projects/{project_id}/documents/{body['id']}/findings/99",
                          json={"decision": "确认"}, headers=server.headers)  # fmt: skip
    assert missing.status_code == 404 and "第 99 条" in missing.json()["message"]
    bad = httpx.patch(f"{server.url}/api/v1/projects/{project_id}/documents/{body['id']}/findings/1",
                      json={"decision": "通过"}, headers=server.headers)  # fmt: skip
    assert bad.status_code == 422 and "处理结果（decision）" in bad.json()["message"]


@pytest.fixture(scope="module")
def refusing(server: RunningServer) -> str:
    """A project that is only ever sent documents that must be refused."""
    created = httpx.post(f"{server.url}/api/v1/projects", headers=server.headers, timeout=120,
                         json={"name": "拒收测试", "description": KTV, "specialist_name": "王专员"})  # fmt: skip
    return created.json()["id"]


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("合同.pdf", "租赁合同".encode(), 422, "无法识别文件类型"),
        ("照片.jpg", b"\x89PNG\r\n\x1a\n" + b"0" * 100, 422, "无法识别文件类型"),
        ("空.pdf", b"", 422, "文件是空的"),
        ("大.pdf", b"%PDF-1.7" + b"0" * (20 * 1024 * 1024), 413, "上限为 20 MB"),
    ],
)
def test_refused_uploads_save_nothing(server: RunningServer, refusing: str, name: str, content: bytes, status: int,
                                      message: str) -> None:  # fmt: skip
    url = f"{server.url}/api/v1/projects/{refusing}/documents"
    response = httpx.post(url, files={"file": (name, content)}, headers=server.headers, timeout=60)
    assert response.status_code == status and message in response.json()["message"]
    assert httpx.get(url, headers=server.headers).json() == []
    assert not (server.data_dir / "documents" / refusing).exists()
    no_file = httpx.post(url, data={"kind": "lease"}, headers=server.headers)
    assert no_file.status_code == 422 and "文件（file）" in no_file.json()["message"]
    bad_kind = httpx.post(url, files={"file": ("a.pdf", b"%PDF")}, data={"kind": "passport"}, headers=server.headers)
    assert bad_kind.status_code == 422 and "材料类型（kind）" in bad_kind.json()["message"]


def test_an_area_read_from_a_floor_plan_is_adopted_as_a_project_fact(server: RunningServer) -> None:
    created = httpx.post(f"{server.url}/api/v1/projects", headers=server.headers, timeout=120,
                         json={"name": "欢唱KTV二店", "description": KTV, "specialist_name": "王专员"}).json()  # fmt: skip
    base = f"{server.url}/api/v1/projects/{created['id']}"
    assert "general.fire.special_project_review" not in {i["item_id"] for i in created["items"] if i["active"]}
    plan = samples.text_pdf(samples.floor_plan("三层", "620"))
    uploaded = httpx.post(
        f"{base}/documents", files={"file": ("平面图.pdf", plan)}, headers=server.headers, timeout=120
    )
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["kind"] == "floor_plan"
    assert any(f["status"] == PROBLEM and "620 平方米，方案按 450 平方米" in f["message"] for f in document["findings"])

    refused = httpx.post(f"{base}/documents/{document['id']}/facts", json={"fields": ["floor"]}, headers=server.headers)
    assert refused.status_code == 422 and "没有读出“所在楼层”" in refused.json()["message"]
    adopted = httpx.post(f"{base}/documents/{document['id']}/facts", json={"fields": ["area_m2"]},
                         headers=server.headers, timeout=120)  # fmt: skip
    assert adopted.status_code == 200, adopted.text
    project = adopted.json()
    assert project["fact_overrides"]["area_m2"] == 620 and project["plan"]["facts"]["area_m2"] == 620
    # Over 500 m², a KTV is a 特殊建设工程: the plan now asks for the fire design review.
    assert "general.fire.special_project_review" in {i["item_id"] for i in project["items"] if i["active"]}
    history = httpx.get(f"{base}/history", headers=server.headers).json()
    assert history[0]["action"] == "采纳材料事实" and "620" in history[0]["detail"]["evidence"]["area_m2"]
    assert history[1]["action"] == "重新生成方案"
