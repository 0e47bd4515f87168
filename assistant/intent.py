"""What a question asks for: a verdict, a number, a deadline, a department, a list, materials, conditions, steps…

The intent decides how an answer is composed (see ``assistant/composer.py``). Cues are plain
regular expressions over operators' wording; when several match, the most specific wins.
"""

from __future__ import annotations

import re
from enum import StrEnum

from kb.quantities import quantity_pattern


class Intent(StrEnum):
    COMPARISON = "comparison"
    MATERIALS = "materials"
    CONDITIONS = "conditions"
    PREREQUISITES = "prerequisites"
    DEADLINE = "deadline"
    DEPARTMENT = "department"
    NUMBER = "number"
    LIST = "list"
    PROCEDURE = "procedure"
    FEASIBILITY = "feasibility"
    DEFINITION = "definition"
    OTHER = "other"


# Most specific first: a question with several cues gets the first intent that matches.
_CUES: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, re.I))
    for intent, pattern in (
        (Intent.COMPARISON, r"区别|不同|差别|差异|不一样|一样吗|相比|比起|对比|有何异同|[跟和与]它比|一个待遇|一回事|一码事|"
                            r"哪个(?:更|要求更|管得|时间|期限|有效期)?(?:长|久|短|快|慢|早|晚|多(?!少)|少|高|低|严|宽|贵|便宜)|"
                            r"哪个先(?:到期|过期|失效)"),
        (Intent.MATERIALS, r"(?:哪些|什么|啥|几样|几份)(?:申请)?(?:材料|资料|文件|证件)|(?:材料|资料)(?:有|是|都|要|得)?"
                           r"(?:哪些|什么|啥)|要交(?!多少|几|钱|费)|交什么|交啥|交哪些|提交(?:什么|哪些|啥)|递(?:什么|啥)|准备(?:些|点)?(?:哪些|什么|啥)|"
                           r"带(?:些|点)?(?:哪些|什么|啥)|要件|材料清单"),
        (Intent.PREREQUISITES, r"先办|先后|顺序|先.{0,12}还是|前置|哪个在前|先要|之前(?:得|要|需要|必须)|才能(?:办|申请)|"
                               r"(?:什么|啥)时候(?:办|申请|去办|做|报)|何时(?:办|申请)|哪个阶段|在.{0,4}(?:前|后)办"),
        (Intent.CONDITIONS, r"(?:什么|哪些|啥|哪种|哪几[道条项个]?)[^，。？?、]{0,4}(?:条件|资格|资历|资质|门槛|硬杠杠|硬指标|硬性要求|硬要求)|条件是|具备|够条件|符合(?:什么|哪些)|审批条件|准入|"
                            r"(?:什么|哪些|啥)情况(?:下)?.{0,8}不(?:批|予|给|准|让)"),
        (Intent.DEADLINE, r"多久|多长时间|多少天|几天|几个?工作日|几个月|几年|时限|期限|有效期|什么时候|啥时候|何时|提前(?:多|几|\d|[一二三四五六七八九十两]+[天日个周月年]|申请|报|办|提交|备案|告知|通知|公示|预约|登记|续)|"
                          r"多快|哪天|几点|截止|过期|续期|延续|到期|时间(?:限制|要求|规定)|有没有时间|来得及|来不及|能拖|拖(?:多|几)|最晚|最迟|(?:当天|当日|当场|马上|立马)(?:就)?(?:能|可以)?(?:拿|办|出|下|领)|时间(?:上)?一样"),
        (Intent.DEPARTMENT, r"哪个部门|什么部门|哪些部门|几个部门|跑哪|哪个单位|谁(?:来)?(?:批|审|管|发|办|查|负责)|哪里办|哪儿办|去哪|找谁|归谁|"
                            r"哪个局|什么局|审批部门|主管部门|在哪(?:办|申请|备案|登记)|向谁|哪一级|哪级|市里还是区里|区里还是市里"),
        (Intent.LIST, r"(?:要办|办|拿)(?:哪)?几(?:样|个|种)|几(?:样|个|种)(?:证|手续|许可)"),
        (Intent.NUMBER, r"多少|几(?:个|名|位|台|张|间|层|米|岁|人|辆|把|次)?[\u4e00-\u9fff]{0,5}(?=[？?呢吗啊]|$)|多大|多远|多高|多宽|多厚|"
                        r"(?:面积|距离|比例|人数|数量)(?:是|要|得|有)?(?:多|几)|至少|最少|最多|上限|下限|标准是"),
        (Intent.LIST, r"哪些证|什么证|啥证|哪几个证|哪些手续|什么手续|啥手续|哪些许可|哪些审批|哪些要求|什么要求|啥要求|"
                      r"办(?:什么|啥|哪些)(?:证|手续|许可)?|都要(?:办|准备)|一共|全部|所有|要注意(?:什么|哪些|啥)|哪些规定|需要(?:什么|哪些)|"
                      r"还(?:得|要|需要)(?:办|准备)|跑(?:什么|啥|哪些)(?:手续|证)?[？?]?$|(?:挂|贴|公示|张贴|悬挂)(?:出来|上|些)?(?:哪些|什么|啥)"),
        (Intent.PROCEDURE, r"怎么办|怎么弄|咋弄|咋整|怎么整|怎么处理|怎么申请|如何(?:办|申请|办理)|流程|步骤|(?<!小)程序|怎么走|办理方式|怎样办|咋办|怎么操作"),
        (Intent.FEASIBILITY, r"能不能|能否|可不可以|可以吗|可以不|能吗|能行|行不行|行吗|允许|让不让|会不会|是否(?:可以|能|需要|要|必须)|"
                             r"要不要|需不需要|用不用|必须.{0,8}吗|得.{0,6}吗|需要.{0,12}吗|要.{0,10}吗|违法吗|合法吗|违规吗|"
                             r"有问题吗|有没有问题|能开|能办|可以开|可以办|不行吗|算违规|会被罚|罚不罚|可以吧|行吧|没问题吧|"
                             r"合规不|合规吗|合法不|违规不|违法不|有风险|风险没|行得通|走得通|能走通|能.{0,10}吗|可以.{0,10}吗|会.{0,8}吗|"
                             r"能.{0,10}不[？?]?$|够(?:远|大|高|宽|多|用)?(?:吗|不够|了吗)|够不够|达标(?:吗|不)|符合(?:要求|规定|条件)?(?:吗|不)|"
                             r"有影响吗|有没有影响|没事吧|是不是(?:就|也|还|都)?(?:一定|必须|非|真)?(?:得|要|需要|能|可以)"),
        (Intent.DEFINITION, r"什么是|是什么|是啥|指的是|什么叫|算不算|算是|属不属于|属于.{0,12}吗|归为|什么意思|啥意思|哪一类"),
    )
)  # fmt: skip

