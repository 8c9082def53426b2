"""The questionnaires shipped with Laogan. A survey made from one copies its questions, which can then be edited
until the first answer arrives."""

from dataclasses import dataclass

from .models import QuestionKind


@dataclass(frozen=True)
class Q:
    kind: str
    text: str
    short_label: str = ""
    choices: tuple = ()
    required: bool = False


@dataclass(frozen=True)
class Blueprint:
    key: str
    label: str
    title: str  # {year} is filled in
    intro: str
    questions: tuple


YEARLY = Blueprint(
    key="yearly",
    label="年度满意度调查（学习、结对、服务、走访、活动、总体）",
    title="{year}年度老干部对支部工作满意度调查",
    intro=(
        "为把服务做到老同志心坎上，支部开展不记名满意度调查。您的答卷不记姓名，"
        "任何人（包括工作人员）都无法知道哪份答卷是谁填的。每个答卷码只能使用一次。"
        "看不清或不方便操作时，可以请家人帮忙读题、代为点选。"
    ),
    questions=(
        Q(QuestionKind.SCALE, "您对支部组织的学习（送学上门、学习会、读书写体会等）满意吗？", "学习教育"),
        Q(QuestionKind.SCALE, "您对结对联系（联络员、党小组组长与您的联系）满意吗？", "结对联系"),
        Q(QuestionKind.SCALE, "您对日常生活服务（购药、交费、报修、办卡等）满意吗？", "生活服务"),
        Q(QuestionKind.SCALE, "您对节日、生日、住院和家中困难时的走访慰问满意吗？", "走访慰问"),
        Q(QuestionKind.SCALE, "您对支部组织的活动（形势通报会、参观、主题活动等）满意吗？", "组织活动"),
        Q(QuestionKind.SCALE, "总的来说，您对支部今年的工作满意吗？", "总体评价"),
        Q(QuestionKind.SINGLE, "今年您的联络员大约多久与您联系一次？", "联系频率",
          ("每周", "每月", "每季度", "很少联系")),
        Q(QuestionKind.MULTIPLE, "明年您希望支部在哪些方面多做一些？（可多选）", "明年重点",
          ("学习交流", "上门走访", "生活服务", "健康保健", "文体活动", "参观考察")),
        Q(QuestionKind.TEXT, "您对支部工作还有什么意见和建议？（可不填）", "意见建议"),
    ),
)

VISIT_FOLLOW_UP = Blueprint(
    key="visit_follow_up",
    label="走访慰问回访（3题）",
    title="{year}年走访慰问回访",
    intro="请您对最近一次走访慰问作个评价。答卷不记名，每个答卷码只能使用一次，家人可以帮忙。",
    questions=(
        Q(QuestionKind.SCALE, "您对最近一次上门走访满意吗？", "上门走访"),
        Q(QuestionKind.SINGLE, "走访的时间对您方便吗？", "时间安排", ("方便", "一般", "不方便")),
        Q(QuestionKind.TEXT, "您还希望我们为您做些什么？（可不填）", "希望"),
    ),
)

BLUEPRINTS = {b.key: b for b in (YEARLY, VISIT_FOLLOW_UP)}
