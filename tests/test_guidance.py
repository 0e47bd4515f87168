"""From an operator's description to a plan: types, facts, conditions, problems, steps, export."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
from pypdf import PdfReader

from assistant.fact_reader import READERS
from assistant.plan_document import ItemProgress, to_markdown, to_pdf
from chubei.services import Services
from tests.conftest import RunningServer, with_shipped_index

KTV = "在小区底商开个KTV，十几个包间"
GYM_POOL = "健身会所带25米恒温泳池，水面400平，租的商场四楼"
CAFE = "初中旁边100米开网吧"


def test_the_issue_examples_are_profiled(indexed: Services) -> None:
    ktv = indexed.guide.plan(KTV)
    assert [t.id for t in ktv.project_types] == ["ktv"]
    assert ktv.facts["rooms"] == 15 and ktv.facts["in_residential_building"] is True
    assert "entertainment.problem.residential_building" in {p.id for p in ktv.common_problems}

    gym = indexed.guide.plan(GYM_POOL)
    assert {t.id for t in gym.project_types} == {"fitness", "swimming"}
    assert gym.facts == {**gym.facts, "water_area_m2": 400, "floor": 4, "property_status": "租赁", "has_pool": True}
    assert "sports_high_risk.personnel.instructors_rescuers" in {r.id for r in gym.requirements}

    cafe = indexed.guide.plan(CAFE)
    assert cafe.facts["distance_to_school_m"] == 100
    triggered = {p.id: p.triggered_by for p in cafe.common_problems}
    assert "internet_cafe.problem.within_200m_school" in triggered
    assert triggered["internet_cafe.problem.within_200m_school"]


def test_facts_change_the_plan(indexed: Services) -> None:
    ground = indexed.guide.plan("商场里开KTV", {"floor": 1})
    basement = indexed.guide.plan("商场里开KTV", {"floor": -2})
    problems = {p.id for p in basement.common_problems} - {p.id for p in ground.common_problems}
    assert any("underground" in p or "basement" in p for p in problems)
    pending = indexed.guide.plan("商场里开KTV，房本还没下来")
    deferral = next(r for r in pending.requirements if r.id == "general.property.title_pending_deferral")
    assert deferral.deferrable is True and deferral.conditional is False


def test_no_items_of_unrelated_types(indexed: Services) -> None:
    clinic = indexed.guide.plan("社区里开个西医诊所，两个医生一个护士，能打针输液")
    ids = [r.id for r in clinic.requirements] + [p.id for p in clinic.common_problems]
    assert not any(i.startswith(("swimming.", "sports_high_risk.", "ktv.", "entertainment.")) for i in ids)
    assert all("救生员" not in r.title for r in clinic.requirements)


def test_clarifying_questions_ask_for_what_changes_the_plan(indexed: Services) -> None:
    plan = indexed.guide.plan("开一家健身房")
    assert "是否设置游泳池？" in plan.clarifying_questions
    assert [t.id for t in plan.project_types] == ["fitness"]


def test_clarifying_questions_are_form_controls_red_line_facts_first(indexed: Services) -> None:
    plan = indexed.guide.plan("想开个KTV，还在找铺子")
    assert [q.question for q in plan.questions] == plan.clarifying_questions
    deciding = [q.red_line for q in plan.questions]
    assert deciding[0] and deciding == sorted(deciding, reverse=True), deciding
    forms = {q.name: q for q in plan.questions}
    assert forms["floor"].kind == "integer" and "-1" in (forms["floor"].hint or "")
    assert forms["building_use"].kind == "choice" and "住宅" in forms["building_use"].options
    answered = indexed.guide.plan("想开个KTV，还在找铺子", {"floor": -2})
    assert "floor" not in {q.name for q in answered.questions} and answered.red_lines


def test_no_question_whose_answer_the_known_facts_imply(indexed: Services) -> None:
    from assistant.checklist import build_checklist
    from kb.facts import ProjectFacts

    asked = build_checklist(indexed.kb, ["homestay"], ProjectFacts(rooms=8)).open_facts
    assert "provides_breakfast" in asked
    for facts in (ProjectFacts(rooms=8, serves_food=False), ProjectFacts(rooms=8, provides_lodging=False)):
        assert "provides_breakfast" not in build_checklist(indexed.kb, ["homestay"], facts).open_facts
    gym = build_checklist(indexed.kb, ["fitness"], ProjectFacts(has_pool=False)).open_facts
    assert "water_area_m2" not in gym and "has_pool" not in gym
    ktv = build_checklist(indexed.kb, ["ktv"], ProjectFacts(in_residential_building=True)).open_facts
    assert "in_residential_area" not in ktv


def test_the_fire_design_review_follows_the_area_threshold_of_each_kind_of_place(indexed: Services) -> None:
    """第十四条: 500 m² for a KTV, 2,500 m² for a gym; a clinic is not listed, so it is never a 特殊建设工程 by area."""

    def fire(description: str) -> set[str]:
        plan = indexed.guide.plan(description)
        return {r.id for r in plan.requirements} & {
            "general.fire.special_project_review",
            "general.fire.other_project_filing",
        }

    assert fire("开个KTV，七百平") == {"general.fire.special_project_review"}
    assert fire("开个健身房，一千五百平，不带泳池") == {"general.fire.other_project_filing"}
    assert fire("开个健身房，三千平，不带泳池") == {"general.fire.special_project_review"}
    assert fire("开个西医诊所，八百平") == {"general.fire.other_project_filing"}
    assert fire("开个KTV") == {"general.fire.special_project_review", "general.fire.other_project_filing"}
    from assistant.checklist import build_checklist
    from kb.facts import ProjectFacts

    open_facts = build_checklist(indexed.kb, ["ktv"], ProjectFacts()).open_facts
    assert "area_m2" in open_facts and "fire_special_project" not in open_facts  # ask what decides it
    derived = next(u for u in indexed.guide.plan("开个KTV，七百平").understood if u.fact == "fire_special_project")
    assert derived.source == "derived" and derived.value is True


def test_items_of_one_kind_of_sport_or_medicine_only_when_the_project_is_that_kind(indexed: Services) -> None:
    climbing = {r.id for r in indexed.guide.plan("开个室内攀岩馆，商场三楼").requirements}
    assert not {i for i in climbing if "diving" in i or "ski" in i}
    diving = {r.id for r in indexed.guide.plan("开个潜水俱乐部，自己建潜水池").requirements}
    assert "high_risk_sports.equipment.diving_cylinders" in diving
    western = {r.id for r in indexed.guide.plan("开个西医内科诊所").requirements}
    assert "clinic.other.tcm_scope" not in western
    assert "clinic.other.tcm_scope" in {r.id for r in indexed.guide.plan("开个中医诊所，做针灸推拿").requirements}


def test_uncovered_projects_get_no_checklist(indexed: Services) -> None:
    for description in ("我想在崂山建一座核电站", "准备投资一个化工厂", "开一家软件开发公司"):
        plan = indexed.guide.plan(description)
        assert plan.out_of_scope is True and plan.requirements == [] and plan.project_types == []
        assert "工作人员" in plan.notice or "专员" in plan.notice


def test_an_uncovered_business_compared_with_a_covered_one_is_still_uncovered(indexed: Services) -> None:
    pets = indexed.guide.plan("想开一家宠物诊所给猫狗看病，是不是跟开人的诊所一样去备案？")
    assert pets.out_of_scope is True and pets.requirements == []
    hotel = indexed.guide.plan("酒店一楼大堂旁边想开个药店，酒店本身四十间客房")
    assert not hotel.out_of_scope and "hotel" in [t.id for t in hotel.project_types]


def test_every_citation_is_verbatim_and_pending_items_say_so(indexed: Services) -> None:
    plan = indexed.guide.plan(GYM_POOL)
    for citation in plan.citations:
        assert indexed.corpus.quote_found(citation.doc_id, citation.article, citation.text)
    pending = [r for r in plan.requirements if r.basis_pending]
    assert pending and all(r.pending_note for r in pending)
    assert "依据待补充" in to_markdown(plan)


def test_the_same_description_gives_the_same_plan(indexed: Services) -> None:
    first = indexed.guide.plan(GYM_POOL).model_dump()
    second = indexed.guide.plan(GYM_POOL).model_dump()
    assert json.dumps(first, ensure_ascii=False, sort_keys=True) == json.dumps(
        second, ensure_ascii=False, sort_keys=True
    )


def test_plan_exports_as_markdown_and_pdf(indexed: Services) -> None:
    plan = indexed.guide.plan(KTV)
    markdown = to_markdown(plan, "某KTV筹备方案", {"专员": "王专员"})
    assert markdown.startswith("# 某KTV筹备方案") and "## 硬性要求清单" in markdown and "### 房产" in markdown
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(to_pdf(plan, "某KTV筹备方案"))).pages)
    assert "某KTV筹备方案" in text.replace(" ", "") and "硬性要求清单" in text


def test_text_people_typed_stays_literal_text_in_the_markdown_and_the_pdf(indexed: Services) -> None:
    plan = indexed.guide.plan(KTV)
    first = plan.requirements[0]
    note = "房东说下周给*房产证*\n## 已全部办完\n- [x] <b>无需消防</b>"
    progress = {first.id: ItemProgress(status="待准备", note=note)}
    markdown = to_markdown(plan, "KTV_二期 筹备方案", {"项目名称": "KTV_二期"}, progress)
    lines = markdown.splitlines()
    assert lines[0] == "# KTV\\_二期 筹备方案" and "- **项目名称**：KTV\\_二期" in lines
    escaped = "房东说下周给\\*房产证\\* ## 已全部办完 - \\[x\\] \\<b\\>无需消防\\</b\\>"
    assert f"  - 专员备注：{escaped}" in lines  # one line: no heading, no ticked item of its own
    assert not any(line.startswith("## 已全部办完") for line in lines)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(to_pdf(plan, "KTV_二期", None, progress))).pages
    )
    assert "房东说下周给*房产证*##已全部办完-[x]<b>无需消防</b>" in text.replace(" ", "").replace("\n", "")


def test_guide_command_prints_the_plan(tmp_path: Path, shipped_index: Path) -> None:
    data = with_shipped_index(tmp_path / "data", shipped_index)
    env = {"CHUBEI_DATA_DIR": str(data), "PATH": str(Path(sys.executable).parent)}
    chubei = Path(sys.executable).parent / "chubei"
    result = subprocess.run(
        [str(chubei), "guide", CAFE, "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    body = json.loads(result.stdout)
    assert body["project_types"][0]["id"] == "internet_cafe"
    bad = subprocess.run([str(chubei), "guide", "", "--json"], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 2 and "项目描述不能为空" in bad.stderr


def test_guidance_contract_over_http(server: RunningServer) -> None:
    description = GYM_POOL + "，房本还没下来"
    response = httpx.post(f"{server.url}/api/v1/guidance", json={"description": description, "facts": {"floor": 4}},
                          headers=server.headers, timeout=60)  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    expected = {"project_types", "facts", "clarifying_questions", "requirements", "common_problems", "steps",
                "similar_cases", "citations", "out_of_scope", "notice"}  # fmt: skip
    assert expected <= set(body)
    seed = next(case for case in body["similar_cases"] if case["id"] == "case.shibei_fitness_pool_rongque")
    assert seed["illustrative"] is False and seed["summary"].startswith("【真实案例】")
    assert all({"order", "title"} <= set(step) for step in body["steps"])
    bad = httpx.post(f"{server.url}/api/v1/guidance", json={"description": "网吧", "facts": {"floor": "三楼"}},
                     headers=server.headers)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"].startswith("facts")
    pdf = httpx.post(f"{server.url}/api/v1/guidance/export?format=pdf", json={"description": CAFE},
                     headers=server.headers, timeout=60)  # fmt: skip
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_red_lines_come_first_with_the_facts_that_trigger_them(indexed: Services) -> None:
    plan = indexed.guide.plan(CAFE)
    assert plan.red_lines and "200米" in plan.red_lines[0].title
    assert plan.red_lines[0].facts == {"distance_to_school_m": 100}
    assert all(indexed.corpus.quote_found(c.doc_id, c.article, c.text) for c in plan.red_lines[0].basis)
    assert indexed.guide.plan("商场三楼开网咖，离最近的小学500米").red_lines == []
    markdown = to_markdown(plan)
    assert markdown.index("红线") < markdown.index("硬性要求清单")


def test_every_item_is_in_a_stage_and_location_rules_come_before_the_lease(indexed: Services) -> None:
    plan = indexed.guide.plan(KTV)
    stages = {"before_lease", "before_fitout", "before_opening", "after_opening"}
    assert all(r.stage in stages for r in plan.requirements)
    assert all(p.stage in stages for p in plan.common_problems)
    by_id = {r.id: r.stage for r in plan.requirements}
    assert by_id["entertainment.property.location_bans"] == "before_lease"
    assert "## 签约前必查" in to_markdown(plan)


def test_the_plan_lists_its_permits_in_order_with_materials_and_the_legal_maximum(indexed: Services) -> None:
    plan = indexed.guide.plan(GYM_POOL)
    order = {p.id: p.order for p in plan.permits}
    assert {"high_risk_sports_licence", "public_place_hygiene_licence", "business_licence"} <= set(order)
    for permit in plan.permits:  # a 事项 comes after everything it needs
        for before in permit.prerequisites:
            if before in order:
                assert order[before] < order[permit.id]
                assert next(p for p in plan.permits if p.id == before).parallel_group < permit.parallel_group
    licence = next(p for p in plan.permits if p.id == "high_risk_sports_licence")
    assert len(licence.materials) == 6 and licence.time_limit.value == 30
    assert plan.statutory_days_max and plan.statutory_days_max >= 30
    assert "法定" in plan.statutory_note and "不是承诺时限" in plan.statutory_note
    requirements = {r.id: r.permit_id for r in plan.requirements}
    assert requirements["sports_high_risk.other.licence"] == "high_risk_sports_licence"
    assert "要办的事项" in to_markdown(plan)


def test_facts_said_the_way_operators_say_them(indexed: Services) -> None:
    """The distance in the next clause, the nearest of two schools, 机子, 我们公司, 隔一条马路, a flat in a
    residential building — and a negation that says nothing of the premises."""
    cafe = indexed.guide.plan(
        "我们公司看中一个二楼门面，想开网咖摆一百台机子。斜对面有个小学，走过去也就一百五十米左右"
    )
    assert cafe.facts["distance_to_school_m"] == 150 and cafe.facts["computers"] == 100
    assert cafe.facts["entity_type"] == "公司"
    assert cafe.red_lines and "200米" in cafe.red_lines[0].title
    nearest = indexed.guide.plan("写字楼三楼开电竞馆，离小学步行大概350米，不过楼后面五十米就有个幼儿园")
    assert nearest.facts["distance_to_school_m"] == 50
    arcade = indexed.guide.plan("开个游戏厅，看好的门面跟区人民医院就隔一条马路，正对着门诊楼")
    assert arcade.facts.get("near_hospital") is True
    assert any("医院" in line.title for line in arcade.red_lines)
    kindergarten = indexed.guide.plan("小区配建的幼儿园用房，两层独栋，不在住宅楼里，想办民办幼儿园")
    assert kindergarten.facts.get("building_use") != "住宅" and kindergarten.red_lines == []
    measured = indexed.guide.plan("临街一楼铺子想开网吧。过了马路有所小学，我拿手机地图量了下大概一百三十米")
    assert measured.facts["distance_to_school_m"] == 130  # measured, in the clause after the school
    upstairs = indexed.guide.plan("一楼是门头房，二楼我想整层租下来弄个量贩KTV，就是三楼往上都住着人家")
    assert upstairs.facts["floor"] == 2 and upstairs.facts["in_residential_building"] is True
    assert upstairs.red_lines  # the floor taken, with homes above it
    # an age under 18 is a minor; a rule's bound is not
    minors = {t: [r.value for read in READERS for r in read(t) if r.fact == "serves_minors"]
              for t in ("有个17岁的小姑娘要割双眼皮", "16岁以下不让进吗", "我今年35岁想开个店")}  # fmt: skip
    assert minors == {"有个17岁的小姑娘要割双眼皮": [True], "16岁以下不让进吗": [], "我今年35岁想开个店": []}


def test_premises_registered_as_housing_are_a_red_line_once_and_not_for_a_homestay(indexed: Services) -> None:
    training = indexed.guide.plan("在居民楼二楼租了套房子，想开个少儿美术培训班")
    assert training.facts["building_use"] == "住宅"
    assert [line.item_id for line in training.red_lines] == ["general.problem.residential_use"]
    ktv = indexed.guide.plan("在住宅楼里买了一套房子，想改成KTV，房本上写的是住宅")
    assert len({frozenset(line.facts) for line in ktv.red_lines}) == len(ktv.red_lines)  # one per deciding fact
    assert "general.problem.residential_use" not in {line.item_id for line in ktv.red_lines}
    homestay = indexed.guide.plan("把自家住宅改成民宿，四间房，房本上写的是住宅")
    assert homestay.red_lines == []


def test_a_doctor_short_of_five_years_and_a_site_by_a_government_office_are_red_lines(indexed: Services) -> None:
    """Years of practice are read only when said of a doctor; a lease's years are not."""
    short = indexed.guide.plan("我在三甲医院干了三年内科医生，想自己出来开个诊所")
    assert short.facts["physician_years"] == 3 and short.facts["tcm"] is False
    assert [line.item_id for line in short.red_lines] == ["clinic.problem.founder_years_short"]
    senior = indexed.guide.plan("在医院当了八年大夫，想开个全科诊所，房子租了五年")
    assert senior.facts["physician_years"] == 8 and senior.red_lines == []
    assert indexed.guide.plan("执业还不到5年，想开个牙科诊所").red_lines[0].item_id.startswith("dental_clinic.")
    ktv = indexed.guide.plan("看中区政府斜对面一个临街商铺的二楼，想开KTV")
    assert ktv.facts.get("near_government_office") is True
    assert any("机关" in line.title for line in ktv.red_lines)
    assert "physician_years" not in indexed.guide.plan("租了个商铺开KTV，合同签了五年").facts


