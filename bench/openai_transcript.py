"""An ``openai`` SDK transcript against a fresh ``chubei serve``: a general and a project-scoped conversation,
each with a follow-up, plain and streaming (the measurement issue 18 asks for in its closing note).

Usage: .venv/bin/python -m bench.openai_transcript
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from openai import OpenAI

from tests.servers import chubei_server

FIRST, FOLLOW_UP = "KTV能开在地下一层吗？", "那地下二层呢？"
KEY = "transcript"


def converse(client: OpenAI, label: str) -> None:
    print(f"## {label}")
    print(f'>>> client.chat.completions.create(model="chubei", messages=[user: "{FIRST}"])')
    first = client.chat.completions.create(model="chubei", messages=[{"role": "user", "content": FIRST}])
    show(first.choices[0].message.content, first.model_extra, first.usage.total_tokens)
    messages = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first.choices[0].message.content},
                {"role": "user", "content": FOLLOW_UP}]  # fmt: skip
    print(
        f'>>> client.chat.completions.create(model="chubei", stream=True, messages=[user, assistant, user: "{FOLLOW_UP}"])'
    )
    chunks = list(client.chat.completions.create(model="chubei", messages=messages, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    print(f"({len(chunks)} chunks, finish_reason={chunks[-1].choices[0].finish_reason})")
    show(text, chunks[-1].model_extra, None)
    plain = client.chat.completions.create(model="chubei", messages=messages)
    print(f"same conversation with stream=False gives the same content: {plain.choices[0].message.content == text}\n")


def show(content: str, extras: dict, total: int | None) -> None:
    print("content:", content.replace("\n", " ⏎ "))
    print(f"understood_as={extras['understood_as']!r} out_of_scope={extras['out_of_scope']} "
          f"citations={len(extras['citations'])}" + (f" usage.total_tokens={total} (characters)" if total else ""))  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, chubei_server({"CHUBEI_DATA_DIR": f"{tmp}/data", "CHUBEI_API_KEYS": KEY},
                                                             cwd=Path(tmp)) as url:  # fmt: skip
        converse(OpenAI(base_url=f"{url}/v1", api_key=KEY), "staff key: the general assistant")
        project = httpx.post(f"{url}/api/v1/projects", headers={"Authorization": f"Bearer {KEY}"}, timeout=120,
                             json={"name": "海湾KTV", "description": "在小区底商开一家KTV，10个包间",
                                   "specialist_name": "王专员"}).json()  # fmt: skip
        token = project["links"][0]["token"]
        converse(OpenAI(base_url=f"{url}/v1", api_key=token), "operator token: 海湾KTV（小区底商）的项目对话")
        client = OpenAI(base_url=f"{url}/v1", api_key=token)
        print('>>> (operator) messages=[user: "这里能开吗？"]')
        reply = client.chat.completions.create(model="chubei", messages=[{"role": "user", "content": "这里能开吗？"}])
        show(reply.choices[0].message.content, reply.model_extra, reply.usage.total_tokens)


if __name__ == "__main__":
    main()
