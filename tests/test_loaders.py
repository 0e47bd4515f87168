"""File loaders on real files generated in a temp dir: PDF (reportlab), DOCX, HTML, Markdown, TXT.

The PDFs use reportlab's built-in CID font STSong-Light. It is not embedded and the PDF has no
ToUnicode map, but its encoding is the predefined CMap ``UniGB-UCS2-H`` (character codes are
UCS-2 code points), which pypdf decodes back to Unicode: extraction of Chinese is exact, as
``test_pdf_cid_font_text_is_extracted_exactly`` checks over every character of a statute.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ingest.loaders import SUPPORTED_SUFFIXES, LoaderError, load_document, loader_for
from ingest.loaders.docx import DocxLoader
from ingest.loaders.pdf import PdfLoader
from kb.legal_text import split_articles
from kb.quantities import int_to_cn

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
STYLE = ParagraphStyle("cn", fontName=FONT, fontSize=12, leading=18, wordWrap="CJK")

WRAPPED = (
    "第二条 在中华人民共和国境内从事食品销售和餐饮服务活动，应当依法取得食品经营许可。"
    "食品经营许可实行一地一证原则，即食品经营者在一个经营场所从事食品经营活动，"
    "应当取得一个食品经营许可证，有效期为5年。"
)


def article(number: int) -> str:
    return (
        f"第{int_to_cn(number)}条 食品经营者应当按照《中华人民共和国食品安全法》的规定，"
        f"建立第{number}项食品安全管理制度，配备专职或者兼职的食品安全管理人员（以下简称管理人员），"
        f"并于2023年12月31日前完成第{int_to_cn(number)}批人员的培训和考核。"
    )


def build_pdf(path: Path, paragraphs: list[str], on_page: Callable | None = None, **info: str) -> Path:
    """A real text PDF with wrapped paragraphs, as a word processor would lay it out."""
    document = SimpleDocTemplate(str(path), pagesize=A4, **info)
    story = [Paragraph(text, STYLE) for text in paragraphs]
    if on_page:
        document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    else:
        document.build(story)
    return path


def draw_pdf(path: Path, pages: list[list[str]]) -> Path:
    """One PDF page per list of lines; a page without lines gets only a filled rectangle (a “scan”)."""
    canvas = Canvas(str(path), pagesize=A4)
    for lines in pages:
        canvas.setFont(FONT, 12)
        for index, line in enumerate(lines):
            canvas.drawString(72, 760 - 20 * index, line)
        if not lines:
            canvas.rect(72, 400, 300, 200, fill=1)
        canvas.showPage()
    canvas.save()
    return path


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_cid_font_text_is_extracted_exactly(tmp_path: Path) -> None:
    statute = (Path(__file__).parents[1] / "kb/corpus/regulations/shipin-anquan-fa.md").read_text("utf-8")
    chars = sorted({char for char in statute if not char.isspace()})
    lines = ["".join(chars[i : i + 30]) + "。" for i in range(0, len(chars), 30)]
    pdf = draw_pdf(tmp_path / "字符.pdf", [lines[i : i + 35] for i in range(0, len(lines), 35)])

    document = load_document(pdf)

    assert len(chars) > 800
    assert document.text.splitlines() == lines
    assert document.warnings == []


def test_pdf_wrapped_paragraph_is_joined(tmp_path: Path) -> None:
    pdf = build_pdf(
        tmp_path / "办法.pdf",
        ["食品经营许可管理办法", "第一章 总则", WRAPPED, "（一）申请人名称", "（二）经营场所"],
        title="食品经营许可管理办法",
        author="国家市场监督管理总局",
    )

    document = load_document(pdf)

    assert document.format == "pdf"
    assert document.title == "食品经营许可管理办法"
    assert document.text.splitlines() == [
        "食品经营许可管理办法",
        "第一章 总则",
        WRAPPED,
        "（一）申请人名称",
        "（二）经营场所",
    ]
    assert document.metadata == {
        "pages": "1",
        "title": "食品经营许可管理办法",
        "author": "国家市场监督管理总局",
    }


def test_pdf_drops_running_header_and_page_numbers_and_joins_across_pages(tmp_path: Path) -> None:
    def header_and_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setFont(FONT, 9)
        canvas.drawString(72, 810, "食品经营许可管理办法（征求意见稿）")
        canvas.drawCentredString(A4[0] / 2, 30, f"— {document.page} —")

    articles = [article(number) for number in range(1, 41)]
    pdf = build_pdf(tmp_path / "长文.pdf", ["第一章 总则", *articles], on_page=header_and_footer)

    document = load_document(pdf)

    assert int(document.metadata["pages"]) >= 3
    assert document.text.splitlines() == ["第一章 总则", *articles]
    parsed = split_articles(document.text)
    assert [a.number for a in parsed] == list(range(1, 41))
    assert parsed[39].chapter == "第一章 总则"


def test_pdf_image_only_page_gives_warning(tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "通知.pdf", [["关于开展食品经营许可试点的通知", "各有关单位："], []])

    document = load_document(pdf)

    assert document.title == "关于开展食品经营许可试点的通知"  # reportlab's “untitled” is ignored
    assert document.text == "关于开展食品经营许可试点的通知\n各有关单位："
    assert document.warnings == ["第2页没有可提取的文字（可能是扫描件）"]


def test_pdf_without_any_text_asks_for_ocr(tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "扫描件.pdf", [[], []])

    with pytest.raises(LoaderError, match=r"《扫描件\.pdf》.*扫描件或图片.*OCR"):
        load_document(pdf)


def test_pdf_encrypted_with_user_password_is_refused(tmp_path: Path) -> None:
    plain = draw_pdf(tmp_path / "plain.pdf", [["第一条 保密。"]])
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="secret")
    writer.write(tmp_path / "加密.pdf")

    with pytest.raises(LoaderError, match=r"^《加密\.pdf》已加密，无法读取，请提供未加密的文件$"):
        load_document(tmp_path / "加密.pdf")


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    plain = draw_pdf(tmp_path / "plain.pdf", [["第一条 仅限制打印。"]])
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="", owner_password="owner")
    writer.write(tmp_path / "限制打印.pdf")

    assert load_document(tmp_path / "限制打印.pdf").text == "第一条 仅限制打印。"


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_pdf_corrupt_file_is_refused(tmp_path: Path, damage: str) -> None:
    good = draw_pdf(tmp_path / "good.pdf", [["第一条 完好。"]]).read_bytes()
    data = random.Random(7).randbytes(2000) if damage == "random" else good[: len(good) // 2]
    (tmp_path / "损坏.pdf").write_bytes(data)

    with pytest.raises(LoaderError, match=r"《损坏\.pdf》不是有效的 PDF 文件或已损坏，无法读取："):
        PdfLoader().load(tmp_path / "损坏.pdf")


# --- DOCX ------------------------------------------------------------------------------------


def build_docx(path: Path, core_title: str = "") -> Path:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("")
    document.add_heading("食品经营许可审查细则", level=1)
    document.add_paragraph("第一条 为规范食品经营许可审查工作，制定本细则。")
    document.add_paragraph("")
    document.add_paragraph("　　第二条 申请人应当提交下列材料：")
    table = document.add_table(rows=3, cols=3)
    rows = [("材料", "份数", "备注"), ("营业执照", "1", ""), ("", "", "")]
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    document.add_paragraph("第三条 本细则自发布之日起施行。")
    document.save(str(path))
    return path


def test_docx_paragraphs_table_and_heading_title(tmp_path: Path) -> None:
    document = load_document(build_docx(tmp_path / "细则.docx"))

    assert document.format == "docx"
    assert document.title == "食品经营许可审查细则"
    assert document.text.splitlines() == [
        "食品经营许可审查细则",
        "第一条 为规范食品经营许可审查工作，制定本细则。",
        "第二条 申请人应当提交下列材料：",
        "材料 | 份数 备注",
        "营业执照 | 1",
        "第三条 本细则自发布之日起施行。",
    ]


def test_docx_core_title_wins(tmp_path: Path) -> None:
    document = load_document(build_docx(tmp_path / "细则.docx", core_title="审查细则（2023年版）"))

    assert document.title == "审查细则（2023年版）"


def test_docx_corrupt_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "旧版.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))

    with pytest.raises(LoaderError, match=r"《旧版\.docx》不是有效的 DOCX 文件"):
        DocxLoader().load(tmp_path / "旧版.docx")


# --- HTML ------------------------------------------------------------------------------------


def test_html_gbk_page_without_noise(tmp_path: Path) -> None:
    page = """<!DOCTYPE html>
