"""Optional OpenAI-compatible LLM (Qwen, DeepSeek, vLLM, Ollama) that rephrases the lead of an answer.

It is never needed for a correct answer: it only sees the extractive lead and the quoted
articles, must not add facts, and any failure (timeout, error, an answer with numbers the
sources do not contain) falls back to the extractive lead.
"""

from __future__ import annotations

import logging
import re

import httpx

from assistant.models import Citation

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是青岛市市北区行政审批服务局的筹备期审批辅导助手。只能依据用户消息中给出的“要点”和“条文”作答，"
    "用简洁、通俗的中文回答经营者的问题，不超过150字。不得添加条文中没有的数字、期限、金额或要求；"
    "没有依据的内容要说明“依据待补充”。不要列出条文编号清单，系统会另外展示依据。"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class LlmClient:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self.model = model

    def rephrase(self, question: str, lead: str, citations: list[Citation]) -> str | None:
        sources = "\n".join(f"《{c.title}》{c.article}：{c.text}" for c in citations)
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"问题：{question}\n要点：{lead}\n条文：\n{sources}"},
            ],
        }
        try:
            response = self._client.post("/chat/completions", json=payload)
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"].strip()
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as error:
            log.warning("LLM unavailable, using the extractive answer: %s", error)
            return None
        grounded = lead + sources
        if not text or any(number not in grounded for number in _NUMBER.findall(text)):
            log.warning("LLM answer dropped: empty or with numbers not in the sources")
            return None
        return text
