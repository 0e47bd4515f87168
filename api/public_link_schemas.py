"""Request and response models of the public assistant links (staff side) and of the public chat (visitor side)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated

from limits import parse_many
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from api.schemas import FeedbackIn, MessageOut
from assistant.models import clean_text

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ORIGIN_HINT = "应写成 https://www.example.gov.cn 这样的网站来源（协议加域名，可带端口，不带路径和通配符）"


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` as a browser sends it in ``Origin`` (default port dropped, host lower case).

    Anything else is refused, in particular spaces, ``;`` and ``*``: an origin goes into the page's CSP
    ``frame-ancestors`` as it is, so it must never be able to add a source or a directive.
    """
    text = value.strip()
    match = re.fullmatch(r"(https?)://([^/?#@]+?)(?::(\d{1,5}))?/?", text, flags=re.IGNORECASE)
    if match is None:
        raise ValueError(f"“{text[:80]}”不是网站来源：{_ORIGIN_HINT}")
    scheme, host, port = match.group(1).lower(), match.group(2).lower(), match.group(3)
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"“{text[:80]}”中的地址不正确：{_ORIGIN_HINT}") from None
    elif not _HOST.fullmatch(host) or len(host) > 253:
        raise ValueError(f"“{text[:80]}”中的域名不正确：{_ORIGIN_HINT}")
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"“{text[:80]}”中的端口不正确（1–65535）")
    suffix = f":{int(port)}" if port is not None and int(port) != _DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}"


def check_rate(value: str) -> str:
    """A limit in the ``limits`` library's notation, such as ``10/minute;100/day``."""
    text = value.strip()
    try:
        if not text or not parse_many(text):
            raise ValueError
    except ValueError:
        raise ValueError(f"限流写法不正确：“{text[:60]}”（应如 10/minute 或 10/minute;100/day）") from None
    return text


def _name(value: str) -> str:
    return clean_text(value, "链接名称", 100)


LinkName = Annotated[str, AfterValidator(_name)]
Origin = Annotated[str, Field(max_length=300), AfterValidator(normalize_origin)]
Origins = Annotated[list[Origin], Field(max_length=100, description="允许嵌入该咨询页的网站来源")]
Rate = Annotated[str, Field(max_length=100), AfterValidator(check_rate)]


def _distinct(origins: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(origins)) if origins is not None else None


class PublicLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LinkName = Field(description="名称，如“政务服务大厅自助机”“区政务网”")
    allowed_origins: Origins = Field(default_factory=list, description="允许嵌入的网站，如 https://www.example.gov.cn")
    rate: Rate | None = Field(None, description="该链接所有访客合计的提问次数上限（不填用默认值）")
    visitor_rate: Rate | None = Field(None, description="每个访客 IP 的提问次数上限（不填用默认值）")

    _origins = field_validator("allowed_origins")(_distinct)


class PublicLinkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LinkName | None = None
    allowed_origins: Origins | None = None
    rate: Rate | None = None
    visitor_rate: Rate | None = None
    active: bool | None = Field(None, description="false 停用（页面、接口和嵌入立即不可用），true 重新启用")

    _origins = field_validator("allowed_origins")(_distinct)


class PublicLinkOut(BaseModel):
    id: str
    name: str
    url: str = Field(description="公开咨询页地址（二维码内容）")
    token: str = Field(description="嵌入代码 data-link 的值；更换链接后改变")
    allowed_origins: list[str]
    rate: str
    visitor_rate: str
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: str
    rotated_at: datetime | None = None
    embed_snippet: str = Field(description="复制到门户网站页面中的嵌入代码")
    warning: str | None = Field(None, description="手机无法打开该链接的原因（如地址是本机 127.0.0.1）")


class PublicAsk(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(description="问题，1–2000 字")
    session_id: str | None = Field(None, max_length=64, pattern=r"^[0-9a-f]{32}$", description="同一次咨询的编号")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return clean_text(value, "问题", 2000, collapse=True)


class PublicMessageOut(MessageOut):
    session_id: str = Field(description="本次咨询的编号：追问时带上，助手会结合上文理解")


class PublicFeedbackIn(FeedbackIn):
    session_id: str = Field(max_length=64, pattern=r"^[0-9a-f]{32}$", description="被评价的回答所在的咨询编号")


class EmbedInfo(BaseModel):
    name: str = Field(description="链接名称")
