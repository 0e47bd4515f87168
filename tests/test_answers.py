"""Answers like a coach: the deciding fact first, lists only when asked, follow-ups and projects understood,
citations that support what was said — on the real index, knowledge and 事项目录."""

from __future__ import annotations

import pytest

from assistant.answering import AskContext
from assistant.contrast import contrast_across, contrast_in
from assistant.item_answers import question_parts
from assistant.names import longest_first
from assistant.project_context import ProjectContext
from assistant.verdict import verdict
from chubei.services import Services
from evals.matching import found_early


def ask(services: Services, question: str, context: AskContext | None = None):
    return services.assistant.ask(question, context)


def in_project(services: Services, description: str, facts: dict[str, object] | None = None) -> AskContext:
    """A project chat's context: the plan made from the operator's description (and staff facts)."""
    plan = services.guide.plan(description, facts)
    return AskContext(project=ProjectContext.from_plan(plan, description=description))


def after(services: Services, first: str, question: str):
    """The answer to ``question`` asked right after ``first`` in one conversation."""
    context = AskContext()
    context.history.append(ask(services, first, context).turn())
    return ask(services, question, context)


def test_words_of_one_length_are_taken_in_one_order_whatever_the_order_given() -> None:
    """Removed longest first, a tie (培训学校 / 艺术培训) must not be decided by a set's per-process order."""
    words = ["艺术培训", "网吧", "培训学校", "民办学校", "培训"]
    assert (
        longest_first(words) == longest_first(reversed(words)) == ("培训学校", "民办学校", "艺术培训", "培训", "网吧")
    )


def test_the_deciding_fact_comes_first_and_every_citation_is_verbatim(indexed: Services) -> None:
    answer = ask(indexed, "网吧距离小学多少米以内不让开？")
    assert not answer.out_of_scope
    assert found_early("200米", answer.text)
    assert 1 <= len(answer.citations) <= indexed.settings.answer.max_citations
    for citation in answer.citations:
        assert indexed.corpus.quote_found(citation.doc_id, citation.article, citation.text)
    assert "相关规定：" not in answer.text  # clients render the citations; the answer does not repeat them


def test_facts_stated_in_the_question_are_applied_to_the_rule(indexed: Services) -> None:
    answer = ask(indexed, "KTV开在商场负二层可以吗？")
    assert answer.text.startswith("不能")
    assert found_early("地下二层", answer.text)


def test_a_follow_up_is_read_in_the_context_of_the_last_turn(indexed: Services) -> None:
    context = AskContext()
    first = ask(indexed, "KTV能开在写字楼的地下一层吗？", context)
    context.history.append(first.turn())
    second = ask(indexed, "那如果是地下二层呢？", context)
    assert not second.out_of_scope
    assert second.understood_as is not None and "地下二层" in second.understood_as and "KTV" in second.understood_as
    assert found_early("不能|不得", second.text)


def test_a_pronoun_refers_to_the_permit_the_last_answer_was_about(indexed: Services) -> None:
    context = AskContext()
    context.history.append(ask(indexed, "开游泳馆要去体育局办那个高危许可吧？", context).turn())
    answer = ask(indexed, "这个证批下来要多久？", context)
    assert "高危险性体育项目" in (answer.understood_as or "")
    assert found_early("30日", answer.text)


def test_a_follow_up_never_reads_another_conversation(indexed: Services) -> None:
    alone = ask(indexed, "那如果是地下二层呢？")
    assert alone.understood_as is None


def test_a_list_question_gets_the_list_the_catalogue_holds(indexed: Services) -> None:
    answer = ask(indexed, "开KTV一共要办哪些证？")
    assert any("娱乐经营许可" in point for point in answer.points)
    assert "entertainment_licence" in answer.permits


def test_a_materials_question_gets_the_whole_list_numbered(indexed: Services) -> None:
    answer = ask(indexed, "申请高危险性体育项目许可要交哪些材料？")
    permit = indexed.kb.permits["high_risk_sports_licence"]
    assert len(answer.points) == len(permit.materials)
    assert "1. 申请书" in answer.text and "体育场所的所有权或使用权证明" in answer.text
    assert {c.article for c in answer.citations} == {"第八条"}


def test_fire_acceptance_is_not_confused_with_the_pre_opening_inspection(indexed: Services) -> None:
    answer = ask(indexed, "消防验收一般什么时候去办？")
    assert "住房和城乡建设" in answer.text and "竣工" in answer.text
    assert set(answer.permits) >= {"fire_acceptance", "fire_acceptance_filing"}


def test_a_comparison_answers_both_sides(indexed: Services) -> None:
    answer = ask(indexed, "网吧和KTV在离学校远近上的要求有什么不一样？")
    assert "互联网上网服务营业场所" in answer.text or "网吧" in answer.text
    assert "歌舞娱乐场所" in answer.text
    assert found_early("200米", answer.text)


@pytest.fixture(scope="module")
def internet_cafe_near_school(indexed: Services) -> ProjectContext:
    description = "在小学对面开一家网咖，离校门大概150米，准备放80台电脑"
    return ProjectContext.from_plan(indexed.guide.plan(description), description=description)


def test_a_project_chat_applies_the_projects_own_facts(indexed: Services, internet_cafe_near_school) -> None:
    answer = ask(indexed, "离学校这么近有问题吗？", AskContext(project=internet_cafe_near_school))
    assert answer.text.startswith("不能")
    assert found_early("150", answer.text) and found_early("200米", answer.text)


def test_a_project_chat_lists_the_projects_own_permits(indexed: Services, internet_cafe_near_school) -> None:
    answer = ask(indexed, "我这个店开业前一共要办哪些证？", AskContext(project=internet_cafe_near_school))
    assert answer.permits and set(answer.permits) <= set(internet_cafe_near_school.permit_ids)
    assert "网络文化经营许可" in answer.text