<html><head><meta charset="gbk"><title>食品经营许可管理办法_政策文件</title>
<style>p { color: red; }</style><script>var 噪声 = "统计代码";</script></head>
<body><header>网站首页</header><nav>首页 &gt; 政策 &gt; 文件</nav>
<div class="article"><h1>食品经营许可管理办法</h1>
<p>第一条　为了规范食品经营许可活动，
   加强食品经营监督管理，制定本办法。</p>
<p>第二条 申请人应当具备下列条件：<br>（一）具有与经营的食品品种相适应的场所；
<br/>（二）具有食品安全管理人员。</p>
<table><tr><th>事项</th><th>时限</th></tr><tr><td>许可</td><td>10个工作日</td></tr></table>
<ul><li>附件：申请书</li></ul></div>
<footer>版权所有 某某市场监督管理局</footer><script>track();</script></body></html>"""
    (tmp_path / "办法.html").write_bytes(page.encode("gbk"))

    document = load_document(tmp_path / "办法.html")

    assert document.format == "html"
    assert document.title == "食品经营许可管理办法_政策文件"
    assert document.metadata["encoding"] == "gb18030"  # declared gbk, read as its superset
    assert document.text.splitlines() == [
        "食品经营许可管理办法",
        "第一条 为了规范食品经营许可活动， 加强食品经营监督管理，制定本办法。",
        "第二条 申请人应当具备下列条件：",
        "（一）具有与经营的食品品种相适应的场所；",
        "（二）具有食品安全管理人员。",
        "事项 | 时限",
        "许可 | 10个工作日",
        "附件：申请书",
    ]


def test_html_declared_gb2312_with_gbk_only_characters(tmp_path: Path) -> None:
    """Left alone, bs4 rejects gb2312 here and its guesser picks cp1258 for this mostly-ASCII page."""
    filler = "Notice of the State Council. " * 20
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
        f"<body><h1>通知</h1><p>{filler}朱镕基 张珺</p></body></html>"
    )
    (tmp_path / "notice.htm").write_bytes(page.encode("gbk"))

    document = load_document(tmp_path / "notice.htm")

    assert document.title == "通知"
    assert document.text.endswith("朱镕基 张珺")


# --- Markdown and text -----------------------------------------------------------------------


def test_markdown_front_matter_and_syntax(tmp_path: Path) -> None:
    (tmp_path / "指南.md").write_text(
        """---