def test_a_travel_agencys_capital_and_lease_term_are_read_and_judged_against_the_thresholds(
    indexed: Services,
) -> None:
    """注册资本 under 30万 and a lease under a year are deal breakers; the rule's own numbers are not the plan's."""
    short = indexed.guide.plan("想开家旅行社做国内游，注册资本打算二十万，在台东租了个写字间，房东只肯签半年合同")
    assert short.facts["registered_capital_wan"] == 20 and short.facts["lease_years"] == 0.5
    assert {line.item_id for line in short.red_lines} == {
        "travel_agency.problem.capital_short",
        "travel_agency.problem.lease_under_a_year",
    }
    enough = indexed.guide.plan("拿50万注册个公司开旅行社，营业用房租期签了三年")
    assert enough.facts["registered_capital_wan"] == 50 and enough.facts["lease_years"] == 3
    assert enough.red_lines == []
    asked = indexed.guide.plan("开旅行社，注册资本要不少于30万吗？租期要不少于1年吗？")
    assert "registered_capital_wan" not in asked.facts and "lease_years" not in asked.facts


def test_a_western_clinic_plan_has_no_tcm_or_licence_renewal_steps(indexed: Services) -> None:
    """A 西医 clinic files with the health department: no 中医药 on-site check, no 执业许可证 to renew."""
    plan = indexed.guide.plan("开一家全科诊所，不做中医，两个诊室")
    ids = {step.id for step in plan.steps} | {item.id for item in plan.requirements}
    assert "clinic.step.tcm_onsite_check" not in ids and "medical.step.validation" not in ids
    permits = {permit.id for permit in plan.permits}
    assert "clinic_filing" in permits and "medical_practice_licence" not in permits