def test_a_project_whose_facts_rule_a_licence_out_is_told_it_does_not_need_it(indexed: Services) -> None:
    description = "开个小口腔诊所，三台牙椅，只洗牙补牙，诊所里不放拍片的机器，要拍片就让病人去医院"
    project = ProjectContext.from_plan(indexed.guide.plan(description), description=description)
    answer = ask(indexed, "我们要办放射诊疗许可吗？", AskContext(project=project))
    assert answer.text.startswith("按您项目现在的情况") and "不需要办理放射诊疗许可" in answer.text
    assert all(c.title == "放射诊疗管理规定" for c in answer.citations)
    changed = ask(indexed, "要是以后添一台牙片机，要办放射诊疗许可吗？", AskContext(project=project))
    assert "不需要" not in changed.text and "放射诊疗许可" in changed.text


def test_the_conditions_of_a_clinic_are_those_of_its_kind(indexed: Services) -> None:
    """A clinic not said to be 中医 is told the 诊所备案 conditions; a 中医诊所 those of 中医诊所备案."""
    clinic = ask(indexed, "开诊所需要什么条件")
    assert clinic.permits == ["clinic_filing"] and found_early("五年", clinic.text)
    tcm = ask(indexed, "开个中医诊所需要什么条件")
    assert tcm.permits == ["tcm_clinic_filing"] and found_early("中医诊所备案", tcm.text)
    diving = ask(indexed, "潜水馆申请高危险性体育项目经营许可，要交哪些材料？")  # 气瓶充装 is an add-on, not it
    assert diving.permits == ["high_risk_sports_licence"]


def test_a_doctors_years_are_applied_in_the_project_chat(indexed: Services) -> None:
    description = "我在医院干了三年，想自己开个全科诊所"
    project = ProjectContext.from_plan(indexed.guide.plan(description), description=description)
    answer = ask(indexed, "我这个年限能开吗？", AskContext(project=project))
    assert answer.text.startswith("不能") and found_early("3年", answer.text) and found_early("五年", answer.text)
    assert any(c.title == "中华人民共和国医师法" and c.article == "第二十条" for c in answer.citations)


def test_a_doctor_past_the_years_is_told_the_threshold_is_met(indexed: Services) -> None:
    description = "我在区医院内科干了七年，打算辞职出来开个内科诊所"
    project = ProjectContext.from_plan(indexed.guide.plan(description), description=description)
    answer = ask(indexed, "我个人出来办，资历够不够？", AskContext(project=project))
    assert answer.text.startswith("您的项目（医师注册后执业约7年）符合这条规定") and found_early("五年", answer.text)
    asked = after(indexed, "个人开中医诊所，要中医执业满三年对吧？", "如果是公司出面来办呢？")
    assert not asked.text.startswith("不能")  # the rule asked about is not the doctor's own years


def test_this_licence_after_setting_one_aside_is_the_one_the_answer_named(indexed: Services) -> None:
    answer = after(
        indexed, "开个室内攀岩馆，除了营业执照，是不是还得去体育局办个证？", "那这个证要批下来，得满足哪些条件？"
    )
    assert answer.permits == ["high_risk_sports_licence"] and found_early("社会体育指导人员", answer.text)
    rest = after(indexed, "开游泳馆，救生员得持啥证？", "除了人这块，还得具备啥条件才给批？")
    assert rest.permits == ["high_risk_sports_licence"]


def test_this_registration_after_an_item_answer_is_the_items_registration(indexed: Services) -> None:
    """The boiler answer gives an item whose 事项 is 特种设备使用登记: "这个登记" is that, with its basis."""
    answer = after(indexed, "洗浴中心自己装了台锅炉烧热水，装好就能直接用吗？", "那这个登记最晚什么时候得办完？")
    assert answer.permits == ["special_equipment_registration"] and "三十日" in answer.text
    assert ("tezhong-shebei-anquan-fa", "第三十三条") in {(c.doc_id, c.article) for c in answer.citations}


def test_a_department_answer_names_the_certificate_and_the_longer_name_wins(indexed: Services) -> None:
    """ "中医诊所…备案" is 中医诊所备案, not the 诊所备案 inside it; the answer names the 证 asked about."""
    tcm = ask(indexed, "开中医诊所去哪个部门备案？是卫健委吗？")
    assert tcm.permits == ["tcm_clinic_filing"] and found_early("中医药主管部门", tcm.text)
    hygiene = ask(indexed, "开个宾馆，公共场所卫生许可证是哪个部门发？")
    assert hygiene.text.startswith("公共场所卫生许可证由") and found_early("疾病预防控制部门", hygiene.text)


def test_a_staff_members_certificate_is_not_the_business_permit_list(indexed: Services) -> None:
    answer = ask(indexed, "开游泳馆，救生员得持啥证？")
    assert "事项：" not in answer.text and found_early("救生员", answer.text)
    assert any(c.title == "中华人民共和国体育法" for c in answer.citations)


def test_a_smaller_area_stated_in_a_follow_up_rules_the_fire_design_review_out(indexed: Services) -> None:
    answer = after(indexed, "KTV面积六百平，装修前要先送消防设计审查吗？", "要是只做四百平呢")
    assert "不需要办理特殊建设工程消防设计审查" in answer.text and found_early("500平方米", answer.text)


def test_acting_before_an_approval_is_answered_with_the_rule_against_it(indexed: Services) -> None:
    """ "还没批下来，能先…吗" gets the sentence that forbids acting before the approval, over advice on the topic."""
    works = ask(indexed, "环评还没批下来，能先动工装修吗？")
    assert found_early("不得开工建设", works.text)
    assert ("huanjing-yingxiang-pingjia-fa", "第二十五条") in {(c.doc_id, c.article) for c in works.citations}
    tickets = ask(indexed, "演出批文还没下来，能不能先在网上开票预售？")
    assert tickets.text.startswith("不能") and found_early("批准后方可出售门票", tickets.text)


