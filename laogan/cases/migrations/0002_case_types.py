"""Ship the four case types of the source document with their checklists, so every centre has them from the start.

The data is written out here rather than imported from the app, so that this migration keeps doing what it did when
the app's code changes later. Re-running it (or running it over hand-made types) only adds what is missing.
"""

from django.db import migrations

# code, name, description, confidential, once_per_member, auto_outcome, order
TYPES = [
    ("after_death", "善后工作", "老干部去世后慰问家属、协助办理丧事和各项善后手续", False, True, "completed", 10),
    ("mediation", "新老联手化解矛盾", "请德高望重的老同志帮助做思想工作，化解长期积累的疙瘩", True, False, "", 20),
    ("hardship", "家庭困难帮扶", "老干部家庭遇到困难时评估需求、落实帮扶", False, False, "resolved", 30),
    ("home_care", "居家养老服务转介", "依托居家养老服务中心（站）提供生活照料、家政服务、康复护理和精神慰藉", False, False, "completed", 40),
]

# type code → [(code, title, hint, offset_days, anchor, predecessor code, assignee role, required, asks, result label)]
STEPS = {
    "after_death": [
        ("condolence", "上门慰问家属", "得知去世当天或次日，支部委员上门慰问", 1, "opened", None, "owner", True, "", ""),
        ("funeral", "协助办理丧事", "联系殡仪服务，协助操办告别仪式或追悼会", 3, "opened", None, "owner", True, "", ""),
        ("condolence_money", "送慰问金", "按规定标准送交家属", 3, "opened", None, "owner", True, "money", ""),
        ("pension_office", "通知养老金发放机构停发", "避免多发后追缴，给家属添麻烦", 3, "opened", None, "owner", True, "", ""),
        ("memorial", "发布讣告或悼念信息", "征得家属同意后在支部内通告", 3, "opened", None, "owner", True, "", ""),
        ("benefits_apply", "协助申请抚恤金、丧葬费", "准备死亡证明、户籍注销证明等材料，向原单位或社保部门申请", 15, "opened", None, "owner", True, "", ""),
        ("benefits_paid", "抚恤金、丧葬费发放到位", "登记领取人和金额", 30, "predecessor", "benefits_apply", "owner", True, "text", "领取人（姓名、关系）及金额"),
        ("party_dues", "结清党费", "核对最后缴纳月份，结清或退还多缴党费", 15, "opened", None, "secretary", True, "", ""),
        ("party_record", "办理党籍和党员档案手续", "按规定办理党籍注销，整理党员档案", 30, "opened", None, "secretary", True, "", ""),
        ("family_followup", "家属回访（约30天）", "了解家属生活和困难，征询是否登记为遗属，节日上门看望", 30, "opened", None, "liaison", True, "satisfaction", ""),
    ],
    "mediation": [
        ("listen", "听取诉求，梳理来龙去脉", "把以往的办理经过记为“以往办理”", 7, "opened", None, "owner", True, "", ""),
        ("check_policy", "核实政策依据", "查明相关待遇政策和历史情况", 14, "opened", None, "owner", True, "text", "政策依据"),
        ("choose_mediator", "商请德高望重的老同志担任调解人", "在“相关人员”中登记调解人", 14, "opened", None, "secretary", True, "", ""),
        ("first_talk", "调解人首次谈心", "每次谈话都记为“谈话”", 14, "predecessor", "choose_mediator", "owner", True, "", ""),
        ("review", "评估效果", "确定结果后由负责人办结", 30, "predecessor", "first_talk", "owner", True, "text", "效果"),
    ],
    "hardship": [
        ("assess", "评估困难和需求", "结合困难走访情况，填写评估和需求", 7, "opened", None, "owner", True, "", ""),
        ("plan", "确定帮扶措施", "资金、物品或转介，需书记同意", 7, "predecessor", "assess", "secretary", True, "text", "帮扶措施"),
        ("deliver", "落实帮扶", "每项帮扶都登记在“帮扶记录”中", 14, "predecessor", "plan", "owner", True, "", ""),
        ("confirm", "回访确认困难已解决", "", 30, "predecessor", "deliver", "liaison", True, "satisfaction", ""),
    ],
    "home_care": [
        ("refer", "向居家养老服务站转介", "说明老干部情况和所需服务", 3, "opened", None, "owner", True, "", ""),
        ("accept", "服务站确认接收", "", 7, "predecessor", "refer", "owner", True, "", ""),
        ("start", "开始上门服务", "", 7, "predecessor", "accept", "owner", True, "", ""),
        ("first_check", "首次回访服务情况", "此后按约定周期回访", 14, "predecessor", "start", "liaison", True, "text", "服务情况"),
        ("end", "服务结束，了解满意度", "服务终止时办理", None, "predecessor", "start", "owner", True, "satisfaction", ""),
    ],
}


def ship(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    StepTemplate = apps.get_model("cases", "StepTemplate")
    for code, name, description, confidential, once, outcome, order in TYPES:
        case_type, _ = CaseType.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "confidential": confidential, "once_per_member": once,
            "auto_outcome": outcome, "order": order})
        by_code = {}
        for i, (step, title, hint, offset, anchor, pred, role, required, asks, label) in enumerate(STEPS[code], 1):
            template, _ = StepTemplate.objects.get_or_create(case_type=case_type, code=step, defaults={
                "title": title, "hint": hint, "order": i * 10, "offset_days": offset, "anchor": anchor,
                "predecessor": by_code.get(pred), "assignee_role": role, "required": required, "asks": asks,
                "result_label": label})
            by_code[step] = template


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
