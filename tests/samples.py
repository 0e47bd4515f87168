"""Realistic sample documents for 要件预审 tests and the bench: Chinese text rendered with a CJK font (Debian
fonts-noto-cjk) to a clean image, a photographed-style image (tilted, blurred, noisy, JPEG), a scanned PDF (the image
in a PDF without a text layer), a text PDF (reportlab, CID font) or a DOCX. Each sample knows the kind and the fields
a correct reading must find."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import docx
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SANS = FONT_DIR / "NotoSansCJK-Regular.ttc"
SERIF = FONT_DIR / "NotoSerifCJK-Regular.ttc"
SC_INDEX = 2  # the Simplified Chinese face in the Noto CJK collections
PAGE = (1240, 1754)  # A4 at 150 dpi
PDF_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
GAP = "\t"  # a label and its value drawn apart, as on a printed form


USES = {"商业": "商业", "商业服务": "商业", "商服用地/商业": "商业", "城镇住宅": "住宅", "住宅": "住宅", "商住": "商住",
        "办公": "办公"}  # fmt: skip


def iso(chinese: str) -> str:
    """2026年1月1日 → 2026-01-01 (长期 stays)."""
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", chinese)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else chinese


def floor_of(address: str) -> str:
    match = re.search(r"(\d+)层", address)
    return match[1] if match else ""


@dataclass
class Sample:
    kind: str
    lines: list[str]
    expected: dict[str, str] = field(default_factory=dict)
    name: str = ""


def lease(address: str, use: str, area: str, start: str, end: str, lessor: str, lessee: str,
          years: str | None = None) -> Sample:  # fmt: skip
    """A lease; ``start``/``end`` as 2026年1月1日."""
    expected = {"address": address, "area_m2": area, "lessor": lessor, "lessee": lessee, "building_use": USES[use],
                "lease_start": iso(start), "lease_end": iso(end), "floor": floor_of(address)}  # fmt: skip
    lines = [
        "房屋租赁合同",
        f"出租方（甲方）：{lessor}",
        f"承租方（乙方）：{lessee}",
        "根据《中华人民共和国民法典》及有关规定，甲乙双方经协商一致，订立本合同。",
        f"第一条 甲方将坐落于{address}的房屋出租给乙方，建筑面积{area}平方米，",
        f"规划用途为{use}。",
        f"第二条 租赁期限自{start}起至{end}止。",
        "第三条 月租金人民币叁万元整，按季度支付。",
        "第四条 乙方应依法办理经营所需的证照，甲方予以配合。",
        "甲方（盖章）：            乙方（盖章）：",
    ]
    return Sample("lease", lines, expected, "租赁合同")


def property_certificate(holder: str, number: str, address: str, use: str, area: str) -> Sample:
    lines = [
        "不动产权证书",
        number,
        f"权利人{GAP}{holder}",
        f"共有情况{GAP}单独所有",
        f"坐落{GAP}{address}",
        "不动产单元号\t370203001002GB00012F00010001",
        "权利类型\t国有建设用地使用权/房屋所有权",
        "权利性质\t出让/市场化商品房",
        f"用途{GAP}{use}",
        f"面积{GAP}建筑面积{area}㎡",
        "使用期限\t2005年3月1日起2045年2月28日止",
    ]
    expected = {"holder": holder, "number": number, "address": address, "area_m2": area, "building_use": USES[use],
                "floor": floor_of(address)}  # fmt: skip
    return Sample("property_certificate", lines, expected, "不动产权证")


def business_license(name: str, code: str, address: str, valid: str) -> Sample:
    lines = [
        "营业执照",
        f"统一社会信用代码{GAP}{code}",
        f"名称{GAP}{name}",
        "类型\t有限责任公司（自然人投资或控股）",
        "法定代表人\t张明",
        "经营范围\t歌舞娱乐活动；食品销售；酒类经营",
        "注册资本\t伍拾万元整",
        "成立日期\t2025年06月18日",
        f"营业期限{GAP}2025年06月18日至{valid}",
        f"住所{GAP}{address}",
        "登记机关\t青岛市市北区行政审批服务局",
    ]
    expected = {"holder": name, "number": code, "address": address, "valid_until": iso(valid)}
    return Sample("business_license", lines, expected, "营业执照")


def qualification(certificate: str, name: str, number: str, valid_until: str) -> Sample:
    titles = {"救生员": "救生员国家职业资格证书", "社会体育指导员": "社会体育指导员（游泳）职业技能等级证书",
              "医师执业证书": "医师执业证书"}  # fmt: skip
    lines = [
        "中华人民共和国",
        titles[certificate],
        f"姓名{GAP}{name}",
        "性别\t男",
        "身份证号\t370203199001011234",
        "职业（工种）\t游泳救生员" if certificate != "医师执业证书" else "执业类别\t中医",
        "等级\t四级" if certificate != "医师执业证书" else "执业范围\t中医专业",
        f"证书编号{GAP}{number}",
        f"有效期至{GAP}{valid_until}",
        "发证机关\t青岛市人力资源和社会保障局",
    ]
    expected = {"holder": name, "number": number, "certificate": certificate, "valid_until": iso(valid_until)}
    return Sample("qualification", lines, expected, certificate)


def fire(unit: str, address: str, number: str, passed: bool) -> Sample:
    verdict = "经抽查，该工程消防验收合格。" if passed else "经现场检查，该工程消防验收不合格，应当停止使用并整改。"
    lines = [
        "青岛市市北区住房和城乡建设局",
        "特殊建设工程消防验收意见书",
        number,
        f"建设单位：{unit}",
        f"工程地址：{address}",
        "你单位申请的建设工程消防验收，我局依照《中华人民共和国消防法》和有关规定进行了审查，",
        verdict,
        "（印章）",
    ]
    expected = {"holder": unit, "address": address, "number": number, "conclusion": "合格" if passed else "不合格"}
    return Sample("fire", lines, expected, "消防验收意见书")


def health_permit(unit: str, address: str, number: str, valid_until: str) -> Sample:
    lines = [
        "公共场所卫生许可证",
        f"许可证号{GAP}{number}",
        f"单位名称{GAP}{unit}",
        "法定代表人\t张明",
        f"地址{GAP}{address}",
        "许可项目\t游泳场所",
        f"有效期限{GAP}2024年1月1日至{valid_until}",
        "发证机关\t青岛市市北区行政审批服务局",
    ]
    expected = {"holder": unit, "number": number, "address": address, "valid_until": iso(valid_until)}
    return Sample("health_permit", lines, expected, "卫生许可证")


def floor_plan(floor_title: str, area: str) -> Sample:
    lines = [
        f"{floor_title}平面布置图",
        "工程名称：青岛某某娱乐有限公司装修工程",
        "设计单位：青岛某建筑设计院有限公司",
        f"本层建筑面积{area}平方米",
        "图例：安全出口  疏散指示  灭火器",
        "比例 1:100    图号 建施-03",
    ]
    return Sample("floor_plan", lines, {"area_m2": area}, "平面图")


def other() -> Sample:
    lines = ["会议纪要", "时间：2026年3月5日", "参会人员：张明、李华", "会议讨论了开业筹备进度和宣传方案。"]
    return Sample("other", lines, {}, "会议纪要")


# -- rendering -----------------------------------------------------------------


def render(sample: Sample, serif: bool = False, size: int = 30) -> Image.Image:
    """A clean page: one line per row; a tab splits a label from its value, drawn apart as on a form."""
    font = ImageFont.truetype(str(SERIF if serif else SANS), size, index=SC_INDEX)
    image = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(image)
    y = 110
    for index, line in enumerate(_wrapped(sample.lines, font, PAGE[0] - 200)):
        face = ImageFont.truetype(str(SERIF if serif else SANS), size + 12, index=SC_INDEX) if index == 0 else font
        if GAP in line:
            label, value = line.split(GAP, 1)
            draw.text((100, y), label, font=face, fill="black")
            draw.text((400, y), value, font=face, fill="black")
        else:
            x = (PAGE[0] - draw.textlength(line, font=face)) / 2 if index == 0 else 100
            draw.text((x, y), line, font=face, fill="black")
        y += int(size * 2.1) + (20 if index == 0 else 0)
    return image


def _wrapped(lines: list[str], font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines broken where they would run past the right margin, as a word processor does."""
    out: list[str] = []
    for line in lines:
        current = ""
        for char in line:
            if font.getlength(current + char) > width:
                out.append(current)
                current = ""
            current += char
        out.append(current)
    return out