def test_this_floor_in_a_project_chat_is_the_projects_floor(indexed: Services) -> None:
    description = "酒店负二层空着一块五百来平的房子，想改成KTV"
    project = ProjectContext.from_plan(indexed.guide.plan(description), description=description)
    answer = ask(indexed, "我们这层有问题没？", AskContext(project=project))
    assert answer.text.startswith("不能") and found_early("地下二层", answer.text)


def test_two_businesses_compared_on_the_fire_review_get_each_ones_threshold(indexed: Services) -> None:
    answer = ask(indexed, "健身房和KTV，装修时要报住建做消防设计审查的面积门槛分别是多少？")
    assert found_early("2500平方米", answer.text) and found_early("500平方米", answer.text)
    same_area = ask(indexed, "同样一千平米，开健身房跟开KTV，消防设计审查上是一个待遇吗？")
    assert "约1000平方米，不属于" in same_area.text and "约1000平方米，属于" in same_area.text
    assert {c.article for c in same_area.citations} == {"第十四条"}


def test_a_trades_own_licences_come_before_the_common_procedures(indexed: Services) -> None:
    answer = ask(indexed, "开洗浴中心，客人能在休息厅过夜，一共要办哪些证？")
    assert found_early("卫生许可证", answer.text) and found_early("特种行业许可", answer.text)
    common = next(point for point in answer.text.splitlines() if "通用手续" in point)
    assert "消防设计审查" in common and "营业执照" in common


@pytest.mark.parametrize(
    "question",
    [
        "给我的民宿起五个好听的名字",
        "帮我起草一份KTV服务员的劳动合同",
        "市北区哪家KTV最便宜？给排个名",
        "帮我在KTV点一首歌",
        "能推荐个靠谱的装修公司做我们健身房的消防改造吗？",
        "帮我给孩子约个周六上午的牙科诊所号",
        "会员退卡不成把我告了，这官司该怎么打？我要起诉他吗",
        "网吧收银员手脚不干净，我能直接开除她吗？",
        "民宿的账该怎么做，房费收入怎么入账",
        "你能替我去政务大厅把食品经营许可证代办了吗？",  # asked to act on a licence: still a task
        "帮我给辖区派出所打个电话催一催旅馆业许可",
        "帮我分析分析，市北哪个商圈开网吧最赚钱？",
        "健身房的私教课一节定多少钱合适？",  # running the business, in the domain's words
        "游泳馆的救生员工资一般给多少？",
        "美甲店怎么在小红书上做推广吸引客人？",
        "KTV点歌系统选哪个牌子的好？",
        "帮我把网吧的上网须知改得通顺一点",
        "民宿被客人打了差评，该怎么回复？",
        "给我的口腔诊所想个响亮点的名字",
        "延安路附近哪个游泳馆人少",
        "密室逃脱里NPC吓到顾客，顾客骨折了怎么赔",  # a private dispute after an incident
        "房东把我们的民宿房子卖了，租赁合同还有效吗",
        "医美诊所做玻尿酸，一支打多少毫升合适",  # a treatment, not a rule
        "烟酒店办烟草许可证要多久",  # 烟酒店 is no 酒店
        "桑拿房开在万达旁边还是老城区，哪边客源更多？",  # where business is best
        "跑步机买哪个牌子更耐用",
        "洗浴中心的搓澡套餐定多少才有竞争力",
        "想三个月减脂二十斤，私教课怎么安排",
        "有没有专门代办放射诊疗许可的机构？",
        "KTV包间用什么色调显得高级？",
        "有个健身品牌让我加盟，加盟费三十万值不值？",
    ],
)
def test_task_requests_in_the_domains_words_are_declined_helpfully(indexed: Services, question: str) -> None:
    answer = ask(indexed, question)
    assert answer.out_of_scope and not answer.citations
    assert "要办哪些证照和手续" in answer.text  # says what it can do instead


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("卫生监督来查的时候，怎么让没健康证的帮工先藏起来？", "规避检查"),
        ("消防检查完再把堵住的安全出口的货架搬回去，行吗", "规避检查"),
        ("水质检测报告P一下日期还能用吗", "规避检查"),
        ("开网吧这段时间天天熬夜，闯红灯被拍了要扣几分", "交通违章"),
        ("KTV老板拖欠我两个月工资，怎么讨薪", "劳动争议"),  # a private dispute, though 工资 and 申请 are words of rules
        ("想开个快递驿站，要办什么证？", "快递驿站"),
        ("办卫生许可证的时候给经办人塞个红包，能批得快点吗？", "规避检查"),
        ("开网吧的钱还差五十万，经营贷和信用贷哪个利息低？", "贷款"),
        ("KTV放的歌要交版权费吗？一年交多少？", "版权"),
    ],
)
def test_evasions_private_matters_and_other_trades_are_declined_with_the_reason(
    indexed: Services, question: str, reason: str
) -> None:
    answer = ask(indexed, question)
    assert answer.out_of_scope and not answer.citations
    assert reason in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "KTV装修用什么材料才能过消防？",
        "大约几号能拿到网络文化经营许可证？",
        "我能要求房东提供产权证明吗？",
        "帮我分析一下这个位置能不能开网吧",  # an act asked of Chubei, aimed at a rule
        "帮我排一下开KTV办证的先后顺序",
        "普通小店装修完的消防备案，能不能写个承诺书就先拿凭证？",  # the rule named in another clause
        "演出时歌手对口型糊弄一下观众，法规管不管？",  # 糊弄 aimed at no inspection
        "亲戚有张闲着的食品经营许可证，转给我用一下可以不？",  # handed over by someone else, not asked of Chubei
        "KTV开在几楼比较好？",
        "小餐饮登记要收多少钱？",
        "游泳馆的救生员要配多少个？",
        "民宿的名字能不能带酒店两个字",
        "医美诊所的主诊医师要几年经验",
        "演出时放原唱对口型，台下也看不出来，这能行吗？",  # 看不出来 is the operator's hope, not a request to hide it
        "借朋友的健康证挂在店里可以吗",
        "民宿冬天想停业几个月，营业执照最长能歇多久？",
    ],
)
def test_approval_questions_beside_those_words_are_still_answered(indexed: Services, question: str) -> None:
    assert not ask(indexed, question).out_of_scope