title: 食品经营许可办事指南
issuer: 某市市场监督管理局
tags: [食品, 许可]
date: 2023-06-01
---

# 办事指南

## 第一章 总则

**第一条** 为了方便申请人办理[食品经营许可](https://example.gov.cn/a)，制定本指南。
第二条 申请材料：
- 营业执照复印件
> 注意：材料需加盖公章。

| 事项 | 时限 |
|------|:----:|
| 许可 | `10`个工作日 |

---
![流程图](flow.png)
<!-- 内部备注 -->
""",
        encoding="utf-8",
    )

    document = load_document(tmp_path / "指南.md")

    assert document.format == "markdown"
    assert document.title == "食品经营许可办事指南"
    assert document.metadata == {
        "title": "食品经营许可办事指南",
        "issuer": "某市市场监督管理局",
        "tags": "食品；许可",
        "date": "2023-06-01",
    }
    assert document.text.splitlines() == [
        "办事指南",
        "第一章 总则",
        "第一条 为了方便申请人办理食品经营许可，制定本指南。",
        "第二条 申请材料：",
        "营业执照复印件",
        "注意：材料需加盖公章。",
        "事项 | 时限",
        "许可 | 10个工作日",
    ]


def test_markdown_title_from_first_heading_else_stem(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("导语\n\n# 许可须知\n\n正文", encoding="utf-8")
    (tmp_path / "无标题.markdown").write_text("正文一段。", encoding="utf-8")

    assert load_document(tmp_path / "a.md").title == "许可须知"
    assert load_document(tmp_path / "无标题.markdown").title == "无标题"


def test_text_gb18030(tmp_path: Path) -> None:
    (tmp_path / "通知.txt").write_bytes(
        "关于食品经营许可的通知\r\n\r\n　　第一条 请于10日内提交材料。\r\n".encode("gb18030")
    )

    document = load_document(tmp_path / "通知.txt")

    assert document.format == "txt"
    assert document.title == "关于食品经营许可的通知"
    assert document.text == "关于食品经营许可的通知\n第一条 请于10日内提交材料。"
    assert document.metadata == {"encoding": "gb18030"}


def test_text_utf8_bom_and_long_first_line(tmp_path: Path) -> None:
    long_line = "第一条 " + "食品经营者应当建立食品安全自查制度，" * 3
    (tmp_path / "自查.txt").write_bytes("\ufeff".encode() + long_line.encode("utf-8"))

    document = load_document(tmp_path / "自查.txt")

    assert document.text == long_line
    assert document.title == "自查"
    assert document.metadata == {"encoding": "utf-8"}


def test_text_undecodable_is_refused(tmp_path: Path) -> None:
    (tmp_path / "乱码.txt").write_bytes(b"\x80\x80\xff\xfe\x00")

    with pytest.raises(LoaderError, match=r"《乱码\.txt》不是 UTF-8 或 GB18030 编码的文本"):
        load_document(tmp_path / "乱码.txt")


# --- registry --------------------------------------------------------------------------------


def test_unsupported_suffix_is_named_with_supported_list(tmp_path: Path) -> None:
    with pytest.raises(LoaderError) as error:
        load_document(tmp_path / "申请表.xlsx")

    assert "《申请表.xlsx》" in str(error.value)
    assert "“.xlsx”" in str(error.value)
    assert all(suffix in str(error.value) for suffix in SUPPORTED_SUFFIXES)


def test_suffix_lookup_is_case_insensitive() -> None:
    assert loader_for(Path("A.PDF")).format == "pdf"
    assert loader_for(Path("b.Htm")).format == "html"
    assert set(SUPPORTED_SUFFIXES) == {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match=r"^找不到文件《不存在\.pdf》$"):
        load_document(tmp_path / "不存在.pdf")