def test_a_thing_named_then_refused_and_premises_owned_leave_their_items_out(indexed: Services) -> None:
    """ "酒水饮料一律不卖", "早饭也不管", "房费不含早", "只接待成年人" say no; "我们家自己的楼", "名下的地" say owned."""
    escape = indexed.guide.plan("商场四楼开个沉浸式密室，只接待成年人，酒水饮料一律不卖，房子是租的")
    assert escape.facts["serves_food"] is False and escape.facts["serves_minors"] is False
    hotel = indexed.guide.plan("楼是我们家自己的，改成二十间房的商务酒店，房费不含早，早饭也不管")
    assert hotel.facts["property_status"] == "自有" and hotel.facts["provides_breakfast"] is False
    listed = {item.id for item in hotel.requirements}
    assert "general.property.lease_responsibility" not in listed
    clinic = indexed.guide.plan("诊所加个口腔科，放两台牙椅，拍片的机器暂时不买")
    assert clinic.facts["has_xray"] is False


def test_a_school_or_hospital_said_not_to_be_nearby_is_no_red_line(indexed: Services) -> None:
    """ "周边也没有学校和医院" says there is none: reading it as 紧邻学校/医院 would make a false red line."""
    plan = indexed.guide.plan("商场五楼租了600平做电玩城，整栋没有住宅，房本用途是商业，周边也没有学校和医院。")
    assert plan.facts["near_school"] is False and plan.facts["near_hospital"] is False
    assert plan.red_lines == []
    near = indexed.guide.plan("电玩城开在一所小学旁边的商铺里")
    assert near.facts["near_school"] is True