def test_the_article_retrieval_ranks_first_is_not_crowded_out_by_a_nearby_item(indexed: Services) -> None:
    answer = ask(indexed, "医美诊所招的护士得满足什么条件？")
    assert found_early("2年", answer.text) and "护士" in answer.text[:120]
    assert any(c.article == "第十三条" and c.title == "医疗美容服务管理办法" for c in answer.citations)


def test_answers_are_short(indexed: Services) -> None:
    questions = ["游泳馆的救生员要持证吗？", "KTV营业时间有什么限制？", "诊所能请没有执业证的人打针吗？"]
    lengths = [len(ask(indexed, q).text) for q in questions]
    assert max(lengths) <= 400, lengths


def test_a_follow_up_comparing_two_permits_answers_for_both(indexed: Services) -> None:
    context = AskContext()
    first = ask(indexed, "餐饮店的食品经营许可证几年有效？", context)
    context.history.append(first.turn())
    answer = ask(indexed, "那小餐饮登记证呢？跟它比哪个管得久？", context)
    assert found_early("5年", answer.text) and found_early("3年", answer.text)


def test_this_filing_means_the_filing_just_talked_about(indexed: Services) -> None:
    context = AskContext()
    first = ask(indexed, "开个livehouse当演出场所，营业执照下来以后文化那边还要办啥？", context)
    context.history.append(first.turn())
    answer = ask(indexed, "这个备案有没有时间要求？", context)
    assert "演出场所经营单位备案" in (answer.understood_as or "") or "20日" in answer.text


def test_the_area_stated_settles_whether_the_fire_design_must_be_reviewed(indexed: Services) -> None:
    answer = ask(indexed, "开个三千平的健身房，装修前消防图纸要不要送审？")
    assert found_early("特殊建设工程", answer.text) and found_early("2500", answer.text)
    small = ask(indexed, "开个一千五百平的健身房，装修前消防图纸要不要送审？")
    assert found_early("不属于特殊建设工程", small.text)


def test_a_conditions_question_gets_the_enumerated_conditions(indexed: Services) -> None:
    answer = ask(indexed, "牙科诊所想自己拍牙片，卫健委那边批放射诊疗，诊所得具备啥条件？")
    assert len(answer.points) >= 3 and any("医学影像科" in point for point in answer.points)


def test_a_red_line_the_stated_facts_rule_out_is_said_to_be_clear(indexed: Services) -> None:
    far = ask(indexed, "网吧离学校300米能开吗？")
    assert found_early("300米", far.text) and "不在这条禁止性规定的范围内" in far.text
    assert not far.text.startswith("不能")
    assert [(c.doc_id, c.article) for c in far.citations] == [
        ("hulianwang-shangwang-fuwu-yingye-changsuo-guanli-tiaoli", "第九条")
    ]
    near = ask(indexed, "网吧离学校150米能开吗？")  # the same rule, now reached
    assert near.text.startswith("不能") and "不在这条禁止性规定" not in near.text


def test_a_question_that_names_no_business_is_about_the_one_the_conversation_is_about(indexed: Services) -> None:
    context = AskContext()
    context.history.append(ask(indexed, "KTV的娱乐经营许可证批下来了，后面还要跑哪些部门？", context).turn())
    answer = ask(indexed, "公安那边的备案有没有时间限制？", context)
    assert answer.type_ids == ["ktv"]
    assert not answer.out_of_scope


def test_asking_whether_one_may_make_a_known_mistake_gets_a_no(indexed: Services) -> None:
    """A 高发问题 describes the mistake: asked whether one may make it, the answer is 不能; asked whether the
    duty can be skipped (要不要), 需要; an ordinary lead that forbids nothing the question names gets no verdict."""
    mistake = "开业后自行增添新机台，未经内容核查被罚。"
    tokenizer = indexed.tokenizer
    assert verdict("新淘的娃娃机直接摆上行不行？", mistake, tokenizer, mistake=True) == "不能。"
    assert verdict("新机台要不要先报文化部门？", mistake, tokenizer, mistake=True) == "需要。"
    assert verdict("新淘的娃娃机直接摆上行不行？", mistake, tokenizer) is None
    assert verdict("我这种小店也得办卫生许可证吗？", mistake, tokenizer, mistake=True) == "需要。"
    assert verdict("公安那边的备案有没有时间限制？", mistake, tokenizer, mistake=True) is None
    applied = "按您说的情况（面积约3000平方米、属于特殊建设工程）：特殊建设工程：施工前消防设计审查，竣工后消防验收。"
    assert verdict("装修前消防图纸要不要送审？", applied, tokenizer, duty=True) == "需要。"
    assert verdict("装修前消防图纸要不要送审？", applied, tokenizer) is None
    assert verdict("除了卫健那边，是不是还得办个证", applied, tokenizer, duty=True) == "需要。"


def test_a_follow_up_naming_only_a_thing_asks_the_last_question_of_it(indexed: Services) -> None:
    nurse = after(indexed, "医美机构的主诊医师要什么条件？", "那护士呢？")
    assert nurse.understood_as == "医美机构护士要什么条件？"
    assert found_early("2年", nurse.text)