def photographed(image: Image.Image, seed: int) -> Image.Image:
    """As a phone takes it: tilted a few degrees on a desk, slightly out of focus, noisy, unevenly lit."""
    rng = random.Random(seed)
    tilted = image.rotate(rng.uniform(-4, 4), expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 95))
    blurred = tilted.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    pixels = np.asarray(blurred).astype(np.float32)
    width = pixels.shape[1]
    light = np.linspace(rng.uniform(0.8, 0.9), 1.0, width, dtype=np.float32)[None, :, None]
    noise = np.random.default_rng(seed).normal(0, 10, pixels.shape)
    return Image.fromarray(np.clip(pixels * light + noise, 0, 255).astype(np.uint8))


def jpeg(image: Image.Image, quality: int = 75) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def scanned_pdf(image: Image.Image) -> bytes:
    """A scan: the page image in a PDF, no text layer."""
    buffer = BytesIO()
    image.convert("L").save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def text_pdf(sample: Sample) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    y = A4[1] - 72
    for line in sample.lines:
        canvas.setFont(PDF_FONT, 12)
        canvas.drawString(60, y, line.replace(GAP, "："))
        y -= 22
    canvas.save()
    return buffer.getvalue()


def docx_bytes(sample: Sample) -> bytes:
    document = docx.Document()
    for line in sample.lines:
        document.add_paragraph(line.replace(GAP, "："))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