# Intents answered from one 事项 of the catalogue when the question names one.
PERMIT_INTENTS = frozenset(
    {Intent.MATERIALS, Intent.CONDITIONS, Intent.PREREQUISITES, Intent.DEADLINE, Intent.DEPARTMENT, Intent.PROCEDURE}
)


_ASKING = re.compile(r"吗|呢|么|吧|不[？?]?$|没[？?]?$|什么|啥|怎么|怎样|如何|哪|谁|多久|多少|多长|多大|多远|几|能否|"
                     r"能不能|可不可以|是否|要不要|需不需要|用不用|行不行|有没有|算不算|[？?]")  # fmt: skip


def detect_intent(question: str) -> Intent:
    """The intent of the clauses that ask something (the others only set the scene); the most specific
    of them wins. A question without an asking clause is read whole."""
    return _first_match(asking_clauses(question)) or _first_match(question) or Intent.OTHER


def asking_clauses(question: str) -> str:
    """The clauses that ask something (我们整栋楼用的是中央空调 only sets the scene)."""
    clauses = [c for c in re.split(r"(?<=[，,。！!？?；;])", question) if c.strip()]
    return "".join(c for c in clauses if _ASKING.search(c)) or question


def _first_match(text: str) -> Intent | None:
    for intent, pattern in _CUES:
        if pattern.search(text):
            return intent
    return None


def asks_quantity(question: str) -> bool:
    """Number and deadline questions are answered by a sentence with a quantity in it."""
    return detect_intent(question) in (Intent.NUMBER, Intent.DEADLINE) or bool(
        re.search(r"多少|多久|几[天年月日个人台张名岁次层]|多大|多远|多高|期限|时限|有效期", question)
    )


# The unit an amount question asks in: 多少钱 is answered in 元, 多远 in 米, 多大 in 平方米, 几个人 in 人.
_ASKED_UNITS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), quantity_pattern(units))
    for asked, units in (
        (r"多少钱|几块钱|金额|限额|多少元|多少万|费用|罚多少|押多少|存多少|充多少", "元 万元"),
        (r"多远|距离|几米|多少米", "米 公里"),
        (r"多大|面积|几平|多少平", "平方米 平米"),
        (r"多少人|几个人|几名|几位|人数", "人 名"),
    )
)


def asked_unit(question: str) -> re.Pattern[str] | None:
    """An amount in the unit the question asks in (a number followed by it), or None."""
    return next((amount for asked, amount in _ASKED_UNITS if asked.search(question)), None)