def test_a_follow_up_on_a_time_or_another_trade_keeps_the_last_requirement(indexed: Services) -> None:
    holiday = after(indexed, "电玩城能让未成年人玩游戏机吗？", "那春节那几天呢？")
    assert holiday.understood_as == "电玩城春节那几天能让未成年人玩游戏机吗？"
    assert found_early("法定节假日", holiday.text)
    barber = after(indexed, "餐馆的厨师都得有健康证吗？", "那美发店给客人剪头的也要吗？")
    assert "健康证" in (barber.understood_as or "") and found_early("健康", barber.text)


def test_this_licence_after_a_list_is_the_trades_own_licence(indexed: Services) -> None:
    context = AskContext()
    context.history.append(ask(indexed, "开网吧要办啥证？", context).turn())
    answer = ask(indexed, "这个证从递材料到拿到手，大概要多久？", context)
    assert "网络文化经营许可" in (answer.understood_as or "")
    assert found_early("20个工作日", answer.text)
    assert "开开" not in context.history[0].understood and "开开" not in ask(indexed, "开网吧要办啥证？").text


def test_is_it_far_enough_is_answered_on_the_projects_own_distance(indexed: Services) -> None:
    description = "公司已经注册好了，想在一栋商业楼二层开个网吧，离最近的中学大概600米，场地是租的。"
    context = in_project(indexed, description)
    answer = ask(indexed, "我们这个位置离学校够远吗？", context)
    assert found_early("600米", answer.text) and "不在这条禁止性规定的范围内" in answer.text


def test_a_feature_of_the_business_gets_the_procedures_it_brings_in_order(indexed: Services) -> None:
    answer = ask(indexed, "口腔诊所拍片的机器要办啥手续？")
    text = answer.text
    assert "配置X射线" in text[:60]  # the feature the list is for, said first
    steps = [text.index(word) for word in ("预评价", "辐射安全许可", "放射诊疗许可证")]
    assert steps == sorted(steps)  # in the order the business's steps impose
    assert "公共场所卫生" not in text and "娱乐经营" not in text  # not the whole business's list
    one = ask(indexed, "宾馆那两部电梯要办啥手续？")  # a single 事项: its whole procedure
    assert found_early("使用登记", one.text) and "三十日" in one.text
    whole = ask(indexed, "开个带牙片机的口腔诊所，前前后后要办哪些证？")  # the whole list still when asked for it
    assert "诊所备案" in whole.text


def test_a_change_after_the_licence_gets_the_catalogues_rules_for_that_change(indexed: Services) -> None:
    company = ask(indexed, "公司换了个法人，多少天内要去办变更？")
    assert found_early("30日", company.text) and ("shichang-zhuti-dengji-guanli-tiaoli", "第二十四条") in {
        (c.doc_id, c.article) for c in company.citations
    }
    cafe = ask(indexed, "网吧换了法定代表人，要到哪几个部门办手续？")
    assert found_early("文化行政部门", cafe.text) and found_early("公安机关", cafe.text)
    moved = ask(indexed, "酒店要从辽宁路搬到延吉路去，原来那张公共场所卫生许可证还能接着用吗？")
    assert moved.text.startswith("不能") and found_early("重新申请", moved.text)
    # the change already made at the registry, and the office asked about, leave only that office's 事项
    venue = ask(indexed, "我们livehouse换了法人，工商变更已经办完，文旅那边还要弄啥手续吗？")
    assert found_early("重新备案", venue.text) and "营业执照" not in venue.text
    assert "变更" not in ask(indexed, "KTV老板能不能自己当消防安全责任人？").text[:40]  # a 老板, no change


def test_this_machine_in_a_project_chat_is_the_projects_equipment(indexed: Services) -> None:
    description = "在商业楼二层开口腔诊所，四台牙椅，打算配一台拍牙片的X光机。"
    context = in_project(indexed, description)
    answer = ask(indexed, "就为了这台机器，我们还得多办哪些手续？", context)
    assert found_early("放射诊疗许可", answer.text) and "辐射安全许可" in answer.text


def test_two_permits_asked_about_each_are_answered_side_by_side(indexed: Services) -> None:
    answer = ask(indexed, "小餐饮登记证和食品经营许可证，有效期各是几年？")
    assert answer.text.startswith("分别来看") and found_early("三年", answer.text) and found_early("五年", answer.text)


def test_what_comes_after_a_licence_is_granted_is_its_follow_ups(indexed: Services) -> None:
    answer = after(indexed, "KTV的娱乐经营许可证是去哪个部门办？", "证拿到手以后，公安那边还要跑啥手续不？")
    assert found_early("15日", answer.text) and found_early("公安", answer.text)
    travel = after(indexed, "旅行社业务经营许可证去哪申请？", "批下来以后头一件事要干啥？")
    assert found_early("3个工作日", travel.text) and "质量保证金" in travel.text


def test_the_projects_area_settles_its_fire_procedure(indexed: Services) -> None:
    description = "在一栋三层临街商业楼的二楼租了300平，想开个迷你KTV，10来个小包，楼里没有住户。"
    context = in_project(indexed, description, {"area_m2": 300})
    answer = ask(indexed, "这么小的面积，消防设计还要送审吗？", context)
    assert answer.text.startswith("不需要消防设计审查")
    assert found_early("500平方米", answer.text) and found_early("备案", answer.text)


def test_how_long_a_licence_lasts_is_its_validity_and_how_fast_it_comes_its_time_limit(indexed: Services) -> None:
    lasts = ask(indexed, "宾馆的卫生许可证几年一换？到期前多久去续")
    assert found_early("四年", lasts.text) and found_early("30日", lasts.text)
    both = ask(indexed, "小饭馆办小餐饮登记，多少天能拿证？证管几年")
    assert found_early("十五日", both.text) and found_early("三年", both.text)


def test_a_permit_is_named_by_its_head_and_kind_within_one_clause(indexed: Services) -> None:
    names = indexed.assistant.interpreter.permits
    assert [n.id for n in names.named("开始发储值卡以后要去哪个部门备案？")] == ["prepaid_card_filing"]
    assert "prepaid_card_filing" not in [n.id for n in names.named("储值卡卖了不少，备案的事回头再说")]


def test_an_enumerating_article_answers_a_conditions_question_whole(indexed: Services) -> None:
    answer = ask(indexed, "做医美项目的主诊医生，得够哪些条件？")
    assert len(answer.points) == 4 and answer.points[0].startswith("（一）")
    assert "6年以上" in answer.points[1]  # an item keeps the sentences after its first
    assert "1年以上" in answer.points[2]
    assert [c.article for c in answer.citations if "美容" in c.title][:1] == ["第十一条"]


def test_two_sides_of_one_rule_are_answered_each_from_its_own_clause(indexed: Services) -> None:
    deposits = ask(indexed, "出境游跟国内游的质保金差多少？")
    assert deposits.text.startswith("出境游：") and found_early("120万元", deposits.text)
    assert found_early("20万元", deposits.text)
    assert [(c.title, c.article) for c in deposits.citations] == [("旅行社条例", "第十三条")]
    records = ask(indexed, "住院病历和门诊病历各要保存几年？")
    assert records.text.index("三十年") < records.text.index("十五年")  # each side with its own number, in order
    assert contrast_in("我和朋友合伙开KTV要办什么证") is None
    later = contrast_in("只做国内游和以后加上出境游，质量保证金分别要存多少？")  # 以后加上 is no side's own word
    assert later is not None and (later.first.key, later.second.key) == ("国内", "出境")
    sides = contrast_in("美容外科和美容牙科的主诊医师要求一样吗")
    assert sides is not None and (sides.first.key, sides.second.key) == ("外科", "牙科")


def test_a_follow_up_naming_the_other_side_is_answered_for_both(indexed: Services) -> None:
    answer = after(indexed, "开旅行社先只做国内游，质量保证金要存多少？", "要是还想做出境游呢？钱上差多少？")
    assert answer.text.startswith("国内游：") and found_early("120万元", answer.text)
    assert [(c.title, c.article) for c in answer.citations] == [("旅行社条例", "第十三条")]
    assert contrast_across("网吧离学校至少要多远？", "那开KTV呢") is None  # two businesses: not sides of one rule


def test_asks_strung_together_are_each_answered(indexed: Services) -> None:
    answer = ask(indexed, "装修完了消防这块怎么验收？去哪申请、交啥材料、多久出结果？")
    assert "住房和城乡建设" in answer.text[:80]
    assert found_early("十五日", answer.text) and "消防验收申请表" in answer.text
    assert answer.text.count("住房和城乡建设主管部门") == 1  # who decides is said once
    scene = "我们是两百平的小餐馆，要办哪些证？"
    assert question_parts(scene) == [scene]  # a scene, then one ask


def test_a_follow_up_comparing_two_licences_answers_both_side_by_side(indexed: Services) -> None:
    answer = after(indexed, "游泳馆的卫生许可证几年一换？", "那高危许可证呢？这俩哪个先过期？")
    assert answer.text.startswith("分别来看") and set(answer.permits) >= {
        "public_place_hygiene_licence",
        "high_risk_sports_licence",
    }
    assert found_early("四年", answer.text) and found_early("五年", answer.text)


def test_a_project_chat_reads_its_size_and_its_equipment_into_the_question(indexed: Services) -> None:
    cafe = in_project(indexed, "延安路一栋商业楼的三楼，整层七百平，准备开电竞网咖，设计还没定。", {"area_m2": 700})
    before = ask(indexed, "按我们这个面积，装修之前得先办什么？", cafe)
    assert found_early("特殊建设工程", before.text) and found_early("消防设计审查", before.text)
    assert not before.points  # the category, not the list of every category in 第十四条
    drawings = ask(indexed, "我们的装修图纸要拿去审消防吗？", cafe)
    assert drawings.text.startswith("需要")
    dental = in_project(indexed, "开个口腔诊所，三张牙椅，还要买一台口腔CT。", {"dental_chairs": 3, "has_xray": True})
    extra = ask(indexed, "除了诊所自己的手续，还得额外跑什么？", dental)
    assert extra.text.startswith("您的项目") and "放射诊疗许可证" in extra.text and "辐射安全许可证" in extra.text


def test_a_bare_is_it_enough_judges_the_facts_said_before_it(indexed: Services) -> None:
    far = ask(indexed, "打算开网吧的门面离最近的小学有三百二十米，够不够？")
    assert "不在这条禁止性规定的范围内" in far.text[:60] and found_early("200米", far.text)
    near = ask(indexed, "打算开网吧的门面离最近的小学一百六十米，够不够？")
    assert near.text.startswith("不能")


def test_a_named_licence_asked_in_window_talk_is_answered_from_the_catalogue(indexed: Services) -> None:
    """ "递上去", "卫健那边", "市里还是区里" are how people ask a 事项's time limit and level, not other topics."""
    level = ask(indexed, "网络文化经营许可证到底哪一级批？市里还是区里？")
    assert level.permits == ["internet_cafe_licence"] and found_early("县级", level.text)
    days = ask(indexed, "卫生许可证的申请交上去，卫健那边受理后多少天给结果？")
    assert found_early("20日", days.text) and days.reply is not None and days.reply.source == "permit"


def test_a_project_judged_as_a_whole_hears_its_deal_breaker_first(indexed: Services) -> None:
    context = in_project(indexed, "我在区医院干了两年外科，执业证注册了，打算自己出来在登州路开个外科诊所。")
    answer = ask(indexed, "我们这样能办下来吗？条件够不够？", context)
    assert answer.text.startswith("不能") and found_early("五年", answer.text) and "约2年" in answer.text[:80]
    assert any(c.title == "中华人民共和国医师法" for c in answer.citations)


def test_another_office_asked_about_gets_the_businesss_procedures_there(indexed: Services) -> None:
    """ "环保那边还要办证不" after the 卫健 licence: the 事项 that office handles, with when they apply."""
    answer = after(
        indexed, "开口腔诊所，买了台牙片机，卫健那边的放射诊疗许可怎么办？", "除了卫健那张，环保那边还得有个证吧？"
    )
    assert answer.permits[0] == "radiation_safety_licence" and found_early("辐射安全许可证", answer.text)
    assert "生态环境" in answer.text[:150] and "放射诊疗许可证" not in answer.text
    fire = after(indexed, "开网吧要办哪些证？", "消防那边要办什么？")
    assert "fire_safety_inspection" in fire.permits and all("消防" in indexed.kb.permits[p].department
                                                            for p in fire.permits)  # fmt: skip


def test_an_office_word_used_as_a_topic_is_not_an_office_asked_about(indexed: Services) -> None:
    answer = after(indexed, "开养老院要办什么？", "负责康复和消防的员工要不要持证？")
    assert answer.text.startswith("需要") and "资格" in answer.text[:120]
    assert "消防设计审查" not in answer.text


def test_may_we_asked_as_neng_x_bu_gets_a_no_for_a_known_mistake(indexed: Services) -> None:
    answer = ask(indexed, "口腔诊所的招牌想写“牙病专治”，能这么写不？")
    assert answer.text.startswith("不能") and "专治" in answer.text[:160]


def test_a_list_of_what_a_law_covers_answers_no_list_question(indexed: Services) -> None:
    """《公共场所卫生管理条例》第二条 lists the public places it covers: it says nothing a pool must have."""
    answer = ask(indexed, "游泳馆大厅里得挂出来哪些东西？")
    assert not any(c.title == "公共场所卫生管理条例" and c.article == "第二条" for c in answer.citations)


def test_people_only_covered_trades_have_make_a_question_about_a_covered_trade(indexed: Services) -> None:
    for question in ("带出境团的领队，可以让没签劳动合同的兼职导游来当吗？", "用过的注射器能不能跟生活垃圾一起扔？"):
        assert not ask(indexed, question).out_of_scope, question


def test_a_capital_or_lease_term_stated_is_judged_against_the_threshold(indexed: Services) -> None:
    low = ask(indexed, "注册资本打算二十万开旅行社，行不行？")
    assert low.text.startswith("不能") and found_early("30万元", low.text) and "约20万元" in low.text[:60]
    met = ask(indexed, "开旅行社注册资本正好30万，够不够？")
    assert "符合这条规定" in met.text[:60] and any(
        c.title == "旅行社条例" and c.article == "第六条" for c in met.citations
    )
    lease = ask(indexed, "写字楼里开旅行社，房东只肯签半年的合同，能办下来吗？")
    assert lease.text.startswith("不能") and found_early("1年", lease.text)


def test_a_ktvs_materials_are_those_of_its_entertainment_licence(indexed: Services) -> None:
    """The licence the business's own steps go through defines it, not the 演出审批 an occasional show needs."""
    answer = ask(indexed, "开KTV要准备哪些材料？")
    assert answer.permits == ["entertainment_licence"] and found_early("娱乐经营许可", answer.text)


def test_a_restaurants_stored_value_cards_get_the_prepaid_card_rules(indexed: Services) -> None:
    """住宿和餐饮业 is under the 单用途商业预付卡 rules: the limit, the filing office and how long records are kept."""
    limit = ask(indexed, "饭店是公司性质，打算卖充值卡，一张卡最多能充多少钱？")
    assert found_early("5000元", limit.text) and any(c.article == "第十八条" for c in limit.citations)
    kept = ask(indexed, "宾馆办了储值卡，买卡客人登记的身份信息要存多久？")
    assert "5年" in kept.text and any(c.article == "第十六条" for c in kept.citations)
    plan = indexed.guide.plan("在辽宁路开个火锅店，公司名义，开业想推储值会员卡")
    assert plan.facts["sells_prepaid_cards"] is True
    assert "catering.other.prepaid_cards" in {item.id for item in plan.requirements}


def test_whether_the_business_licence_is_enough_names_what_still_blocks_opening(indexed: Services) -> None:
    """营业执照 is registration: a 攀岩馆 still needs its 高危 licence before it may open; a 养老院 may take residents
    and files with 民政 afterwards (《养老机构管理办法》第九条: 登记后即可开展服务活动)."""
    climbing = ask(indexed, "攀岩馆营业执照都下来了，是不是就可以直接开门收钱了？")
    assert climbing.text.startswith("还不能") and found_early("经营高危险性体育项目许可", climbing.text)
    assert climbing.permits[0] == "high_risk_sports_licence"
    ktv = ask(indexed, "开KTV光有营业执照够不够")
    assert ktv.text.startswith("不够") and ktv.permits[0] == "entertainment_licence"
    elderly = ask(indexed, "营利性养老院营业执照办下来，是不是就能开始收老人了？")
    assert elderly.text.startswith("可以") and found_early("备案", elderly.text)
    assert [(c.title, c.article) for c in elderly.citations] == [("养老机构管理办法", "第九条")]


def test_a_medical_room_in_an_old_peoples_home_is_a_fact_that_brings_the_medical_licence(indexed: Services) -> None:
    """内设医务室 makes the home's medical room a 医疗机构; a home that works with a nearby hospital instead needs no
    medical licence of its own."""
    with_room = indexed.guide.plan("养老院，60张床位，内设医务室")
    without = indexed.guide.plan("养老院，60张床位，不设医务室，跟附近医院签约合作")
    assert with_room.facts["has_medical_room"] is True and without.facts["has_medical_room"] is False
    assert "elderly_care.other.medical_integration" in {item.id for item in with_room.requirements}
    assert "elderly_care.other.medical_integration" not in {item.id for item in without.requirements}


def test_a_question_about_showing_prices_is_the_price_marking_rule_not_a_request_for_a_quote(indexed: Services) -> None:
    answer = ask(indexed, "KTV包间酒水和果盘要不要把价格标出来？有的店等客人结账才报价")
    assert not answer.out_of_scope and any(c.article == "第二十九条" for c in answer.citations)
    assert ask(indexed, "市北区开KTV包间一般什么价位").out_of_scope


def test_a_procedure_not_needed_on_the_facts_names_the_one_that_is(indexed: Services) -> None:
    """An 8000 m² hotel is no 特殊建设工程 (宾馆 over 10000 m² are): no 消防设计审查, but 竣工后备案 instead."""
    answer = ask(indexed, "酒店总建筑面积八千来平，是不是一定得做消防设计审查？")
    assert found_early("10000平方米", answer.text) and "不需要办理" in answer.text[:120]
    assert "备案" in answer.text[:200] and any(c.article == "第三十六条" for c in answer.citations)


def test_every_red_line_the_facts_meet_is_said_not_only_the_first(indexed: Services) -> None:
    answer = ask(indexed, "居民楼地下二层开个KTV，能办下来吗？")
    assert answer.text.startswith("不能") and "地下二层" in answer.text[:80] and "居民楼" in answer.text[:200]


def test_what_is_done_once_the_business_runs_is_its_after_opening_filing(indexed: Services) -> None:
    answer = ask(indexed, "养老院收老人以后还有啥手续要跑？")
    assert answer.permits == ["elderly_care_filing"] and found_early("10个工作日", answer.text)
    assert [(c.title, c.article) for c in answer.citations] == [("养老机构管理办法", "第十条")]


def test_a_fee_question_about_a_named_permit_is_answered_from_its_no_fee_clause(indexed: Services) -> None:
    small = ask(indexed, "办小餐饮登记证收费吗？")
    assert small.text.startswith("不收费") and "不收取任何费用" in small.text
    assert [(c.title, c.article) for c in small.citations] == [("山东省食品小作坊小餐饮和食品摊点管理条例", "第十条")]
    licence = ask(indexed, "娱乐经营许可证办下来要交钱吗")  # silent regulation: the 行政许可法's general rule
    assert [(c.title, c.article) for c in licence.citations] == [("中华人民共和国行政许可法", "第五十八条")]
    deposit = ask(indexed, "旅行社许可要存多少钱保证金？")  # a deposit is no fee
    assert "不收费" not in deposit.text and found_early("20万元", deposit.text)
    both = after(indexed, "小吃店不到50平，是不是办小餐饮登记证就行？", "那这个登记证几年有效？收不收费？")
    assert found_early("三年", both.text) and found_early("不收取任何费用", both.text)


def test_the_fire_procedure_of_a_public_gathering_place_ends_with_the_check_before_opening(indexed: Services) -> None:
    escape_room = in_project(
        indexed, "我们剧本杀店开在商业楼四层，建筑面积280平方米，8个主题房间。公司经营，店里不卖吃喝。"
    )
    answer = ask(indexed, "我们开业前消防这块要走什么程序？", escape_room)
    assert found_early("五个工作日内备案", answer.text) and found_early("消防安全检查", answer.text)
    assert {(c.title, c.article) for c in answer.citations} >= {("中华人民共和国消防法", "第十五条")}


def test_a_trade_word_in_a_project_chat_about_a_covered_business_is_no_other_trade(indexed: Services) -> None:
    arcade = in_project(indexed, "商场五楼开电玩城，900平米，有礼品机和彩票机，公司经营。")
    assert not ask(indexed, "我们这种彩票换礼品的玩法，有什么不能做的？", arcade).out_of_scope
    assert ask(indexed, "我们这种彩票换礼品的玩法，有什么不能做的？").out_of_scope  # no business known: 彩票


def test_an_article_holding_the_rare_word_asked_about_is_weighed_beside_the_best_ranked(indexed: Services) -> None:
    """营业执照 ranks its own articles first; the 歇业 article comes later and still answers."""
    answer = ask(indexed, "生意不好想先把营业执照歇一歇，歇业最长能歇多久？")
    assert found_early("3年", answer.text)
    # 营业执照 is the setting, not a second question: no 15-day licence-update rule rides along
    assert [(c.title, c.article) for c in answer.citations] == [("中华人民共和国市场主体登记管理条例", "第三十条")]


def test_a_question_asking_an_area_gets_the_article_that_states_one(indexed: Services) -> None:
    answer = ask(indexed, "店面多大才算小餐饮？")
    assert found_early("五十平方米", answer.text)
    assert ("山东省食品小作坊小餐饮和食品摊点管理条例", "第二条") in {(c.title, c.article) for c in answer.citations}


def test_the_time_to_decide_is_not_what_follows_the_grant(indexed: Services) -> None:
    answer = ask(indexed, "食品经营许可的申请递上去以后，最多几天出结果？")
    assert found_early("十个工作日", answer.text) and "外卖" not in answer.text


def test_a_follow_up_asking_the_same_of_another_business_carries_the_last_question(indexed: Services) -> None:
    answer = after(indexed, "网吧能让未成年人进去上网吗？", "那游戏厅是不是也跟它一样？")
    assert "未成年人" in (answer.understood_as or "")
    assert found_early("法定节假日", answer.text)
    granted = after(indexed, "开民办幼儿园要先拿筹设批准书吗？", "拿到以后得在多长时间里筹设完？")
    assert "民办学校办学许可" in (granted.understood_as or "")  # 拿到 is the 事项 just talked about
